"""The incident record as typed values: its fields, timeline entries and items, and times.

The record is a YAML file written by this tool *and* by people (seed 001's template), so
it may carry fields this model does not know, times written as ``14:15`` and items as plain
text. ``IncidentRecord`` therefore reads typed values out of the mapping it was loaded
from and changes that mapping in place: whatever it does not change is written back as it
was. No I/O here (``store`` reads and writes files).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeAlias

YamlValue: TypeAlias = "str | int | float | bool | list[YamlValue] | dict[str, YamlValue] | None"
"""A value as safe-loaded YAML gives it (times stay text: see ``store``)."""
YamlMapping: TypeAlias = dict[str, YamlValue]

UPDATE_KINDS = frozenset({"start", "update", "comms"})
"""Timeline kinds that count as a status update for the cadence."""


# -- times ---------------------------------------------------------------------------------


def parse_time(value: object) -> datetime | None:
    """An aware datetime from an ISO string (``Z`` accepted), or None."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    return _parse_iso(value.strip())


@functools.lru_cache(maxsize=256)
def _parse_iso(text: str) -> datetime | None:
    # Remembered: every comms example renders the same sample incident's times.
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@functools.lru_cache(maxsize=256)
def format_time(moment: datetime) -> str:
    """``2024-01-15T14:15:00Z`` (remembered, as ``_parse_iso``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: YamlValue) -> str | None:
    """A scalar as text (``None`` and containers: no text)."""
    if value is None or isinstance(value, list | dict):
        return None
    return value if isinstance(value, str) else str(value)


# -- parts ---------------------------------------------------------------------------------


_ENTRY_ORDER = (
    "time", "kind", "event", "block", "status", "exit_code", "duration_s", "reason", "output",
    "user", "host", "variables", "template",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One timeline entry: ``{time, kind, event}`` and, for a block run, what it did."""

    time: str | None
    """As written: ISO 8601 UTC from this tool, anything (``14:15``) from a person."""
    kind: str | None = None
    """start, update, change, ack, exec, comms, resolve, reopen (none: written by hand)."""
    event: str | None = None
    block: str | None = None
    status: str | None = None
    exit_code: int | None = None
    """Always written for ``exec`` entries (null when the block did not exit)."""
    duration_s: float | None = None
    reason: str | None = None
    output: str | None = None
    """A block's (redacted) output, bounded (``evidence``)."""
    user: str | None = None
    """``exec``: who ran the block (the login name)."""
    host: str | None = None
    """``exec``: the host name of the machine it ran on."""
    variables: YamlMapping | None = None
    """``exec``: the variables it read, ``{NAME: {value, source}}``, secrets masked."""
    template: str | None = None
    """``comms``: the template of the message sent."""

    @property
    def moment(self) -> datetime | None:
        return parse_time(self.time)

    @classmethod
    def from_yaml(cls, fields: Mapping[str, YamlValue]) -> TimelineEntry:
        exit_code = fields.get("exit_code")
        duration = fields.get("duration_s")
        variables = fields.get("variables")
        return cls(
            time=_text(fields.get("time")),
            kind=_text(fields.get("kind")),
            event=_text(fields.get("event")),
            block=_text(fields.get("block")),
            status=_text(fields.get("status")),
            exit_code=exit_code if isinstance(exit_code, int) else None,
            duration_s=float(duration) if isinstance(duration, int | float) else None,
            reason=_text(fields.get("reason")),
            output=_text(fields.get("output")),
            user=_text(fields.get("user")),
            host=_text(fields.get("host")),
            variables=variables if isinstance(variables, dict) else None,
            template=_text(fields.get("template")),
        )

    def to_yaml(self) -> YamlMapping:
        """The fields that are set, in the order this tool writes them."""
        out: YamlMapping = {}
        for key in _ENTRY_ORDER:
            value = getattr(self, key)
            if value is not None or (key == "exit_code" and self.kind == "exec"):
                out[key] = value
        return out


@dataclass(frozen=True, slots=True)
class Item:
    """A checklist or action item: ``{text, done, owner}``, or plain text."""

    text: str
    done: bool = False
    owner: str | None = None
    title: str | None = None
    """Some hand-written items say ``title`` instead of ``text``."""
    plain: bool = False
    """Written as plain text rather than a mapping."""

    @classmethod
    def from_yaml(cls, value: YamlValue) -> Item:
        if isinstance(value, dict):
            return cls(
                text=_text(value.get("text")) or "",
                done=bool(value.get("done")),
                owner=_text(value.get("owner")) or None,
                title=_text(value.get("title")),
            )
        return cls(text=str(value), plain=True)


def _mapping(value: YamlValue) -> YamlMapping:
    return value if isinstance(value, dict) else {}


def _list(value: YamlValue) -> list[YamlValue]:
    return value if isinstance(value, list) else []


# -- the record ----------------------------------------------------------------------------


class IncidentRecord:
    """The mapping under ``incident:``: typed reads, and the changes commands make to it."""

    __slots__ = ("_fields",)

    def __init__(self, fields: YamlMapping) -> None:
        self._fields = fields

    def to_yaml(self) -> YamlMapping:
        """The mapping to write (fields this model does not know included)."""
        return self._fields

    def has(self, key: str) -> bool:
        """The record gives ``key`` a value that is not empty (nor 0, nor false)."""
        return bool(self._fields.get(key))

    def text(self, key: str) -> str | None:
        """A field as text, None when absent or null."""
        return _text(self._fields.get(key))

    def raw(self, key: str) -> YamlValue:
        """A field as written (None when absent)."""
        return self._fields.get(key)

    def shown(self, key: str, default: str) -> str:
        """A field as a message shows it: its text, ``default`` when absent."""
        return str(self._fields[key]) if key in self._fields else default

    # reads -------------------------------------------------------------------------------

    @property
    def id(self) -> str | None:
        return self.text("id")

    @property
    def title(self) -> str | None:
        return self.text("title")

    @property
    def severity(self) -> str | None:
        return self.text("severity")

    @property
    def status(self) -> str | None:
        return self.text("status")

    @property
    def runbook(self) -> str | None:
        return self.text("runbook")

    @property
    def started_at(self) -> datetime | None:
        return parse_time(self._fields.get("started_at"))

    @property
    def resolved_at(self) -> datetime | None:
        return parse_time(self._fields.get("resolved_at"))

    @property
    def update_every_minutes(self) -> float | None:
        """The record's own cadence, when it names a positive number of minutes."""
        minutes = self._fields.get("update_every_minutes")
        if isinstance(minutes, int | float) and not isinstance(minutes, bool) and minutes > 0:
            return float(minutes)
        return None

    @property
    def impact(self) -> YamlMapping:
        """``users_affected``, ``revenue_lost``, ``duration_minutes``, ``summary`` ... (a copy)."""
        return dict(_mapping(self._fields.get("impact")))

    @property
    def roles(self) -> YamlMapping:
        """Role -> person (a copy)."""
        return dict(_mapping(self._fields.get("roles")))

    @property
    def fields(self) -> dict[str, str]:
        """Custom fields (``update --set NAME=VALUE``): name -> text, as recorded."""
        return {
            str(name): text
            for name, value in _mapping(self._fields.get("fields")).items()
            if (text := _text(value)) is not None
        }

    @property
    def timeline(self) -> tuple[TimelineEntry, ...]:
        """The entries that are mappings, in order."""
        return tuple(
            TimelineEntry.from_yaml(e)
            for e in _list(self._fields.get("timeline"))
            if isinstance(e, dict)
        )

    @property
    def checklist(self) -> tuple[Item, ...]:
        return tuple(Item.from_yaml(i) for i in _list(self._fields.get("checklist")))

    @property
    def action_items(self) -> tuple[Item, ...]:
        return tuple(Item.from_yaml(i) for i in _list(self._fields.get("action_items")))

    def last_update_at(self) -> datetime | None:
        """When the last status update (start, update, comms) was recorded."""
        return latest(e for e in self.timeline if e.kind in UPDATE_KINDS)

    # changes -----------------------------------------------------------------------------

    def set(self, key: str, value: YamlValue) -> None:
        self._fields[key] = value

    def drop(self, key: str) -> None:
        self._fields.pop(key, None)

    def add_entry(self, entry: TimelineEntry) -> None:
        """Append a timeline entry, creating the timeline if needed."""
        self.live_list("timeline").append(entry.to_yaml())

    def live_mapping(self, key: str) -> YamlMapping:
        """``roles``, ``impact`` or ``fields`` to change in place (made empty when absent
        or null)."""
        value = self._fields.get(key)
        if not isinstance(value, dict):
            value = self._fields[key] = {}
        return value

    def drop_in(self, key: str, name: str) -> None:
        """Remove one entry of ``roles``, ``impact`` or ``fields`` (when it is a mapping)."""
        value = self._fields.get(key)
        if isinstance(value, dict):
            value.pop(name, None)

    def live_list(self, key: str) -> list[YamlValue]:
        """``action_items`` to change in place (made empty when absent or null)."""
        value = self._fields.get(key)
        if not isinstance(value, list):
            value = self._fields[key] = []
        return value

    def tick(self, number: int) -> str | None:
        """Mark checklist item ``number`` (1-based) done; its text, None if there is none."""
        items = _list(self._fields.get("checklist"))
        if not 1 <= number <= len(items):
            return None
        item = items[number - 1]
        if not isinstance(item, dict):
            return None
        item["done"] = True
        return _text(item.get("text", "")) or ""


def latest(entries: Iterable[TimelineEntry]) -> datetime | None:
    """The latest time among ``entries`` (None when none has a readable time)."""
    times = [t for e in entries if (t := e.moment) is not None]
    return max(times) if times else None
