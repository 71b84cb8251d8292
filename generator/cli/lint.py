"""``runbook lint [PATHS...]``: compiler-style problems of runbooks, one per line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from generator.cli._options import root_option

if TYPE_CHECKING:
    from checks.problems import Outcome


@click.command("lint")
@click.argument("paths", nargs=-1)
@click.option("--strict", is_flag=True, help="Fail (exit 3) on warnings too.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: file:line:col: severity: message; json: one object for tools.",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Also show the warnings that lint.allow accepts."
)
@root_option()
@click.option("--no-cache", is_flag=True, help="Parse and check everything again.")
def command(
    paths: tuple[str, ...], strict: bool, fmt: str, verbose: bool, root: str, no_cache: bool
) -> Outcome:
    """Check runbooks (default: every YAML file under --root) without running anything.

    Schema problems (unknown keys, wrong types, bad durations and patterns, duplicate
    ids), then rules: undeclared $VARIABLES in commands, bash syntax (bash -n),
    severities outside the scheme in force, comms templates that cannot render, $?
    tested under strict bash, leftover placeholders, stale reviews (today is
    $RUNBOOK_TODAY when set). PATHS may be folders, YAML files or Markdown files.

    \b
    Examples:
      runbook lint                          every runbook under ./runbooks
      runbook lint runbooks/payments --strict
      runbook lint --format json | jq '.problems[] | select(.rule == "placeholder")'

    Accept a warning on purpose with `lint: {allow: [placeholder]}` in the runbook
    or its _defaults.yaml. Exit 0 when clean, 3 on errors (and warnings with
    --strict), 2 on a bad path. Caches live in ./.runbook-cache ($RUNBOOK_CACHE_DIR).
    """
    import json
    import os
    import sys

    from checks.problems import Outcome, Severity, has_errors, no_such_path
    from checks.terminal import visible
    from generator.cli._environ import cache_dir, today
    from generator.errors import UsageError
    from generator.lint.runbooks import LintOptions, lint_tree

    for path in paths:
        if not os.path.exists(path):
            raise UsageError(no_such_path(path))
    if not paths and not os.path.isdir(root):
        raise UsageError(f"runbooks root '{root}' is not a folder (give PATHS or --root DIR)")
    options = LintOptions(today=today(), cache_dir=cache_dir(no_cache))
    result = lint_tree(root, list(paths) or None, options)
    errors = sum(p.severity is Severity.ERROR for p in result.problems)
    warnings = sum(p.severity is Severity.WARNING for p in result.problems)
    outcome = Outcome(invalid=has_errors(result.problems, strict=strict))
    if fmt == "json":
        report = {
            "version": 1,
            "problems": [p.to_json() for p in result.problems],
            "allowed": [p.to_json() for p in result.allowed],
            "summary": {
                "files": result.files,
                "errors": errors,
                "warnings": warnings,
                "allowed": len(result.allowed),
                "strict": strict,
            },
            "exit_code": int(outcome.exit_code),
        }
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return outcome
    for problem in result.problems:
        rule = f" [{problem.rule}]" if problem.severity is Severity.WARNING else ""
        click.echo(visible(f"{problem}{rule}"))
    if verbose:
        for problem in result.allowed:
            click.echo(
                visible(f"{problem.location}: note: allowed by lint.allow: {problem.message}")
            )
    click.echo(_summary(result.files, errors, warnings, len(result.allowed), strict, verbose),
               err=True)  # fmt: skip
    if not result.files and not paths:
        # An empty root, or runbooks kept elsewhere: say where lint looked.
        click.echo(
            f"note: no runbook under {root}: `runbook new ID` writes one, or pass --root DIR",
            err=True,
        )
    return outcome


def _summary(
    files: int, errors: int, warnings: int, allowed: int, strict: bool, verbose: bool
) -> str:
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    parts = [count(files, "file")]
    parts.append(count(errors, "error") if errors or not warnings else "")
    if warnings:
        parts.append(count(warnings, "warning") + (" (errors under --strict)" if strict else ""))
    text = "lint: " + ", ".join(p for p in parts if p)
    if not errors and not warnings:
        text = f"lint: {count(files, 'file')}, no problems"
    if allowed:
        more = "" if verbose else ": --verbose shows them"
        text += f"; {count(allowed, 'warning')} allowed by lint.allow{more}"
    return text
