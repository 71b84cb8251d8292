"""How `runbook import` decides a step's kind: conservatively, from a command table that is
data; a block that cannot run as written is manual; variables a runnable step reads are
declared."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from checks.shell.syntax import check_bash_syntax
from generator.importer import ImportOptions, ImportRequest, import_paths, load_table

MUTATING = re.compile(
    r"\b(?:delete|drop|truncate|rm|kill|apply|patch|scale|restart|create|POST|PUT|DELETE)\b|"
    r"(?<![0-9&])>(?!&|\s*/dev/null)|--force"
)


def _steps(tmp_path: Path, body: str, **options: Any) -> list[dict[str, Any]]:
    source = tmp_path / "page.md"
    source.write_text(f"# Page\n\n## Steps\n\n{body}", encoding="utf-8")
    _, texts = import_paths(
        ImportRequest((str(source),), out_dir=str(tmp_path / "out"), dry_run=True),
        ImportOptions(**options),
        load_table(),
    )
    (text,) = texts.values()
    doc = yaml.safe_load(text)
    return [s for section in doc.get("sections", []) for s in section.get("steps", [])]


def _kind(tmp_path: Path, command: str, lang: str = "bash", **options: Any) -> str:
    (step,) = _steps(tmp_path, f"```{lang}\n{command}\n```\n", **options)
    return str(step["kind"])


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        ("kubectl get pods -n web", "check"),
        ("kubectl -n web describe pod api-0", "check"),
        ("kubectl logs deploy/api --tail=50", "check"),
        ("kubectl rollout status deploy/api", "check"),
        ("aws ec2 describe-instances --region eu-west-1", "check"),
        ("aws s3api list-buckets", "check"),
        ("curl -sf https://example.com/health", "check"),
        ("grep -c ERROR /var/log/app.log", "check"),
        ("jq '.items[].metadata.name' pods.json", "check"),
        ("df -h / && free -m", "check"),
        ("sudo journalctl -u nginx --since '10 min ago'", "check"),
        ("timeout 10 kubectl get nodes", "check"),
        ("env KUBECONFIG=/tmp/k kubectl get ns", "check"),
        ("psql -h db -c 'SELECT count(*) FROM orders'", "check"),
        ("redis-cli -h cache INFO memory", "check"),
        ("kubectl apply -f deploy.yaml", "action"),
        ("kubectl -n web scale deploy/api --replicas=3", "action"),
        ("kubectl rollout restart deploy/api", "action"),
        ("kubectl patch deploy api -p '{}'", "action"),
        ("sudo systemctl restart nginx", "action"),
        ("curl -X POST https://example.com/api/cache/flush", "action"),
        ("curl -o report.csv https://example.com/report", "action"),
        ("echo ready > /tmp/state", "action"),
        ("kubectl get secret db -o yaml", "action"),
        ("aws secretsmanager get-secret-value --secret-id db", "action"),
        ("helm upgrade api ./chart", "action"),
        ("kubectl delete pod api-0", "destructive"),
        ("kubectl drain node-1 --ignore-daemonsets", "destructive"),
        ("kubectl get pods && kubectl delete pod api-0", "destructive"),
        ("rm -rf /var/cache/app", "destructive"),
        ("kill -9 1234", "destructive"),
        ("terraform destroy -auto-approve", "destructive"),
        ("redis-cli FLUSHDB", "destructive"),
        ("psql -c 'DROP TABLE tmp'", "destructive"),
        ("psql -c 'TRUNCATE sessions'", "destructive"),
        ("helm upgrade api ./chart --force", "destructive"),
        ("curl -X DELETE https://example.com/api/item/1", "destructive"),
        ("sudo -u postgres psql -c 'SELECT pg_terminate_backend(42)'", "destructive"),
        ("kubectl exec api-0 -- rm -rf /tmp/x", "destructive"),
        ("ssh host 'sudo reboot'", "destructive"),
        ("bash -c 'kubectl delete ns old'", "destructive"),
        ("watch -n 5 'kubectl delete pod x'", "destructive"),
        ("kubectl get pods -o name | xargs kubectl delete", "destructive"),
        ("shipit status web", "action"),
        ("./scripts/check.sh", "action"),
    ],
)
def test_kind_comes_from_the_riskiest_command(tmp_path: Path, command: str, kind: str) -> None:
    assert _kind(tmp_path, command) == kind


def test_an_unknown_command_gets_the_default_kind_never_check(tmp_path: Path) -> None:
    assert _kind(tmp_path, "shipit status web", default_kind="manual") == "manual"
    assert _kind(tmp_path, "shipit status web") == "action"


@pytest.mark.parametrize(
    ("command", "lang"),
    [
        ("kubectl logs <pod-name> -n <namespace>", "bash"),
        ("aws s3 ls s3://[BUCKET]/", "bash"),
        ("curl -H 'X-Token: your-token-here' https://x", "bash"),
        ("$ kubectl get pods\nNAME READY\napi-0 1/1", "console"),
        ("$ kubectl get pods", "bash"),
        (">>> import os", ""),
        ("mysql> SHOW PROCESSLIST;", ""),
        ("postgres=# SELECT 1;", ""),
        ("if true; then\n  echo x", "bash"),
        ('#!/bin/bash\nkubectl drain "$1"', "bash"),
        ("kubectl get pods ...", "bash"),
        ("SELECT * FROM orders;", "sql"),
        ("rate(http_requests_total[5m])", "promql"),
        ("Get-Service W3SVC", "powershell"),
        ("- check the dashboard\n- page the owner", "bash"),
        ("# only a comment", "bash"),
    ],
)
def test_a_block_that_cannot_run_as_written_is_manual(
    tmp_path: Path, command: str, lang: str
) -> None:
    assert _kind(tmp_path, command, lang) == "manual"


def test_no_check_step_holds_a_mutating_verb_and_runnable_steps_pass_bash_n(tmp_path: Path) -> None:
    corpus = Path(__file__).parent / "fixtures" / "import"
    _, texts = import_paths(
        ImportRequest((str(corpus),), out_dir=str(tmp_path), dry_run=True),
        ImportOptions(),
        load_table(),
    )
    runnable: list[str] = []
    for output, text in texts.items():
        if "/rendered/" in output:
            continue  # a rendered page's blocks keep the kinds their headers say
        doc = yaml.safe_load(text)

        def walk(sections: list[dict[str, Any]]) -> Any:
            for section in sections:
                yield from section.get("steps", [])
                yield from walk(section.get("sections", []))

        for step in walk(doc.get("sections", [])):
            if step["kind"] == "check" and "interpreter" not in step:
                assert not MUTATING.search(step["run"]), step["run"]
            if step["kind"] != "manual" and step.get("lang", "bash") in ("bash", "sh", "shell"):
                runnable.append(step["run"])
    assert len(runnable) > 20
    assert check_bash_syntax(runnable) == [None] * len(runnable)


def test_follow_interactive_requires_and_strict_are_read_from_the_command(tmp_path: Path) -> None:
    steps = _steps(
        tmp_path,
        "```bash\nkubectl logs -f deploy/api\n```\n\n```bash\nkubectl exec -it api-0 -- sh\n```\n\n"
        "```bash\ncurl -sf http://x/health\nif [ $? -ne 0 ]; then echo down; fi\n```\n",
    )
    follow, interactive, status = steps
    assert (follow["follow"], follow["timeout"], follow["requires"]) == (True, "30s", ["kubectl"])
    assert interactive["interactive"] is True
    assert status["strict"] is False


def test_check_steps_stay_out_of_ci_until_someone_ran_them(tmp_path: Path) -> None:
    (step,) = _steps(tmp_path, "```bash\nkubectl get pods\n```\n")
    assert step["ci"] is False
    assert "run it by hand once" in step["ci_reason"]


def test_variables_read_are_declared_secrets_masked_and_cross_block_reads_reported(
    tmp_path: Path,
) -> None:
    source = tmp_path / "v.md"
    source.write_text(
        "# V\n\n## A\n\n```bash\nexport POD=$(kubectl get pods -o name | head -1)\n```\n\n"
        '```bash\nkubectl describe "$POD" -n "$NAMESPACE"\n'
        'curl -H "Authorization: $API_TOKEN" "$URL"\n'
        'for i in 1 2; do echo "$i $HOME"; done\n```\n\n'
        '```bash\nkubectl logs <pod> -n "$OTHER"\n```\n',
        encoding="utf-8",
    )
    report, texts = import_paths(
        ImportRequest((str(source),), out_dir=str(tmp_path), dry_run=True),
        ImportOptions(),
        load_table(),
    )
    doc = yaml.safe_load(next(iter(texts.values())))
    assert doc["variables"] == {
        "POD": {"required": True},
        "NAMESPACE": {"required": True},
        "API_TOKEN": {"required": True, "secret": True},
        "URL": {"required": True},
    }
    assert any(
        w.code == "variable-across-blocks" and "reads $POD, set by step" in w.message
        for w in report.files[0].warnings
    )
