"""Secrets in the forms commands print them: JSON-escaped, quoted by ``set -x``, over
several lines, with tabs, backslashes, quotes or non-ASCII; and what lint says about them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Cli

PAGE = """# Secrets

```yaml {.runbook-variables}
TOKEN: {description: A token, secret: true, required: true}
```

```bash {#s--json .check}
python3 -c 'import json, os; print(json.dumps({"t": os.environ["TOKEN"]}))'
python3 -c 'import json, os; print(json.dumps(os.environ["TOKEN"], ensure_ascii=False))'
```

```bash {#s--trace .check strict=false}
set -x
: "$TOKEN"
```
"""

SECRETS = [
    "line1-secret\nline2-secret",
    "caf\u00e9-s3cret",
    "pa'ss word-s3cret",
    "tab\there-s3cret",
    "back\\slash-s3cret",
    'quo"te-s3cret',
    "ctl\x01char-s3cret",
]


def _leaks(text: str, secret: str) -> list[str]:
    """The spellings of ``secret`` a person could read back from ``text``."""
    spellings = {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        "'" + secret.replace("'", "'\\''") + "'",
    }
    return [s for s in spellings if s in text]


@pytest.mark.parametrize("secret", SECRETS, ids=lambda s: s.split("-")[0].encode().hex())
def test_escaped_and_traced_forms_of_a_secret_are_masked(
    tmp_path: Path, secret: str, cli: Cli
) -> None:
    (tmp_path / "s.md").write_text(PAGE)
    proc = cli.process("exec", "s.md", "--json", "r.json", cwd=tmp_path, env={"TOKEN": secret})
    assert proc.returncode == 0, proc.stderr
    report = (tmp_path / "r.json").read_text()
    for text in (proc.stdout, proc.stderr, report):
        assert _leaks(text, secret) == []
    results = {r["id"]: r for r in json.loads(report)["results"]}
    assert results["s--json"]["stdout"] == '{"t": "***"}\n"***"\n'
    assert "+ : ***\n" in results["s--trace"]["stderr"]


def test_a_secret_with_a_default_is_a_lint_warning(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "runbooks" / "a.yaml").write_text(
        "id: a\ntitle: A\nvariables:\n  TOKEN:\n    secret: true\n    default: s3cret\n"
    )
    code, out, _ = cli("lint", "--no-cache")
    assert code == 0
    assert out == (
        "runbooks/a.yaml:4:3: warning: variable 'TOKEN': secrets have no defaults in "
        "files: the page never shows a secret's value, so this default is dropped (give "
        "it with --var, --env-file or the environment) [secret-default]\n"
    )
    assert cli("lint", "--no-cache", "--strict")[0] == 3
