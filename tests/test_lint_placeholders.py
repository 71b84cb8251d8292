"""The ``placeholder`` rule reads every text of the model: lists, pairs, rows, nested objects."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import Cli, write

NESTED = """
id: ph
title: Placeholders
alerts: [HighLatency, "TODO: name the alert"]
sections:
  - id: s
    title: S
    table:
      columns: [Service, Owner]
      rows:
        - [api, "[owner name]"]
        - [db, FIXME]
    steps:
      - id: env
        run: echo "$TARGET"
        env:
          TARGET: <host-name>
        expect: {contains: "xXx"}
      - id: nested
        kind: manual
        body: Nothing here, <b>bold</b> and [a link](https://example.com).
    sections:
      - id: inner
        title: TBD
"""


def test_placeholders_are_found_in_lists_pairs_rows_and_nested_objects(
    work: Path, cli: Cli
) -> None:
    write(work / "runbooks/ph.yaml", NESTED)
    code, out, err = cli("lint", "--no-cache")
    tail = " (fill it in, or accept it with 'lint: {allow: [placeholder]}') [placeholder]"
    assert out.splitlines() == [
        "runbooks/ph.yaml:1:1: warning: runbook 'ph': placeholder 'TODO' in alerts" + tail,
        "runbooks/ph.yaml:8:7: warning: table: placeholder 'FIXME' in rows" + tail,
        "runbooks/ph.yaml:8:7: warning: table: placeholder '[owner name]' in rows" + tail,
        "runbooks/ph.yaml:13:9: warning: step 'env': placeholder '<host-name>' in env" + tail,
        "runbooks/ph.yaml:17:17: warning: expect: placeholder 'xXx' in contains" + tail,
        "runbooks/ph.yaml:22:9: warning: section 'inner': placeholder 'TBD' in title" + tail,
    ]
    assert (code, err) == (0, "lint: 1 file, 6 warnings\n")
