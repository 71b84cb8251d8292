"""Checks across the fields of one object, run once its fields are converted: a step's
``shell`` and ``interpreter``, its ``run``; a variable's default against its choices and
pattern; where a step's command and a template's body start in the file."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode

from generator.load.nodes import NodeReader as Converter

__all__ = ["CHECKS", "Check"]


def check_step(
    c: Converter, kw: dict[str, Any], given: dict[str, Node], node: Node, ctx: str, hints: set[str]
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


def check_variable(
    c: Converter, kw: dict[str, Any], given: dict[str, Node], node: Node, ctx: str, hints: set[str]
) -> None:
    default = kw.get("default")
    if default is None:
        return
    choices = kw.get("choices")
    if choices and default not in choices:
        listed = ", ".join(choices)
        c.error(given["default"], ctx, f"default '{default}' is not one of the choices: {listed}")
    pattern = kw.get("pattern")
    if pattern is not None and re.fullmatch(pattern, default) is None:
        c.error(given["default"], ctx, f"default '{default}' does not match pattern '{pattern}'")


def check_scheme(
    c: Converter, kw: dict[str, Any], given: dict[str, Node], node: Node, ctx: str, hints: set[str]
) -> None:
    kw.setdefault("name", "custom")


def check_template(
    c: Converter, kw: dict[str, Any], given: dict[str, Node], node: Node, ctx: str, hints: set[str]
) -> None:
    locate_text(c, kw, node, "body")


def locate_text(c: Converter, kw: dict[str, Any], node: Node, key: str) -> None:
    """Set ``<key>_location`` to where the text of field ``key`` starts."""
    if key in kw and isinstance(node, MappingNode):
        for knode, vnode in node.value:
            if isinstance(knode, ScalarNode) and knode.value == key:
                kw[f"{key}_location"] = c.text_start(vnode)


Check = Callable[[Converter, dict[str, Any], dict[str, Node], Node, str, set[str]], None]
CHECKS: dict[str, Check] = {
    "Step": check_step,
    "Variable": check_variable,
    "SeverityScheme": check_scheme,
    "CommsTemplate": check_template,
}
