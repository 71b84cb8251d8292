"""Extracted Markdown pages kept on disk, so running an unchanged page again neither
imports markdown-it-py nor parses the page.

``runbook exec page.md`` spends much of its start-up on the Markdown parser (importing
it, then parsing). What a page gives depends only on its path as given (locations name
it), its bytes and the code that extracts it: ours, markdown-it-py and PyYAML (a page's
``{.runbook-variables}`` block). The entry's name hashes the first two; its folder,
``<cache>/pages-<stamp>/``, is named by the third (``stamp_digest`` of our packages and
those libraries' own files: sizes and times, as Python checks its byte-code, since
hashing every source byte would cost what the cache saves). A new stamp starts a fresh
folder and removes the older ones. An entry that cannot be read or written only costs
speed: the page is extracted as without a cache.

An entry is a pickle, and reading a pickle runs what it says: one is read only when this
user owns it and no one else may write it (``runbook exec`` in a shared folder such as
``/tmp`` must not run what another user put in its ``.runbook-cache``), and only when it
names its own key (an entry copied or linked over another page's is not that page's).
"""

from __future__ import annotations

import contextlib
import os
import pickle

from checks.extract import Extraction, extract_bytes
from checks.files import read_own
from generator.fingerprint import short_hash, stamp_digest

__all__ = ["extract_page"]

MAX_ENTRIES = 1000
"""More entries than this in the folder: it is emptied (one per page version run)."""
_LIBRARIES = ("markdown_it", "yaml")


def extract_page(path: str, cache_dir: str | None) -> Extraction:
    """``checks.extract.extract_file(path)``, from the cache under ``cache_dir`` when the
    page, its path and the code are those of an earlier run (None: no cache)."""
    with open(path, "rb") as handle:
        data = handle.read()
    if cache_dir is None:
        return extract_bytes(data, path)
    key = short_hash(os.fsencode(path) + b"\0" + data)
    folder = os.path.join(cache_dir, f"pages-{_stamp()}")
    entry = os.path.join(folder, f"{key}.pickle")
    # Any damage to an entry means "not cached".
    with contextlib.suppress(Exception):
        stored = read_own(entry)
        if stored is not None:
            named, cached = pickle.loads(stored)
            if named == key and isinstance(cached, Extraction):
                return cached
    extraction = extract_bytes(data, path)
    with contextlib.suppress(OSError):
        _store(cache_dir, folder, entry, (key, extraction))
    return extraction


def _store(cache_dir: str, folder: str, entry: str, value: tuple[str, Extraction]) -> None:
    import shutil  # only on a miss

    from checks.files import write_atomic
    from generator._pickling import dumps

    if not os.path.isdir(folder):
        for name in os.listdir(cache_dir) if os.path.isdir(cache_dir) else ():
            if name.startswith("pages-"):  # made by other code: never served again
                shutil.rmtree(os.path.join(cache_dir, name), ignore_errors=True)
        os.makedirs(folder, exist_ok=True)
    elif len(os.listdir(folder)) >= MAX_ENTRIES:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)
    write_atomic(entry, dumps(value), durable=False)


def _stamp() -> str:
    """The code's stamp: our two packages and the libraries extraction uses."""
    import importlib.util

    import checks
    import generator

    roots = [os.path.dirname(str(package.__file__)) for package in (generator, checks)]
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin is not None:
            roots.append(os.path.dirname(spec.origin))
    return stamp_digest(roots)
