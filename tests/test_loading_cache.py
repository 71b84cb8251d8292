"""The optional parse cache: reused while bytes and code are unchanged, never trusted blindly."""

from __future__ import annotations

from pathlib import Path

from generator.load.tree import load_tree
from tests.helpers import run_fresh, trapped_pickle


def test_unchanged_files_are_not_parsed_again(tmp_path: Path, parsed_files: list[str]) -> None:
    root, cache = tmp_path / "rb", tmp_path / "cache"
    root.mkdir()
    (root / "_defaults.yaml").write_text("owner: sre\n")
    (root / "a.yaml").write_text("id: a\ntitle: A\n")
    (root / "b.yaml").write_text("id: b\ntitle: B\nbogus: 1\n")
    calls = parsed_files
    first = load_tree(root, cache_dir=cache)
    assert sorted(calls) == ["_defaults.yaml", "a.yaml", "b.yaml"]
    calls.clear()
    second = load_tree(root, cache_dir=cache)
    assert calls == []
    assert second == first
    assert [p.message for p in second.problems] == ["unknown key 'bogus'"]
    (root / "a.yaml").write_text("id: a\ntitle: A changed\n")
    third = load_tree(root, cache_dir=cache)
    assert calls == ["a.yaml"]
    assert [rb.title for rb in third.runbooks] == ["A changed"]
    assert third.runbooks[0].owner == "sre"


def entries_in(folder: Path) -> list[Path]:
    """The cache's entry files: one per file parsed, spread over subfolders ``00``-``ff``."""
    assert {p.name for p in folder.iterdir()} == {f"{n:02x}" for n in range(256)}
    return entries_in_shards(folder)


def entries_in_shards(folder: Path) -> list[Path]:
    return [entry for shard in folder.iterdir() if shard.is_dir() for entry in shard.iterdir()]


def test_a_damaged_cache_is_ignored_and_rewritten(tmp_path: Path) -> None:
    root, cache = tmp_path / "rb", tmp_path / "cache"
    root.mkdir()
    (root / "a.yaml").write_text("id: a\ntitle: A\n")
    load_tree(root, cache_dir=cache)
    (folder,) = cache.iterdir()
    (pickle_file,) = entries_in(folder)
    pickle_file.write_bytes(b"not a pickle")
    assert [rb.id for rb in load_tree(root, cache_dir=cache).runbooks] == ["a"]
    assert pickle_file.read_bytes() != b"not a pickle"


def test_an_edit_writes_one_entry_and_old_code_versions_are_removed(tmp_path: Path) -> None:
    root, cache = tmp_path / "rb", tmp_path / "cache"
    root.mkdir()
    for name in "abc":
        (root / f"{name}.yaml").write_text(f"id: {name}\ntitle: {name}\n")
    (cache / "loader-0123456789abcdef").mkdir(parents=True)  # a cache of older code
    load_tree(root, cache_dir=cache)
    (folder,) = cache.iterdir()
    entries = {p.name: p.stat().st_mtime_ns for p in entries_in(folder)}
    assert len(entries) == 3
    (root / "b.yaml").write_text("id: b\ntitle: B changed\n")
    load_tree(root, cache_dir=cache)
    after = {p.name for p in entries_in(folder)}
    assert len(after) == 4 and set(entries) <= after  # the old entry ages out, unused


def test_parsing_in_worker_processes_gives_the_same_result(tmp_path: Path) -> None:
    root = tmp_path / "rb"
    (root / "team").mkdir(parents=True)
    (root / "_defaults.yaml").write_text("owner: sre\n")
    for i in range(6):
        (root / "team" / f"r{i}.yaml").write_text(
            f"id: r{i}\ntitle: R{i}\nsections:\n  - id: s\n    title: S\n"
            f"    steps:\n      - {{id: a, run: echo {i}, timeout: {i + 1}s}}\n"
        )
    (root / "team" / "broken.yaml").write_text("id: broken\ntitle: [x\n")
    serial = load_tree(root, jobs=1)
    parallel = load_tree(root, jobs=2)
    assert parallel == serial
    assert len(serial.runbooks) == 6 and len(serial.problems) == 1


def test_worker_processes_really_convert(tmp_path: Path) -> None:
    # In a fresh process: a test session runs threads, and then workers are not forked
    # (they would not see the spy).
    for i in range(3):
        (tmp_path / f"r{i}.yaml").write_text(f"id: r{i}\ntitle: R{i}\n")
    pids = tmp_path / "pids"
    script = f"""
import os
from pathlib import Path
from generator.load import parse as loader
from generator.model import Runbook
convert = loader.convert_document
def spy(*args):
    with open({str(pids)!r}, "a") as f:
        print(os.getpid(), file=f)
    return convert(*args)
loader.convert_document = spy
paths = [str(Path({str(tmp_path)!r}) / f"r{{i}}.yaml") for i in range(3)]
docs = loader.read_documents(paths, Runbook, None, jobs=2)
print(" ".join(d.value.id for d in docs if d.value is not None))
print(os.getpid())
"""
    ids, parent = run_fresh(script).splitlines()
    assert ids == "r0 r1 r2"
    converted_in = pids.read_text().split()
    assert len(converted_in) == 3
    assert parent not in converted_in


def test_an_in_memory_cache_serves_the_next_load_of_the_same_process(
    tmp_path: Path, parsed_files: list[str]
) -> None:
    from generator.load.cache import ParseCache

    root = tmp_path / "rb"
    root.mkdir()
    (root / "_defaults.yaml").write_text("owner: sre\n")
    for name in "ab":
        (root / f"{name}.yaml").write_text(f"id: {name}\ntitle: {name}\n")
    memory = ParseCache(None)
    calls = parsed_files
    first = load_tree(root, cache=memory)
    assert sorted(calls) == ["_defaults.yaml", "a.yaml", "b.yaml"]
    calls.clear()
    (root / "b.yaml").write_text("id: b\ntitle: B again\n")
    second = load_tree(root, cache=memory)
    assert calls == ["b.yaml"]
    assert [rb.title for rb in second.runbooks] == ["a", "B again"]
    assert second.runbooks[0] == first.runbooks[0]
    assert not (tmp_path / ".runbook-cache").exists() and list(tmp_path.iterdir()) == [root]


def test_a_cache_with_entries_is_not_empty_whatever_else_its_folder_holds(tmp_path: Path) -> None:
    from generator.load.cache import ParseCache

    root, cache = tmp_path / "rb", tmp_path / "cache"
    root.mkdir()
    (root / "a.yaml").write_text("id: a\ntitle: A\n")
    assert ParseCache(cache).empty()  # no folder yet
    load_tree(root, cache_dir=cache)
    (folder,) = cache.iterdir()
    (folder / "stray-file").write_text("not a shard")  # a file beside the shards
    assert not ParseCache(cache).empty()
    for entry in entries_in_shards(folder):
        entry.unlink()
    assert ParseCache(cache).empty()


def test_cache_entries_name_only_public_classes_and_read_back_equal(tmp_path: Path) -> None:
    import io
    import pickle

    root, cache = tmp_path / "rb", tmp_path / "cache"
    root.mkdir()
    (root / "_defaults.yaml").write_text("owner: sre\ncontacts: [{role: lead, name: Ann}]\n")
    (root / "a.yaml").write_text(
        "id: a\ntitle: A\nsections:\n  - id: s\n    title: S\n    steps:\n"
        "      - {id: x, run: 'true', kind: action, expect: {exit: [0, 1]}}\n"
    )
    first = load_tree(root, cache_dir=cache)
    named: set[tuple[str, str]] = set()

    class Recording(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> object:
            named.add((module, name))
            return super().find_class(module, name)

    (folder,) = cache.iterdir()
    for entry in entries_in_shards(folder):
        Recording(io.BytesIO(entry.read_bytes())).load()
    assert named and all(not name.startswith("_") for _, name in named)
    assert {"Step", "Runbook", "Defaults", "SourceLocation"} <= {name for _, name in named}
    assert load_tree(root, cache_dir=cache) == first


def test_an_entry_others_may_write_is_not_read(tmp_path: Path) -> None:
    root, cache, marker = tmp_path / "rb", tmp_path / "cache", tmp_path / "ran"
    root.mkdir()
    (root / "a.yaml").write_text("id: a\ntitle: A\n")
    load_tree(root, cache_dir=cache)
    (folder,) = cache.iterdir()
    (entry,) = entries_in(folder)
    entry.write_bytes(trapped_pickle(marker))
    entry.chmod(0o666)  # as anyone could have written it
    assert [rb.title for rb in load_tree(root, cache_dir=cache).runbooks] == ["A"]
    assert not marker.exists()
    entry.write_bytes(trapped_pickle(marker))  # rewritten by the load: the trap again
    entry.chmod(0o644)  # this user's own: read, and a pickle runs what it says
    load_tree(root, cache_dir=cache)
    assert marker.is_dir()
