"""The five seed runbooks, converted by hand into ``runbooks/``: they load, and nothing is lost.

The seed texts live in ``tests/fixtures/seeds/`` (copies of the originals). Every command line
of every bash/sql fence, every table row, checklist item, mermaid line and contact of a seed
must be found in the runbook made from it; placeholder replacements and the few deliberate
command rewrites are listed explicitly per seed below, each with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from generator.load.tree import load_tree
from generator.model import Contact, Risk, Runbook, Section, Step
from tests.helpers import REPO

RUNBOOKS = REPO / "runbooks"
SEEDS = Path(__file__).parent / "fixtures" / "seeds"


@dataclass(frozen=True)
class Seed:
    fixture: str
    runbook: str
    scheme: str
    replace: tuple[tuple[str, str], ...] = ()
    """Placeholder -> variable, applied in order to every seed command line."""
    rewrites: dict[str, str] = field(default_factory=dict)
    """Whole seed line (normalised) -> the line that replaces it, for a stated reason."""
    as_text: tuple[str, ...] = ()
    """Lines of a bash fence that are prose (a list), kept as checklist items."""
    contacts: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Contacts written in a shape the generic parser does not read: role -> values."""


SEED_LIST = (
    Seed(
        "000_93822605c431cd59.txt",
        "aws-production-incident",
        "Severity 1-4",
        replace=(
            ('"i-xxxxx"', '"$INSTANCE_ID"'),
            ("i-xxxxx", '"$INSTANCE_ID"'),
            ("vol-xxxxx", '"$VOLUME_ID"'),
            ("sg-xxxxx", '"$SECURITY_GROUP_ID"'),
            ("sg-isolated", '"$ISOLATION_SECURITY_GROUP_ID"'),
            (
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/prod-app/xxxxx",
                '"$TARGET_GROUP_ARN"',
            ),
            (
                "redis-cli -h prod-redis.xxxxx.cache.amazonaws.com",
                'redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT"',
            ),
            ("app/prod-alb/xxxxx", '"$LOAD_BALANCER"'),
            ("https://api.example.com/health", '"$API_URL/health"'),
            ("https://app.example.com/", '"$APP_URL/"'),
            # bash reads the unset `current` as 0: a desired capacity of 2.
            ("$((current + 2))", "$((CURRENT_CAPACITY + 2))"),
            ("'problematic-process'", '"$PROCESS_NAME"'),
        ),
        contacts=(
            (
                "Primary On-Call",
                (
                    "Assigned via PagerDuty rotation",
                    "PagerDuty",
                    "oncall@example.com",
                    "Secondary on-call engineer",
                ),
            ),
        ),
    ),
    Seed(
        "001_625686c95b18a5f6.txt",
        "payments-incident-response",
        "SEV1-SEV4",
        replace=(
            ("https://api.example.com/health", '"$API_URL/health"'),
            ("--severity=SEV1", '--severity="$SEVERITY"'),
            ('--title="Database down"', '--title="$INCIDENT_TITLE"'),
            ("INC-2024-001", '"$INCIDENT_ID"'),
            ("INC-001", '"$INCIDENT_ID"'),
            ('--status="Investigating"', '--status="$INCIDENT_STATUS"'),
            ('--resolution="Restarted database"', '--resolution="$RESOLUTION"'),
        ),
    ),
    Seed(
        "002_0bb84e2ea38658e6.txt",
        "origin-platform-incident",
        "SEV-0..SEV-3",
        replace=(
            ("https://api.origin.example.com/health", '"$API_URL/health"'),
            ("https://origin.example.com/", '"$FRONTEND_URL/"'),
            ("https://cdn.origin.example.com", '"$CDN_URL'),
            ("nslookup origin.example.com", 'nslookup "$FRONTEND_HOST"'),
            ("api.origin.example.com", '"$API_HOST"'),
            (
                "curl 'http://prometheus-origin-production/api/v1/alerts'",
                'curl "$PROMETHEUS_URL/api/v1/alerts"',
            ),
            # -g: curl would read the PromQL [5m] as a URL glob.
            ("curl 'http://prometheus-origin-production", 'curl -g "$PROMETHEUS_URL"\''),
            ("redis-cli -h $REDIS_HOST", 'redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT"'),
            ("E123456789ABC", '"$CLOUDFRONT_DISTRIBUTION_ID"'),
        ),
        rewrites={
            # The AWS CLI has no `elasticcache-...` command.
            "aws elasticcache-modify-replication-group-shard-configuration \\": "aws elasticache modify-replication-group-shard-configuration \\",  # noqa: E501
            # Single quotes kept $(date ...) from expanding; curl -g for [5m].
            "curl 'http://prometheus-origin-production/api/v1/query_range?query=rate(http_requests_total[5m])&start=$(date -u -v-1H +%Y-%m-%dT%H%%3A%M%%3A%S)&end=$(date -u +%Y-%m-%dT%H%%3A%M%%3A%S)&step=60' > incident-metrics-$(date +%Y%m%d-%H%M%S).json": 'curl -g "$PROMETHEUS_URL/api/v1/query_range?query=rate(http_requests_total[5m])&start=$(date -u -v-1H +%Y-%m-%dT%H%%3A%M%%3A%S)&end=$(date -u +%Y-%m-%dT%H%%3A%M%%3A%S)&step=60" > incident-metrics-$(date +%Y%m%d-%H%M%S).json',  # noqa: E501
        },
    ),
    Seed(
        "003_c1660d9b6b00a41a.txt",
        "saaspe-production-incident",
        "P0-P3",
        replace=(
            ("saaspe-production-backend:2", '"$TASK_DEFINITION"'),
            ("<run-id>", '"$RUN_ID"'),
            ("<commit-sha>", '"$COMMIT_SHA"'),
            ("<snapshot-id>", '"$SNAPSHOT_ID"'),
            ("https://external-api.com/health", '"$EXTERNAL_API_URL/health"'),
        ),
    ),
    Seed(
        "004_9d53c1cef02476b0.txt",
        "microservices-incident-response",
        "P0-P3",
        rewrites={
            # Quoted, and -g: neither bash nor curl may read [5m] as a pattern.
            "curl http://$PROMETHEUS_IP:9090/api/v1/query?query=rate(http_server_requests_seconds_count[5m])": 'curl -g "http://$PROMETHEUS_IP:9090/api/v1/query?query=rate(http_server_requests_seconds_count[5m])"',  # noqa: E501
        },
        as_text=(
            "- Prometheus alerts",
            "- Grafana dashboards",
            "- Application logs",
            "- Infrastructure monitoring",
            "- Business metrics",
        ),
    ),
)
SEED_IDS = [s.runbook for s in SEED_LIST]


# --- helpers -------------------------------------------------------------------------------


def fences(text: str) -> list[tuple[str, list[str]]]:
    """Every fenced block of a seed: (language, lines)."""
    out: list[tuple[str, list[str]]] = []
    lang: str | None = None
    body: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if lang is None and stripped.startswith("```"):
            lang, body = stripped[3:].strip(), []
        elif lang is not None and stripped == "```":
            out.append((lang, body))
            lang = None
        elif lang is not None:
            body.append(line)
    return out


def outside_fences(text: str) -> str:
    """The seed's Markdown without its fenced blocks (a heredoc's task list is not a checklist)."""
    out: list[str] = []
    inside = False
    for line in text.splitlines():
        if line.strip().startswith("```"):
            inside = not inside
        elif not inside:
            out.append(line)
    return "\n".join(out)


def normalise(line: str) -> str:
    """Whitespace collapsed; double quotes dropped (we quote every variable expansion)."""
    return " ".join(line.replace('"', "").split())


def command_lines(lines: list[str], lang: str) -> list[str]:
    comment = "--" if lang == "sql" else "#"
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith(comment)]


def walk_sections(sections: tuple[Section, ...]) -> list[Section]:
    out: list[Section] = []
    for s in sections:
        out.append(s)
        out.extend(walk_sections(s.sections))
    return out


def run_lines(runbook: Runbook) -> set[str]:
    return {normalise(ln) for step in runbook.all_steps() for ln in step.run.splitlines()}


def contact_text(contact: Contact) -> list[str]:
    fields = (contact.name, contact.email, contact.phone, contact.pager, contact.slack)
    return [f for f in (*fields, contact.url, contact.notes) if f]


def seed_contacts(text: str) -> list[tuple[str, list[str]]]:
    """``role: value`` lines under every heading that mentions contacts."""
    out: list[tuple[str, list[str]]] = []
    level = 0
    for line in text.splitlines():
        heading = re.match(r"^(#+)\s+(.*)$", line)
        if heading:
            depth = len(heading.group(1))
            if level and depth <= level:
                level = 0
            if "Contacts" in heading.group(2):
                level = depth
            continue
        if not level:
            continue
        m = (
            re.match(r"^(?:-|\d+\.)\s+\*\*(.+?):?\*\*:?\s*(.+)$", line)
            or re.match(r"^(?:-|\d+\.)\s+([^:*(]+?):\s+(.+)$", line)
            or re.match(r"^\d+\.\s+(.+?)\s+\((.+)\)$", line)
        )
        if m:
            values = [v.strip().strip("`") for v in m.group(2).split(" - ")]
            out.append((m.group(1).strip(), values))
    return out


@pytest.fixture(scope="module")
def loaded() -> dict[str, Runbook]:
    result = load_tree(RUNBOOKS)
    errors = [p for p in result.problems if p.severity.value == "error"]
    assert errors == []
    return {rb.id: rb for rb in result.runbooks}


def seed_text(seed: Seed) -> str:
    return (SEEDS / seed.fixture).read_text(encoding="utf-8")


# --- loading -------------------------------------------------------------------------------


def test_every_yaml_file_parses_and_names_its_schema() -> None:
    files = sorted(RUNBOOKS.rglob("*.yaml"))
    assert len(files) == 12  # five seeds and the demo, each with its _defaults.yaml
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        schema = "defaults.schema.json" if path.name == "_defaults.yaml" else "runbook.schema.json"
        assert first == f"# yaml-language-server: $schema=../{schema}", path
        assert (path.parent / ".." / schema).resolve().is_file()
        assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict)


def _plain_scalars_cut_by_a_comment(text: str) -> list[str]:
    """Unquoted values followed by `` #...`` on their line: YAML read the rest as a comment."""
    lines = text.splitlines()
    cut: list[str] = []

    def walk(node: yaml.Node, is_value: bool) -> None:
        if isinstance(node, yaml.ScalarNode):
            end = node.end_mark
            rest = lines[end.line][end.column :] if end.line < len(lines) else ""
            if is_value and node.style is None and re.match(r"\s+#", rest):
                cut.append(f"{end.line + 1}:{node.start_mark.column + 1}: {node.value!r}")
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(key, False)
                walk(value, True)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item, True)

    root = yaml.compose(text)
    if root is not None:
        walk(root, True)
    return cut


def test_no_text_is_cut_short_by_an_unquoted_hash() -> None:
    # `summary: Enhancement #5, ...` keeps only "Enhancement": quote values with " #".
    assert _plain_scalars_cut_by_a_comment("a: text #5 more\nb: '#ok'\nc: x#y\n") == ["1:4: 'text'"]
    for path in sorted(RUNBOOKS.rglob("*.yaml")):
        assert _plain_scalars_cut_by_a_comment(path.read_text(encoding="utf-8")) == [], path


@pytest.mark.parametrize("seed", SEED_LIST, ids=SEED_IDS)
def test_seed_runbook_loads_with_its_organisation_scheme(
    seed: Seed, loaded: dict[str, Runbook]
) -> None:
    runbook = loaded[seed.runbook]
    assert runbook.severities is not None
    assert runbook.severities.name == seed.scheme
    assert runbook.org == Path(runbook.path).parent.name
    assert runbook.contacts and runbook.communications.templates
    assert runbook.severity is None or runbook.severities.level(runbook.severity) is not None
    for section in walk_sections(runbook.sections):
        if section.severity is not None:
            assert runbook.severities.level(section.severity) is not None, section.id


# --- nothing lost --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEED_LIST, ids=SEED_IDS)
def test_every_seed_command_line_is_in_a_step(seed: Seed, loaded: dict[str, Runbook]) -> None:
    runs = run_lines(loaded[seed.runbook])
    prose = set(seed.as_text)
    missing: list[str] = []
    count = 0
    for lang, lines in fences(seed_text(seed)):
        if lang not in ("bash", "sql"):
            continue
        for line in command_lines(lines, lang):
            if line in prose:
                continue
            count += 1
            wanted = seed.rewrites.get(line)
            if wanted is None:
                wanted = line
                for old, new in seed.replace:
                    wanted = wanted.replace(old, new)
            if normalise(wanted) not in runs:
                missing.append(line)
    assert missing == []
    assert count > 20


@pytest.mark.parametrize("seed", [s for s in SEED_LIST if s.as_text], ids=lambda s: s.runbook)
def test_prose_in_bash_fences_is_kept_as_checklist(seed: Seed, loaded: dict[str, Runbook]) -> None:
    items = {
        item.text
        for section in walk_sections(loaded[seed.runbook].sections)
        for item in section.checklist
    }
    assert {line.removeprefix("- ") for line in seed.as_text} <= items


def test_a_dropped_command_is_reported(loaded: dict[str, Runbook]) -> None:
    """The check above can fail: remove one step and its command goes missing."""
    runbook = loaded["origin-platform-incident"]
    steps = [s for s in runbook.all_steps() if s.id != "redis-flushdb"]
    runs = {normalise(ln) for s in steps for ln in s.run.splitlines()}
    assert normalise('redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" FLUSHDB') not in runs
    assert normalise('redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" FLUSHDB') in run_lines(runbook)


@pytest.mark.parametrize("seed", SEED_LIST, ids=SEED_IDS)
def test_tables_checklists_and_diagrams_are_kept(seed: Seed, loaded: dict[str, Runbook]) -> None:
    text = seed_text(seed)
    sections = walk_sections(loaded[seed.runbook].sections)
    rows = {tuple(r) for s in sections if s.table for r in (s.table.columns, *s.table.rows)}
    for line in text.splitlines():
        if line.startswith("|") and not re.match(r"^\|[-| ]+\|$", line):
            cells = tuple(c.strip() for c in line.strip().strip("|").split("|"))
            assert cells in rows, line
    items = {item.text for s in sections for item in s.checklist}
    for m in re.finditer(r"^- \[ \] (.+)$", outside_fences(text), re.M):
        assert m.group(1) in items
    mermaid = {ln.strip() for s in sections if s.diagram for ln in s.diagram.mermaid.splitlines()}
    for lang, lines in fences(text):
        if lang == "mermaid":
            assert {ln.strip() for ln in lines if ln.strip()} <= mermaid


@pytest.mark.parametrize("seed", SEED_LIST, ids=SEED_IDS)
def test_every_contact_is_kept(seed: Seed, loaded: dict[str, Runbook]) -> None:
    contacts = loaded[seed.runbook].contacts
    expected = [*seed_contacts(seed_text(seed)), *((r, list(v)) for r, v in seed.contacts)]
    assert expected
    for role, values in expected:
        matches = [c for c in contacts if c.role.lower() == role.lower()]
        assert matches, f"no contact {role!r}"
        assert any(
            all(any(v in text for text in contact_text(c)) for v in values) for c in matches
        ), (role, values)


def test_seed_002_severity_procedures_and_003_maintenance(loaded: dict[str, Runbook]) -> None:
    origin = {s.id: s for s in walk_sections(loaded["origin-platform-incident"].sections)}
    assert origin["sev0-response"].severity == "SEV-0"
    assert origin["sev1-response"].severity == "SEV-1"
    saaspe = loaded["saaspe-production-incident"]
    assert saaspe.maintenance is not None
    assert saaspe.maintenance.review == "Monthly"
    assert saaspe.maintenance.next_review == "2025-12-01"
    assert saaspe.last_reviewed == "2025-11-01"
    windows = [s.window for s in loaded["aws-production-incident"].sections if s.window]
    assert windows == ["0-5 min", "5-15 min", "15-30 min", "30-60 min", "60-90 min"]
    assert [sc.id for sc in loaded["aws-production-incident"].scenarios] == [
        "high-cpu",
        "db-pool-exhausted",
        "disk-full",
    ]


# --- risk ----------------------------------------------------------------------------------

DANGEROUS = (
    "FLUSHDB",
    "kill -9",
    "reboot-db-instance",
    "git push",
    "terraform apply",
    "pg_terminate_backend",
    "STOP SLAVE; RESET SLAVE ALL",
    "kubectl delete pod",
    "db restore",
    "migrate rollback",
    "cache:clear:all",
    "-delete",
    "act -W",
    "argocd app sync",
)
NEVER_IN_CHECKS = re.compile(
    r"delete|FLUSHDB|kill -9|reboot|terminate|apply -auto-approve|\bpush\b", re.IGNORECASE
)


def all_steps(loaded: dict[str, Runbook]) -> list[tuple[str, Step]]:
    return [(rb.id, step) for rb in loaded.values() for step in rb.all_steps()]


@pytest.mark.parametrize("command", DANGEROUS)
def test_dangerous_commands_are_destructive(command: str, loaded: dict[str, Runbook]) -> None:
    found = [(rb, s) for rb, s in all_steps(loaded) if command in s.run]
    assert found, command
    assert [(rb, s.id) for rb, s in found if s.kind is not Risk.DESTRUCTIVE] == []


def test_no_check_mentions_a_dangerous_word(loaded: dict[str, Runbook]) -> None:
    bad = [
        (rb, s.id)
        for rb, s in all_steps(loaded)
        if s.kind is Risk.CHECK and NEVER_IN_CHECKS.search(s.run)
    ]
    assert bad == []


def test_tty_follow_and_platform_steps_are_marked(loaded: dict[str, Runbook]) -> None:
    for rb, step in all_steps(loaded):
        where = f"{rb}:{step.id}"
        if re.search(r"--follow|^\s*watch ", step.run, re.M):
            assert step.follow and step.timeout, where
        if re.search(r"exec -it|mysql .* -p |kubectl edit|terraform apply -var=", step.run):
            assert step.interactive, where
        if "date -u -v-1H" in step.run:
            assert not step.ci and step.ci_reason and "macOS" in step.ci_reason, where
        if step.kind is not Risk.MANUAL and step.run.strip():
            assert step.timeout, where
            # No cloud account or cluster is ever chosen implicitly (CI skips these steps).
            if re.search(r"^\s*aws |\$\(aws ", step.run, re.M):
                assert "env:AWS_PROFILE" in step.requires, where
            if re.search(r"^\s*kubectl |\$\(kubectl ", step.run, re.M):
                assert "env:KUBECONFIG" in step.requires, where


def test_service_steps_are_checks_against_local_servers(loaded: dict[str, Runbook]) -> None:
    steps = {s.id: s for s in loaded["payments-incident-response"].all_steps()}
    for name in ("count-connections", "long-running-queries", "lock-waits"):
        step = steps[name]
        assert step.kind is Risk.CHECK and step.lang == "sql"
        assert step.interpreter is not None and '"$DATABASE_URL"' in step.interpreter
        assert "ON_ERROR_STOP=1" in step.interpreter
        assert set(step.requires) == {"psql", "env:DATABASE_URL"}
    redis = {s.id: s for s in loaded["origin-platform-incident"].all_steps()}["redis-memory"]
    assert redis.kind is Risk.CHECK
    assert 'redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" info memory' in redis.run
    port = {v.name: v for v in loaded["origin-platform-incident"].variables}["REDIS_PORT"]
    assert port.default == "6379"


def test_placeholders_are_declared_variables(loaded: dict[str, Runbook]) -> None:
    for rb in loaded.values():
        declared = {v.name for v in rb.variables}
        for step in rb.all_steps():
            assert not re.search(r"xxxxx|<[a-z-]+>", step.run), (rb.id, step.id)
            for name in re.findall(r"\$\{?([A-Z][A-Z0-9_]+)", step.run + (step.interpreter or "")):
                assert name in declared, (rb.id, step.id, name)
        for var in rb.variables:
            if var.secret:
                assert var.default is None, (rb.id, var.name)
