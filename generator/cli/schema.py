"""``runbook schema``: print or write the JSON Schema of the runbook YAML."""

from __future__ import annotations

import click


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
    "--check",
    "check",
    metavar="FILE",
    help="Exit 1 when FILE is not the current schema (CI: the committed copy is current).",
)
def command(out: str | None, defaults: bool, check: str | None) -> int:
    """JSON Schema (draft 2020-12) of runbook YAML, for editors and CI.

    \b
    Regenerate the committed copies with:
      runbook schema --out runbooks/runbook.schema.json
      runbook schema --defaults --out runbooks/defaults.schema.json
    and check them in CI with --check FILE instead of --out FILE.
    """
    from checks.problems import ExitCode
    from generator.errors import RunbookError, UsageError
    from generator.schema import build_defaults_schema, build_schema, dump_schema

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
            return 0
        flag = " --defaults" if defaults else ""
        click.echo(
            f"{check}: not the current schema; regenerate it with: "
            f"runbook schema{flag} --out {check}",
            err=True,
        )
        return int(ExitCode.FAILED)
    if out is None:
        click.echo(text, nl=False)
        return 0
    try:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise RunbookError(f"cannot write {out}: {exc.strerror or exc}") from None
    return 0
