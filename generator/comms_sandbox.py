"""The Jinja2 sandbox communication templates render in: limits and per-channel escaping.

Templates come from a repository (possibly a pull request from a fork, rendered in CI), and
the values they fill in come from incidents (titles typed in a hurry, pasted error text).
So: Jinja2's ``ImmutableSandboxedEnvironment`` (no attribute access to internals, no
mutation of the context), ``StrictUndefined`` (a missing value is an error, never an empty
string), bounded work (a loop-iteration and call budget, a small ``range``, guarded padding
and repetition), bounded output (rendering streams and stops at the cap), and escaping of
*filled-in values only* (``finalize``): the template's own text is the author's, the values
are data. Slack mrkdwn escapes ``&``, ``<`` and ``>`` so a title containing ``<!channel>``
cannot ping anyone; ``format: html`` HTML-escapes; other channels are plain text.
"""

from __future__ import annotations

import contextvars
import enum
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from jinja2 import StrictUndefined, Template, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Joiner, missing
from markupsafe import Markup
from markupsafe import escape as html_escape

MAX_TEMPLATE_CHARS = 20_000
"""Longest subject or body source accepted."""
MAX_OUTPUT_CHARS = 40_000
"""Longest rendered text (Slack's own message limit)."""
MAX_RANGE = 1_000
"""Most items one ``range()`` may have."""
MAX_WORK = 100_000
"""Loop iterations plus calls one render may perform."""
MAX_PAD = 10_000
"""Largest width a padding filter or string method may ask for."""

_WIDE_FORMAT = re.compile(r"\d{5,}")


class Escape(enum.Enum):
    """How filled-in values are escaped."""

    NONE = "none"
    SLACK = "slack"
    HTML = "html"


def escape_for(channel: str, fmt: str) -> Escape:
    """The escaping a template's values get: HTML for ``format: html``, mrkdwn for Slack."""
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


_budget: contextvars.ContextVar[list[int]] = contextvars.ContextVar("comms_budget")


def charge(steps: int) -> None:
    """Count ``steps`` units of work against the current render's budget."""
    budget = _budget.get(None)
    if budget is None:
        return
    budget[0] += steps
    if budget[0] > MAX_WORK:
        raise SecurityError(
            f"template does more than {MAX_WORK} steps of work (loop iterations and calls)"
        )


def _bounded_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise SecurityError(f"range() of {len(r)} items exceeds the limit of {MAX_RANGE}")
    return r


def _guard_loop(value: Iterable[Any]) -> Iterator[Any]:
    # Every for-loop iterates through this (see CommsEnvironment._parse).
    for item in value:
        charge(1)
        yield item


def _check_pad(args: Iterable[Any]) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_PAD:
            raise SecurityError(f"width {arg} exceeds the limit of {MAX_PAD}")


def _guarded_filter(func: Callable[..., Any], *, format_string: bool = False) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_pad(list(args[1:]) + list(kwargs.values()))
        if format_string and args and isinstance(args[0], str):
            _check_format(args[0])
        return func(*args, **kwargs)

    guarded.__dict__.update(func.__dict__)  # keep jinja's pass_environment/pass_context marks
    return guarded


def _check_format(fmt: str) -> None:
    if _WIDE_FORMAT.search(fmt):
        raise SecurityError(f"format string {fmt[:40]!r} asks for a width over {MAX_PAD}")


_PAD_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}
_FORMAT_METHODS = {"format", "format_map"}


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
        if isinstance(value, Markup):
            # The template author wrote |safe: their text, not a filled-in value.
            return str(value)
        text = _to_text(value)
        if mode is Escape.SLACK:
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if mode is Escape.HTML:
            return str(html_escape(text))
        return text

    return finalize


class CommsEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox: immutable, strict, budgeted; values escaped by ``finalize``."""

    intercepted_binops = frozenset({"*", "**"})

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
        for name in ("center", "indent", "wordwrap", "truncate", "batch", "slice"):
            self.filters[name] = _guarded_filter(self.filters[name])
        self.filters["format"] = _guarded_filter(self.filters["format"], format_string=True)
        self.filters["loop_guard"] = _guard_loop
        self.filters["time"] = format_time
        self.filters["datetime"] = format_datetime
        self.filters["date"] = format_date
        self.filters["minutes"] = format_minutes

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(
                loop.iter, "loop_guard", [], [], None, None, lineno=loop.iter.lineno
            )
        return tree

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        charge(1)
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and getattr(__obj, "__name__", "") in _PAD_METHODS:
            _check_pad(list(args) + list(kwargs.values()))
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # str.format is wrapped on attribute access (not in call): check the widths here.
        owner = getattr(value, "__self__", None)
        if isinstance(owner, str) and getattr(value, "__name__", "") in _FORMAT_METHODS:
            _check_format(owner)
        return super().wrap_str_format(value)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | list | tuple)
                    and isinstance(count, int)
                    and len(seq) * count > MAX_OUTPUT_CHARS
                ):
                    raise SecurityError(
                        f"repetition would make {len(seq) * count} items, "
                        f"over the limit of {MAX_OUTPUT_CHARS}"
                    )
        if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise SecurityError(f"exponent {right} exceeds the limit of 64")
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
    token = _budget.set([0])
    try:
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
    finally:
        _budget.reset(token)
