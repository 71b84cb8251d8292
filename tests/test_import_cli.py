"""`runbook import` as a user runs it: options, the report, exit codes, never overwriting,
and `runbook render` then import giving back the same steps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO, Cli

ALERT = """\
---
title: KubeNodeNotReady
severity: critical
weight: 3
review_period: 6 months
---

# KubeNodeNotReady

A node is not ready.

## Diagnosis

Check the nodes:

```bash
kubectl get nodes
```
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_becomes_one_yaml_runbook_with_provenance_and_sources(
    tmp_path: Path, cli: Cli
) -> None:
    source = _write(tmp_path / "docs", "KubeNodeNotReady.md", ALERT)
    code, out, _ = cli("import", str(source), "--out-dir", str(tmp_path / "out"))
    assert code == 0
    text = (tmp_path / "out" / "KubeNodeNotReady.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    assert f"# imported from {source}" in text
    assert f"# source: {source}:16" in text
    doc = yaml.safe_load(text)
    assert doc["id"] == "kube-node-not-ready"
    assert doc["alerts"] == ["KubeNodeNotReady"]
    assert doc["review_every"] == "180d"
    assert "severity" not in doc
    assert "# weight: 3" in text
    assert f"{source}:3:1: warning severity: severity 'critical' left out" in out


def test_severity_map_sets_the_severity(tmp_path: Path, cli: Cli) -> None:
    source = _write(tmp_path, "a.md", ALERT)
    out_file = tmp_path / "a.yaml"
    code, _, _ = cli(
        "import",
        str(source),
        "--out",
        str(out_file),
        "--severity-map",
        "critical=SEV1,warning=SEV3",
    )
    assert code == 0
    assert yaml.safe_load(out_file.read_text())["severity"] == "SEV1"


def test_folders_are_walked_in_order_and_mirrored(tmp_path: Path, cli: Cli) -> None:
    src = tmp_path / "src"
    _write(src, "b/README.md", "# B\n\nText.\n")
    _write(src, "a/one.markdown", "# One\n")
    _write(src, "a/two.md.erb", "# Two <%= x %>\n")
    _write(src, "a/notes.txt", "not markdown\n")
    code, out, _ = cli("import", str(src), "--out-dir", str(tmp_path / "out"), "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert [f["output"] for f in report["files"]] == [
        str(tmp_path / "out" / "a" / "one.yaml"),
        str(tmp_path / "out" / "a" / "two.yaml"),
        str(tmp_path / "out" / "b" / "README.yaml"),
    ]
    assert [f["id"] for f in report["files"]] == ["one", "two", "b"]
    assert report["exit_code"] == 0
    assert report["summary"]["files"] == 3


def test_an_existing_output_is_never_overwritten_without_force(tmp_path: Path, cli: Cli) -> None:
    source = _write(tmp_path, "a.md", ALERT)
    target = tmp_path / "out" / "a.yaml"
    target.parent.mkdir()
    target.write_text("id: mine\ntitle: Mine\n")
    code, out, _ = cli("import", str(source), "--out-dir", str(tmp_path / "out"))
    assert code == 3
    assert "exists (use --force to overwrite it)" in out
    assert target.read_text() == "id: mine\ntitle: Mine\n"
    code, _, _ = cli("import", str(source), "--out-dir", str(tmp_path / "out"), "--force")
    assert code == 0
    assert yaml.safe_load(target.read_text())["title"] == "KubeNodeNotReady"


def test_dry_run_writes_nothing(tmp_path: Path, cli: Cli) -> None:
    source = _write(tmp_path, "a.md", ALERT)
    code, out, _ = cli("import", str(source), "--out-dir", str(tmp_path / "out"), "--dry-run")
    assert code == 0
    assert "1 sections, 1 steps (1 check)" in out
    assert not (tmp_path / "out").exists()


def test_no_markdown_found_exits_4(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = cli("import", str(tmp_path / "empty"), "--dry-run")
    assert code == 4
    assert "no Markdown files found" in err


def test_a_missing_path_is_unreadable_input(tmp_path: Path, cli: Cli) -> None:
    code, out, _ = cli("import", str(tmp_path / "nope.md"), "--dry-run")
    assert code == 3
    assert f"{tmp_path / 'nope.md'}: error: cannot read: no such file or folder" in out


@pytest.mark.parametrize(
    "args",
    [
        ["--severity-map", "critical"],
        ["--interpreter", "sql"],
        ["--default-kind", "check"],
        ["--out", "x.yaml", "--out-dir", "y"],
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, cli: Cli, args: list[str]) -> None:
    source = _write(tmp_path, "a.md", ALERT)
    code, _, _ = cli("import", str(source), "--dry-run", *args)
    assert code == 2


def test_out_takes_one_file(tmp_path: Path, cli: Cli) -> None:
    _write(tmp_path / "src", "a.md", ALERT)
    _write(tmp_path / "src", "b.md", ALERT)
    code, _, err = cli("import", str(tmp_path / "src"), "--out", str(tmp_path / "x.yaml"))
    assert code == 2
    assert "--out takes one input file" in err


def test_strict_turns_any_warning_into_exit_3(tmp_path: Path, cli: Cli) -> None:
    source = _write(tmp_path, "a.md", ALERT)
    code, _, _ = cli("import", str(source), "--dry-run", "--strict")
    assert code == 3
    clean = _write(tmp_path, "b.md", "# Clean\n\nNothing to warn about.\n")
    code, _, _ = cli("import", str(clean), "--dry-run", "--strict")
    assert code == 0


def test_an_interrupt_exits_130(tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.importer

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(generator.importer, "import_paths", interrupted)
    source = _write(tmp_path, "a.md", ALERT)
    code, _, _ = cli("import", str(source), "--dry-run")
    assert code == 130


def test_the_report_has_a_line_per_file_warnings_and_rule_shares(tmp_path: Path, cli: Cli) -> None:
    source = _write(
        tmp_path,
        "mixed.md",
        "# Mixed\n\n## Do\n\n```bash\nkubectl get pods\n```\n\n"
        "```bash\nkubectl delete pod <pod>\n```\n\n"
        "```bash\nshipit deploy web\n```\n",
    )
    code, out, _ = cli("import", str(source), "--dry-run")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].endswith(
        "1 sections, 3 steps (1 check, 1 action, 1 manual), 0 samples, 0 snippets, "
        "0 variables, 2 warnings"
    )
    assert (
        f"{source}:9:1: warning manual: step 'kubectl-delete-pod' is manual: it has a placeholder "
        in out
    )
    assert (
        f"{source}:13:1: warning unknown-command: step 'shipit-deploy-web': "
        "'shipit' is not in the command table; kind action" in out
    )
    assert lines[-1] == "decided by: manual-placeholder 33%, table 33%, unknown 33%"


def test_interpreter_makes_sql_runnable_by_its_statements(tmp_path: Path, cli: Cli) -> None:
    source = _write(
        tmp_path,
        "db.md",
        "# DB\n\n## Q\n\n```sql\nSELECT 1;\n```\n\n```sql\nDELETE FROM sessions;\n```\n",
    )
    out = tmp_path / "db.yaml"
    code, _, _ = cli("import", str(source), "--out", str(out), "--interpreter", "sql=psql -X")
    assert code == 0
    steps = yaml.safe_load(out.read_text())["sections"][0]["steps"]
    assert [(s["kind"], s["interpreter"], s["requires"]) for s in steps] == [
        ("check", "psql -X", ["psql"]),
        ("destructive", "psql -X", ["psql"]),
    ]


def test_risk_table_teaches_an_in_house_cli(tmp_path: Path, cli: Cli) -> None:
    table = _write(
        tmp_path,
        "risk.toml",
        '[tools.shipit]\nverb = "first"\ncheck = ["status"]\naction = ["deploy"]\n',
    )
    source = _write(tmp_path, "s.md", "# S\n\n## A\n\n```bash\nshipit status web\n```\n")
    out = tmp_path / "s.yaml"
    code, _, _ = cli("import", str(source), "--out", str(out), "--risk-table", str(table))
    assert code == 0
    assert yaml.safe_load(out.read_text())["sections"][0]["steps"][0]["kind"] == "check"
    bad = _write(tmp_path, "bad.toml", "[tools.x]\nkind = 'safe'\n")
    code, _, err = cli("import", str(source), "--dry-run", "--risk-table", str(bad))
    assert code == 2
    assert "'safe' is not a kind" in err


def test_strip_prompts_is_an_opt_in_reported_rewrite(tmp_path: Path, cli: Cli) -> None:
    source = _write(tmp_path, "p.md", "# P\n\n## A\n\n```console\n$ kubectl get pods\n```\n")
    out = tmp_path / "p.yaml"
    code, report, _ = cli("import", str(source), "--out", str(out), "--strip-prompts")
    assert code == 0
    step = yaml.safe_load(out.read_text())["sections"][0]["steps"][0]
    assert (step["kind"], step["run"]) == ("check", "kubectl get pods\n")
    assert (
        "warning rewritten: step 'kubectl-get-pods': command text changed: removed '$ ' prompts"
        in report
    )
    code, _, _ = cli("import", str(source), "--out", str(out), "--force")
    assert yaml.safe_load(out.read_text())["sections"][0]["steps"][0]["kind"] == "manual"


def test_render_then_import_gives_back_the_same_steps(tmp_path: Path, cli: Cli) -> None:
    from generator.load.tree import load_tree

    code, _, _ = cli("render", "--out", str(tmp_path / "pages"), "--root", str(REPO / "runbooks"))
    assert code == 0
    code, _, _ = cli("import", str(tmp_path / "pages"), "--out-dir", str(tmp_path / "back"))
    assert code == 0
    original = {rb.id: rb for rb in load_tree(str(REPO / "runbooks")).runbooks}
    loaded = load_tree(str(tmp_path / "back"))
    assert not [p for p in loaded.problems if p.severity.value == "error"]
    back = {rb.id: rb for rb in loaded.runbooks}
    assert set(back) == set(original)
    for rid, rb in original.items():

        def shape(runbook: object) -> list[tuple[object, ...]]:
            return [
                (s.id, s.run.rstrip("\n") + "\n", s.kind, s.timeout, s.requires, s.interactive,
                 s.follow, s.strict,
                 s.ci, s.interpreter, s.expect.exit, s.expect.stdout, s.tags, s.sample_output)
                for s in runbook.all_steps()  # type: ignore[attr-defined]
                if s.run
            ]  # fmt: skip

        assert shape(back[rid]) == shape(rb), rid
