"""What ``runbook import`` cannot guess safely, as one options object."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["ImportOptions", "OptionError", "parse_pairs"]


class OptionError(ValueError):
    """An option value that does not parse (a usage error)."""


@dataclass(frozen=True, slots=True)
class ImportOptions:
    default_kind: str = "action"
    """The kind of a command the table does not know (never ``check``)."""
    severity_map: Mapping[str, str] = field(default_factory=dict)
    """Source severity (lower-cased) -> severity id in the scheme in force."""
    interpreters: Mapping[str, str] = field(default_factory=dict)
    """Block language -> the command that reads the block on stdin (``sql=psql -X``)."""
    strip_prompts: bool = False
    """Opt-in rewrite: remove ``$ `` prompts from blocks that are only prompted commands."""
    schema_path: str | None = None
    """The JSON Schema file the schema comment points at (relative paths are computed)."""


def parse_pairs(items: Iterable[str], option: str, *, lower_keys: bool = False) -> dict[str, str]:
    """``a=b,c=d`` (repeatable) -> ``{"a": "b", "c": "d"}``; OptionError when malformed."""
    out: dict[str, str] = {}
    for item in items:
        parts = [item] if option == "--interpreter" else item.split(",")
        for part in parts:
            key, eq, value = part.partition("=")
            key, value = key.strip(), value.strip()
            if not eq or not key or not value:
                raise OptionError(f"{option} '{part}': expected NAME=VALUE")
            out[key.lower() if lower_keys else key] = value
    return out
