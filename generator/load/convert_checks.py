"""Checks across the fields of one object, run once its fields are converted: a step's
``shell`` and ``interpreter``, its ``run``; a variable's default against its choices and
pattern, its example too; where a step's command and a template's body start in the file."""

from __future__ import annotations

from collections.abc import Callable

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checks.header import VARIABLE_NAME
from checks.patterns import fullmatch
from generator.load.nodes import NodeReader as Converter

__all__ = ["CHECKS", "Check", "Fields"]

Fields = dict[str, object]
"""An object's converted fields: model attribute -> value (of the attribute's type)."""


def check_step(
    c: Converter, kw: Fields, given: dict[str, Node], node: Node, ctx: str, hints: set[str]
) -> None:
    if "shell" in given and "interpreter" in given:
        c.error(
            given["interpreter"], ctx, "'shell' and 'interpreter' exclude each other (give one)"
        )
    kind = kw.get("kind", "check")
    if kind != "manual" and "run" not in given and "run" not in hints:
        c.error(node, ctx, f"a {kind} step needs 'run' (or 'kind: manual')")
    locate_text(c, kw, node, "run")
    locate_text(c, kw, node, "interpreter")
    outputs = _value_of(node, given.get("outputs"))
    if isinstance(outputs, SequenceNode):
        for item in outputs.value:
            if isinstance(item, ScalarNode) and not VARIABLE_NAME.match(item.value):
                c.error(item, ctx, f"outputs: '{item.value}' is not a variable name")


def _value_of(node: Node, key: Node | None) -> Node | None:
    """The value node of a key node ``given`` holds (None when the key was not given)."""
    if key is None or not isinstance(node, MappingNode):
        return None
    return next((value for k, value in node.value if k is key), None)


def check_variable(
    c: Converter, kw: Fields, given: dict[str, Node], node: Node, ctx: str, hints: set[str]
) -> None:
    """The default and the example are values the variable must accept."""
    choices = kw.get("choices")
    pattern = kw.get("pattern")
    for key in ("default", "example"):
        value = kw.get(key)
        if not isinstance(value, str):  # none given (a Scalar value is a string)
            continue
        if isinstance(choices, tuple) and choices and value not in choices:
            listed = ", ".join(map(str, choices))
            c.error(given[key], ctx, f"{key} '{value}' is not one of the choices: {listed}")
        if isinstance(pattern, str) and not fullmatch(pattern, value):
            c.error(given[key], ctx, f"{key} '{value}' does not match pattern '{pattern}'")


def check_scheme(
    c: Converter, kw: Fields, given: dict[str, Node], node: Node, ctx: str, hints: set[str]
) -> None:
    kw.setdefault("name", "custom")


def check_template(
    c: Converter, kw: Fields, given: dict[str, Node], node: Node, ctx: str, hints: set[str]
) -> None:
    locate_text(c, kw, node, "body")


def locate_text(c: Converter, kw: Fields, node: Node, key: str) -> None:
    """Set ``<key>_location`` to where the text of field ``key`` starts."""
    if key in kw and isinstance(node, MappingNode):
        for knode, vnode in node.value:
            if isinstance(knode, ScalarNode) and knode.value == key:
                kw[f"{key}_location"] = c.text_start(vnode)


Check = Callable[[Converter, Fields, dict[str, Node], Node, str, set[str]], None]
CHECKS: dict[str, Check] = {
    "Step": check_step,
    "Variable": check_variable,
    "SeverityScheme": check_scheme,
    "CommsTemplate": check_template,
}
