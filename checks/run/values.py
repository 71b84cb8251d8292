"""What the blocks of a run see as it goes, and who ran them where.

The plan resolves every value before the run. During it two things add values: a block
hands values on by writing ``NAME=value`` lines to the file ``$RUNBOOK_OUTPUT`` names (as
GitHub Actions' ``$GITHUB_OUTPUT``), for the names its ``outputs`` declares; and
``--walk`` asks for a value that is missing once a block that reads it is about to run.
Either way a value reaches later blocks only as an environment variable, never as text
in a command. Each block that ran is stamped with the user, the host and the values it
read (secrets masked), for the reports and the incident timeline.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from checks.header import VARIABLE_NAME
from checks.model import Check, Result, ShownValue, Variable
from checks.problems import Problem, Severity
from checks.run.capture import redact_text, secret_forms
from checks.run.process import RunOptions
from checks.terminal import visible
from checks.variables import Resolution, Value, shown_values, used_variables

__all__ = ["OUTPUT_FILE", "RunValues", "who_and_where"]

OUTPUT_FILE = "RUNBOOK_OUTPUT"
"""The environment variable naming the file a block writes its outputs to."""


def who_and_where() -> tuple[str, str]:
    """The login name and the host name of this run ('' for what cannot be told)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no $USER/$LOGNAME (a bare container)
        user = ""
    return user, os.uname().nodename  # what socket.gethostname() returns, without socket


class RunValues:
    """The values in force for a run's blocks, growing as blocks hand values on."""

    def __init__(
        self,
        declared: Sequence[Variable],
        resolution: Resolution,
        *,
        secrets: tuple[bytes, ...] = (),
        warn: Callable[[Problem], object] = lambda problem: None,
    ) -> None:
        self.declared = tuple(declared)
        """The page's variables, and the names blocks set (declared for the reads)."""
        self.values: dict[str, Value] = dict(resolution.values)
        self.secrets = secrets
        """Forms of the plan's secret values (``RunOptions.secrets``)."""
        self.warn = warn
        """Where a bad output line is reported (the run goes on)."""
        self.user, self.host = who_and_where()
        self._added: dict[str, str] = {}
        """Values handed on or asked for during the run: they override the plan's."""
        self._learnt: tuple[bytes, ...] = ()
        """Forms of secret values that came during the run, masked from then on."""
        self._read: dict[str, tuple[ShownValue, ...]] = {}
        self._folder: str | None = None
        self._lock = threading.Lock()  # --jobs: blocks start and end in worker threads
        self._secret = {v.name for v in self.declared if v.secret}

    def missing(self, check: Check) -> list[Variable]:
        """The variables the block reads that have no value (yet)."""
        names = used_variables(check, self.declared)
        return [v for v in self.declared if v.name in names and v.name not in self.values]

    def give(self, variable: Variable, value: str) -> None:
        """A value asked for on the terminal; an empty answer leaves the variable unset."""
        if value:
            self._add(variable.name, Value(value, "prompt"))

    def shown(self, check: Check) -> tuple[ShownValue, ...]:
        """The variables the block reads, as they are now (secrets masked)."""
        with self._lock:
            values = dict(self.values)
        return shown_values(check, self.declared, values, self.secrets + self._learnt)

    def options(self, options: RunOptions) -> RunOptions:
        """The run's options, masking also the secrets that came during the run."""
        if not self._learnt:
            return options
        return replace(options, secrets=options.secrets + self._learnt)

    def environment(self, check: Check, base: Mapping[str, str]) -> dict[str, str]:
        """The block's environment: the plan's, the values added since, its output file."""
        path = self._output_path(check)
        with self._lock:
            env = {**base, **self._added, OUTPUT_FILE: path}
        return env

    def finish(self, check: Check, result: Result) -> Result:
        """Read what the block handed on; the result stamped with who ran it, where, and
        the values it read."""
        read = self.shown(check)  # before its own outputs count
        outputs = self._collect(check)
        return replace(result, user=self.user, host=self.host, variables=read, outputs=outputs)

    def close(self) -> None:
        """Remove the output files."""
        if self._folder is not None:
            import shutil

            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def _add(self, name: str, value: Value) -> None:
        with self._lock:
            self.values[name] = value
            self._added[name] = value.value
            if name in self._secret:
                self._learnt += secret_forms([value.value])

    def _output_path(self, check: Check) -> str:
        """The block's output file, which does not exist yet (``_collect`` removes it, so
        a retried block starts without one)."""
        with self._lock:
            if self._folder is None:
                import tempfile

                self._folder = tempfile.mkdtemp(prefix="runbook-outputs-")
        return os.path.join(self._folder, check.id)

    def _collect(self, check: Check) -> tuple[tuple[str, str], ...]:
        if self._folder is None:
            return ()
        path = os.path.join(self._folder, check.id)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:  # the block wrote nothing (or removed the file)
            return ()
        with contextlib.suppress(OSError):
            os.unlink(path)
        handed: list[tuple[str, str]] = []
        for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            if not line.strip():
                continue
            name, equals, value = line.partition("=")
            problem = self._line_problem(check, name.strip() if equals else None)
            if problem:
                where = f"block '{check.id}': ${OUTPUT_FILE} line {number}"
                message = f"{where}: {problem}"
                self.warn(Problem(check.location, Severity.WARNING, message, "output"))
                continue
            name = name.strip()
            self._add(name, Value(value, f"output of {check.id}"))
            masked = "***" if name in self._secret else value
            handed.append((name, redact_text(masked, self.secrets + self._learnt)))
        return tuple(handed)

    def _line_problem(self, check: Check, name: str | None) -> str:
        if name is None:
            return "expected NAME=value (the line is not shown: it may hold a secret)"
        if not VARIABLE_NAME.match(name):
            shown = redact_text(name[:40], self.secrets + self._learnt)
            return f"'{visible(shown)}' is not a variable name"
        declared = check.options.outputs
        if name not in declared:
            names = ",".join((*declared, name))
            return f"'{name}' is not among the block's outputs (declare it: outputs={names})"
        return ""
