"""Real MkDocs builds of small runbook trees through `runbook build`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, SEEDS, Cli, build_in_process, mkdocs_yml
from tests.site_html import pagefind_pages

FIXTURE = REPO / "tests" / "fixtures" / "site_tree" / "runbooks"
TODAY = "2026-11-20"


def build(root: Path, site: Path, *extra: str) -> list[str]:
    """``runbook build`` of ``root`` into ``site`` with the repository's mkdocs.yml."""
    return [
        "build",
        "--config", str(REPO / "mkdocs.yml"),
        "--root", str(root),
        "--site-dir", str(site),
        "--today", TODAY,
        *extra,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    docs_before = sorted(p.relative_to(REPO) for p in (REPO / "docs").rglob("*"))
    ran = Cli()(*build(FIXTURE, out, "--strict"))
    assert ran.returncode == 0, ran.stderr
    # Pages are generated in memory: nothing is ever written into docs_dir.
    assert sorted(p.relative_to(REPO) for p in (REPO / "docs").rglob("*")) == docs_before
    return out


def one_section_runbooks(tmp_path: Path, heads: dict[str, str]) -> Path:
    """``tmp_path/runbooks`` with one runbook per id of ``heads``: its id, those YAML lines
    (title, service ...), and one section."""
    root = tmp_path / "runbooks"
    root.mkdir()
    for rid, head in heads.items():
        (root / f"{rid}.yaml").write_text(
            f"id: {rid}\n{head}\nsections:\n  - id: s\n    title: S\n    body: Look.\n",
            encoding="utf-8",
        )
    return root


def article(path: Path) -> str:
    """The page's content (what Markdown produced), without theme chrome."""
    html = path.read_text(encoding="utf-8")
    return html[html.index("<article") : html.index("</article>")]


def test_every_page_kind_is_built(site: Path) -> None:
    expected = [
        "index.html",
        "runbooks/db-pool/index.html",
        "runbooks/cache-down/index.html",
        "runbooks/ledger-lag/index.html",
        "orgs/acme/index.html",
        "orgs/acme/services/payments-api/index.html",
        "orgs/acme/services/ledger/index.html",
        "alerts/index.html",
        "alerts/PgConnectionsHigh/index.html",
        "alerts/PgTooManyClients/index.html",
        "alerts/PgConnectionsLeak/index.html",
        "alerts/DatabaseSlow/index.html",
        "tags/index.html",
        "assets/vendor/mermaid-11.17.2.min.js",
    ]
    assert [p for p in expected if not (site / p).is_file()] == []


def redirect_target(path: Path) -> str:
    """Where a redirect page sends the browser; its link must say the same."""
    html = path.read_text(encoding="utf-8")
    (refresh,) = re.findall(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', html)
    assert f'<a href="{refresh}">' in html
    assert "<article" not in html  # not a themed page
    return refresh


def test_an_alert_handled_in_one_place_redirects_there(site: Path) -> None:
    alerts = site / "alerts"
    assert redirect_target(alerts / "PgConnectionsHigh/index.html") == "../../runbooks/db-pool/"
    section = alerts / "PgTooManyClients/index.html"
    assert redirect_target(section) == "../../runbooks/db-pool/#diagnose"
    assert (
        'handled by <a href="../../runbooks/db-pool/#diagnose">Database connection pool '
        "exhausted</a>, section &#x27;Diagnosis&#x27;." in section.read_text(encoding="utf-8")
    )
    scenario = alerts / "PgConnectionsLeak/index.html"
    assert redirect_target(scenario) == "../../runbooks/db-pool/#leak"
    page = (site / "runbooks/db-pool/index.html").read_text(encoding="utf-8")
    assert 'id="diagnose"' in page and 'id="leak"' in page
    # Outside the theme, so it brings its own Content-Security-Policy.
    assert 'http-equiv="Content-Security-Policy"' in section.read_text(encoding="utf-8")


def test_alert_urls_follow_use_directory_urls(tmp_path: Path, cli: Cli) -> None:
    change = ("use_directory_urls: true", "use_directory_urls: false")
    config_file = mkdocs_yml(tmp_path, change)
    site = tmp_path / "site"
    ran = cli(*build(FIXTURE, site, "--config", str(config_file), "--strict"))
    assert ran.returncode == 0
    target = redirect_target(site / "alerts/PgTooManyClients.html")
    assert target == "../runbooks/db-pool.html#diagnose"
    index = article(site / "alerts/index.html")
    assert "<code>alerts/PgTooManyClients.html</code>" in index
    assert "alerts/PgTooManyClients/" not in index


def test_the_build_counts_pages_and_alert_redirects_apart(tmp_path: Path, cli: Cli) -> None:
    ran = cli(*build(FIXTURE, tmp_path / "site"))
    assert ran.returncode == 0
    last = ran.stderr.splitlines()[-1]
    # Home, help, organisation, 2 services, 3 runbooks, alerts, DatabaseSlow, tags.
    assert re.fullmatch(r"built 11 pages and 5 alert redirects in \d+\.\d s", last), last


def test_an_alert_handled_in_several_places_lists_them(site: Path) -> None:
    both = article(site / "alerts/DatabaseSlow/index.html")
    assert "Handled in 2 places" in both
    assert 'href="../../runbooks/db-pool/"' in both
    assert 'href="../../runbooks/ledger-lag/"' in both


def test_the_alerts_index_gives_each_alert_its_runbook_url(site: Path) -> None:
    index = article(site / "alerts/index.html")
    rows = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", r)).strip()
        for r in re.findall(r"<tr>(.*?)</tr>", index, re.S)
    ]
    assert (
        "PgTooManyClients alerts/PgTooManyClients/ Database connection pool exhausted, "
        "Database connection pool exhausted (section 'Diagnosis')"
    ) in rows
    assert (
        "DatabaseSlow alerts/DatabaseSlow/ Database connection pool exhausted, "
        "Ledger replication lag" in rows
    )
    # A list page of its own only where several runbooks handle the alert.
    assert '<a href="DatabaseSlow/">DatabaseSlow</a>' in index
    assert '<a href="PgTooManyClients/">' not in index


def test_home_lists_services_with_severity_owner_and_review_state(site: Path) -> None:
    home = article(site / "index.html")
    rows = re.findall(r"<tr>\s*(.*?)\s*</tr>", home, re.S)
    cells = [re.sub(r"<[^>]+>", "", r).split("\n") for r in rows]
    assert [
        "Database connection pool exhausted",
        "SEV2",
        "team-payments",
        "2026-01-10 (stale since 2026-04-10) stale",
    ] in cells
    assert [
        "Redis cache unavailable",
        "SEV1",
        "team-payments",
        "2026-10-01 (due 2026-12-30)",
    ] in cells
    assert '<a href="orgs/acme/services/payments-api/">payments-api</a>' in home
    assert '<a href="tags/#tag-database">database</a>' in home


def test_org_page_has_the_severity_matrix_and_rendered_template(site: Path) -> None:
    org = article(site / "orgs/acme/index.html")
    rows = [re.sub(r"<[^>]+>", "", r) for r in re.findall(r"<tr>(.*?)</tr>", org, re.S)]
    assert (
        "\nSEV1\nCritical\nCheckout is down for everyone.\n&lt; 5 minutes\n30 min\n"
        "On-call engineer → Engineering manager → CTO\nPayments API returns 500 for all requests\n"
    ) in rows
    assert ":rotating_light: Checkout errors is investigating" in org
    assert "{{ title }} is {{ status }}" in org  # the template source tab
    assert 'href="../../runbooks/db-pool/"' in org


def part_html(page: str, ident: str) -> str:
    """The HTML under ``<h2 id=ident>`` up to the next ``<h2``, the "From <org>." line
    (which only a runbook page has) left out."""
    start = page.index(f'<h2 id="{ident}">')
    end = page.find("<h2", start + 1)
    part = page[start : end if end >= 0 else len(page)]
    return re.sub(r'<p class="runbook-inherited">.*?</p>\n?', "", part, flags=re.S)


@pytest.mark.parametrize("ident", ["escalation", "contacts", "roles"])
def test_a_part_a_runbook_inherits_reads_the_same_on_its_organisation_page(
    site: Path, ident: str
) -> None:
    org = article(site / "orgs/acme/index.html")
    page = article(site / "runbooks/db-pool/index.html")
    assert part_html(org, ident) == part_html(page, ident)


def test_runbook_page_links_to_its_org_and_keeps_commands_as_written(site: Path) -> None:
    page = article(site / "runbooks/db-pool/index.html")
    assert 'href="../../orgs/acme/"' in page
    # Jinja2 never touches commands.
    assert "echo '{{ $labels.instance }}' | grep -c instance" in page


def test_navigation_is_pruned_to_the_pages_own_service(site: Path) -> None:
    page = (site / "runbooks/db-pool/index.html").read_text(encoding="utf-8")
    nav = page[page.index('<nav class="md-nav md-nav--primary"') :]
    assert 'href="../cache-down/"' in nav  # same service
    assert "../ledger-lag/" not in nav  # another service: pruned away


def _service_nav(count: int) -> list[Any]:
    """The nav entries under the page of one service of ``count`` runbooks (``R0000``...)."""
    from generator.model import Runbook
    from generator.site.layout import build_nav, group_runbooks, runbook_uri

    runbooks = [Runbook(id=f"rb-{i:04d}", title=f"R{i:04d}", service="big") for i in range(count)]
    (group,) = group_runbooks(runbooks, [])
    (svc,) = group.services
    titles = {group.uri: "All", svc.uri: "big"} | {runbook_uri(r.id): r.title for r in runbooks}
    (service,) = next(item for item in build_nav([group], titles) if "All" in item)["All"][1:]
    index, *entries = service["big"]
    assert index == svc.uri
    return entries


def test_a_big_service_is_split_into_nav_sections_of_chunk_runbooks() -> None:
    # Material renders the active nav section into every page of it: its size is the
    # per-page cost, so a big service is split.
    from generator.site.layout import CHUNK

    parts = _service_nav(2 * CHUNK + 1)
    labels = [next(iter(part)) for part in parts]
    assert labels == [f"1–{CHUNK}", f"{CHUNK + 1}–{2 * CHUNK}", f"{2 * CHUNK + 1}–{2 * CHUNK + 1}"]
    assert [len(next(iter(part.values()))) for part in parts] == [CHUNK, CHUNK, 1]
    assert parts[1][labels[1]][0] == {f"R{CHUNK:04d}": f"runbooks/rb-{CHUNK:04d}.md"}


def test_a_service_of_more_than_chunk_sections_gets_sections_of_sections() -> None:
    from generator.site.layout import CHUNK

    count = CHUNK * CHUNK + 3
    tops = _service_nav(count)
    top = CHUNK * CHUNK
    assert [next(iter(t)) for t in tops] == [f"1–{top}", f"{top + 1}–{count}"]
    inner = tops[0][f"1–{top}"]
    assert len(inner) == CHUNK
    assert next(iter(inner[1])) == f"{CHUNK + 1}–{2 * CHUNK}"
    assert tops[1][f"{top + 1}–{count}"] == [
        {f"R{i:04d}": f"runbooks/rb-{i:04d}.md"} for i in range(top, count)
    ]


def test_report_shows_when_a_block_last_ran(tmp_path: Path, cli: Cli) -> None:
    report = tmp_path / "report.json"
    finished = "2026-11-19T08:30:00Z"
    report.write_text(
        json.dumps(
            {
                "version": 1,
                "results": [
                    {
                        "id": "db-pool--count-connections",
                        "status": "passed",
                        "finished_at": finished,
                    }
                ],
            }
        )
    )
    out = tmp_path / "site"
    ran = cli(*build(FIXTURE, out, "--report", str(report)))
    assert ran.returncode == 0
    assert "2026-11-19" in article(out / "runbooks/db-pool/index.html")
    assert "2026-11-19" not in article(out / "runbooks/cache-down/index.html")


def test_broken_cross_runbook_link_fails_strict_with_its_yaml_location(
    tmp_path: Path, cli: Cli
) -> None:
    root = tmp_path / "runbooks"
    shutil.copytree(FIXTURE, root)
    path = root / "acme" / "cache-down.yaml"
    path.write_text(path.read_text().replace("db-pool.md#diagnose", "db-pool.md#nope"))
    ran = cli(*build(root, tmp_path / "site", "--strict"))
    assert ran.returncode == 1
    err = ran.stderr
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "#nope" in text)
    col = path.read_text().splitlines()[line - 1].index("db-pool.md#nope") + 1
    assert (
        f"{path}:{line}:{col}: warning: Doc file 'runbooks/cache-down.md' contains a link "
        "'db-pool.md#nope', but the doc 'runbooks/db-pool.md' does not contain an anchor '#nope'."
    ) in err.splitlines()
    assert "error: Aborted with 1 warnings in strict mode!" in err.splitlines()


def test_link_to_a_missing_runbook_fails_strict(tmp_path: Path, cli: Cli) -> None:
    root = tmp_path / "runbooks"
    shutil.copytree(FIXTURE, root)
    path = root / "acme" / "cache-down.yaml"
    path.write_text(path.read_text().replace("db-pool.md#diagnose", "db-poool.md"))
    ran = cli(*build(root, tmp_path / "site", "--strict"))
    assert ran.returncode == 1
    err = ran.stderr
    assert re.search(
        rf"^{re.escape(str(path))}:\d+:\d+: warning: Doc file 'runbooks/cache-down.md' contains "
        r"a link 'db-poool.md', but the target 'runbooks/db-poool.md' is not found",
        err,
        re.M,
    ), err


def test_invalid_runbook_is_a_located_error_with_exit_3(tmp_path: Path, cli: Cli) -> None:
    root = tmp_path / "runbooks"
    shutil.copytree(FIXTURE, root)
    path = root / "acme" / "ledger-lag.yaml"
    path.write_text(path.read_text().replace("severity: SEV2", "severity: SEV2\nsevrity: SEV1"))
    ran = cli(*build(root, tmp_path / "site"))
    assert ran.returncode == 3
    err = ran.stderr
    line = path.read_text().splitlines().index("sevrity: SEV1") + 1
    assert re.search(rf"^{re.escape(str(path))}:{line}:1: error: .*'sevrity'", err, re.M), err
    assert "Traceback" not in err


def test_missing_config_is_a_usage_error(tmp_path: Path, cli: Cli) -> None:
    ran = cli("build", "--config", str(tmp_path / "nope.yml"), "--site-dir", str(tmp_path))
    code = ran.returncode
    assert code == 2
    assert (
        ran.stderr.strip() == f"error: {tmp_path / 'nope.yml'}: no such file (pass --config FILE)"
    )


def test_runbooks_without_mkdocs_yml_are_told_how_to_add_it(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "runbooks").mkdir()
    shutil.copy(FIXTURE / "acme" / "db-pool.yaml", tmp_path / "runbooks")
    for command in ("build", "serve"):
        ran = cli(command, cwd=tmp_path)
        assert ran.returncode == 2
        assert ran.stderr.strip() == (
            "error: mkdocs.yml: no such file "
            "(`runbook init` adds one and keeps what exists, or pass --config FILE)"
        )
    assert cli("init", cwd=tmp_path).returncode == 0
    assert cli("build", cwd=tmp_path).returncode == 0
    assert (tmp_path / "site" / "runbooks" / "db-pool" / "index.html").is_file()


def test_bad_report_is_a_located_error(tmp_path: Path, cli: Cli) -> None:
    report = tmp_path / "report.json"
    report.write_text('{"results": [{"id": "x", "status": "sideways"}]}')
    ran = cli(*build(FIXTURE, tmp_path / "site", "--report", str(report)))
    assert ran.returncode == 3
    err = ran.stderr
    assert f"{report}: error: results[0] needs an 'id' and a 'status'" in err


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our own runbooks/ (the seeds) built with `runbook build --strict`."""
    out = tmp_path_factory.mktemp("seed-site")
    ran = Cli()(*build(SEEDS, out, "--strict"))
    assert ran.returncode == 0, ran.stderr
    return out


def test_repository_runbooks_build_strict(seed_site: Path) -> None:
    assert (seed_site / "index.html").is_file()
    ids = sorted(p.stem for p in (REPO / "runbooks").rglob("*.yaml") if p.name != "_defaults.yaml")
    assert sorted(p.parent.name for p in seed_site.glob("runbooks/*/index.html")) == ids


def test_every_seed_runbook_page_is_under_100_kb(seed_site: Path) -> None:
    """DESIGN, Performance: a runbook page stays under 100 KB of HTML."""
    pages = sorted(seed_site.glob("runbooks/*/index.html"))
    assert len(pages) >= 6
    sizes = {p.parent.name: p.stat().st_size for p in pages}
    assert {name: size for name, size in sizes.items() if size >= 100_000} == {}


def test_variables_show_once_as_a_table(site: Path) -> None:
    page = article(site / "runbooks/db-pool/index.html")
    # The declaration block is in the page Markdown (checks.extract reads it), not the HTML.
    assert "runbook-variables" not in page
    assert "description: Primary host" not in page
    rows = [re.sub(r"<[^>]+>", "|", r) for r in re.findall(r"<tr>(.*?)</tr>", page, re.S)]
    assert any("|DB_HOST|" in r and "|Primary host|" in r and "|localhost|" in r for r in rows)


def test_runbook_toc_lists_sections_and_steps_and_search_keeps_every_heading(site: Path) -> None:
    page = (site / "runbooks/db-pool/index.html").read_text(encoding="utf-8")
    toc = page[page.index('<nav class="md-nav md-nav--secondary"') :]
    toc = toc[: toc.index("</nav>\n</div>")]
    assert 'href="#diagnose"' in toc and 'href="#count-active-connections"' in toc  # h2, h3
    assert 'href="#leak"' in toc
    assert 'href="#symptoms"' not in toc and 'href="#roll-back"' not in toc  # h4, h6
    anchors = {a["id"] for a in pagefind_pages(site)["/runbooks/db-pool/"]["anchors"]}
    assert {"symptoms", "roll-back"} <= anchors


def test_markup_whitespace_is_collapsed_but_code_is_kept_byte_for_byte() -> None:
    from generator.site.html import collapse_whitespace

    html = (
        '<nav>\n    <ul>\n\n      <li> a </li>\n    </ul>\n</nav>\n<pre class="mermaid"><code>'
        "graph TD\n    A --&gt; B\n\n</code></pre>\n  <p>x\n\n  y</p><code>a\n  b</code>"
        '<script id="c">\n  {"a":  1}\n</script>'
    )
    assert collapse_whitespace(html) == (
        '<nav>\n<ul>\n<li> a </li>\n</ul>\n</nav>\n<pre class="mermaid"><code>'
        "graph TD\n    A --&gt; B\n\n</code></pre>\n<p>x\ny</p><code>a\n  b</code>"
        '<script id="c">\n  {"a":  1}\n</script>'
    )


def test_whitespace_runs_of_any_kind_collapse_as_the_rule_says() -> None:
    from generator.site.html import collapse_whitespace

    # Trailing spaces and tabs before a break go; after it, any whitespace (a no-break
    # space too) goes; a no-break space before the break's spaces stays; no break: kept.
    text = "a \t\r\n\xa0\u2003\n\n b\xa0 \n\tc  d\x0c\n\x1c e \n\n"
    assert collapse_whitespace(text) == re.sub(r"[ \t\r\f\v]*\n\s*", "\n", text)
    assert collapse_whitespace(text) == "a\nb\xa0\nc  d\ne\n"
    assert collapse_whitespace("  \n  ") == "\n" and collapse_whitespace(" x ") == " x "


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ('<pre class="mermaid"><code>graph TD</code></pre>', True),
        ('<div class="diagram  mermaid">graph TD</div>', True),
        ('<p title="mermaid">a</p><p class="x">mermaid diagrams</p>', False),
        ('<div class="mermaid-ish">x</div>', False),
    ],
)
def test_the_diagram_script_stays_only_where_a_class_names_a_diagram(body: str, kept: bool) -> None:
    from generator.site.html import drop_unused_diagram_script

    script = '<script src="../assets/vendor/mermaid-11.4.1.min.js"></script>\n'
    page = f"<html><body>{body}{script}</body></html>"
    assert (script in drop_unused_diagram_script(page)) is kept


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--today", "2026-13-01"],
            "error: --today '2026-13-01' is not an ISO date (expected 2026-10-01)",
        ),
        (
            ["--root", "{tmp}/nonexistent"],
            "error: runbooks root '{tmp}/nonexistent' does not exist (pass --root DIR)",
        ),
        (
            ["--root", "{tmp}/file.yaml"],
            "error: runbooks root '{tmp}/file.yaml' is not a folder (pass --root DIR)",
        ),
    ],
)
def test_bad_build_option_is_a_usage_error(
    args: list[str], message: str, tmp_path: Path, cli: Cli
) -> None:
    (tmp_path / "file.yaml").write_text("id: x\ntitle: X\n")
    argv = ["build", "--config", str(REPO / "mkdocs.yml"), "--site-dir", str(tmp_path / "site")]
    ran = cli(*(argv + [a.format(tmp=tmp_path) for a in args]))
    assert ran.returncode == 2
    assert ran.stderr.splitlines() == [message.format(tmp=tmp_path)]
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(
    ("folder", "problem"),
    [
        ("{tmp}/file.yaml", "is a file, not a folder"),
        ("{tmp}/file.yaml/site", "cannot create it: '{tmp}/file.yaml' is a file, not a folder"),
        ("/proc/runbook-site", "cannot create it: no such file or directory"),
    ],
)
@pytest.mark.parametrize(("command", "option"), [("build", "--site-dir"), ("render", "--out")])
def test_an_output_folder_that_cannot_be_written_is_a_usage_error_before_any_work(
    folder: str, problem: str, command: str, option: str, tmp_path: Path, cli: Cli
) -> None:
    (tmp_path / "file.yaml").write_text("id: x\ntitle: X\n")
    folder, problem = folder.format(tmp=tmp_path), problem.format(tmp=tmp_path)
    argv = [command, "--root", str(FIXTURE), option, folder]
    ran = cli(*argv, *(["--config", str(REPO / "mkdocs.yml")] if command == "build" else []))
    assert (ran.returncode, ran.stdout) == (2, "")
    assert ran.stderr.splitlines()[-1] == f"error: {option} {folder}: {problem}"
    assert "Traceback" not in ran.stderr


def test_a_site_dir_from_mkdocs_yml_is_named_as_such(tmp_path: Path, cli: Cli) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        (REPO / "mkdocs.yml").read_text().replace("site_dir: site", "site_dir: taken")
    )
    (tmp_path / "taken").write_text("a file where the site would go\n")
    (tmp_path / "docs").mkdir()
    ran = cli("build", "--config", str(config), "--root", str(FIXTURE))
    assert ran.returncode == 2
    assert ran.stderr.splitlines()[-1] == (
        f"error: site_dir {tmp_path / 'taken'} ({config}): is a file, not a folder"
    )


def test_an_invalid_mkdocs_yml_is_one_error_line_and_exit_3(tmp_path: Path, cli: Cli) -> None:
    config = tmp_path / "mkdocs.yml"
    shutil.copy(REPO / "mkdocs.yml", config)  # its docs_dir, docs/, is missing here
    ran = cli("build", "--config", str(config), "--root", str(FIXTURE))
    assert (ran.returncode, ran.stdout) == (3, "")  # not MkDocs' "Aborted with ..." on stdout
    assert ran.stderr.splitlines() == [
        f"error: {config}: Config value 'docs_dir': The path '{tmp_path / 'docs'}' isn't an "
        "existing directory (MkDocs needs the folder even if it stays empty: create it)"
    ]
    (tmp_path / "docs").mkdir()
    config.write_text("site_name: Runbooks\ntheme: {name: material}\n")
    ran = cli("build", "--config", str(config), "--root", str(FIXTURE))
    assert (ran.returncode, ran.stderr.splitlines()) == (3, [
        f"error: {config}: the 'runbook' plugin is not in plugins (add "
        "`- runbook: {root: runbooks}` under `plugins:`)"
    ])  # fmt: skip


def test_a_site_with_mkdocs_search_on_too_is_told_it_has_two_search_boxes(
    tmp_path: Path, cli: Cli
) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        (REPO / "mkdocs.yml").read_text().replace("plugins:\n", "plugins:\n  - search\n")
    )
    (tmp_path / "docs").mkdir()
    ran = cli(
        "build", "--config", str(config), "--root", str(FIXTURE), "--site-dir", str(tmp_path / "s")
    )
    assert ran.returncode == 0, ran.stderr
    assert (
        f"note: {config} turns MkDocs' search plugin on too: every page shows two search boxes, "
        "and its index grows with every runbook; the runbook plugin's search (Pagefind) indexes "
        "every page, so `- search` can go"
    ) in ran.stderr.splitlines()
    ran = cli("build", "--root", str(FIXTURE), "--site-dir", str(tmp_path / "t"), cwd=REPO)
    assert "note:" not in ran.stderr


def test_bad_today_from_the_environment_is_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.setenv("RUNBOOK_TODAY", "2026-13-01")
    argv = ["build", "--config", str(REPO / "mkdocs.yml"), "--root", str(FIXTURE)]
    ran = cli(*argv, "--site-dir", str(tmp_path / "site"))
    assert ran.returncode == 3
    err = ran.stderr.splitlines()
    assert err[-1] == "error: RUNBOOK_TODAY '2026-13-01' is not an ISO date (expected 2026-10-01)"
    assert not any("error: error:" in line for line in err)


def test_mkdocs_yml_never_enables_snippets() -> None:
    """pymdownx.snippets expands --8<-- even inside code fences: a runbook could include
    any file on the build machine."""
    from generator.site.build import BuildOptions, load_site_config

    config = load_site_config(BuildOptions(config_file=str(REPO / "mkdocs.yml")))
    extensions = [str(e) for e in config.markdown_extensions]
    assert "pymdownx.superfences" in extensions  # the list is the real one
    assert [e for e in extensions if "snippets" in e] == []
    assert "pymdownx.snippets" not in config.mdx_configs


def test_snippet_syntax_in_runbook_text_shows_literally(tmp_path: Path, cli: Cli) -> None:
    root = tmp_path / "runbooks"
    root.mkdir()
    include = '--8<-- "/etc/passwd"'
    (root / "snip.yaml").write_text(
        "id: snip\n"
        "title: Snippets\n"
        f"summary: '{include}'\n"
        "sections:\n"
        "  - id: s\n"
        "    title: S\n"
        "    body: |\n"
        f"      {include}\n\n"
        "      ```text\n"
        f"      {include}\n"
        "      ```\n"
        "    steps:\n"
        "      - id: include\n"
        "        title: Include\n"
        "        kind: manual\n"
        "        lang: text\n"
        f"        run: '{include}'\n",
        encoding="utf-8",
    )
    ran = cli(*build(root, tmp_path / "site", "--strict"))
    assert ran.returncode == 0
    page = article(tmp_path / "site" / "runbooks/snip/index.html")
    shown = '--8&lt;-- "/etc/passwd"'
    # Summary, body text, body fence, the step's block: snippets would empty the last two.
    assert page.count(shown) == 4
    assert "root:" not in page


def test_runbook_comms_template_that_cannot_render_fails_the_build_with_its_location(
    tmp_path: Path, cli: Cli
) -> None:
    root = tmp_path / "runbooks"
    shutil.copytree(FIXTURE, root)
    path = root / "acme" / "db-pool.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "communications:\n"
        "  templates:\n"
        "    - id: broken\n"
        "      channel: slack\n"
        "      audience: internal\n"
        "      body: |\n"
        "        {{ incident.title }}\n"
        "        {{ 1 / 0 }}\n",
        encoding="utf-8",
    )
    line = len(path.read_text(encoding="utf-8").splitlines())
    ran = cli(*build(root, tmp_path / "site"))  # not only under --strict
    assert ran.returncode == 3
    err = ran.stderr
    assert (
        f"{path}:{line}:9: error: comms template 'broken': ZeroDivisionError: division by zero"
    ) in err.splitlines()
    assert "Traceback" not in err


def test_every_page_carries_the_content_security_policy_before_anything_loads(
    site: Path,
) -> None:
    csp = (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; '
        "img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; font-src 'self' data:; "
        "connect-src 'self'; "
        "worker-src 'self'; object-src 'none'; frame-src 'none'; base-uri 'self'; "
        "form-action 'self'\">"
    )
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert html.count(csp) == 1, page
        first_load = min(html.index(tag) for tag in ("<link", "<script") if tag in html)
        assert html.index(csp) < first_load, page


def test_a_serve_rebuild_parses_only_the_edited_runbook(
    tmp_path: Path, parsed_files: list[str]
) -> None:
    root = tmp_path / "runbooks"
    shutil.copytree(FIXTURE, root)

    def rebuild() -> None:
        build_in_process(root, tmp_path / "site")

    rebuild()
    assert len(parsed_files) > 3
    parsed_files.clear()
    edited = next(root.rglob("db-pool.yaml"))
    edited.write_text(edited.read_text().replace("title:", "title: Edited", 1))
    rebuild()
    assert parsed_files == ["db-pool.yaml"]
    assert "Edited" in (tmp_path / "site" / "runbooks" / "db-pool" / "index.html").read_text()


def test_a_serve_rebuild_after_a_renamed_runbook_redoes_the_pages_whose_navigation_shows_it(
    tmp_path: Path,
) -> None:
    root = one_section_runbooks(
        tmp_path,
        {
            "a1": "title: Alpha one\nservice: svc-a",
            "a2": "title: Alpha two\nservice: svc-a",
            "a3": "title: Alpha three\nservice: svc-a",
            "b1": "title: Beta\nservice: svc-b",
        },
    )
    site = tmp_path / "site"

    def rebuild() -> dict[str, int]:
        build_in_process(root, site)
        return {p.parent.name: p.stat().st_mtime_ns for p in site.glob("runbooks/*/index.html")}

    def nav(page: str) -> str:
        html = (site / "runbooks" / page / "index.html").read_text(encoding="utf-8")
        return html[html.index('data-md-type="navigation"') : html.index("<article")]

    def rename(rid: str, title: str) -> None:
        path = root / f"{rid}.yaml"
        path.write_text(re.sub(r"^title: .*$", f"title: {title}", path.read_text(), flags=re.M))

    first = rebuild()
    assert "Alpha two" in nav("a1") and "Alpha two" not in nav("b1")  # pruned: its own section
    rename("a2", "Alpha twofold")  # the same place in its section
    second = rebuild()
    assert "Alpha twofold" in nav("a1") and "Alpha twofold" in nav("a3")
    assert all(second[page] != first[page] for page in ("a1", "a2", "a3"))
    assert second["b1"] == first["b1"]  # another section: its page is left as it was
    assert "Alpha twofold" not in nav("b1")
    # The rebuilt pages name the pages that were not rebuilt (MkDocs did not read them).
    for title in ("Home", "Alerts", "How to use these runbooks", "Alpha three"):
        assert re.search(rf">\s*{title}\s*<", nav("a1")), title
    assert not re.search(r">\s*None\s*<", nav("a1"))
    rename("a1", "Zulu")  # moves within its section: the section's pages are redone
    third = rebuild()
    assert all(third[page] != second[page] for page in ("a1", "a2", "a3"))
    assert third["b1"] == second["b1"]
    assert nav("a3").index("Alpha twofold") < nav("a3").index("Zulu")
    (root / "a4.yaml").write_text((root / "a2.yaml").read_text().replace("a2", "a4"))
    rename("a4", "Alpha four")  # a new runbook: its section's pages show it
    fourth = rebuild()
    assert all(fourth[page] != third[page] for page in ("a1", "a2", "a3"))
    assert fourth["b1"] == third["b1"]
    assert "Alpha four" in nav("a1") and "Alpha four" not in nav("b1")


def test_a_site_rebuilt_by_serve_after_edits_is_the_site_a_full_build_writes(
    tmp_path: Path,
) -> None:
    """Serve rebuilds only what an edit changes (a rename, a step, a runbook added or
    removed); what it leaves must be what a build of the edited runbooks would have
    written: every page, byte for byte, and no page of a runbook that is gone."""
    root = tmp_path / "runbooks"
    shutil.copytree(FIXTURE, root)

    def build(site: Path, *, serve: bool) -> dict[str, str]:
        build_in_process(root, site, serve=serve)
        marker = '<meta name="runbook-search-status" content="search-status.json">\n'
        return {
            str(p.relative_to(site)): p.read_text(encoding="utf-8").replace(marker, "")
            for p in site.rglob("*.html")
            if "_pagefind" not in p.parts
        }

    def edit(old: str, new: str) -> None:
        path = root / "acme" / "db-pool.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    served = tmp_path / "served"
    build(served, serve=True)
    edit("title: Database connection pool exhausted", "title: Database connection pool full")
    build(served, serve=True)
    edit("    title: Diagnosis", "    title: Diagnosis first")
    build(served, serve=True)
    added = (root / "acme" / "cache-down.yaml").read_text(encoding="utf-8")
    added = added.replace("id: cache-down", "id: cache-down-eu", 1)
    (root / "acme" / "cache-down-eu.yaml").write_text(added, encoding="utf-8")
    pages = build(served, serve=True)
    assert "runbooks/cache-down-eu/index.html" in pages
    (root / "acme" / "cache-down.yaml").unlink()
    pages = build(served, serve=True)
    assert len(pages) > 10
    assert pages == build(tmp_path / "full", serve=False)
    assert not (served / "runbooks" / "cache-down").exists()


@pytest.mark.parametrize("dirty", [False, True])
def test_building_another_site_in_the_same_process_leaves_the_first_one_whole(
    tmp_path: Path, dirty: bool
) -> None:
    """MkDocs keeps one plugin instance for every build of a process (the plugin has
    ``on_startup``): what it remembers of one site must not delete another site's pages."""
    (tmp_path / "other").mkdir()
    other = one_section_runbooks(tmp_path / "other", {"z1": "title: Zed\nservice: svc-z"})

    def build(root: Path, site: Path, *, dirty: bool) -> list[str]:
        build_in_process(root, site, serve=dirty)
        return sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))

    first = build(FIXTURE, tmp_path / "first", dirty=True)
    assert "runbooks/db-pool/index.html" in first
    build(other, tmp_path / "second", dirty=dirty)
    assert (
        sorted(str(p.relative_to(tmp_path / "first")) for p in (tmp_path / "first").rglob("*.html"))
        == first
    )


def test_a_serve_rebuild_uses_an_edited_theme_override(tmp_path: Path) -> None:
    """Serve keeps the theme's compiled templates from one rebuild to the next: an
    override edited in between must still be compiled again."""
    root = one_section_runbooks(tmp_path, {"a1": "title: Alpha one"})
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    config_file = mkdocs_yml(
        tmp_path, ("  name: material\n", f"  name: material\n  custom_dir: {overrides}\n")
    )
    site = tmp_path / "site"

    def rebuild(banner: str) -> str:
        (overrides / "main.html").write_text(
            '{% extends "base.html" %}{% block announce %}' + banner + "{% endblock %}"
        )
        path = root / "a1.yaml"  # a page to rebuild (serve redoes only what changed)
        path.write_text(re.sub(r"body: .*", f"body: Look for {banner}.", path.read_text()))
        build_in_process(root, site, config_file=config_file)
        return (site / "runbooks" / "a1" / "index.html").read_text(encoding="utf-8")

    assert "Banner one" in rebuild("Banner one")
    page = rebuild("Banner two")
    assert "Banner two" in page and "Banner one" not in page


def test_the_alerts_index_names_a_few_handlers_and_links_the_rest(tmp_path: Path, cli: Cli) -> None:
    root = one_section_runbooks(
        tmp_path,
        {f"rb{i}": f"title: Handler {i}\nservice: svc\nalerts: [SharedAlert]" for i in range(7)},
    )
    site = tmp_path / "site"
    ran = cli(*build(root, site))
    assert ran.returncode == 0, ran.stderr
    index = article(site / "alerts/index.html")
    row = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", re.findall(r"<tr>(.*?)</tr>", index, re.S)[1]))
    assert row.strip() == (
        "SharedAlert alerts/SharedAlert/ Handler 0, Handler 1, Handler 2, Handler 3, "
        "Handler 4 and 2 more"
    )
    assert '<a href="SharedAlert/">2 more</a>' in index
    page = article(site / "alerts/SharedAlert/index.html")
    assert "Handled in 7 places" in page
    assert all(f'href="../../runbooks/rb{i}/"' in page for i in range(7))


def test_the_diagram_library_loads_only_on_pages_that_draw_a_diagram(site: Path) -> None:
    def scripts(page: str) -> list[str]:
        html = (site / page).read_text(encoding="utf-8")
        return [s.rsplit("/", 1)[-1] for s in re.findall(r'<script src="([^"]+)"', html)]

    with_diagram = scripts("runbooks/db-pool/index.html")  # its section draws a mermaid graph
    assert "mermaid-11.17.2.min.js" in with_diagram
    for page in ("runbooks/cache-down/index.html", "index.html", "alerts/index.html"):
        assert "mermaid-11.17.2.min.js" not in scripts(page), page


def test_a_large_site_home_page_counts_each_services_runbooks(tmp_path: Path, cli: Cli) -> None:
    def head(i: int) -> str:
        service, reviewed = ("big", "2025-01-01") if i < 90 else ("small", "2026-11-01")
        return (
            f"title: Runbook {i}\nservice: {service}\n"
            f"last_reviewed: '{reviewed}'\nreview_every: 90d"
        )

    # One more than the home page lists one by one.
    root = one_section_runbooks(tmp_path, {f"rb{i}": head(i) for i in range(101)})
    site = tmp_path / "site"
    ran = cli(*build(root, site, "--strict"))
    assert ran.returncode == 0, ran.stderr
    home = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", article(site / "index.html")))
    assert "101 runbooks in 2 services, 90 due for review." in home
    assert "big: 90 runbooks, 90 due for review" in home
    assert "small: 11 runbooks " in home + " "
    assert "Runbook 7" not in home  # listed on its service's page instead
    assert "Runbook 7" in article(site / "orgs/runbooks/services/big/index.html")


def test_the_search_box_does_not_wait_for_the_rest_of_the_page(site: Path) -> None:
    html = (site / "runbooks/cache-down/index.html").read_text(encoding="utf-8")
    head, body = html.split("<body", 1)
    header_end = body.index("</header>")
    after_header = body[header_end : header_end + 400]
    for script in ("_pagefind/pagefind-ui.js", "assets/javascripts/search.js"):
        assert re.search(rf'<script src="[./]*{script}" async>', after_header), script
    # The CSP meta tag stops Chromium's preload scanner: every script is named in the head.
    scripts = re.findall(r'<script src="([^"]+)"', body)
    assert len(scripts) >= 4
    preloaded = re.findall(r'<link rel="preload" href="([^"]+)" as="script">', head)
    assert preloaded == scripts
    assert head.index("Content-Security-Policy") < head.index('rel="preload"')
    # The module that starts the search engine comes first in the head, after the
    # policy, with what it imports fetched as soon.
    engine = re.search(
        r'<script type="module" src="([./]*)assets/javascripts/pagefind/pagefind.js" async>',
        head,
    )
    assert engine is not None
    assert (
        head.index("Content-Security-Policy")
        < engine.start()
        < head.index('<link rel="stylesheet"')
    )
    # Before the other scripts: a browser opens only a few connections to one host at once.
    assert engine.start() < head.index('rel="preload"')
    modules = re.findall(r'<link rel="modulepreload" href="([^"]+)">', head)
    assert modules == [engine[1] + "_pagefind/pagefind.js"]
    assert "pagefind/pagefind.js" not in body
    # The theme's scripts wait for runbook.js, which loads them once the page has loaded.
    later = re.findall(r'<script type="runbook/later" data-src="([^"]+)"></script>', body)
    assert [Path(src).name.split(".")[0].split("-")[0] for src in later] == ["bundle", "highlight"]
    assert body.index("runbook/later") < body.index("assets/javascripts/runbook.js")


def test_a_tag_on_many_runbooks_gets_its_own_page(tmp_path: Path, cli: Cli) -> None:
    # Two more than the tags page lists under one tag; one slug, two spellings.
    tags = ["[common, rare]"] + ["[Common]"] * 51
    root = one_section_runbooks(
        tmp_path,
        {
            f"rb{i:02d}": f"title: Runbook {i:02d}\nservice: svc\ntags: {t}"
            for i, t in enumerate(tags)
        },
    )
    site = tmp_path / "site"
    ran = cli(*build(root, site, "--strict"))
    assert ran.returncode == 0, ran.stderr
    tags = article(site / "tags/index.html")
    assert tags.count("Runbook ") == 50 + 1  # the first 50 of "Common", and "rare"
    assert '<a href="tag-common/">all 52</a>' in tags
    assert "Runbook 51" not in tags
    own = article(site / "tags/tag-common/index.html")
    assert "Tagged Common" in own
    assert all(f'href="../../runbooks/rb{i:02d}/"' in own for i in range(52))


def example_nav(names: dict[str, str], extra: tuple[str, ...] = ()) -> list[Any]:
    """A navigation shaped like ours: an organisation, a guide, a service of two chunks."""

    def t(name: str) -> str:
        return names.get(name, name)

    chunks = [
        {"1–2": [{t("A"): "runbooks/a.md"}, {t("B"): "runbooks/b.md"}]},
        {"3–4": [{t("C"): "runbooks/c.md"}, {t("D"): "runbooks/d.md"}]},
    ]
    chunks[1]["3–4"].extend({name.upper(): f"runbooks/{name}.md"} for name in extra)
    org = ["orgs/o/index.md", {t("Guide"): "orgs/o/guide.md"}]
    org.append({t("svc"): ["orgs/o/s/index.md", *chunks]})
    return [{"Home": "index.md"}, {"Org": org}, {t("Alerts"): "alerts/index.md"}]


@pytest.mark.parametrize(
    ("renamed", "added", "redone"),
    [
        # A runbook's section, and the pages before and after it (previous/next links).
        ({"C": "C2"}, (), ["runbooks/b.md", "runbooks/c.md", "runbooks/d.md"]),
        ({"A": "A2"}, (), ["orgs/o/s/index.md", "runbooks/a.md", "runbooks/b.md"]),
        ({}, ("e",), ["alerts/index.md", "runbooks/c.md", "runbooks/d.md", "runbooks/e.md"]),
        # A section's label, a top-level title, a top-level section's entry: every page.
        ({"svc": "svc2"}, (), "all"),
        ({"Alerts": "Alarms"}, (), "all"),
        ({"Guide": "Manual"}, (), "all"),
        ({}, (), []),
    ],
)
def test_a_change_of_the_navigation_redoes_the_pages_that_print_it(
    renamed: dict[str, str], added: tuple[str, ...], redone: list[str] | str
) -> None:
    from generator.site.layout import pages_whose_navigation_changed

    pages = ["index.md", "orgs/o/index.md", "orgs/o/guide.md", "orgs/o/s/index.md"]
    pages += [f"runbooks/{p}.md" for p in "abcd"] + ["alerts/index.md", "alerts/x.md"]
    before = dict.fromkeys(pages, "t")  # alerts/x.md: a page outside the navigation
    after = {**before, **{f"runbooks/{p}.md": "t" for p in added}}
    # A runbook's own title changes with its entry's.
    after.update(
        {f"runbooks/{old.lower()}.md": new for old, new in renamed.items() if len(old) == 1}
    )
    got = pages_whose_navigation_changed(
        example_nav({}), example_nav(renamed, added), before, after
    )
    assert sorted(got) == (sorted(after) if redone == "all" else redone)
