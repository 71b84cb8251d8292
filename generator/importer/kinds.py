"""Shell text -> its kind (check, action, destructive), read against the command table.

Each simple command is read through wrappers (``sudo``, ``env``, ``timeout``, ``watch``,
``xargs`` ...) and into nested commands (``kubectl exec ... --``, ``ssh host 'cmd'``,
``bash -c``); the riskiest command decides. An unknown command is never ``check``: it
gets the default kind and is named in ``unknown``.
"""

from __future__ import annotations

import re

from generator.importer.queries import read_statements
from generator.importer.reading import Reading, describe
from generator.importer.segments import Segment, split_segments
from generator.importer.table import CommandTable, Tool

__all__ = ["read_shell"]

_FUNCTION = re.compile(r"^[ \t]*(?:function[ \t]+)?([A-Za-z_][\w-]*)[ \t]*\([ \t]*\)", re.M)


def read_shell(text: str, table: CommandTable, default_kind: str) -> Reading:
    """The kind of shell ``text`` and what it needs."""
    reading = Reading()
    segments, ok = split_segments(text)
    reading.split = ok
    functions = set(_FUNCTION.findall(text))
    for segment in segments:
        if segment.words and segment.words[0] in functions:
            continue  # a function the block defines: its body is read as its own segments
        _read_segment(segment, table, default_kind, reading, remote=False)
    return reading


def _read_segment(
    segment: Segment, table: CommandTable, default: str, reading: Reading, *, remote: bool
) -> None:
    words = list(segment.words)
    follow = False
    for target in segment.writes:
        if target not in ("/dev/null", "/dev/stderr", "/dev/stdout") and not target.startswith("&"):
            reading.raise_to("action", f"writes the file '{target}'", "redirect")
    while words:
        name = words[0].rsplit("/", 1)[-1] if words[0].startswith("/") else words[0]
        if name in ("if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"):
            words.pop(0)
            continue
        wrapper = table.wrappers.get(name)
        if wrapper is None:
            break
        follow = follow or wrapper.follow
        words = _after_options(words[1:], wrapper.options_with_arg, wrapper.positional)
        if len(words) == 1 and any(c in words[0] for c in " \t;|&"):
            if follow:
                reading.follow = True
            _read_nested(words[0], table, default, reading, remote=remote)  # watch "cmd args"
            return
        while words and "=" in words[0] and not words[0].startswith("-"):
            words.pop(0)  # env NAME=value cmd
    if not words:
        return
    name = words[0]
    if name in ("for", "case", "select", "function", "in", "esac", "done", "fi", "}", ";;"):
        return
    if name.startswith("/") and name.rsplit("/", 1)[-1] in table.tools:
        name = name.rsplit("/", 1)[-1]
    tool = table.tools.get(name)
    if follow:
        reading.follow = True
    if tool is None:
        if name in table.builtins or _is_harmless_word(name):
            return
        reading.unknown.append(name)
        if not remote and name not in reading.requires and not name.startswith("$"):
            reading.requires.append(name)
        reading.raise_to(default, f"'{name}' is not in the command table", "unknown")
        return
    known = name in table.base or name in table.builtins or name in reading.requires
    if not remote and not known:
        reading.requires.append(name)
    _read_tool(tool, words[1:], segment, table, default, reading, remote=remote)


def _is_harmless_word(name: str) -> bool:
    return name in ("", "$") or name.startswith(("#", "((", "[["))


def _after_options(words: list[str], with_arg: frozenset[str], positional: int) -> list[str]:
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":
            i += 1
            break
        if word.startswith("-") and len(word) > 1:
            i += 2 if word in with_arg else 1
            continue
        break
    return words[i + positional :]


def _positionals(args: list[str], tool: Tool) -> list[str]:
    out: list[str] = []
    skip = False
    for word in args:
        if skip:
            skip = False
            continue
        if word == "--":
            break
        if word.startswith("-") and len(word) > 1:
            skip = word in tool.options_with_arg
            continue
        out.append(word)
    return out


def _has_flag(args: list[str], flag: str) -> bool:
    if flag == "":
        return False
    for word in args:
        if word == "--":
            return False
        if word == flag or word.startswith(flag + "="):
            return True
        if (
            len(flag) == 2
            and flag[0] == "-"
            and word.startswith("-")
            and not word.startswith("--")
            and flag[1] in word[1:]
            and word[1:].isalpha()
        ):
            return True
    return False


def _match_verb(positionals: list[str], args: list[str], tool: Tool) -> tuple[str, str] | None:
    """(kind, verb text) of the first table verb found, per the tool's verb rule."""
    if tool.verb == "first":
        starts = [0]
    elif tool.verb == "second":
        starts = [1]
    elif tool.verb == "any":
        starts = list(range(len(positionals)))
    else:
        starts = [0]
    for start in starts:
        for pattern, kind in tool.verbs:
            if pattern == ("*",) and tool.verb == "any" and start < len(positionals) - 1:
                continue
            if _matches(pattern, positionals[start:], args):
                return kind, " ".join(positionals[start : start + len(pattern)]) or "(no args)"
    return None


def _matches(pattern: tuple[str, ...], words: list[str], args: list[str]) -> bool:
    if pattern == ("",):
        return not words
    i = 0
    for part in pattern:
        if part.startswith("-"):
            if not _has_flag(args, part):
                return False
            continue
        if i >= len(words):
            return False
        word = words[i]
        if part.endswith("*"):
            if not word.startswith(part[:-1]):
                return False
        elif word != part:
            return False
        i += 1
    return True


def _read_tool(
    tool: Tool,
    args: list[str],
    segment: Segment,
    table: CommandTable,
    default: str,
    reading: Reading,
    *,
    remote: bool,
) -> None:
    name = tool.name
    positionals = _positionals(args, tool)
    nested_words: list[str] | None = None
    if tool.nested == "after-dashdash" and "--" in args:
        nested_words = args[args.index("--") + 1 :]
        args = args[: args.index("--")]
        positionals = _positionals(args, tool)
    if tool.nested == "remote":
        if len(positionals) <= 1:
            reading.interactive = True
            reading.raise_to("action", f"'{name}' opens a remote session", "interactive")
        else:
            _read_nested(" ".join(positionals[1:]), table, default, reading, remote=True)
        return
    if tool.nested == "string-c" and "-c" in args:
        index = args.index("-c")
        if index + 1 < len(args):
            _read_nested(args[index + 1], table, default, reading, remote=remote)
            return
    if tool.language:
        _read_language_tool(tool, args, positionals, segment, table, default, reading)
        return
    matched = _match_verb(positionals, args, tool) if tool.verbs else None
    if matched is not None:
        kind, verb = matched
        reading.raise_to(kind, f"'{name} {verb}' is {describe(kind)}", "table")
    elif tool.kind is not None:
        reading.raise_to(tool.kind, f"'{name}' is {describe(tool.kind)}", "table")
    else:
        verb = positionals[0] if positionals else "(no verb)"
        reading.unknown.append(f"{name} {verb}")
        reading.raise_to(default, f"'{name} {verb}' is not in the command table", "unknown")
    _read_flags(tool, args, reading, table)
    if tool.methods:
        _read_method(tool, args, positionals, reading)
    for words, needed in tool.reveals:
        found = any(_matches(words, positionals[i:], args) for i in range(len(positionals)))
        if found and (needed is None or _has_flag(args, needed)):
            reading.raise_to("action", f"'{name} {' '.join(words)}' reveals a secret", "secret")
    _read_modes(tool, args, positionals, reading)
    if nested_words:
        _read_segment(Segment(tuple(nested_words)), table, default, reading, remote=True)


def _read_flags(tool: Tool, args: list[str], reading: Reading, table: CommandTable) -> None:
    lowered = False
    for flag, kind in tool.flags.items():
        if not _has_flag(args, flag):
            continue
        if tool.harmless_outputs and _flag_value(args, flag) in tool.harmless_outputs:
            continue
        if kind == "check":
            lowered = True
        else:
            reading.raise_to(kind, f"'{tool.name} {flag}' is {describe(kind)}", "flag")
    for prefix, kind in tool.flag_prefixes.items():
        if any(w.startswith(prefix) and w != prefix for w in args):
            reading.raise_to(kind, f"'{tool.name} {prefix}' is {describe(kind)}", "flag")
    if lowered and reading.kind == "action" and reading.rule == "table":
        reading.kind, reading.reason = "check", f"'{tool.name}' with a read-only flag"
    for flag in table.destructive_flags:
        if flag in args or any(a.startswith(flag + "=") for a in args):
            reading.raise_to("destructive", f"'{flag}' is destructive", "flag")


def _flag_value(args: list[str], flag: str) -> str | None:
    for i, word in enumerate(args):
        if word == flag:
            return args[i + 1] if i + 1 < len(args) else None
        if word.startswith(flag + "="):
            return word[len(flag) + 1 :]
        if word.startswith("-") and not word.startswith("--") and word.endswith(flag[1:]):
            return args[i + 1] if i + 1 < len(args) else None
    return None


def _read_method(tool: Tool, args: list[str], positionals: list[str], reading: Reading) -> None:
    method: str | None = None
    for option in tool.method_options:
        value = _flag_value(args, option)
        if value is None:
            value = next(
                (w[len(option) :] for w in args if w.startswith(option) and w != option), None
            )
        if value:
            method = value.upper()
    if method is None and tool.method_positional and positionals:
        method = positionals[0].upper()
    if method is not None and method in tool.methods:
        kind = tool.methods[method]
        reading.raise_to(kind, f"'{tool.name}' with method {method} is {describe(kind)}", "flag")


def _read_modes(tool: Tool, args: list[str], positionals: list[str], reading: Reading) -> None:
    for mark in tool.interactive:
        if (mark == "" and not positionals) or (
            mark and (_has_flag(args, mark) or mark in positionals[:2])
        ):
            reading.interactive = True
    verb_ok = not tool.follow_verbs_only or any(
        " ".join(positionals[:n]) in tool.follow_verbs_only for n in (1, 2)
    )
    for mark in tool.follow:
        if mark == "":
            hit = not any(_has_flag(args, u) for u in tool.follow_unless)
        else:
            hit = _has_flag(args, mark) or mark in positionals[:2]
        if hit and verb_ok:
            reading.follow = True


def _read_language_tool(
    tool: Tool,
    args: list[str],
    positionals: list[str],
    segment: Segment,
    table: CommandTable,
    default: str,
    reading: Reading,
) -> None:
    texts = [
        _flag_value(args, option) or "" for option in tool.text_options if _has_flag(args, option)
    ]
    if tool.text_positional and len(positionals) >= tool.text_positional:
        texts.append(" ".join(positionals[tool.text_positional - 1 :]))
    if segment.heredoc is not None:
        texts.append(segment.heredoc)
    matched = _match_verb(positionals, args, tool) if tool.verbs else None
    if matched is not None:
        reading.raise_to(matched[0], f"'{tool.name} {matched[1]}'", "table")
    _read_flags(tool, args, reading, table)
    for text in texts:
        read_statements(tool.language, text, table, default, reading)
    if not texts and matched is None and not segment.piped_in and not _has_flag(args, "-f"):
        reading.interactive = True
        reading.raise_to("action", f"'{tool.name}' opens an interactive session", "interactive")
    elif not texts and matched is None:
        reading.raise_to(
            default, f"'{tool.name}' runs statements this import cannot see", "unknown"
        )
    _read_modes(tool, args, positionals if texts else [], reading)
    if texts and reading.interactive and "" in tool.interactive:
        reading.interactive = any(_has_flag(args, m) for m in tool.interactive if m)


def _read_nested(
    text: str, table: CommandTable, default: str, reading: Reading, *, remote: bool
) -> None:
    segments, ok = split_segments(text, 1)
    if not ok:
        reading.raise_to(default, "a nested command does not split as shell", "unknown")
    for segment in segments:
        _read_segment(segment, table, default, reading, remote=remote)
