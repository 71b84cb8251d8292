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
def command(out: str | None, defaults: bool) -> int:
    """JSON Schema (draft 2020-12) of runbook YAML, for editors and CI.

    \b
    Regenerate the committed copies with:
      runbook schema --out runbooks/runbook.schema.json
      runbook schema --defaults --out runbooks/defaults.schema.json
    """
    from generator.errors import RunbookError
    from generator.schema import build_defaults_schema, build_schema, dump_schema

    text = dump_schema(build_defaults_schema() if defaults else build_schema())
    if out is None:
        click.echo(text, nl=False)
        return 0
    try:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise RunbookError(f"cannot write {out}: {exc.strerror or exc}") from None
    return 0
