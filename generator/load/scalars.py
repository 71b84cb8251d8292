"""One YAML scalar to the value of its field type: text, slugs, dates, durations, regular
expressions, booleans, exit codes, enums. ``generator.load.convert`` walks the mappings and lists
and calls these with itself as ``c``; a value that does not fit records a problem there and
is ``INVALID``.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from collections.abc import Callable

from yaml.constructor import ConstructorError
from yaml.nodes import Node, ScalarNode

from checks.header import duration_range_error, duration_seconds
from checks.patterns import pattern_problem
from checks.problems import did_you_mean
from generator.load import spec_types
from generator.load.nodes import INVALID, show
from generator.load.nodes import NodeReader as Converter
from generator.load.yaml_tags import BOOL, INT, NUMBER_TAGS, SCALAR_TAGS, STR, TIMESTAMP

__all__ = ["SCALAR_HANDLERS"]
_SLUG = re.compile(spec_types.SLUG_PATTERN)
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})\Z")


def text(
    c: Converter, ftype: spec_types.Text, node: Node, ctx: str, what: str, depth: int
) -> object:
    if isinstance(node, ScalarNode) and (
        node.tag in (STR, TIMESTAMP) or (ftype.numbers and node.tag in NUMBER_TAGS)
    ):
        return str(node.value)
    return c.expected(node, ctx, what, "a string")


def scalar(
    c: Converter, ftype: spec_types.Scalar, node: Node, ctx: str, what: str, depth: int
) -> object:
    if isinstance(node, ScalarNode) and node.tag in SCALAR_TAGS:
        return str(node.value)
    return c.expected(node, ctx, what, "a string, number or boolean")


def slug(
    c: Converter, ftype: spec_types.Slug, node: Node, ctx: str, what: str, depth: int
) -> object:
    if isinstance(node, ScalarNode) and node.tag == STR and _SLUG.match(str(node.value)):
        return str(node.value)
    expected = "a slug (lowercase letters, digits and '-', starting with a letter or digit)"
    return c.expected(node, ctx, what, expected)


def date(
    c: Converter, ftype: spec_types.Date, node: Node, ctx: str, what: str, depth: int
) -> object:
    if isinstance(node, ScalarNode) and node.tag in (STR, TIMESTAMP):
        m = _DATE.match(str(node.value).strip())
        if m:
            try:
                return datetime.date(*(int(g) for g in m.groups())).isoformat()
            except ValueError:
                pass
    return c.expected(node, ctx, what, "a date like 2026-10-01")


_seconds = functools.lru_cache(maxsize=1024)(duration_seconds)
"""``duration_seconds`` remembered: runbooks repeat a few spellings (``30s``, ``5m``) in every
step's timeout, and a hit is cheaper than the two regular expressions."""


def duration(
    c: Converter, ftype: spec_types.Duration, node: Node, ctx: str, what: str, depth: int
) -> object:
    seconds: float | None = None
    if isinstance(node, ScalarNode):
        try:
            if node.tag in NUMBER_TAGS:
                seconds = float(c.construct(node))
            elif node.tag == STR:
                seconds = _seconds(str(node.value))
        except (ValueError, OverflowError, ConstructorError):
            seconds = None
    if seconds is None or math.isnan(seconds) or seconds <= 0:
        return c.expected(node, ctx, what, "a duration like 30s or 5m")
    error = duration_range_error(seconds)
    if error:
        c.error(node, ctx, f"{what} {show(node)} {error}")
        return INVALID
    return seconds


def regex(
    c: Converter, ftype: spec_types.Regex, node: Node, ctx: str, what: str, depth: int
) -> object:
    if not (isinstance(node, ScalarNode) and node.tag == STR):
        return c.expected(node, ctx, what, "a regular expression (a string)")
    text = str(node.value)
    problem = pattern_problem(text)
    if problem:
        c.error(node, ctx, f"{what} {show(node)} {problem}")
        return INVALID
    return text


def bool_(
    c: Converter, ftype: spec_types.Bool, node: Node, ctx: str, what: str, depth: int
) -> object:
    if isinstance(node, ScalarNode) and node.tag == BOOL:
        return bool(c.construct(node))
    return c.expected(node, ctx, what, "true or false")


def exit_code(
    c: Converter, ftype: spec_types.ExitCode, node: Node, ctx: str, what: str, depth: int
) -> object:
    if isinstance(node, ScalarNode) and node.tag == INT:
        try:
            code = int(c.construct(node))
        except (ValueError, ConstructorError):
            code = -1
        if 0 <= code <= 255:
            return code
    return c.expected(node, ctx, what, "an exit code 0-255")


def enum(
    c: Converter, ftype: spec_types.Enum, node: Node, ctx: str, what: str, depth: int
) -> object:
    values: tuple[str, ...] = ftype.values
    if isinstance(node, ScalarNode) and node.tag == STR and node.value in values:
        return str(node.value)
    hint = ""
    if isinstance(node, ScalarNode):
        # Case first: 'Slack' and 'SMS' mean 'slack' and 'sms'.
        hint = did_you_mean(str(node.value).lower(), values) or did_you_mean(
            str(node.value), values
        )
    return c.expected(node, ctx, what, "one of " + ", ".join(values), hint)


SCALAR_HANDLERS: dict[type, Callable[..., object]] = {
    spec_types.Text: text,
    spec_types.Scalar: scalar,
    spec_types.Slug: slug,
    spec_types.Date: date,
    spec_types.Duration: duration,
    spec_types.Regex: regex,
    spec_types.Bool: bool_,
    spec_types.ExitCode: exit_code,
    spec_types.Enum: enum,
}
