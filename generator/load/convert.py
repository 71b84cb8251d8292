"""YAML nodes -> model objects, driven by ``generator.load.spec``; every problem collected.

Mappings, lists and objects are walked here; one scalar becomes its field's value in
``generator.load.scalars``, and checks across an object's fields are in
``generator.load.convert_checks``; all report through ``generator.load.nodes``.
Conversion never raises for any input: a value that does not fit its field becomes a
located ``Problem`` and the field is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checks.model import Risk, SourceLocation, Variable
from checks.problems import did_you_mean
from generator import model
from generator.load import spec
from generator.load._fast import constructor
from generator.load.convert_checks import CHECKS, Fields
from generator.load.nodes import INVALID, NodeReader, locate, show
from generator.load.scalars import SCALAR_HANDLERS
from generator.load.spec_types import (
    Field,
    FieldType,
    ListOf,
    MapOf,
    Obj,
    ObjectSpec,
    OneOrList,
    Text,
)
from generator.load.yaml_tags import MAP, MERGE, SCALAR_TAGS, SEQ, STR, TIMESTAMP

MAX_DEPTH = 64
"""Deepest object nesting (sections in sections); aliases can make a cycle."""
MAX_NODES = 500_000
"""Nodes visited per file; aliases can expand a small file exponentially."""

_FIELDS: dict[str, dict[str, Field]] = {
    name: {f.name: f for f in s.fields} for name, s in spec.OBJECTS.items()
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    name: tuple(f.name for f in s.fields if f.required) for name, s in spec.OBJECTS.items()
}
_CLASSES: dict[str, Callable[..., object]] = {
    name: constructor(getattr(model, name))
    for name in spec.OBJECTS
    if name not in ("Runbook", "Defaults")
}


class Converter(NodeReader):
    """Converts one file's nodes into model objects; collects its problems in
    ``problems``."""

    def __init__(self, path: str, source: str = "") -> None:
        super().__init__(path, source)
        self._budget = MAX_NODES

    # --- mappings ------------------------------------------------------------------------

    def pairs(
        self, node: MappingNode, ctx: str, active: frozenset[int] = frozenset()
    ) -> list[tuple[str, Node, Node]]:
        """(key, key node, value node) with merge keys applied and duplicates reported.

        ``active``: the mappings being merged into this one, so that an alias cycle
        (``&a {<<: *a}``) is an error instead of endless recursion."""
        out: dict[str, tuple[str, Node, Node]] = {}
        merged: list[tuple[str, Node, Node]] = []
        for knode, vnode in node.value:
            tag = knode.tag
            if tag == STR and isinstance(knode, ScalarNode):
                key = str(knode.value)
                first = out.get(key)
                if first is not None:
                    line = first[1].start_mark.line + 1
                    self.error(knode, ctx, f"duplicate key '{key}' (first at line {line})")
                out[key] = (key, knode, vnode)
            elif tag == MERGE:
                merged.extend(self._merge(vnode, ctx, active | {id(node)}))
            else:
                self.error(knode, ctx, f"key {show(knode)} must be a string")
        for item in merged:
            out.setdefault(item[0], item)
        return list(out.values())

    def _merge(self, vnode: Node, ctx: str, active: frozenset[int]) -> list[tuple[str, Node, Node]]:
        sources = vnode.value if isinstance(vnode, SequenceNode) else [vnode]
        out: list[tuple[str, Node, Node]] = []
        for source in sources:
            if isinstance(source, MappingNode) and id(source) in active:
                self.error(source, ctx, "'<<' merges a mapping into itself")
            elif isinstance(source, MappingNode):
                out.extend(self.pairs(source, ctx, active))
            else:
                self.error(source, ctx, f"'<<' must merge a mapping, got {show(source)}")
        return out

    def fields(
        self, node: Node, obj: ObjectSpec, ctx: str, depth: int
    ) -> tuple[Fields, dict[str, Node], set[str]] | None:
        """The converted fields of a mapping (attr -> value) and the key nodes given.

        Also the keys that unknown keys were taken for (``rn`` -> ``run``), so that a
        misspelt key is reported once, not again as missing. None when a required key
        is missing or invalid (the object cannot be built)."""
        assert isinstance(node, MappingNode)
        table = _TABLES[obj.name]
        texts = _TEXT_TARGETS[obj.name]
        kwargs: Fields = {}
        suggested: set[str] = set()
        # The usual mapping (every key a plain string, none twice, no merge) is walked as
        # it is; any other goes through ``pairs``, which merges and reports.
        given: dict[str, Node] = {}
        items: list[tuple[Node, Node]] = node.value
        for knode, _ in items:
            if knode.tag != STR or type(knode) is not ScalarNode or knode.value in given:
                items = [(knode, vnode) for _, knode, vnode in self.pairs(node, ctx)]
                given = {knode.value: knode for knode, _ in items}
                break
            given[knode.value] = knode
        for knode, vnode in items:
            key = knode.value
            self._budget -= 1
            if self._budget < 0:
                if key in table:
                    self._over_budget(vnode)
                    continue
            else:
                # A text field given a string, most of a file's values: inlined.
                target = texts.get(key)
                if target is not None and type(vnode) is ScalarNode and vnode.tag in _TEXT_TAGS:
                    kwargs[target] = vnode.value
                    continue
            entry = table.get(key)
            if entry is None:
                self._budget += 1  # not a value: an unknown key
                hint = did_you_mean(key, _FIELDS[obj.name])
                self.error(knode, ctx, f"unknown key '{key}'{hint}")
                suggested.add(hint.partition("'")[2].partition("'")[0])
                continue
            ftype, target, what, handler = entry
            value = handler(self, ftype, vnode, ctx, what, depth)
            if value is not INVALID:
                kwargs[target] = value
        required = _REQUIRED[obj.name]
        if not required:
            return kwargs, given, suggested
        for name in required:
            if name not in given and name not in suggested:
                self.error(node, ctx, f"missing required key '{name}'")
        # A required key given with a bad value has its problem already; still cannot build.
        complete = _REQUIRED_TARGETS[obj.name] <= kwargs.keys()
        return (kwargs, given, suggested) if complete else None

    # --- values --------------------------------------------------------------------------

    def value(self, ftype: FieldType, node: Node, ctx: str, what: str, depth: int) -> object:
        """``node`` converted to ``ftype``'s Python value, or ``INVALID`` (problem recorded)."""
        self._budget -= 1
        if self._budget < 0:
            return self._over_budget(node)
        handler = _HANDLERS[type(ftype)]
        return handler(self, ftype, node, ctx, what, depth)

    def _over_budget(self, node: Node) -> object:
        if self._budget == -1:
            self.error(node, "", "document too large (more than 500000 values after aliases)")
        return INVALID

    def _list(self, ftype: ListOf, node: Node, ctx: str, what: str, depth: int) -> object:
        if not (isinstance(node, SequenceNode) and node.tag == SEQ):
            return self.expected(node, ctx, what, "a list")
        return self._items(ftype.item, node, ctx, what, depth)

    def _items(
        self, item: FieldType, node: SequenceNode, ctx: str, what: str, d: int
    ) -> tuple[object, ...]:
        out = []
        if isinstance(item, Obj):
            obj = spec.OBJECTS[item.name]
            for i, child in enumerate(node.value, 1):
                value = self._object_item(obj, child, ctx, what, i, d)
                if value is not INVALID:
                    out.append(value)
        else:
            for i, child in enumerate(node.value, 1):
                value = self.value(item, child, ctx, f"{what} item {i}", d)
                if value is not INVALID:
                    out.append(value)
        return tuple(out)

    def _one_or_list(self, ftype: OneOrList, node: Node, ctx: str, what: str, depth: int) -> object:
        if isinstance(node, SequenceNode) and node.tag == SEQ:
            return self._items(ftype.item, node, ctx, what, depth)
        value = self.value(ftype.item, node, ctx, what, depth)
        return value if value is INVALID else (value,)

    def _map(self, ftype: MapOf, node: Node, ctx: str, what: str, depth: int) -> object:
        if not (isinstance(node, MappingNode) and node.tag == MAP):
            return self.expected(node, ctx, what, "a mapping")
        pattern = re.compile(ftype.key_pattern) if ftype.key_pattern else None
        out = []
        for key, knode, vnode in self.pairs(node, ctx):
            if pattern and not pattern.match(key):
                expected = "letters, digits and '_', not starting with a digit"
                self.error(knode, ctx, f"{ftype.key_label} name '{key}' must be {expected}")
                continue
            if isinstance(ftype.value, Obj):
                obj = spec.OBJECTS[ftype.value.name]
                label = f"{obj.label} '{key}'"
                where = (ctx, _member(what, key))
                value = self.object(obj, vnode, label, depth, where, name=key, at=knode)
            else:
                value = self.value(ftype.value, vnode, ctx, _member(what, key), depth)
            if value is not INVALID:
                out.append((key, value))
        if isinstance(ftype.value, Obj):
            return tuple(v for _, v in out)
        return tuple(out)

    def _obj(self, ftype: Obj, node: Node, ctx: str, what: str, depth: int) -> object:
        obj = spec.OBJECTS[ftype.name]
        label = f"{ctx}: {what[1:-1]}" if ctx else what[1:-1]
        return self.object(obj, node, self._label(obj, node, label), depth, (ctx, what))

    def _object_item(
        self, obj: ObjectSpec, node: Node, ctx: str, what: str, index: int, depth: int
    ) -> object:
        fallback = f"{obj.label} #{index}"
        fallback = f"{ctx}: {fallback}" if ctx else fallback
        label = self._label(obj, node, fallback)
        return self.object(obj, node, label, depth, (ctx, f"{what} item {index}"))

    def _label(self, obj: ObjectSpec, node: Node, fallback: str) -> str:
        """``step 'promote'`` when the object names itself, else the fallback."""
        if obj.ident and isinstance(node, MappingNode):
            for knode, vnode in node.value:
                if (
                    isinstance(knode, ScalarNode)
                    and knode.value == obj.ident
                    and isinstance(vnode, ScalarNode)
                    and vnode.tag in SCALAR_TAGS
                    and vnode.value
                ):
                    return f"{obj.label} '{str(vnode.value)[:40]}'"
        return fallback

    def object(
        self,
        obj: ObjectSpec,
        node: Node,
        ctx: str,
        depth: int,
        where: tuple[str, str],
        name: str | None = None,
        at: Node | None = None,
    ) -> object:
        """A model object from a mapping (or its string shorthand), or ``INVALID``.

        ``ctx`` names the object in messages about its keys; ``where`` is the (context,
        key) of the value itself, for a message when it is not a mapping at all.
        """
        if depth >= MAX_DEPTH:
            self.error(node, ctx, f"nested more than {MAX_DEPTH} levels deep")
            return INVALID
        if obj.shorthand and isinstance(node, ScalarNode) and node.tag == STR:
            kwargs: Fields = {obj.shorthand: str(node.value)}
            given: dict[str, Node] = {}
            suggested: set[str] = set()
        elif isinstance(node, MappingNode) and node.tag == MAP:
            result = self.fields(node, obj, ctx, depth + 1)
            if result is None:
                return INVALID
            kwargs, given, suggested = result
        else:
            expected = "a string or a mapping" if obj.shorthand else "a mapping"
            return self.expected(node, where[0], where[1], expected)
        check = CHECKS.get(obj.name)
        if check is not None:
            check(self, kwargs, given, node, ctx, suggested)
        return build(obj.name, kwargs, locate(self.path, at or node), name)


def _member(what: str, key: str) -> str:
    """``'env.A'`` for the value of key ``A`` in the mapping ``'env'``."""
    if len(what) > 1 and what[0] == what[-1] == "'":
        return f"'{what[1:-1]}.{key}'"
    return f"{what} '{key}'"


def build(name: str, kwargs: Fields, location: SourceLocation, key: str | None) -> object:
    """Instantiate the model class ``name`` from converted fields."""
    kind = kwargs.get("kind")
    if name == "Step" and isinstance(kind, str):
        kwargs["kind"] = _RISKS[kind]  # an Enum handler value: one of KINDS
    if name == "Variable":
        return _VARIABLE(name=key or "", location=location, **kwargs)
    return _CLASSES[name](location=location, **kwargs)


_RISKS = {risk.value: risk for risk in Risk}
_VARIABLE = constructor(Variable)
_HANDLERS: dict[type, Callable[..., object]] = {
    **SCALAR_HANDLERS,
    ListOf: Converter._list,
    OneOrList: Converter._one_or_list,
    MapOf: Converter._map,
    Obj: Converter._obj,
}

_TABLES: dict[str, dict[str, tuple[FieldType, str, str, Callable[..., object]]]] = {
    name: {f.name: (f.type, f.target, f"'{f.name}'", _HANDLERS[type(f.type)]) for f in s.fields}
    for name, s in spec.OBJECTS.items()
}
"""Per object, key -> (type, model attribute, how messages name it, handler)."""
_TEXT_TARGETS: dict[str, dict[str, str]] = {
    name: {f.name: f.target for f in s.fields if f.type == Text()}
    for name, s in spec.OBJECTS.items()
}
"""Per object, key -> model attribute of its plain text fields (``convert_scalars.text``
inlined in ``Converter.fields``)."""
_TEXT_TAGS = frozenset({STR, TIMESTAMP})
_REQUIRED_TARGETS: dict[str, frozenset[str]] = {
    name: frozenset(f.target for f in s.fields if f.required) for name, s in spec.OBJECTS.items()
}
