"""The ``runbook`` command: the only module that exits.

Commands live in ``generator/cli/<name>.py`` and are imported only when used
(or listed by ``--help``), so ``runbook --help`` stays fast. Each command returns an
``Outcome`` (what happened); user errors arrive as a ``ProblemError`` (``RunbookError``)
that carries its code and are printed without a traceback. ``main`` is the one place
that turns either into the process exit status.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

import click

from generator import __version__

if TYPE_CHECKING:
    from checks.problems import ExitCode
    from checks.run.group import Stopped

__all__ = ["cli", "main"]

COMMANDS: dict[str, str] = {
    "init": "init",
    "lint": "lint",
    "schema": "schema",
    "new": "new",
    "render": "render",
    "build": "build",
    "serve": "serve",
    "list": "list_",
    "exec": "exec_",
    "check": "check",
    "comms": "comms",
    "incident": "incident",
    "import": "import_",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if _module_exists(COMMANDS[name])]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMANDS.get(cmd_name)
        if module_name is None or not _module_exists(module_name):
            return None
        module = importlib.import_module(f"generator.cli.{module_name}")
        command: click.Command = module.command
        return command


def _module_exists(module_name: str) -> bool:
    here = os.path.join(os.path.dirname(__file__), f"{module_name}.py")
    return os.path.exists(here)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="runbook")
def cli() -> None:
    """Runbooks as code: YAML incident runbooks become a searchable site,
    communication templates and executable checks.

    \b
    Start here:
      runbook init                   set up a runbooks repository in this folder
      runbook new db-failover        scaffold a runbook that lints clean
      runbook lint                   check every runbook under ./runbooks
      runbook build                  build the site into ./site
      runbook exec db-failover       run a runbook's read-only checks
      runbook check                  CI: lint, then every eligible check

    Exit codes: 0 ok, 1 a check failed, 2 usage error, 3 invalid input,
    4 nothing ran, 130 interrupted (143 by TERM, 129 by HUP: each stops a
    command as Ctrl-C does).
    """


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return (and, as a console script, exit with) the exit code."""
    from checks.problems import ExitCode, Outcome, ProblemError
    from checks.run.group import Stopped, stop_signals_raise

    code: Any
    try:
        _refuse_undecodable(sys.argv[1:] if argv is None else argv)
        # TERM (CI runners, `timeout`, supervisors) and HUP (a closed terminal) stop every
        # command as Ctrl-C does, so that what it started (worker processes, a server's
        # temporary site) is cleaned up; killed outright, that outlived it.
        with stop_signals_raise(once=True):
            returned = cli.main(args=argv, prog_name="runbook", standalone_mode=False)
        if isinstance(returned, Outcome):
            code = returned.exit_code
        elif returned is None or returned == 0:  # click's own end: --help, --version
            code = ExitCode.OK
        else:  # a command that decides its own exit code: a bug, so a traceback
            raise TypeError(f"a command returned {returned!r}, not an Outcome")
    except ProblemError as exc:
        text = exc.format()
        if text:
            from checks.terminal import visible  # a message quotes what it was given

            click.echo(visible(text), err=True)
        code = exc.exit_code
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = ExitCode.USAGE if isinstance(exc, click.UsageError) else exc.exit_code
    except click.exceptions.Abort as exc:  # click's name for a KeyboardInterrupt
        if isinstance(exc.__cause__, Stopped):
            code = _stopped(exc.__cause__)
        else:
            click.echo("Aborted.", err=True)
            code = ExitCode.INTERRUPTED
    except Stopped as exc:  # outside click's reach (while it parses, say)
        code = _stopped(exc)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        code = ExitCode.INTERRUPTED
    except BrokenPipeError:
        # Output piped into `head`: not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = ExitCode.OK
    exit_code = int(code)
    if argv is None:
        sys.exit(exit_code)
    return exit_code


def _stopped(exc: Stopped) -> ExitCode:
    """What TERM or HUP ends a command with: said, and 128 + the signal."""
    from checks.problems import Outcome

    click.echo(f"Stopped ({exc}).", err=True)
    return Outcome(interrupted=True, signum=exc.signum).exit_code


def _refuse_undecodable(args: list[str]) -> None:
    """An argument that is not UTF-8 (Python keeps its bytes as surrogates) would fail
    wherever it is written or encoded (a record, a report, a JSON line): a usage error.
    The argument is not shown: it may be a secret (``--var TOKEN=...``)."""
    from generator.errors import UsageError

    for number, arg in enumerate(args, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as exc:
            byte = ord(arg[exc.start]) & 0xFF
            raise UsageError(
                f"argument {number} is not UTF-8 (byte 0x{byte:02x} at character "
                f"{exc.start + 1}): give every argument as UTF-8 text"
            ) from None


if __name__ == "__main__":
    main()
