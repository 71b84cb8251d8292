"""How much a comms template may build: bounded values, bounded work, bounded text in all.

The sandbox's output cap sees only the final text, and a template can build a huge value
long before that (``('a'*40000)|replace('a', 'a'*40000)``, ``['x'*40000]*40000``,
``b.join(b)``, ``('{0}'*9000).format(b)``). So:

- an *amplifier* (an operation whose result can be far longer than its inputs: repetition,
  ``replace``, ``join``, ``%`` and ``format``, ``indent``, ``wordwrap``, ``expandtabs``,
  ``+`` and ``~``, integer ``*`` and ``**``) is checked before it runs against the size its
  result would have;
- every other filter, method call and output refuses an input longer than
  ``MAX_VALUE_CHARS`` (a list counts as the text it would print as), so linear operations
  cannot chain their way up;
- a render may produce ``MAX_PRODUCED_CHARS`` in all, counting text that ``{% set %}``
  blocks and macros capture and that never reaches the output cap.

Every refusal is a ``SecurityError``; ``generator.comms.templates`` turns it into a located problem.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from jinja2.exceptions import SecurityError

MAX_VALUE_CHARS = 40_000
"""Longest value a template may build (the output limit: no message needs more)."""
MAX_PRODUCED_CHARS = 1_000_000
"""Characters one render may produce in all, captured text included."""
MAX_WORK = 100_000
"""Loop iterations plus calls one render may perform."""
MAX_PAD = 10_000
"""Largest width a padding filter, string method or format field may ask for."""
MAX_INT_BITS = 4_096
"""Largest integer arithmetic may make (about 1,200 digits)."""

_CONTAINER_OVERHEAD = 2  # brackets, and ", " / ": " between items


def text_size(value: Any, limit: int = MAX_VALUE_CHARS) -> int:
    """About how many characters ``str(value)`` has; counting stops once past ``limit``.

    Containers count their items (strings with their quotes), so a list holding the same
    long string 40,000 times is as long as the text it would print as.
    """
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        elif isinstance(item, float):
            total += 24
        elif isinstance(item, Mapping):
            total += _CONTAINER_OVERHEAD
            for key, val in item.items():
                total += 2 * _CONTAINER_OVERHEAD
                stack.append(key)
                stack.append(val)
                if len(stack) > limit:
                    return limit + 1
        elif isinstance(item, list | tuple | set | frozenset):
            total += _CONTAINER_OVERHEAD + _CONTAINER_OVERHEAD * len(item)
            if total > limit:
                break
            for element in item:
                if isinstance(element, str):
                    total += len(element) + 2
                else:
                    stack.append(element)
        else:
            total += 32  # ranges, generators, macros, cyclers: short reprs
    return total


def refuse_large(what: str, values: Iterable[Any]) -> None:
    """Refuse ``what`` when one of ``values`` is longer than ``MAX_VALUE_CHARS``."""
    for value in values:
        if text_size(value) > MAX_VALUE_CHARS:
            raise SecurityError(
                f"{what}: a value of over {MAX_VALUE_CHARS} characters "
                f"(the limit for any value a template builds)"
            )


def _refuse_result(what: str, size: int) -> None:
    if size > MAX_VALUE_CHARS:
        raise SecurityError(
            f"{what} would make {size} characters, over the limit of {MAX_VALUE_CHARS}"
        )


def check_width(value: Any) -> None:
    """Refuse an integer width, count or precision over ``MAX_PAD``."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_PAD:
        raise SecurityError(f"width {value} exceeds the limit of {MAX_PAD}")


# -- the budget of one render --------------------------------------------------------------

_budget: contextvars.ContextVar[list[int]] = contextvars.ContextVar("comms_budget")


@contextlib.contextmanager
def budget() -> Iterator[None]:
    """A fresh work and production budget for one render."""
    token = _budget.set([0, 0])
    try:
        yield
    finally:
        _budget.reset(token)


def charge(steps: int) -> None:
    """Count ``steps`` units of work against the current render's budget."""
    spent = _budget.get(None)
    if spent is None:
        return
    spent[0] += steps
    if spent[0] > MAX_WORK:
        raise SecurityError(
            f"template does more than {MAX_WORK} steps of work (loop iterations and calls)"
        )


def produce(chars: int) -> None:
    """Count ``chars`` characters of produced text against the current render's budget."""
    spent = _budget.get(None)
    if spent is None:
        return
    spent[1] += chars
    if spent[1] > MAX_PRODUCED_CHARS:
        raise SecurityError(
            f"template produces more than {MAX_PRODUCED_CHARS} characters in all "
            f"(captured text included)"
        )


# -- amplifiers ----------------------------------------------------------------------------


def check_replace(text: str, old: str, new: str, count: Any = -1) -> None:
    """Refuse a ``replace`` whose result would be too long."""
    hits = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        hits = min(hits, count)
    _refuse_result("replace", len(text) + hits * (len(new) - len(old)))


def check_join(items: list[Any], separator: Any) -> None:
    """Refuse a ``join`` whose result would be too long."""
    size = text_size(separator) * max(len(items) - 1, 0)
    for item in items:
        if size > MAX_VALUE_CHARS:
            break
        size += text_size(item)
    _refuse_result("join", size)


def check_repeat(seq: Any, count: Any) -> None:
    """Refuse ``seq * count`` (a string, list or tuple) when the result would be too long."""
    if isinstance(count, int) and not isinstance(count, bool) and count > 0:
        _refuse_result("repetition", text_size(seq) * count)


def check_concat(values: Iterable[Any]) -> None:
    """Refuse ``a ~ b`` or ``a + b`` when the result would be too long."""
    _refuse_result("concatenation", sum(text_size(value) for value in values))


def check_int_product(left: int, right: int) -> None:
    """Refuse an integer product over ``MAX_INT_BITS``."""
    bits = left.bit_length() + right.bit_length()
    if bits > MAX_INT_BITS:
        raise SecurityError(f"a number of about {bits} bits exceeds the limit of {MAX_INT_BITS}")


def check_power(base: Any, exponent: Any) -> None:
    """Refuse ``base ** exponent`` past an exponent of 64 or ``MAX_INT_BITS``."""
    if isinstance(exponent, int | float) and abs(exponent) > 64:
        raise SecurityError(f"exponent {exponent} exceeds the limit of 64")
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
        bits = base.bit_length() * exponent
        if bits > MAX_INT_BITS:
            raise SecurityError(
                f"a number of about {bits} bits exceeds the limit of {MAX_INT_BITS}"
            )


_PERCENT = re.compile(r"%(?:\(([^)]*)\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.)", re.S)


def check_percent(fmt: str, values: Any) -> None:
    """Refuse ``fmt % values`` (and ``|format``) when widths or the result are too large.

    A mapping can be used by many fields (``'%(a)s%(a)s' % {'a': ...}``), and a width may
    come from the values (``'%*s'``): both are counted.
    """
    positional = list(values) if isinstance(values, tuple) else [values]
    mapping = values if isinstance(values, Mapping) else None
    index = 0

    def take() -> Any:
        nonlocal index
        index += 1
        return positional[index - 1] if index <= len(positional) else ""

    size = len(fmt)
    for match in _PERCENT.finditer(fmt):
        key, width, precision, conversion = match.groups()
        if conversion == "%":
            continue
        for spec in (width, precision):
            if spec == "*":
                number = take()
                check_width(number)
                size += abs(number) if isinstance(number, int) else 0
            elif spec:
                if len(spec) > len(str(MAX_PAD)):
                    raise SecurityError(
                        f"format string {fmt[:40]!r} asks for a width over {MAX_PAD}"
                    )
                check_width(int(spec))
                size += int(spec)
        value = mapping.get(key) if key is not None and mapping is not None else take()
        size += text_size(value)
        if size > MAX_VALUE_CHARS:
            break
    _refuse_result("formatting", size)


def check_indent(text: str, width: Any) -> None:
    """Refuse an ``indent`` whose result would be too long."""
    if isinstance(width, str):
        prefix = len(width)
    elif isinstance(width, int) and not isinstance(width, bool):
        check_width(width)
        prefix = width
    else:
        return  # indent itself refuses it
    _refuse_result("indent", len(text) + (text.count("\n") + 1) * max(prefix, 0))


def check_wordwrap(text: str, width: Any, wrapstring: Any) -> None:
    """Refuse a ``wordwrap`` whose result would be too long (at most two lines per width)."""
    if not isinstance(width, int) or isinstance(width, bool) or width < 1:
        return  # textwrap itself refuses it
    check_width(width)
    lines = 2 * len(text) // width + text.count("\n") + 1
    _refuse_result("wordwrap", len(text) + lines * text_size(wrapstring))


def check_expandtabs(text: str, tabsize: Any) -> None:
    """Refuse an ``expandtabs`` whose result would be too long."""
    if isinstance(tabsize, int) and not isinstance(tabsize, bool):
        check_width(tabsize)
        _refuse_result("expandtabs", len(text) + text.count("\t") * max(tabsize, 0))


class BoundedFormatting:
    """Mixin for Jinja's sandboxed ``str.format`` formatters: every field's width
    (nested ones too: ``'{:{}}'``) and the whole result are bounded while formatting."""

    _made = 0

    def vformat(self, format_string: str, args: Any, kwargs: Any) -> str:
        self._made = len(format_string)
        result: str = super().vformat(format_string, args, kwargs)  # type: ignore[misc]
        return result

    def format_field(self, value: Any, format_spec: str) -> Any:
        for digits in re.findall(r"\d+", format_spec):
            if len(digits) > len(str(MAX_PAD)) or int(digits) > MAX_PAD:
                raise SecurityError(f"format field {format_spec!r} asks for a width over {MAX_PAD}")
        refuse_large("format", (value,))
        text = super().format_field(value, format_spec)  # type: ignore[misc]
        self._made += len(text)
        _refuse_result("format", self._made)
        return text


# -- filters and methods -------------------------------------------------------------------


def _args(func: Callable[..., Any], args: tuple[Any, ...]) -> tuple[Any, ...]:
    # Filters marked pass_context/pass_eval_context/pass_environment get that first.
    return args[1:] if getattr(func, "jinja_pass_arg", None) is not None else args


def _get(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str, default: Any) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else default


def _check_filter(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Check one filter call's amplification; returns the args (a joined iterable is read
    into a list first so that it can be measured)."""
    if name in {"center", "truncate", "batch", "slice"}:
        for value in (*args[1:], *kwargs.values()):
            check_width(value)
    elif name == "replace" and len(args) >= 3:
        check_replace(str(args[0]), str(args[1]), str(args[2]), _get(args, kwargs, 3, "count", -1))
    elif name == "join" and args:
        items = list(args[0])
        check_join(items, _get(args, kwargs, 1, "d", ""))
        args = (items, *args[1:])
    elif name == "format" and args:
        check_percent(str(args[0]), kwargs or tuple(args[1:]))
    elif name == "indent" and args:
        check_indent(str(args[0]), _get(args, kwargs, 1, "width", 4))
    elif name == "wordwrap" and args:
        check_wordwrap(
            str(args[0]),
            _get(args, kwargs, 1, "width", 79),
            _get(args, kwargs, 3, "wrapstring", None) or "\n",
        )
    return args


def guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` refusing inputs over ``MAX_VALUE_CHARS`` and amplification (by filter name)."""
    passes = getattr(func, "jinja_pass_arg", None) is not None

    def guarded(*args: Any, **kwargs: Any) -> Any:
        head, rest = (args[:1], args[1:]) if passes else ((), args)
        refuse_large(f"filter '{name}'", (*rest, *kwargs.values()))
        rest = _check_filter(name, rest, kwargs)
        return func(*head, *rest, **kwargs)

    guarded.__dict__.update(getattr(func, "__dict__", {}))  # keep jinja's pass_* marks
    guarded.__name__ = getattr(func, "__name__", name)
    return guarded


_PAD_METHODS = frozenset({"center", "ljust", "rjust", "zfill"})
REFUSED_STR_METHODS = frozenset({"encode", "translate", "maketrans"})
"""Refused outright: ``translate`` maps one character to any text, ``encode`` makes bytes
that the checks on strings would not see."""


def check_call(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Check a call from a template (a method, macro or global); returns the args."""
    owner = getattr(func, "__self__", None)
    name = getattr(func, "__name__", "")
    what = f"{name}()" if name else "call"
    refuse_large(what, (owner, *args, *kwargs.values()))
    if not isinstance(owner, str):
        return args
    if name in _PAD_METHODS:
        for value in (*args, *kwargs.values()):
            check_width(value)
    elif name == "replace" and len(args) >= 2:
        check_replace(owner, str(args[0]), str(args[1]), _get(args, kwargs, 2, "count", -1))
    elif name == "join" and args:
        items = list(args[0])
        check_join(items, owner)
        args = (items, *args[1:])
    elif name == "expandtabs":
        check_expandtabs(owner, _get(args, kwargs, 0, "tabsize", 8))
    return args
