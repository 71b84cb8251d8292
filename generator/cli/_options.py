"""What ``exec``, ``check`` and ``list`` take from the command line, declared once: the
report options, ``--jobs``, ``--timeout``, ``--root``; and the report targets checked
before anything runs (a usage error, exit 2, instead of a run that loses its report).
Also the one reader of ``NAME=VALUE`` option values (``comms --set``, ``incident --role``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

import click

from generator.cli._seconds import TIMEOUT

if TYPE_CHECKING:
    from checks.report import Transcript

F = TypeVar("F", bound=Callable[..., object])


def _apply(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def decorate(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return decorate


report_options = _apply(
    click.option("--json", "json_path", metavar="FILE", help="Write a JSON report."),
    click.option("--junit", "junit_path", metavar="FILE", help="Write a JUnit XML report."),
    click.option("--transcript", metavar="FILE", help="Append every event as a JSON line."),
)
"""``--json FILE``, ``--junit FILE``, ``--transcript FILE``."""


def jobs_option(help: str) -> Callable[[F], F]:
    """``--jobs N`` (1-64)."""
    return click.option("--jobs", default=1, type=click.IntRange(1, 64), metavar="N", help=help)


def timeout_option(default: float) -> Callable[[F], F]:
    """``--timeout SECONDS``: the timeout of blocks that set none."""
    return click.option(
        "--timeout",
        "default_timeout",
        default=default,
        type=TIMEOUT,
        metavar="SECONDS",
        callback=_check_timeout,
        help=f"Timeout of blocks that set none (default {default:g}).",
    )


def _check_timeout(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """The bounds every duration has (a block's ``timeout`` too): a usage error outside."""
    from checks.header import duration_range_error

    error = "is not more than zero" if not value > 0 else duration_range_error(value)
    if error:
        raise click.BadParameter(f"{value:g} {error}")
    return value


ROOT_HELP = (
    "Where runbooks are (default: $RUNBOOK_ROOT, else runbooks/ of the nearest folder "
    "upwards that has runbooks/ or mkdocs.yml)."
)


def root_option(help: str = ROOT_HELP) -> Callable[[F], F]:
    """``--root DIR``: where runbooks are; found like git finds its repository when not
    given (``generator.repository``), the same for every command."""
    return click.option("--root", callback=_found_root, metavar="DIR", help=help)


def _found_root(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    if value:
        return value
    from generator.repository import default_root

    return default_root()


def config_option() -> Callable[[F], F]:
    """``--config FILE``: the MkDocs configuration, found beside ``runbooks/`` upwards."""
    return click.option(
        "--config",
        "config_file",
        callback=_found_config,
        metavar="FILE",
        help="The MkDocs configuration (default: mkdocs.yml of the nearest folder upwards "
        "that has runbooks/ or mkdocs.yml).",
    )


def _found_config(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    if value:
        return value
    from generator.repository import default_config

    return default_config()


def check_report_paths(paths: Sequence[tuple[str, str | None]], environ: Mapping[str, str]) -> None:
    """Every report target can be written, or a usage error before anything runs."""
    from checks.outputs import report_path_problem
    from generator.errors import UsageError

    problem = report_path_problem(paths, environ)
    if problem:
        raise UsageError(problem)


def open_transcript(path: str | None) -> Transcript | None:
    """``--transcript FILE`` opened for appending (a usage error if it cannot be)."""
    from checks.report import Transcript
    from generator.errors import UsageError

    if not path:
        return None
    try:
        return Transcript(path)
    except OSError as exc:
        raise UsageError(f"--transcript {path}: cannot write it: {exc.strerror or exc}") from None


def name_value_pairs(values: Sequence[str], option: str) -> list[tuple[str, str]]:
    """``NAME=VALUE`` option values as (name, value) pairs in order; the name is stripped,
    the value kept as given. A usage error (exit 2) for one without ``=`` or a name."""
    from generator.errors import UsageError

    out = []
    for value in values:
        name, eq, rest = value.partition("=")
        if not eq or not name.strip():
            raise UsageError(f"{option} {value!r}: expected NAME=VALUE")
        out.append((name.strip(), rest))
    return out
