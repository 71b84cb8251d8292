"""Generated pages converted in worker processes: the same site, the same warnings."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from generator.site._parallel import MIN_PAGES
from tests.helpers import mkdocs_yml, run_fresh, running_in_group
from tests.site_html import pagefind_pages

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "site_tree" / "runbooks"
TODAY = "2026-11-20"
BULK = MIN_PAGES + 6
"""Runbooks added to the fixture: enough pages for workers."""


INLINE = (
    "Check `pg_stat_activity` **now**, *then* _wait_ and __retry__; \\*not emphasis\\*, "
    "a_b_c, 2 * 3, <https://example.com/x>, <ops@example.com>, a &amp; b, [a link][ref], "
    "[[x]](#look), ![no image], line  \nbreak."
)
"""Inline Markdown of many kinds: workers skip the inline patterns that cannot match."""


def bulk_tree(root: Path, link: str = "db-pool.md#diagnose") -> Path:
    """The site fixture plus BULK small runbooks; the last one links to ``link``."""
    shutil.copytree(FIXTURE, root)
    for i in range(BULK):
        target = link if i == BULK - 1 else "db-pool.md#diagnose"
        runbook = {
            "id": f"bulk-{i:03d}",
            "title": f"Bulk runbook {i}",
            "service": f"svc-{i % 5}",
            "alerts": [f"Bulk{i}"],
            "sections": [
                {
                    "id": "look",
                    "title": "Look",
                    "body": f"Compare with [the pool runbook]({target}) first. {INLINE}",
                    "steps": [{"id": "count", "title": "Count", "run": f"echo {i}"}],
                }
            ],
            # Content tabs: their ids count per page, so a reused converter must reset.
            "scenarios": [
                {
                    "id": "bad-deploy",
                    "title": "Bad deploy",
                    "resolution": [
                        {"when": "A deploy went out", "steps": [{"id": "undo", "run": "true"}]},
                        {"when": "Otherwise", "steps": [{"id": "wait", "run": "true"}]},
                    ],
                }
            ],
        }
        (root / "acme" / f"bulk-{i:03d}.yaml").write_text(yaml.safe_dump(runbook))
    return root


def build(root: Path, site: Path, *extra: str) -> tuple[int, str, int, int]:
    """``runbook build -v`` in a fresh process (a test process may run threads, and then
    no worker is forked): exit code, stderr, how many pages workers converted and how
    many they indexed for search."""
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "build", "-v", "--root", str(root),
         "--site-dir", str(site), "--today", TODAY, *extra],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    done = re.findall(
        r"^info: converted (\d+) pages and indexed (\d+) in 2 processes$", proc.stderr, re.M
    )
    converted, indexed = (int(n) for n in done[0]) if done else (0, 0)
    return proc.returncode, proc.stderr, converted, indexed


def written_by_workers(stderr: str) -> int:
    """How many pages worker processes put through the theme and wrote (``-v``)."""
    done = re.findall(r"^info: wrote (\d+) pages in 2 processes$", stderr, re.M)
    return int(done[0]) if done else 0


def config_with_hook(tmp_path: Path, source: str) -> Path:
    """Our mkdocs.yml plus an MkDocs hooks file (another plugin, in effect)."""
    (tmp_path / "hook.py").write_text(source)
    return mkdocs_yml(tmp_path, extra="\nhooks:\n  - hook.py\n")


def generated_pages(site: Path) -> int:
    """Pages built from Markdown (redirects are plain files, the 404 page is the theme's)."""
    pages = [p for p in site.rglob("index.html") if "<article" in p.read_text(encoding="utf-8")]
    return len(pages)


def test_workers_build_the_same_site_as_one_process(tmp_path: Path) -> None:
    root = bulk_tree(tmp_path / "runbooks")
    one, two = tmp_path / "one", tmp_path / "two"
    assert build(root, one, "--jobs", "1")[::2] == (0, 0)
    code, err, converted, _ = build(root, two, "--jobs", "2")
    assert code == 0, err
    assert converted == generated_pages(two) > MIN_PAGES  # indexed: Pagefind, after the build
    assert written_by_workers(err) == generated_pages(two)

    def pages(site: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(site)): p.read_bytes()
            for p in sorted(site.rglob("*"))
            if p.suffix in (".html", ".xml")
        }

    assert sorted(pages(one)) == sorted(pages(two))
    assert [name for name in pages(one) if pages(one)[name] != pages(two)[name]] == []
    index = pagefind_pages(two)
    assert pagefind_pages(one) == index
    assert [p for p in index.values() if p["meta"]["title"] == "Bulk runbook 7"] != []
    tabs = (two / "runbooks/bulk-009/index.html").read_text()
    assert 'id="__tabbed_1_2"' in tabs and "__tabbed_2" not in tabs


def test_a_missing_link_in_a_worker_page_fails_strict_once_located(tmp_path: Path) -> None:
    root = bulk_tree(tmp_path / "runbooks", link="db-poool.md")
    code, err, converted, _ = build(root, tmp_path / "site", "--strict", "--jobs", "2")
    assert code == 1 and converted > BULK, err
    path = root / "acme" / f"bulk-{BULK - 1:03d}.yaml"
    located = [
        line
        for line in err.splitlines()
        if re.match(rf"{re.escape(str(path))}:\d+:\d+: warning: .*'db-poool\.md'", line)
    ]
    assert len(located) == 1, err
    assert "error: Aborted with 1 warnings in strict mode!" in err.splitlines()


def test_a_missing_anchor_in_a_worker_page_is_found(tmp_path: Path) -> None:
    # Anchors are checked after every page is converted, from what the workers sent back.
    root = bulk_tree(tmp_path / "runbooks", link="db-pool.md#nope")
    code, err, converted, _ = build(root, tmp_path / "site", "--strict", "--jobs", "2")
    assert code == 1 and converted > BULK, err
    assert (
        "warning: Doc file 'runbooks/bulk-069.md' contains a link 'db-pool.md#nope', but the "
        "doc 'runbooks/db-pool.md' does not contain an anchor '#nope'."
    ) in err


def test_a_page_another_plugin_changes_is_converted_again(tmp_path: Path) -> None:
    root = bulk_tree(tmp_path / "runbooks")
    config_file = config_with_hook(
        tmp_path,
        "def on_page_markdown(markdown, page, config, files):\n"
        "    if page.file.src_uri == 'runbooks/bulk-005.md':\n"
        "        return markdown + '\\n\\nChanged by a hook.\\n'\n"
        "    return markdown\n",
    )
    site = tmp_path / "site"
    code, err, converted, _ = build(root, site, "--jobs", "2", "--config", str(config_file))
    assert code == 0, err
    assert converted == generated_pages(site) - 1
    assert "Changed by a hook." in (site / "runbooks/bulk-005/index.html").read_text()


def test_runbook_pages_render_the_same_in_worker_processes(tmp_path: Path) -> None:
    # In a fresh process: a test process may run threads, and then nothing is forked.
    pids = tmp_path / "pids"
    script = f"""
import dataclasses, datetime as dt, os
from generator.site import runbook_pages as site_render
from generator.load.tree import load_tree, severity_scheme
from generator.render.page import PageContext, render_page

runbooks = load_tree({str(FIXTURE)!r}).runbooks
jobs = [
    (dataclasses.replace(rb, id=f"{{rb.id}}-{{i}}"), PageContext(
        today=dt.date(2026, 11, 20), severity_scheme=severity_scheme(rb)))
    for i in range(site_render.MIN_PAGES) for rb in runbooks
]
import generator.render.page as page_module
def spy(*job):
    with open({str(pids)!r}, "a") as f:
        print(os.getpid(), file=f)
    return render_page(*job)
page_module.render_page = spy
assert site_render.render_runbook_pages(jobs, 2) == [render_page(*job) for job in jobs]
print(os.getpid())
"""
    parent = run_fresh(script).strip()
    # Rendered away from the parent (which worker takes which batch is the scheduler's).
    workers = set(pids.read_text().split()) - {parent}
    assert workers


def assert_interrupted_quietly(root: Path, site: Path, config_file: Path) -> None:
    """``runbook build`` in a session of its own: a hook sends Ctrl-C to the whole process
    group (as a terminal does: the build and its workers); the build ends with 130."""
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--root", str(root), "--jobs", "2",
         "--site-dir", str(site), "--config", str(config_file)],
        cwd=REPO, capture_output=True, text=True, check=False, start_new_session=True,
        timeout=120,
    )  # fmt: skip
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr


def test_ctrl_c_during_a_parallel_build_stops_it_quietly(tmp_path: Path) -> None:
    root = bulk_tree(tmp_path / "runbooks")
    config_file = config_with_hook(
        tmp_path,
        "import os, signal\n"
        "def on_page_content(html, page, config, files):\n"
        "    if page.file.src_uri == 'runbooks/bulk-010.md':\n"
        "        os.killpg(os.getpgid(0), signal.SIGINT)\n"
        "    return html\n",
    )
    assert_interrupted_quietly(root, tmp_path / "site", config_file)
    assert not (tmp_path / "site/runbooks/bulk-010/index.html").exists()


THEME_HOOK = """
import logging, os, signal
log = logging.getLogger("mkdocs.hooks.theme")
def on_env(env, config, files):
    get_template = env.get_template
    def get(name, *args, **kwargs):
        page = config._current_page
        if page and name == "main.html" and page.file.src_uri == "runbooks/bulk-042.md":
            {action}
        return get_template(name, *args, **kwargs)
    env.get_template = get
    return env
"""
"""A hook that acts while one page goes through the theme (``{action}``)."""


def test_a_warning_while_a_worker_writes_a_page_fails_strict_once(tmp_path: Path) -> None:
    root = bulk_tree(tmp_path / "runbooks")
    hook = THEME_HOOK.format(action='log.warning("the theme met runbooks/bulk-042.md")')
    config_file = config_with_hook(tmp_path, hook)
    code, err, _, _ = build(
        root, tmp_path / "site", "--strict", "--jobs", "2", "--config", str(config_file)
    )
    assert code == 1 and written_by_workers(err) > BULK, err
    assert err.splitlines().count("warning: the theme met runbooks/bulk-042.md") == 1, err
    assert "error: Aborted with 1 warnings in strict mode!" in err.splitlines()


def test_another_plugins_page_events_see_every_page(tmp_path: Path) -> None:
    # Its events would run in a worker's copy of the build and be lost: no workers then.
    root = bulk_tree(tmp_path / "runbooks")
    count = tmp_path / "count"
    config_file = config_with_hook(
        tmp_path,
        "seen = []\n"
        "def on_post_page(output, page, config):\n"
        "    seen.append(page.file.src_uri)\n"
        "    return output.replace('</body>', '<!-- seen by the hook --></body>')\n"
        "def on_post_build(config):\n"
        f"    open({str(count)!r}, 'w').write(str(len(set(seen))))\n",
    )
    site = tmp_path / "site"
    code, err, converted, _ = build(root, site, "--jobs", "2", "--config", str(config_file))
    assert code == 0 and converted > BULK, err
    assert int(count.read_text()) == generated_pages(site)
    assert "seen by the hook" in (site / "runbooks/bulk-042/index.html").read_text()
    assert written_by_workers(err) == 0


def test_ctrl_c_while_workers_write_pages_stops_the_build_quietly(tmp_path: Path) -> None:
    root = bulk_tree(tmp_path / "runbooks")
    hook = THEME_HOOK.format(action="os.killpg(os.getpgid(0), signal.SIGINT)")
    config_file = config_with_hook(tmp_path, hook)
    assert_interrupted_quietly(root, tmp_path / "site", config_file)
    assert not (tmp_path / "site/_pagefind").exists()


def _stopped_while_a_worker_writes_a_page(tmp_path: Path, sig: int) -> tuple[int, str, int]:
    """``runbook build`` in a session of its own, ``sig`` sent to the build process alone
    (not its group: TERM from a CI runner or ``timeout``, ``kill -9``) while a worker is
    busy with a page: its exit code, stderr and the group's id."""
    root = bulk_tree(tmp_path / "runbooks")
    busy = tmp_path / "a-worker-is-busy"
    action = f"open({str(busy)!r}, 'w').close(); __import__('time').sleep(60)"
    config_file = config_with_hook(tmp_path, THEME_HOOK.format(action=action))
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--root", str(root), "--jobs", "2",
         "--site-dir", str(tmp_path / "site"), "--config", str(config_file)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not busy.exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr
            time.sleep(0.05)
        os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=30)
    except BaseException:  # a failed run: nothing of it may outlive the test
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    return proc.returncode, err, proc.pid


def _group_ends(pgid: int) -> list[int]:
    deadline = time.monotonic() + 10
    while (alive := running_in_group(pgid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in alive:  # not to leave them to the next test
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return alive


def test_term_stops_a_parallel_build_and_its_workers(tmp_path: Path) -> None:
    code, err, pgid = _stopped_while_a_worker_writes_a_page(tmp_path, signal.SIGTERM)
    assert code == 143, err
    assert "Stopped (SIGTERM)." in err.splitlines()
    assert "Traceback" not in err
    assert _group_ends(pgid) == []


def test_workers_end_with_a_build_killed_outright(tmp_path: Path) -> None:
    code, _, pgid = _stopped_while_a_worker_writes_a_page(tmp_path, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert _group_ends(pgid) == []  # before, they waited for tasks forever
