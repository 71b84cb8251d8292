"""The Jinja2 sandbox communication templates render in: limits and per-channel escaping.

Templates come from a repository (possibly a pull request from a fork, rendered in CI), and
the values they fill in come from incidents (titles typed in a hurry, pasted error text).
So: Jinja2's ``ImmutableSandboxedEnvironment`` (no attribute access to internals, no
mutation of the context), ``StrictUndefined`` (a missing value is an error, never an empty
string), bounded work and bounded values (``generator.comms.limits``: a loop-iteration and
call budget, a small ``range``, every amplifier checked before it runs), bounded output
(rendering streams and stops at the cap), and escaping of *filled-in values only*
(``finalize``): the template's own text is the author's, the values are data. Slack mrkdwn
escapes ``&``, ``<`` and ``>`` so a title containing ``<!channel>`` cannot ping anyone;
``format: html`` HTML-escapes; other channels are plain text. What decides the escaping is
where the message goes (``escape_for``), so a message sent to Slack gets Slack escaping
whatever channel its template names.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import update_wrapper
from typing import Any

from jinja2 import StrictUndefined, Template, nodes, pass_eval_context
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, markup_join, str_join
from jinja2.sandbox import (
    ImmutableSandboxedEnvironment,
    SandboxedEscapeFormatter,
    SandboxedFormatter,
)
from jinja2.utils import Cycler, Joiner, missing
from jinja2.visitor import NodeTransformer
from markupsafe import Markup
from markupsafe import escape as html_escape

from generator.comms.limits import (
    MAX_VALUE_CHARS,
    REFUSED_STR_METHODS,
    BoundedFormatting,
    budget,
    charge,
    check_call,
    check_concat,
    check_int_product,
    check_percent,
    check_power,
    check_repeat,
    guard_filter,
    produce,
    refuse_large,
)

MAX_TEMPLATE_CHARS = 20_000
"""Longest subject or body source accepted."""
MAX_OUTPUT_CHARS = MAX_VALUE_CHARS
"""Longest rendered text (Slack's own message limit)."""
MAX_RANGE = 1_000
"""Most items one ``range()`` may have."""


class Escape(enum.Enum):
    """How filled-in values are escaped."""

    NONE = "none"
    SLACK = "slack"
    HTML = "html"


def escape_for(channel: str, fmt: str, *, destination: str | None = None) -> Escape:
    """The escaping a template's values get: mrkdwn for a message sent to Slack (whatever
    the template's channel), else HTML for ``format: html``, else mrkdwn for a Slack
    template, else none."""
    if destination == "slack":
        return Escape.SLACK
    if fmt == "html":
        return Escape.HTML
    if channel == "slack":
        return Escape.SLACK
    return Escape.NONE


class Namespace(dict[str, Any]):
    """A context mapping that knows its dotted path, so a missing key names ``incident.eta``."""

    __slots__ = ("path",)

    def __init__(self, path: str, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.path = path

    @classmethod
    def present(cls, path: str, values: dict[str, Any]) -> Namespace:
        """Only the values that are there: absent and empty ones stay undefined, so a
        template using them fails loudly."""
        return cls(path, {k: v for k, v in values.items() if v is not None and v != ""})


UNDEFINED_PREFIX = "undefined variable "


class MissingValue(StrictUndefined):
    """``StrictUndefined`` whose message names the whole dotted path (``incident.eta``)."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        name = self._undefined_name
        if self._undefined_hint or not isinstance(name, str):
            # Sandbox refusals carry their own hint ("access to attribute ... is unsafe").
            return str(super()._undefined_message)
        if self._undefined_obj is missing:
            return f"{UNDEFINED_PREFIX}'{name}'"
        if isinstance(self._undefined_obj, Namespace):
            return f"{UNDEFINED_PREFIX}'{self._undefined_obj.path}.{name}'"
        return str(super()._undefined_message)


def missing_name(exc: UndefinedError) -> str | None:
    """The dotted name an ``UndefinedError`` from ``MissingValue`` is about, if any."""
    message = exc.message or ""
    if message.startswith(UNDEFINED_PREFIX) and message.endswith("'"):
        return message[len(UNDEFINED_PREFIX) + 1 : -1]
    return None


def _bounded_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise SecurityError(f"range() of {len(r)} items exceeds the limit of {MAX_RANGE}")
    return r


def _guard_loop(value: Iterable[Any], static_chars: int = 0) -> Iterator[Any]:
    # Every for-loop iterates through this (see CommsEnvironment._parse); ``static_chars``
    # is the template text of the loop's body, produced once per iteration.
    for item in value:
        charge(1)
        produce(static_chars)
        yield item


@pass_eval_context
def _guard_concat(eval_ctx: EvalContext, values: list[Any]) -> str:
    # Every ``a ~ b`` goes through this (see CommsEnvironment._parse).
    check_concat(values)
    return markup_join(values) if eval_ctx.autoescape else str_join(values)


class _Guards(NodeTransformer):
    """Route loops through ``loop_guard`` and ``~`` through ``concat_guard``."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        static = sum(
            len(data.data) for child in node.body for data in child.find_all(nodes.TemplateData)
        )
        node.iter = nodes.Filter(
            node.iter, "loop_guard", [nodes.Const(static)], [], None, None, lineno=node.iter.lineno
        )
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        items = nodes.List(node.nodes, lineno=node.lineno)
        return nodes.Filter(items, "concat_guard", [], [], None, None, lineno=node.lineno)


class _Formatter(BoundedFormatting, SandboxedFormatter):
    pass


class _EscapeFormatter(BoundedFormatting, SandboxedEscapeFormatter):
    pass


def _parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_time(value: Any) -> str:
    """``14:30 UTC`` from an ISO timestamp."""
    return _parse_time(value).strftime("%H:%M UTC")


def format_datetime(value: Any) -> str:
    """``2024-01-15 14:30 UTC`` from an ISO timestamp."""
    return _parse_time(value).strftime("%Y-%m-%d %H:%M UTC")


def format_date(value: Any) -> str:
    """``2024-01-15`` from an ISO timestamp."""
    return _parse_time(value).strftime("%Y-%m-%d")


def format_minutes(value: Any) -> str:
    """``1h 30m`` from a number of minutes."""
    minutes = round(float(value))
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    if hours and rest:
        return f"{sign}{hours}h {rest}m"
    if hours:
        return f"{sign}{hours}h"
    return f"{sign}{rest}m"


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _finalizer(mode: Escape) -> Callable[[Any], str]:
    def finalize(value: Any) -> str:
        refuse_large("output", (value,))
        if isinstance(value, Markup):
            # The template author wrote |safe: their text, not a filled-in value.
            produce(len(value))
            return str(value)
        text = _to_text(value)
        produce(len(text))
        if mode is Escape.SLACK:
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if mode is Escape.HTML:
            return str(html_escape(text))
        return text

    return finalize


class CommsEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox: immutable, strict, budgeted; values escaped by ``finalize``."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, mode: Escape) -> None:
        super().__init__(
            undefined=MissingValue,
            autoescape=False,
            finalize=_finalizer(mode),
            keep_trailing_newline=False,
            auto_reload=False,
            cache_size=0,
        )
        self.mode = mode
        # No namespace(): without it nothing can accumulate across loop iterations.
        self.globals = {
            "range": _bounded_range,
            "dict": dict,
            "cycler": Cycler,
            "joiner": Joiner,
        }
        self.filters = {name: guard_filter(name, f) for name, f in self.filters.items()}
        self.filters["loop_guard"] = _guard_loop
        self.filters["concat_guard"] = _guard_concat
        self.filters["time"] = format_time
        self.filters["datetime"] = format_datetime
        self.filters["date"] = format_date
        self.filters["minutes"] = format_minutes

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        guarded = _Guards().visit(tree)
        assert isinstance(guarded, nodes.Template)
        return guarded

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr in REFUSED_STR_METHODS:
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        charge(1)
        args = check_call(__obj, args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(result, str):
            produce(len(result))  # a macro's output, captured or not
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # Jinja's own, with formatters that bound field widths and the result.
        owner = getattr(value, "__self__", None)
        name = getattr(value, "__name__", "")
        if not isinstance(owner, str) or name not in {"format", "format_map"}:
            return None
        refuse_large(f"{name}()", (owner,))
        formatter: SandboxedFormatter = (
            _EscapeFormatter(self, escape=owner.escape)
            if isinstance(owner, Markup)
            else _Formatter(self)
        )
        text_type = type(owner)

        def wrapper(*args: Any, **kwargs: Any) -> str:
            if name == "format_map":
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one positional argument")
                mapping = args[0]
                args, kwargs = (), mapping
            return text_type(formatter.vformat(owner, args, kwargs))

        return update_wrapper(wrapper, value)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            if isinstance(left, int) and isinstance(right, int):
                check_int_product(left, right)
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple):
                    check_repeat(seq, count)
        elif operator == "**":
            check_power(left, right)
        elif operator == "+" and (
            (isinstance(left, str) and isinstance(right, str))
            or (isinstance(left, list | tuple) and isinstance(right, list | tuple))
        ):
            check_concat((left, right))
        elif operator == "%" and isinstance(left, str):
            check_percent(left, right)
        return super().call_binop(context, operator, left, right)


_ENVIRONMENTS: dict[Escape, CommsEnvironment] = {}


def environment(mode: Escape) -> CommsEnvironment:
    """The (shared, stateless) sandbox for one escaping mode."""
    env = _ENVIRONMENTS.get(mode)
    if env is None:
        env = _ENVIRONMENTS[mode] = CommsEnvironment(mode)
    return env


@functools.lru_cache(maxsize=1024)
def _compiled(env: CommsEnvironment, source: str) -> Template:
    """Compiling is most of a render's cost, and the same templates (inherited from a
    ``_defaults.yaml``) render for every runbook of a site or a lint run."""
    return env.from_string(source)


def render_source(env: CommsEnvironment, source: str, context: dict[str, Any]) -> str:
    """Render ``source`` in ``env`` within the work and output budgets.

    Raises Jinja2's ``TemplateSyntaxError``, ``SecurityError``, ``MissingValueError`` or
    other exceptions from the template; the caller turns them into located problems.
    """
    if len(source) > MAX_TEMPLATE_CHARS:
        raise SecurityError(
            f"template has {len(source)} characters, over the limit of {MAX_TEMPLATE_CHARS}"
        )
    template = _compiled(env, source)
    with budget():
        size = 0
        parts: list[str] = []
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise SecurityError(
                    f"rendered text exceeds the limit of {MAX_OUTPUT_CHARS} characters"
                )
            parts.append(chunk)
        return "".join(parts)
