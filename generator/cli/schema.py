"""``runbook schema``: print or write the JSON Schema of the runbook YAML, or the format
reference (``--format markdown``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from checks.problems import Outcome


@click.command("schema")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the schema to FILE instead of printing it.",
)
@click.option(
    "--defaults",
    is_flag=True,
    help="The schema of a _defaults.yaml instead of a runbook file.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown"]),
    default="json",
    show_default=True,
    help="json: the JSON Schema; markdown: the format reference a person reads (REFERENCE.md).",
)
@click.option(
    "--check",
    "check",
    metavar="FILE",
    help="Exit 1 when FILE is not the current schema (CI: the committed copy is current).",
)
def command(out: str | None, defaults: bool, fmt: str, check: str | None) -> Outcome:
    """JSON Schema (draft 2020-12) of runbook YAML, for editors and CI; or, with
    --format markdown, the format reference: every key with its type, default and
    meaning, the block header, the comms context and the exit codes.

    \b
    Regenerate the committed copies with:
      runbook schema --out runbooks/runbook.schema.json
      runbook schema --defaults --out runbooks/defaults.schema.json
      runbook schema --format markdown --out REFERENCE.md
    and check them in CI with --check FILE instead of --out FILE.
    """
    from checks.problems import Outcome
    from generator.errors import RunbookError, UsageError
    from generator.schema import build_defaults_schema, build_schema, dump_schema

    if fmt == "markdown":
        if defaults:
            raise UsageError("--defaults is for the JSON Schema; the reference covers both files")
        from generator.reference import build_reference

        text = build_reference()
    else:
        text = dump_schema(build_defaults_schema() if defaults else build_schema())
    if check is not None:
        if out is not None:
            raise UsageError("--check and --out exclude each other (give one)")
        try:
            with open(check, encoding="utf-8") as handle:
                current = handle.read() == text
        except OSError as exc:
            raise UsageError(f"cannot read {check}: {exc.strerror or exc}") from None
        if current:
            return Outcome()
        flag = " --defaults" if defaults else " --format markdown" if fmt == "markdown" else ""
        what = "reference" if fmt == "markdown" else "schema"
        click.echo(
            f"{check}: not the current {what}; regenerate it with: "
            f"runbook schema{flag} --out {check}",
            err=True,
        )
        return Outcome(failed=True)
    if out is None:
        click.echo(text, nl=False)
        return Outcome()
    try:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise RunbookError(f"cannot write {out}: {exc.strerror or exc}") from None
    return Outcome()
