"""The page's ``{.runbook-variables}`` block: its YAML -> ``Variable`` declarations, located.

Hand-written Markdown declares its variables (secrets included) the way generated pages do;
every problem points at the key or value in the page, converted from PyYAML's 0-based
marks in one place.
"""

from __future__ import annotations

from typing import Any

from checks.header import VARIABLE_NAME
from checks.model import SourceLocation, Variable
from checks.patterns import fullmatch, pattern_problem
from checks.problems import Problem, Severity, did_you_mean

__all__ = ["RULE", "VARIABLE_KEYS", "block_problem", "parse_variables"]

VARIABLE_KEYS = ("description", "default", "required", "secret", "pattern", "choices", "example")

RULE = "block"
"""The rule name of every problem extraction reports."""


def block_problem(location: SourceLocation, message: str) -> Problem:
    """An error in a page's blocks: the block does not run, the page does not validate."""
    return Problem(location, Severity.ERROR, message, RULE)


def parse_variables(
    content: str, path: str, first_line: int
) -> tuple[list[Variable], list[Problem]]:
    """Variables from the YAML body of a ``{.runbook-variables}`` block.

    ``first_line`` is the 1-based file line of the block's first content line.
    """
    import yaml

    problems: list[Problem] = []

    def at_mark(mark: Any) -> SourceLocation:
        # The one conversion of PyYAML's 0-based marks (a missing mark: the first line).
        if mark is None:
            return SourceLocation(path, first_line, 1)
        return SourceLocation(path, first_line + mark.line, mark.column + 1)

    def at(node: Any) -> SourceLocation:
        return at_mark(node.start_mark)

    try:
        root = yaml.compose(content, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        where = at_mark(getattr(exc, "problem_mark", None))
        return [], [block_problem(where, f"variables: {problem}")]
    if root is None:
        return [], []
    if not isinstance(root, yaml.MappingNode):
        return [], [block_problem(at(root), "variables: expected a mapping of NAME: {...}")]
    out: list[Variable] = []
    for key_node, value_node in root.value:
        name = str(key_node.value)
        if not VARIABLE_NAME.match(name):
            problems.append(block_problem(at(key_node), f"variable '{name}': not a valid name"))
            continue
        fields_: dict[str, Any] = {}
        if isinstance(value_node, yaml.ScalarNode):
            if value_node.value not in ("", "~", "null"):
                fields_["description"] = value_node.value
        elif isinstance(value_node, yaml.MappingNode):
            ok = True
            nodes: dict[str, yaml.Node] = {}
            for k_node, v_node in value_node.value:
                key = str(k_node.value)
                nodes[key] = k_node
                if key not in VARIABLE_KEYS:
                    hint = did_you_mean(key, VARIABLE_KEYS)
                    message = f"variable '{name}': unknown key '{key}'{hint}"
                    problems.append(block_problem(at(k_node), message))
                    ok = False
                    continue
                try:
                    value = yaml.safe_load(yaml.serialize(v_node))
                except yaml.YAMLError as exc:  # a tag safe YAML does not know
                    problem = getattr(exc, "problem", None) or "cannot be read"
                    problems.append(
                        block_problem(at(v_node), f"variable '{name}': {key}: {problem}")
                    )
                    ok = False
                    continue
                error = _check_variable_value(key, value)
                if error:
                    problems.append(block_problem(at(v_node), f"variable '{name}': {key}: {error}"))
                    ok = False
                    continue
                fields_[key] = _convert_variable_value(key, value)
            if not ok:
                continue
            for key in ("default", "example"):  # reported; the variable is still declared
                error = _misfit(fields_, key)
                if error:
                    problems.append(block_problem(at(nodes[key]), f"variable '{name}': {error}"))
        else:
            problems.append(block_problem(at(value_node), f"variable '{name}': expected a mapping"))
            continue
        out.append(Variable(name=name, location=at(key_node), **fields_))
    return out, problems


def _misfit(fields_: dict[str, Any], key: str) -> str:
    """Why the variable's ``default`` or ``example`` is a value it would refuse, or ""."""
    value = fields_.get(key)
    if value is None:
        return ""
    choices = fields_.get("choices")
    if choices and value not in choices:
        return f"{key} '{value}' is not one of the choices: {', '.join(choices)}"
    pattern = fields_.get("pattern")
    if pattern is not None and not fullmatch(pattern, value):
        return f"{key} '{value}' does not match pattern '{pattern}'"
    return ""


def _check_variable_value(key: str, value: object) -> str:
    if key in ("required", "secret"):
        return "" if isinstance(value, bool) else f"expected true or false, got {value!r}"
    if key == "choices":
        if not isinstance(value, list) or not value:
            return "expected a non-empty list"
        return ""
    if key == "pattern":
        problem = pattern_problem(str(value))
        return f"'{value}' {problem}" if problem else ""
    if value is None:
        return "has no value"
    if isinstance(value, dict | list):
        return f"expected a single value, got {type(value).__name__}"
    return ""


def _convert_variable_value(key: str, value: object) -> object:
    if key in ("required", "secret"):
        return value
    if key == "choices":
        assert isinstance(value, list)
        return tuple(_scalar_text(v) for v in value)
    return _scalar_text(value)


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
