"""Lint over many files: worker processes report exactly what one process reports, and
the caches they fill serve the next run."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.lint import batch as lint_batch
from generator.lint.runbooks import LintOptions, LintResult, lint_tree
from generator.load.cascade import Cascade
from generator.load.parse import display_path
from generator.load.tree import find_files, load_tree
from tests.helpers import bash_logger, run_fresh

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 26)

BAD = """
id: bad
title: Bad
severity: SEV9
lint: {allow: [placeholder, no-such-rule]}
variables:
  HOST: {default: localhost}
sections:
  - id: s
    title: Fix the [owner name] TODO
    steps:
      - id: undeclared
        run: ping -c1 "$HOST" && curl "$URL"
      - id: syntax
        run: |
          if true; then
            echo never closed
      - id: quote
        run: echo 'never closed
      - id: status
        run: |
          false
          if [ $? -ne 0 ]; then echo failed; fi
communications:
  templates:
    - id: t
      body: "{{ incident.comander }}"
"""


def make_tree(root: Path) -> None:
    """The seed runbooks with their _defaults.yaml, and files with every kind of problem."""
    shutil.copytree(REPO / "runbooks", root)
    (root / "payments/bad.yaml").write_text(textwrap.dedent(BAD).lstrip())
    (root / "payments/broken.yaml").write_text("id: broken\ntitle: [never closed\n")
    (root / "payments/unknown-key.yaml").write_text("id: unknown-key\ntitle: U\nrn: x\n")
    seed = (root / "demo/demo.yaml").read_text()
    (root / "saaspe/same-id.yaml").write_text(seed)  # the demo's id again
    (root / "saaspe/gone.yaml").symlink_to(root / "nowhere.yaml")  # cannot be read


@pytest.fixture
def linted_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], set[int]]:
    """The process ids the rules ran in since the last call (worker processes too)."""
    log = tmp_path / "rule-pids.log"
    real = lint_batch.runbook_problems

    def recording(*args: object, **kwargs: object) -> object:
        with open(log, "a") as handle:
            handle.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(lint_batch, "runbook_problems", recording)

    def pids() -> set[int]:
        found = {int(line) for line in log.read_text().split()} if log.exists() else set()
        log.unlink(missing_ok=True)
        return found

    return pids


def test_workers_report_exactly_what_one_process_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, linted_in: Callable[[], set[int]]
) -> None:
    monkeypatch.chdir(tmp_path)
    make_tree(tmp_path / "runbooks")
    alone = lint_tree("runbooks", None, LintOptions(today=TODAY, jobs=1))
    assert linted_in() == {os.getpid()}
    workers = lint_tree("runbooks", None, LintOptions(today=TODAY, jobs=2))
    pids = linted_in()
    assert os.getpid() not in pids  # the rules ran in the workers
    if threading.active_count() == 1:  # forked: they ran the recording rules too
        assert len(pids) == 2
    assert workers == alone
    assert {p.rule for p in alone.problems} == {
        "schema", "undeclared-variable", "bash-syntax", "unknown-severity", "comms-template",
        "strict-exit-status", "stale-review", "lint-allow",
    }  # fmt: skip
    assert {p.rule for p in alone.allowed} == {"placeholder"}
    messages = "\n".join(p.message for p in alone.problems)
    assert "duplicate runbook id 'demo'" in messages
    assert "cannot read file: No such file or directory" in messages
    assert alone.files == 11  # every runbook file, the broken and duplicate ones too


def test_what_workers_cache_serves_the_next_run_without_parsing_or_linting(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    parsed_files: list[str],
    linted_in: Callable[[], set[int]],
) -> None:
    monkeypatch.chdir(tmp_path)
    make_tree(tmp_path / "runbooks")
    bash, calls = bash_logger(tmp_path)
    options = LintOptions(today=TODAY, cache_dir="cache", bash=bash, jobs=2)
    first = lint_tree("runbooks", None, options)
    assert os.getpid() not in linted_in()
    assert "bad.yaml" not in parsed_files  # the workers parsed it, not this process
    assert calls.read_text().count("call") >= 2  # bash -n in each worker
    calls.unlink()
    parsed_files.clear()

    # Nothing changed: no file is parsed, no rule runs, bash is not called.
    assert lint_tree("runbooks", None, options) == first
    assert (parsed_files, linted_in(), calls.exists()) == ([], set(), False)
    # The workers' parses are in the parse cache: a load parses nothing either.
    assert len(load_tree("runbooks", cache_dir="cache").runbooks) == 7
    assert parsed_files == []

    # Without the lint results, the runbooks are linted again from the cached parses
    # and the cached bash -n results.
    for stale in Path("cache").glob("lint-*.pickle"):
        stale.unlink()
    assert lint_tree("runbooks", None, options) == first
    assert (parsed_files, linted_in(), calls.exists()) == ([], {os.getpid()}, False)

    # One edit: that file alone is parsed and linted again.
    bad = Path("runbooks/payments/bad.yaml")
    bad.write_text(bad.read_text().replace("severity: SEV9", "severity: SEV1"))
    edited = lint_tree("runbooks", None, options)
    assert (parsed_files, linted_in()) == (["bad.yaml"], {os.getpid()})
    assert [p for p in first.problems if p.rule != "unknown-severity"] == list(edited.problems)


def test_a_result_is_the_same_wherever_it_comes_from(tmp_path: Path) -> None:
    root = tmp_path / "runbooks"
    make_tree(root)
    cold = lint_tree(root, None, LintOptions(today=TODAY, jobs=2))
    options = LintOptions(today=TODAY, cache_dir=str(tmp_path / "cache"), jobs=1)
    results: list[LintResult] = [lint_tree(root, None, options) for _ in range(2)]
    assert results == [cold, cold]


def test_workers_started_without_fork_report_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, linted_in: Callable[[], set[int]]
) -> None:
    """A process that runs threads (``runbook serve``) starts workers with forkserver, so
    what they need is pickled rather than inherited."""
    monkeypatch.chdir(tmp_path)
    make_tree(tmp_path / "runbooks")
    alone = lint_tree("runbooks", None, LintOptions(today=TODAY, jobs=1))
    linted_in()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        workers = lint_tree("runbooks", None, LintOptions(today=TODAY, jobs=2))
    finally:
        stop.set()
        thread.join()
    assert os.getpid() not in linted_in()
    assert workers == alone


def test_each_file_gets_its_own_result_back_from_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The workers take chunks of unequal weight: the results must come back to
    # the file they belong to (the caches key them by file).
    monkeypatch.chdir(tmp_path)
    make_tree(tmp_path / "runbooks")
    for n in range(30):
        size = "x" * (n * 97 % 500)  # unequal weights
        Path(f"runbooks/payments/more-{n}.yaml").write_text(f"id: more-{n}\ntitle: M {size}\n")
    files, _ = find_files("runbooks", None)
    sources = [lint_batch.Source(p, display_path(p), None, b"", len(p) * 7 % 300) for p in files]
    cascade = Cascade(os.path.abspath("runbooks"), None)
    linter = lint_batch.Linter(cascade, TODAY, "bash", None)
    results = lint_batch.lint_sources(linter, sources, 2, keep_parsed=False)
    assert results is not None and len(results) == len(sources)
    for source, (lint, _, _) in zip(sources, results, strict=True):
        paths = {p.location.path for p in (*lint.problems, *lint.found)}
        if lint.placed is not None:
            paths.add(lint.placed.location.path)
        own = {p for p in paths if not p.endswith("/_defaults.yaml")}  # inherited parts
        assert own == {source.display}


def test_a_first_run_leaves_reading_and_hashing_to_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With nothing cached, this process would read and hash every file only to miss.
    import generator.lint.runbooks

    monkeypatch.chdir(tmp_path)
    make_tree(tmp_path / "runbooks")
    read_here: list[str] = []
    real = generator.lint.runbooks.read_bytes

    def recording(path: str, display: str) -> object:
        read_here.append(display)
        return real(path, display)

    monkeypatch.setattr(generator.lint.runbooks, "read_bytes", recording)
    options = LintOptions(today=TODAY, cache_dir="cache", jobs=2)
    first = lint_tree("runbooks", None, options)
    assert read_here == []
    # The workers' digests keyed the caches: the next run finds every file there.
    assert lint_tree("runbooks", None, options) == first
    assert len(read_here) == 11


def test_a_process_without_threads_lints_in_forked_workers(tmp_path: Path) -> None:
    # As the CLI runs: no thread runs, so the workers are forked; a test session may run
    # servers in threads, hence a new interpreter.
    make_tree(tmp_path / "runbooks")
    script = textwrap.dedent(
        f"""
        import json, os, datetime as dt
        from generator.lint import batch as lint_batch
        from generator.lint.runbooks import LintOptions, lint_tree

        pids = set()
        real = lint_batch.runbook_problems
        def recording(*args):
            pids.add(os.getpid())
            return real(*args)
        lint_batch.runbook_problems = recording
        os.chdir({str(tmp_path)!r})
        today = dt.date(2026, 11, 26)
        alone = lint_tree("runbooks", None, LintOptions(today=today, jobs=1))
        pids.clear()  # the workers' own sets are copies: this one stays empty
        both = lint_tree("runbooks", None, LintOptions(today=today, jobs=2))
        print(json.dumps([sorted(pids), both == alone, len(both.problems)]))
        """
    )
    here, same, problems = json.loads(run_fresh(script))
    assert here == [] and same and problems > 10
