"""The libyaml loader with SafeLoader's tags, resolved without its per-node Python cost.

libyaml's composer asks the Python resolver for every node's tag, and once more on the
way down and up the tree for path resolvers, which no safe loader has. PyYAML's generic
``resolve`` rebuilds a list of candidates per scalar; here the candidates are one tuple
per first character, computed once from ``yaml.resolver.Resolver`` (the resolvers both
``SafeLoader`` and ``CSafeLoader`` use), so every tag is the one ``SafeLoader`` gives. The
tag of a short plain scalar is remembered (a bounded table): it depends on its text alone.
"""

from __future__ import annotations

import operator
import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver, Resolver

__all__ = [
    "BOOL",
    "FAST_LOADER",
    "FLOAT",
    "INT",
    "MAP",
    "MERGE",
    "NULL",
    "NUMBER_TAGS",
    "SCALAR_TAGS",
    "SEQ",
    "STR",
    "TIMESTAMP",
    "resolve_tag",
]

TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = TAG + "str", TAG + "int", TAG + "float", TAG + "bool", TAG + "null"
TIMESTAMP, MERGE, MAP, SEQ = TAG + "timestamp", TAG + "merge", TAG + "map", TAG + "seq"
SCALAR_TAGS = frozenset({STR, INT, FLOAT, BOOL, TIMESTAMP})
"""The tags of scalars a text field may hold (as written)."""
NUMBER_TAGS = frozenset({INT, FLOAT})

_Candidates = tuple[tuple[str, re.Pattern[str]], ...]


def _candidates() -> tuple[dict[str, _Candidates], _Candidates]:
    """First character -> (tag, regexp) to try in order, and the list for any other."""
    table: dict[str | None, list[tuple[str, re.Pattern[str]]]] = Resolver.yaml_implicit_resolvers
    wildcard = tuple(table.get(None, ()))
    by_first = {first: (*found, *wildcard) for first, found in table.items() if first is not None}
    return by_first, wildcard


_BY_FIRST, _WILDCARD = _candidates()
assert (STR, SEQ, MAP) == (
    BaseResolver.DEFAULT_SCALAR_TAG,
    BaseResolver.DEFAULT_SEQUENCE_TAG,
    BaseResolver.DEFAULT_MAPPING_TAG,
)


_PLAIN_TAGS: dict[str, str] = {}
"""Plain scalar -> its tag, for the short ones: keys (``id``, ``run``) and values such as
``true`` or ``10m`` recur through a file and across files (most plain scalars of the seed
runbooks are repeats), and a dictionary hit is cheaper than the candidate lookup."""
_PLAIN_TAGS_MAX = 20_000
_PLAIN_MAX_CHARS = 64


def resolve_tag(kind: type, value: Any, implicit: tuple[bool, bool]) -> str | None:
    """The tag ``SafeLoader`` gives a node (``Resolver.resolve`` without path resolvers)."""
    if kind is ScalarNode:
        if implicit[0]:
            known = _PLAIN_TAGS.get(value)
            if known is not None:
                return known
            found = STR
            for tag, regexp in _BY_FIRST.get(value[:1], _WILDCARD):
                if regexp.match(value):
                    found = tag
                    break
            if len(value) <= _PLAIN_MAX_CHARS and len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX:
                _PLAIN_TAGS[value] = found
            return found
        return STR
    if kind is SequenceNode:
        return SEQ
    if kind is MappingNode:
        return MAP
    return None


_Base: Any = getattr(yaml, "CSafeLoader", None)


if _Base is not None and not Resolver.yaml_path_resolvers:

    class _FastSafeLoader(_Base):  # type: ignore[misc]
        """``CSafeLoader`` with ``resolve_tag``; the path-resolver hooks libyaml calls per
        node are builtins that do nothing (safe loaders have no path resolvers)."""

        resolve = staticmethod(resolve_tag)
        descend_resolver = operator.is_  # called as (parent, index); result ignored
        ascend_resolver = tuple  # called with no arguments; result ignored

    FAST_LOADER: Any = _FastSafeLoader
else:  # PyYAML built without libyaml (or someone added a path resolver)
    FAST_LOADER = _Base or yaml.SafeLoader
