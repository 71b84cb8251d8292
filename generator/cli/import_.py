"""``runbook import PATH...``: Markdown runbooks -> YAML runbooks, with a report."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from checks.problems import Outcome


@click.command("import")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--out-dir",
    metavar="DIR",
    help="Folder for the YAML files, mirroring the input folders (default: RUNBOOKS/imported).",
)
@click.option("--out", "out_file", metavar="FILE", help="The YAML file (one input file only).")
@click.option("--dry-run", is_flag=True, help="Report only; write nothing.")
@click.option("--force", is_flag=True, help="Overwrite existing YAML files.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Report format."
)
@click.option("--strict", is_flag=True, help="Exit 3 when there is any warning.")
@click.option(
    "--default-kind",
    type=click.Choice(["action", "manual", "destructive"]),
    default="action",
    help="Kind of a command the table does not know (never check).",
)
@click.option(
    "--risk-table", metavar="FILE", help="TOML command table merged over the built-in one."
)
@click.option(
    "--severity-map",
    multiple=True,
    metavar="SRC=ID,...",
    help="Map source severities to severity ids (critical=SEV1,warning=SEV3).",
)
@click.option(
    "--interpreter",
    multiple=True,
    metavar="LANG=COMMAND",
    help="Run blocks of LANG with COMMAND reading them on stdin (sql='psql -X').",
)
@click.option(
    "--strip-prompts",
    is_flag=True,
    help="Rewrite: drop '$ ' prompts from blocks of prompted commands (reported).",
)
@click.option(
    "--schema",
    "schema_path",
    metavar="FILE",
    help="The runbook.schema.json the schema comment points at.",
)
def command(
    paths: tuple[str, ...],
    out_dir: str | None,
    out_file: str | None,
    dry_run: bool,
    force: bool,
    fmt: str,
    strict: bool,
    default_kind: str,
    risk_table: str | None,
    severity_map: tuple[str, ...],
    interpreter: tuple[str, ...],
    strip_prompts: bool,
    schema_path: str | None,
) -> Outcome:
    """Import Markdown runbooks (files, or folders walked for *.md, *.markdown, *.md.erb)
    as YAML runbooks: one per input, never overwriting without --force.

    \b
    Example:
      runbook import docs/runbooks --out-dir runbooks/imported --severity-map critical=SEV1

    Exit codes: 0 imported (warnings allowed), 2 usage, 3 unreadable input or existing
    output (or any warning under --strict), 4 no Markdown found, 130 interrupted.
    """
    from generator.errors import UsageError
    from generator.importer import (
        ImportOptions,
        ImportRequest,
        OptionError,
        TableError,
        import_paths,
        load_table,
        parse_pairs,
    )

    if out_dir and out_file:
        raise UsageError("--out and --out-dir exclude each other")
    try:
        opts = ImportOptions(
            default_kind=default_kind,
            severity_map=parse_pairs(severity_map, "--severity-map", lower_keys=True),
            interpreters=parse_pairs(interpreter, "--interpreter", lower_keys=True),
            strip_prompts=strip_prompts,
            schema_path=schema_path,
        )
        table = load_table(risk_table)
    except (OptionError, TableError) as exc:
        raise UsageError(str(exc)) from None
    if out_file:
        from generator.importer import find_markdown

        if len(find_markdown(paths)[0]) > 1:
            raise UsageError("--out takes one input file; use --out-dir for several")
    if out_dir is None and out_file is None:
        import os

        from generator.repository import default_root

        out_dir = os.path.join(default_root(), "imported")
    request = ImportRequest(paths, out_dir or ".", out_file, dry_run, force)
    report, _ = import_paths(request, opts, table)
    if fmt == "json":
        click.echo(report.json(strict=strict))
    else:
        click.echo(report.text(), err=False)
        if not report.files:
            click.echo("error: no Markdown files found", err=True)
    return report.outcome(strict=strict)
