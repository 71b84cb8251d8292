"""A mapping (with comments) -> YAML text that loads back to exactly the same values.

Keys starting with ``#`` hold comment lines, written where the key stands (before a list
item's ``-`` when first in the item). Strings are plain only when plainly safe, literal
block scalars when their lines allow it, double-quoted with escapes otherwise; the result
is loaded back (PyYAML's C loader) and, should any string differ, written again with every
multi-line string double-quoted.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["EmitError", "dump_yaml", "strip_comments"]

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.,/()'+@-]*")
_SPECIAL_WORDS = frozenset(
    "y n yes no on off true false null none ~".split()  # noqa: SIM905
)
# Characters a YAML reader accepts unescaped (PyYAML's printable set minus the line breaks
# it would fold: NEL, LS, PS) and, in block scalars, tab.
_UNPRINTABLE = re.compile(
    "[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]"
)
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0"}


class EmitError(RuntimeError):
    """The YAML would not load back to the same values (a bug of this module)."""


def strip_comments(value: Any) -> Any:
    """``value`` without comment keys and None values: what the YAML must load back to."""
    if isinstance(value, dict):
        return {
            k: strip_comments(v)
            for k, v in value.items()
            if not k.startswith("#") and v is not None
        }
    if isinstance(value, list):
        return [strip_comments(v) for v in value]
    return value


def dump_yaml(doc: dict[str, Any], header: list[str]) -> str:
    """YAML text for ``doc`` after ``header`` comment lines; EmitError if it cannot round-trip."""
    expected = strip_comments(doc)
    for quoted in (False, True):
        out: list[str] = [_comment(line) for line in header]
        _mapping(doc, 0, out, quoted)
        text = "\n".join(out) + "\n"
        try:
            loaded = yaml.load(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            continue
        if loaded == expected:
            return text
    raise EmitError("the YAML does not load back to the imported values")


def _comment(line: str) -> str:
    flat = line.replace("\t", "    ").replace("\r", " ").replace("\n", " ")
    clean = _UNPRINTABLE.sub("\ufffd", flat).rstrip()
    return f"# {clean}" if clean else "#"


def _mapping(doc: dict[str, Any], indent: int, out: list[str], quoted: bool) -> None:
    pad = " " * indent
    for key, value in doc.items():
        if key.startswith("#"):
            out.extend(pad + _comment(line) for line in value)
            continue
        if value is None:
            continue
        _entry(pad + _key(key) + ":", value, indent, out, quoted)


def _entry(prefix: str, value: Any, indent: int, out: list[str], quoted: bool) -> None:
    if isinstance(value, dict):
        if not any(not k.startswith("#") and v is not None for k, v in value.items()):
            out.append(prefix + " {}")
            return
        out.append(prefix)
        _mapping(value, indent + 2, out, quoted)
    elif isinstance(value, list):
        if not value:
            out.append(prefix + " []")
            return
        out.append(prefix)
        _sequence(value, indent + 2, out, quoted)
    else:
        _scalar(prefix, value, indent, out, quoted)


def _sequence(items: list[Any], indent: int, out: list[str], quoted: bool) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, dict):
            comments = [k for k in item if k.startswith("#")]
            leading = []
            for key in item:
                if not key.startswith("#"):
                    break
                leading.append(key)
            for key in leading:
                out.extend(pad + _comment(line) for line in item[key])
            rest = {k: v for k, v in item.items() if k not in leading and v is not None}
            del comments
            if not rest:
                out.append(pad + "- {}")
                continue
            first = next(k for k in rest if not k.startswith("#"))
            sub: list[str] = []
            _entry(_key(first) + ":", rest[first], indent + 2, sub, quoted)
            out.append(pad + "- " + sub[0])
            out.extend(sub[1:])
            remaining = {k: v for k, v in rest.items() if k != first}
            _mapping(remaining, indent + 2, out, quoted)
        elif isinstance(item, list):
            sub = []
            _sequence(item, indent + 2, sub, quoted)
            out.append(pad + "-")
            out.extend(sub)
        else:
            _scalar(pad + "-", item, indent, out, quoted)


def _key(key: str) -> str:
    return key if _PLAIN.fullmatch(key) and _plain_ok(key) else _double(key)


def _scalar(prefix: str, value: Any, indent: int, out: list[str], quoted: bool) -> None:
    if isinstance(value, bool):
        out.append(f"{prefix} {'true' if value else 'false'}")
    elif isinstance(value, (int, float)):
        out.append(f"{prefix} {value!r}")
    else:
        text = str(value)
        if "\n" in text and not quoted and _literal_ok(text):
            out.append(f"{prefix} |{_block_indicators(text)}")
            pad = " " * (indent + 2)
            body = text[:-1] if text.endswith("\n") else text
            if text.endswith("\n") and len(text) - len(text.rstrip("\n")) > 1:
                body = text[: len(text.rstrip("\n"))] + "\n" * (
                    len(text) - len(text.rstrip("\n")) - 1
                )
            out.extend(pad + line if line else "" for line in body.split("\n"))
        elif _PLAIN.fullmatch(text) and _plain_ok(text):
            out.append(f"{prefix} {text}")
        else:
            out.append(f"{prefix} {_double(text)}")


def _plain_ok(text: str) -> bool:
    return (
        text.lower() not in _SPECIAL_WORDS
        and not text.endswith((" ", ":"))
        and ": " not in text
        and " #" not in text
    )


def _literal_ok(text: str) -> bool:
    if _UNPRINTABLE.search(text) or "\r" in text:
        return False
    # A line of only spaces at the end, or text ending in spaces after the last newline,
    # is where block scalars and their chomping disagree most: leave it to quoting.
    stripped = text.rstrip("\n")
    if not stripped.strip():
        return False
    last = stripped.rsplit("\n", 1)[-1]
    return not (last.strip() == "" or (last != last.rstrip(" ") and text.endswith("\n\n")))


def _block_indicators(text: str) -> str:
    first = next((line for line in text.split("\n") if line.strip()), "")
    indent = "2" if first[:1] in (" ", "\t") or text.startswith("\n") else ""
    if not text.endswith("\n"):
        chomp = "-"
    elif text.endswith("\n\n"):
        chomp = "+"
    else:
        chomp = ""
    return indent + chomp


def _double(text: str) -> str:
    out = []
    for c in text:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif _UNPRINTABLE.match(c):
            code = ord(c)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
        else:
            out.append(c)
    return '"' + "".join(out) + '"'
