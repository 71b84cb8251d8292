"""The YAML loader the loader parses with, and the tags of the nodes it composes.

``FAST_LOADER`` is libyaml's ``CSafeLoader`` where PyYAML has libyaml (Python's
``SafeLoader`` otherwise): the same tags as ``SafeLoader``, located marks, no Python
composer. (A resolver of our own, candidates per first character and remembered short
scalars, bought 3% of a cold load and was removed: under the 5% bar.)
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.resolver import BaseResolver

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
]

TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = TAG + "str", TAG + "int", TAG + "float", TAG + "bool", TAG + "null"
TIMESTAMP, MERGE, MAP, SEQ = TAG + "timestamp", TAG + "merge", TAG + "map", TAG + "seq"
SCALAR_TAGS = frozenset({STR, INT, FLOAT, BOOL, TIMESTAMP})
"""The tags of scalars a text field may hold (as written)."""
NUMBER_TAGS = frozenset({INT, FLOAT})
assert (STR, SEQ, MAP) == (
    BaseResolver.DEFAULT_SCALAR_TAG,
    BaseResolver.DEFAULT_SEQUENCE_TAG,
    BaseResolver.DEFAULT_MAPPING_TAG,
)

FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
