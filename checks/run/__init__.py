"""A Check -> a judged Result: the command line, the process, the deadline, the output.

``process`` builds the command of a block (``build_argv``: bash ``-e -o pipefail``, an
interpreter, stdin) and runs it (``run_check`` with ``RunOptions``); ``pipes`` streams its
output through the tee (``capture``: live output, bounded capture, secret redaction),
``group`` stops its process group (TERM, grace, KILL), ``descendants`` and ``guardian``
end whatever it started in another group or session, also when the runner is killed;
``interactive`` runs a block that needs the terminal; ``expect`` judges the exit code and
output; ``outcome`` builds results; ``engine`` runs a whole plan (consent, keep-going,
parallel jobs, Ctrl-C, TERM and HUP: ``run_plan``); ``values`` holds what the blocks of a
run see as it goes (values handed on through ``$RUNBOOK_OUTPUT``, values asked in
``--walk``) and stamps each result with who ran it, where, with which values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checks._lazy import lazy_exports

if TYPE_CHECKING:
    from checks.run.engine import ExecSettings, RunState, run_plan
    from checks.run.process import RunOptions, build_argv, run_check

__all__ = [
    "ExecSettings",
    "RunOptions",
    "RunState",
    "build_argv",
    "run_check",
    "run_plan",
]

_MODULE_OF = {
    "RunOptions": "process",
    "build_argv": "process",
    "run_check": "process",
    "ExecSettings": "engine",
    "RunState": "engine",
    "run_plan": "engine",
}

__getattr__ = lazy_exports(__name__, _MODULE_OF)
