"""Run MkDocs on the runbook site through its Python API, with our messages and exit codes.

MkDocs logs through ``logging``; we print its warnings and errors compiler-style on
stderr (already located ones as they are, others as ``warning: ...``) and map the outcome
onto the exit codes every ``runbook`` command shares.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from checks.files import folder_problem
from checks.problems import Outcome
from generator.errors import RunbookError, UsageError

ROOT_ENV = "RUNBOOK_ROOT"
"""Overrides the plugin's ``root`` (how ``runbook serve --root`` reaches the plugin)."""

_LOCATED = re.compile(r"^\S+?(?::\d+){0,2}: (?:error|warning|note|info): ")


@dataclass(frozen=True, slots=True)
class BuildOptions:
    config_file: str = "mkdocs.yml"
    site_dir: str | None = None
    root: str | None = None
    strict: bool = False
    report: str | None = None
    today: str | None = None
    verbose: bool = False
    jobs: int | None = None
    """Processes for Markdown conversion (None: the plugin's ``jobs``, default every core)."""


class _StderrHandler(logging.Handler):
    """MkDocs' log records as one compiler-style line each."""

    def __init__(self, stream: TextIO, verbose: bool) -> None:
        super().__init__(logging.INFO if verbose else logging.WARNING)
        self.stream = stream
        self.counts: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        level = record.levelname.lower()
        self.counts[level] = self.counts.get(level, 0) + 1
        for line in record.getMessage().splitlines():
            as_is = _LOCATED.match(line) or line.startswith((" ", f"{level}: "))
            text = line if as_is else f"{level}: {line}"
            print(text, file=self.stream)


@contextmanager
def mkdocs_logging(stream: TextIO, verbose: bool) -> Iterator[_StderrHandler]:
    """Route the ``mkdocs`` logger to ``stream`` for the duration of a build."""
    logger = logging.getLogger("mkdocs")
    handler = _StderrHandler(stream, verbose)
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    # INFO even with --verbose: at DEBUG, MkDocs stops checking links to anchors.
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


def require_config(config_file: str) -> None:
    """UsageError unless ``config_file`` exists; a missing ``mkdocs.yml`` (a folder of
    runbooks that was never set up) gets the command that adds one."""
    if Path(config_file).is_file():
        return
    hint = "pass --config FILE"
    if Path(config_file).name == "mkdocs.yml":
        hint = "`runbook init` adds one and keeps what exists, or " + hint
    raise UsageError(f"{config_file}: no such file ({hint})")


def load_site_config(options: BuildOptions, **overrides: Any) -> Any:
    """``mkdocs.yml`` loaded with our overrides; UsageError when it is missing."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    require_config(options.config_file)
    check_options(options)
    kwargs: dict[str, Any] = {"strict": options.strict, **overrides}
    if options.site_dir:
        kwargs["site_dir"] = str(Path(options.site_dir).resolve())
    try:
        with _config_errors() as errors:
            config = load_config(options.config_file, **kwargs)
    except ConfigurationError as exc:
        raise RunbookError(f"{options.config_file}: {exc}") from None
    except Abort:  # MkDocs logged what was wrong, then gave up with "Aborted with ..."
        found = "; ".join(map(_config_hint, errors))
        raise RunbookError(f"{options.config_file}: {found}") from None
    plugin = config.plugins.get("runbook")
    if plugin is None:
        raise RunbookError(
            f"{options.config_file}: the 'runbook' plugin is not in plugins (add "
            "`- runbook: {root: runbooks}` under `plugins:`)"
        )
    if options.root:
        plugin.config.root = str(Path(options.root).resolve())
    if options.report:
        plugin.config.report = str(Path(options.report).resolve())
    if options.today:
        plugin.config.today = options.today
    if options.jobs is not None:
        plugin.config.jobs = options.jobs
    return config


@contextmanager
def _config_errors() -> Iterator[list[str]]:
    """The messages MkDocs logs for invalid configuration values (``Config value
    'docs_dir': ...``), kept for the one error the caller prints instead of being logged
    before MkDocs' bare "Aborted with a configuration error!"."""
    errors: list[str] = []
    logger = logging.getLogger("mkdocs.config")

    def keep(record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        errors.append(record.getMessage())
        return False

    logger.addFilter(keep)
    try:
        yield errors
    finally:
        logger.removeFilter(keep)


def _config_hint(error: str) -> str:
    """MkDocs' message for an invalid value, with the way out when it is a usual one."""
    if error.startswith("Config value 'docs_dir'") and "isn't an existing directory" in error:
        return error.rstrip(".") + " (MkDocs needs the folder even if it stays empty: create it)"
    return error


def check_options(options: BuildOptions) -> None:
    """UsageError for a ``--root`` that is not a folder or a ``--today`` that is not a date."""
    if options.root is not None and not Path(options.root).is_dir():
        what = "does not exist" if not Path(options.root).exists() else "is not a folder"
        raise UsageError(f"runbooks root '{options.root}' {what} (pass --root DIR)")
    if options.today:
        try:
            dt.date.fromisoformat(options.today)
        except ValueError:
            raise UsageError(
                f"--today '{options.today}' is not an ISO date (expected 2026-10-01)"
            ) from None


def run_build(options: BuildOptions, stream: TextIO | None = None) -> Outcome:
    """Build the site: failed with warnings under ``--strict``, invalid when the runbooks
    or the configuration are."""
    stream = stream or sys.stderr
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort, MkDocsException

    if options.root is None and os.environ.get(ROOT_ENV):
        options = BuildOptions(**{**_asdict(options), "root": os.environ[ROOT_ENV]})
    start = time.monotonic()
    config = load_site_config(options)
    plugin = config.plugins["runbook"]
    if problem := folder_problem(config.site_dir):  # before the build, not a traceback after
        named = f"--site-dir {options.site_dir}" if options.site_dir else (
            f"site_dir {config.site_dir} ({options.config_file})"
        )  # fmt: skip
        raise UsageError(f"{named}: {problem}")
    with mkdocs_logging(stream, options.verbose) as handler:
        print(
            f"building {plugin.config.root} with {options.config_file} "
            f"into {config.site_dir}{' (strict)' if options.strict else ''}",
            file=stream,
        )
        if any(name.rpartition("/")[2] == "search" for name in config.plugins):
            print(
                f"note: {options.config_file} turns MkDocs' search plugin on too: every page "
                "shows two search boxes, and its index grows with every runbook; the runbook "
                "plugin's search (Pagefind) indexes every page, so `- search` can go",
                file=stream,
            )
        try:
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except Abort as exc:
            if plugin.input_failed:  # already printed, located
                return Outcome(invalid=True)
            print(f"error: {exc}", file=stream)
            # MkDocs aborts a --strict build for its warnings: the site itself is fine.
            return Outcome(failed=True) if options.strict else Outcome(invalid=True)
        except MkDocsException as exc:
            print(f"error: {exc}", file=stream)
            return Outcome(invalid=True)
    warnings = handler.counts.get("warning", 0)
    print(
        f"built {plugin.pages_built} pages"
        + (f" and {plugin.redirects_built} alert redirects" if plugin.redirects_built else "")
        + f" in {time.monotonic() - start:.1f} s"
        + (f" with {warnings} warnings" if warnings else ""),
        file=stream,
    )
    return Outcome()


def _asdict(options: BuildOptions) -> dict[str, Any]:
    return {name: getattr(options, name) for name in BuildOptions.__slots__}
