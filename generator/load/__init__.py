"""YAML bytes -> model: the only code that knows YAML line numbers.

``tree`` finds a folder's runbooks and ``_defaults.yaml`` files and loads them
(``load_tree``, ``load_file``, ``load_runbook`` for one CLI target); ``parse`` reads one
file's bytes with libyaml (``yaml_tags`` resolves tags without PyYAML's per-node cost)
into a typed ``document``; ``convert`` turns nodes into model objects driven by the one
declarative table in ``spec`` (with ``spec_parts``, ``spec_reference`` and the vocabulary
in ``spec_types``; ``scalars``, ``convert_checks`` and ``nodes`` are its parts); ``cascade``
applies the ``_defaults.yaml`` files above a runbook and checks ids; ``cache`` keeps parsed files
across runs and ``_fast`` builds the frozen model objects without their ``__init__``;
``comments`` and ``credentials`` find, in a file's text, what lint warns of (a value YAML
cut at `` #``, a credential written into the file).
Every problem is a located ``checks.problems.Problem``; nothing is printed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checks._lazy import lazy_exports

if TYPE_CHECKING:
    from generator.load.cache import ParseCache
    from generator.load.tree import (
        LoadResult,
        find_files,
        load_file,
        load_runbook,
        load_tree,
        resolve_target,
        severity_scheme,
    )

__all__ = [
    "LoadResult",
    "ParseCache",
    "find_files",
    "load_file",
    "load_runbook",
    "load_tree",
    "resolve_target",
    "severity_scheme",
]

_MODULE_OF = {
    "LoadResult": "tree",
    "find_files": "tree",
    "load_file": "tree",
    "load_runbook": "tree",
    "load_tree": "tree",
    "resolve_target": "tree",
    "severity_scheme": "tree",
    "ParseCache": "cache",
}

__getattr__ = lazy_exports(__name__, _MODULE_OF)
