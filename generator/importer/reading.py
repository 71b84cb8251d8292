"""What the command table says about a block: its kind, why, and what it needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.importer.table import KIND_RANK

__all__ = ["Reading", "describe"]


@dataclass(slots=True)
class Reading:
    """What the table says about a block."""

    kind: str = "check"
    reason: str = "no command"
    """Why the kind is what it is (the deciding command and rule)."""
    rule: str = "table"
    """``table``, ``unknown``, ``redirect``, ``flag``, ``secret``, ``sql`` ..."""
    requires: list[str] = field(default_factory=list)
    interactive: bool = False
    follow: bool = False
    unknown: list[str] = field(default_factory=list)
    split: bool = True
    """False when the text does not split as shell (an unclosed quote)."""

    def raise_to(self, kind: str, reason: str, rule: str) -> None:
        if KIND_RANK[kind] > KIND_RANK[self.kind] or self.reason == "no command":
            self.kind, self.reason, self.rule = kind, reason, rule


def describe(kind: str) -> str:
    """``read-only``, ``a change`` or ``destructive``: how a reason names a kind."""
    return {"check": "read-only", "action": "a change", "destructive": "destructive"}[kind]
