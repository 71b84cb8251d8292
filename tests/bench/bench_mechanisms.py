"""What each speed mechanism buys: the same work with it and without it, in this process.

Run: python tests/bench/bench_mechanisms.py [gc] [fast] [tags] [workers] [pickle] [inline]
(no argument: all). From a folder holding ``runbooks/``; without one, 1,000 seed copies
are made in a temporary folder (``bench_loading.make_tree``). A mechanism is switched off
by replacing it where it is used, for that measurement only; with and without alternate
``N`` times (environment variable, default 3) and the best of each is printed: this
process's CPU time, except for worker processes (wall time). The numbers go to
PERFORMANCE.md; this is not a test.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench_loading import make_tree

from generator import _pickling, model
from generator.lint import _cache, batch
from generator.lint import runbooks as lint_runbooks
from generator.lint.batch import FileLint
from generator.lint.runbooks import LintOptions, lint_tree
from generator.load import convert, parse
from generator.load.tree import load_tree

ROOT = "runbooks"
RUNS = int(os.environ.get("N", "3"))
TODAY = dt.date(2026, 11, 26)


def timed(work: Callable[[], object], clock: Callable[[], float] = time.process_time) -> float:
    """Seconds of ``clock`` (default: this process's CPU time, which a busy machine
    disturbs far less than the wall clock)."""
    gc.collect()
    start = clock()
    work()
    return clock() - start


def compare(name: str, switch_off: Callable[[], contextlib.AbstractContextManager[None]],
            work: Callable[[], object]) -> None:  # fmt: skip
    work()  # warm: imports, bash's page cache
    with_it, without = [], []
    for _ in range(RUNS):
        with_it.append(timed(work))
        with switch_off():
            without.append(timed(work))
    a, b = min(with_it), min(without)
    print(f"{name}: CPU with {a:.3f} s, without {b:.3f} s: {b - a:+.3f} s ({(b - a) / b:.0%})")


@contextlib.contextmanager
def replaced(owner: object, names: list[str], value: object) -> Iterator[None]:
    saved = [getattr(owner, name) for name in names]
    for name in names:
        setattr(owner, name, value)
    try:
        yield
    finally:
        for name, old in zip(names, saved, strict=True):
            setattr(owner, name, old)


@contextlib.contextmanager
def no_gc_pause() -> Iterator[None]:
    def paused() -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    with (
        replaced(parse, ["gc_paused"], paused),
        replaced(batch, ["gc_paused"], paused),
        replaced(lint_runbooks, ["gc_paused"], paused),
    ):
        yield


@contextlib.contextmanager
def plain_constructors() -> Iterator[None]:
    saved = dict(convert._CLASSES)
    convert._CLASSES.update({name: getattr(model, name) for name in saved})
    try:
        yield
    finally:
        convert._CLASSES.update(saved)


@contextlib.contextmanager
def plain_resolver() -> Iterator[None]:
    import yaml

    with replaced(parse, ["FAST_LOADER"], getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        yield


def lint_results() -> list[FileLint]:
    got: list[FileLint] = []
    real = _cache.LintCache.put

    def put(self: _cache.LintCache, key: bytes, result: FileLint) -> None:
        got.append(result)
        real(self, key, result)

    with replaced(_cache.LintCache, ["put"], put), tempfile.TemporaryDirectory() as folder:
        lint_tree(ROOT, None, LintOptions(today=TODAY, cache_dir=folder))
    return got


@contextlib.contextmanager
def inline_step_of_python_markdown(originals: dict[str, object]) -> Iterator[None]:
    from markdown.treeprocessors import InlineProcessor

    saved = {name: getattr(InlineProcessor, name) for name in originals}
    for name, value in originals.items():
        setattr(InlineProcessor, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(InlineProcessor, name, value)


def compare_inline_skip(copies: int = 100) -> None:
    """The site's conversion workers' inline step (``generator.site._inline_fast``): the
    page Markdown of seed copies converted with the site's extensions, one reused
    ``Markdown`` instance as in a worker, with the skip and with Python-Markdown's loop."""
    import markdown
    from markdown.treeprocessors import InlineProcessor
    from mkdocs.config import load_config
    from seed_copies import copy_seeds

    from generator.load.tree import severity_scheme
    from generator.render.page import PageContext, render_runbook
    from generator.site import _inline_fast

    root = Path(tempfile.mkdtemp()) / "copies"
    copy_seeds(copies, root)
    pages = [
        render_runbook(rb, PageContext(severity_scheme=severity_scheme(rb), today=None))
        for rb in load_tree(root, jobs=1).runbooks
    ]
    config = load_config(str(Path(__file__).resolve().parents[2] / "mkdocs.yml"))
    md = markdown.Markdown(
        extensions=config.markdown_extensions, extension_configs=config.mdx_configs
    )
    names = ["_InlineProcessor__handleInline", "run"]
    originals = {name: getattr(InlineProcessor, name) for name in names}
    assert _inline_fast.install(), "not the Python-Markdown the skip was written against"

    def convert_all() -> list[str]:
        return [md.reset().convert(page) for page in pages]

    with inline_step_of_python_markdown(originals):
        plain = convert_all()
    assert convert_all() == plain, "the skip changed the HTML"
    compare(
        f"_inline_fast (converting {len(pages)} runbook pages, one process)",
        lambda: inline_step_of_python_markdown(originals),
        convert_all,
    )


def main(which: list[str]) -> None:
    if not os.path.isdir(ROOT):
        os.chdir(tempfile.mkdtemp())
        make_tree(Path(ROOT))
    one = LintOptions(today=TODAY, jobs=1)

    def lint() -> object:
        return lint_tree(ROOT, None, one)

    def load() -> object:
        return load_tree(ROOT, jobs=1)

    if "gc" in which:
        compare("gc_paused (lint, one process, no cache)", no_gc_pause, lint)
    if "fast" in which:
        compare("_fast.constructor (load, one process)", plain_constructors, load)
    if "tags" in which:
        compare("yaml_tags resolver (load, one process)", plain_resolver, load)
    if "workers" in which:
        two = LintOptions(today=TODAY, jobs=2)
        wall = time.perf_counter
        a = min(timed(lambda: lint_tree(ROOT, None, two), wall) for _ in range(RUNS))
        b = min(timed(lambda: lint_tree(ROOT, None, one), wall) for _ in range(RUNS))
        gain = f"{b - a:+.3f} s ({(b - a) / b:.0%})"
        print(f"Workers (lint, no cache): wall 2 processes {a:.3f} s, one {b:.3f} s: {gain}")
    if "pickle" in which:
        got = lint_results()
        mine, default = _pickling.dumps(got), pickle.dumps(got, pickle.HIGHEST_PROTOCOL)
        pickle.loads(mine), pickle.loads(default)  # warm
        write = min(timed(lambda: _pickling.dumps(got)) for _ in range(RUNS))
        write_default = min(timed(lambda: pickle.dumps(got, 5)) for _ in range(RUNS))
        read = min(timed(lambda: pickle.loads(mine)) for _ in range(RUNS))
        read_default = min(timed(lambda: pickle.loads(default)) for _ in range(RUNS))
        print(f"_pickling (the lint results of {len(got)} runbooks): write {write * 1000:.0f} ms, "
              f"default {write_default * 1000:.0f} ms; read {read * 1000:.0f} ms, "
              f"default {read_default * 1000:.0f} ms")  # fmt: skip
    if "inline" in which:
        compare_inline_skip()


if __name__ == "__main__":
    main(sys.argv[1:] or ["gc", "fast", "tags", "workers", "pickle", "inline"])
