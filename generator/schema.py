"""The runbook YAML as JSON Schema (draft 2020-12), built from ``generator.load.spec``.

The loader converts by the same spec, so the schema cannot drift from what loads.
``build_schema()`` describes a runbook file; ``build_defaults_schema()`` a ``_defaults.yaml``.
Both are committed under ``runbooks/`` (``runbook schema --out``) for editors.
"""

from __future__ import annotations

import json
from typing import Any

from generator.load import spec, spec_types

DRAFT = "https://json-schema.org/draft/2020-12/schema"
RUNBOOK_SCHEMA_FILE = "runbooks/runbook.schema.json"
DEFAULTS_SCHEMA_FILE = "runbooks/defaults.schema.json"


def build_schema() -> dict[str, Any]:
    """JSON Schema for a runbook file."""
    return _document("Runbook")


def build_defaults_schema() -> dict[str, Any]:
    """JSON Schema for a ``_defaults.yaml`` file."""
    return _document("Defaults")


def dump_schema(schema: dict[str, Any]) -> str:
    """The committed text form: sorted-free, two-space indent, trailing newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _document(root: str) -> dict[str, Any]:
    defs = {name: _object(obj) for name, obj in spec.OBJECTS.items() if name not in _ROOTS}
    body = _object(spec.OBJECTS[root])
    reachable = _reachable(root)
    return {
        "$schema": DRAFT,
        "title": "runbook-docs runbook" if root == "Runbook" else "runbook-docs _defaults.yaml",
        **body,
        "$defs": {name: defs[name] for name in sorted(reachable)},
    }


_ROOTS = ("Runbook", "Defaults")


def _reachable(root: str) -> set[str]:
    seen: set[str] = set()
    todo = [root]
    while todo:
        obj = spec.OBJECTS[todo.pop()]
        for f in obj.fields:
            for name in spec_types.object_refs(f.type):
                if name not in seen:
                    seen.add(name)
                    todo.append(name)
    return seen


def _object(obj: spec_types.ObjectSpec) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "description": obj.description,
        "properties": {f.name: _field(f) for f in obj.fields},
        "additionalProperties": False,
    }
    required = [f.name for f in obj.fields if f.required]
    if required:
        out["required"] = required
    if obj.shorthand:
        text = {"type": "string", "description": f"Shorthand for {{{obj.shorthand}: ...}}."}
        mapping = {k: v for k, v in out.items() if k != "description"}
        return {"description": obj.description, "anyOf": [text, mapping]}
    return out


def _field(f: spec_types.Field) -> dict[str, Any]:
    out = _type(f.type)
    if f.description:
        out = {"description": f.description, **out}
    return out


def _type(ftype: spec_types.FieldType) -> dict[str, Any]:
    if isinstance(ftype, spec_types.Text):
        return {"type": ["string", "number"]} if ftype.numbers else {"type": "string"}
    if isinstance(ftype, spec_types.Scalar):
        return {"type": ["string", "number", "boolean"]}
    if isinstance(ftype, spec_types.Slug):
        return {"type": "string", "pattern": spec_types.SLUG_PATTERN}
    if isinstance(ftype, spec_types.Date):
        return {"type": "string", "format": "date"}
    if isinstance(ftype, spec_types.Duration):
        return {
            "type": ["string", "number"],
            "pattern": spec_types.DURATION_PATTERN,
            "exclusiveMinimum": 0,
            "examples": ["30s", "5m", "1h30m", "90d", 10],
        }
    if isinstance(ftype, spec_types.Regex):
        return {"type": "string", "format": "regex"}
    if isinstance(ftype, spec_types.Bool):
        return {"type": "boolean"}
    if isinstance(ftype, spec_types.ExitCode):
        return {"type": "integer", "minimum": 0, "maximum": 255}
    if isinstance(ftype, spec_types.Enum):
        return {"type": "string", "enum": list(ftype.values)}
    if isinstance(ftype, spec_types.ListOf):
        return {"type": "array", "items": _type(ftype.item)}
    if isinstance(ftype, spec_types.OneOrList):
        item = _type(ftype.item)
        return {"anyOf": [item, {"type": "array", "items": item}]}
    if isinstance(ftype, spec_types.MapOf):
        out: dict[str, Any] = {"type": "object", "additionalProperties": _type(ftype.value)}
        if ftype.key_pattern:
            out["propertyNames"] = {"pattern": ftype.key_pattern}
        return out
    return {"$ref": f"#/$defs/{ftype.name}"}
