"""The vocabulary of the runbook YAML's spec: value types, ``Field`` and ``ObjectSpec``.

``generator.load.spec`` writes the runbook YAML in these terms; the loader
(``generator.load.convert``) and the schema (``generator.schema``) read them. The patterns
and closed sets of values that both need are here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
VARIABLE_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
DURATION_PATTERN = r"^\s*(\d+(\.\d+)?(ms|s|m|h|d)?)+\s*$"
# Material for MkDocs admonition types.
CALLOUT_TYPES = (
    "note",
    "abstract",
    "info",
    "tip",
    "success",
    "question",
    "warning",
    "failure",
    "danger",
    "bug",
    "example",
    "quote",
)
KINDS = ("check", "action", "destructive", "manual")
TEMPLATE_CHANNELS = ("slack", "statuspage", "email", "sms", "other")
"""Where a comms template's message goes; it decides how filled-in values are escaped
(Slack mrkdwn for ``slack``), so it is a closed set, not free text."""


# --- value types -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A string. ``numbers``: a number is accepted too and kept as written (``version: 1.10``)."""

    numbers: bool = False


@dataclass(frozen=True, slots=True)
class Scalar:
    """A string, number or boolean, kept as written (variable defaults, env values)."""


@dataclass(frozen=True, slots=True)
class Slug:
    """An id: ``[a-z0-9][a-z0-9-]*``."""


@dataclass(frozen=True, slots=True)
class Date:
    """An ISO date, normalised to ``YYYY-MM-DD``."""


@dataclass(frozen=True, slots=True)
class Duration:
    """``10s``, ``5m``, ``1h30m``, ``90d`` or a number of seconds; more than zero."""


@dataclass(frozen=True, slots=True)
class Regex:
    """A Python regular expression (compiled to check it)."""


@dataclass(frozen=True, slots=True)
class Bool:
    """true or false."""


@dataclass(frozen=True, slots=True)
class ExitCode:
    """An integer 0-255."""


@dataclass(frozen=True, slots=True)
class Enum:
    """One of a fixed set of strings."""

    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ListOf:
    """A sequence of ``item``."""

    item: FieldType


@dataclass(frozen=True, slots=True)
class OneOrList:
    """One ``item`` or a sequence of them (``exit: 0`` or ``exit: [0, 1]``)."""

    item: FieldType


@dataclass(frozen=True, slots=True)
class MapOf:
    """A mapping from names (matching ``key_pattern``) to ``value``; order is kept."""

    value: FieldType
    key_pattern: str | None = None
    key_label: str = "name"


@dataclass(frozen=True, slots=True)
class Obj:
    """A nested object, by ``ObjectSpec`` name."""

    name: str


FieldType: TypeAlias = (
    Text
    | Scalar
    | Slug
    | Date
    | Duration
    | Regex
    | Bool
    | ExitCode
    | Enum
    | ListOf
    | OneOrList
    | MapOf
    | Obj
)


@dataclass(frozen=True, slots=True)
class Field:
    """One key of a YAML object."""

    name: str
    type: FieldType
    description: str = ""
    required: bool = False
    attr: str | None = None
    """The model attribute, when it differs from the key."""
    example: str = ""
    """A realistic value, shown in the format reference (REFERENCE.md)."""

    @property
    def target(self) -> str:
        return self.attr or self.name


@dataclass(frozen=True, slots=True)
class ObjectSpec:
    """A YAML mapping and the model class it becomes."""

    name: str
    """``$defs`` name and model class name."""
    label: str
    """How messages name one of these (``step``, ``section``)."""
    description: str
    fields: tuple[Field, ...]
    shorthand: str | None = None
    """A plain string is accepted and means ``{shorthand: string}``."""
    ident: str | None = None
    """The key that names an instance in messages (``step 'promote'``)."""

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


def key(name: str, type_: FieldType, description: str = "", **kw: object) -> Field:
    """A ``Field`` as the spec tables write it: name, type, description, options."""
    return Field(name, type_, description, **kw)  # type: ignore[arg-type]


TEXT = Text()
MARKDOWN = Text()
"""A text rendered as Markdown (the same value type; the name says how it is shown)."""
TEXTS = ListOf(Text())
STEPS = ListOf(Obj("Step"))


def object_refs(ftype: FieldType) -> list[str]:
    """The names of the nested objects a field's type holds (``Step`` in ``list of Step``)."""
    if isinstance(ftype, Obj):
        return [ftype.name]
    if isinstance(ftype, ListOf | OneOrList):
        return object_refs(ftype.item)
    if isinstance(ftype, MapOf):
        return object_refs(ftype.value)
    return []
