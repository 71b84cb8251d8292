"""``runbook serve`` through MkDocs' ``serve`` with live reload forced on.

Click 8.3 silently turned MkDocs 1.6.1's live reload off (mkdocs#4032); the fix is
click >= 8.4, and we pass ``livereload=True`` explicitly as well.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from generator.errors import ExitCode, UsageError
from generator.site_build import ROOT_ENV, mkdocs_logging


def run_serve(*, config_file: str, dev_addr: str, root: str | None, full: bool) -> int:
    """Serve until interrupted; 0 on Ctrl-C after a clean start."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import Abort

    if not Path(config_file).is_file():
        raise UsageError(f"{config_file}: no such file (pass --config FILE)")
    if root:
        # serve loads the configuration itself on every rebuild: the plugin reads this.
        os.environ[ROOT_ENV] = str(Path(root).resolve())
    print(f"serving on http://{dev_addr}/ (Ctrl-C stops)", file=sys.stderr)
    with mkdocs_logging(sys.stderr, verbose=True) as handler:
        # The plugin rebuilds every page when the navigation changes, so MkDocs'
        # "dirty build ... inaccurate navigation" warning does not apply here.
        handler.addFilter(lambda r: "'dirty' build is being performed" not in r.getMessage())
        try:
            serve(
                config_file,
                livereload=True,
                build_type=None if full else "dirty",
                dev_addr=dev_addr,
            )
        except Abort as exc:
            print(f"error: {exc}", file=sys.stderr)
            return int(ExitCode.INVALID)
        except KeyboardInterrupt:
            return int(ExitCode.OK)
    return int(ExitCode.OK)
