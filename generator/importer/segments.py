"""Shell text -> the simple commands in it (words, file redirects, here-document bodies).

Only what the risk reading needs: command words split as the shell would (``shlex``), the
files a command writes (``> file``), the text of here-documents and of ``$( ... )`` inside
double quotes. What variables a block reads is ``checks.shell``'s job, not this module's.
Never raises: text that does not split is reported as unsplittable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Segment", "split_segments", "without_heredocs"]

_HEREDOC = re.compile(r"<<(-?)[ \t]*(?:'([^'\n]*)'|\"([^\"\n]*)\"|\\?([A-Za-z_0-9.-]+))")
_SEPARATORS = frozenset({";", "&", "&&", "|", "||", "|&", ";;", ";&", ";;&", "(", ")", "((", "))"})
_REDIRECTS = frozenset({">", ">>", "&>", "&>>", ">|", "1>", "2>", "1>>", "2>>"})
_INPUTS = frozenset({"<", "<<", "<<-", "<<<", "<&", ">&", "<>"})
_MAX_DEPTH = 8
_TOKEN = re.compile(
    r"(?P<space>[ \t\n]+)"
    r"|(?P<op>&&|\|\||;;&|;;|;&|\|&|&>>|&>|>>|>\||<<<|<<-|<<|<>|>&|<&|[;&|()<>])"
    r"|(?P<word>(?:[^\s;&|()<>'\"\\]+|'[^']*'|\"(?:[^\"\\]|\\.)*\"|\\.)+)",
    re.S,
)
_PART = re.compile(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"|\\.|[^'\"\\]+", re.S)
_ESCAPED = re.compile(r"\\(.)", re.S)


@dataclass(frozen=True, slots=True)
class Segment:
    """One simple command: its words after leading assignments."""

    words: tuple[str, ...]
    writes: tuple[str, ...] = ()
    """Files a redirect writes (``> out.txt``), as written."""
    heredoc: str | None = None
    """The body of a here-document fed to this command."""
    piped_in: bool = False
    """Its stdin comes from a pipe or a file (``... | psql``, ``psql < x``)."""
    depth: int = 0
    """How deep in ``$( )``, ``bash -c`` or ``ssh`` it was found."""


def split_segments(text: str, depth: int = 0) -> tuple[list[Segment], bool]:
    """The simple commands of ``text`` and whether it split cleanly (quotes closed)."""
    if depth > _MAX_DEPTH:
        return [], True
    code, bodies = _take_heredocs(text)
    inner: list[str] = []
    code = _strip_comments_and_join(code, inner)
    tokens = _tokens(code)
    if tokens is None:
        return [], False
    segments: list[Segment] = []
    words: list[str] = []
    writes: list[str] = []
    heredoc: str | None = None
    piped = False
    pending: str | None = None
    for token in tokens:
        if pending is not None:
            if pending in _REDIRECTS:
                writes.append(token)
            elif pending in ("<<", "<<-") and bodies:
                heredoc = bodies.pop(0)
                piped = True
            elif pending in ("<", "<<<"):
                piped = True
            pending = None
            continue
        if token in _SEPARATORS or token == "\n":
            _flush(segments, words, writes, heredoc, piped, depth)
            words, writes, heredoc = [], [], None
            piped = token in ("|", "|&")
            continue
        if token in _REDIRECTS or token in _INPUTS:
            if words and words[-1].isdigit():
                words.pop()
            pending = token
            continue
        words.append(token)
    _flush(segments, words, writes, heredoc, piped, depth)
    for text_inside in inner:
        found, _ = split_segments(text_inside, depth + 1)
        segments.extend(found)
    return segments, True


def _tokens(code: str) -> list[str] | None:
    """Operators and words (quotes removed) as the shell splits them; None when a quote
    never closes. A regular expression, so a megabyte-long word costs linear time."""
    tokens: list[str] = []
    position = 0
    for match in _TOKEN.finditer(code):
        if match.start() != position:
            return None
        position = match.end()
        kind = match.lastgroup
        if kind == "op":
            tokens.append(match.group())
        elif kind == "word":
            tokens.append(_PART.sub(_unquote, match.group()))
    return tokens if position == len(code) else None


def _unquote(match: re.Match[str]) -> str:
    part = match.group()
    if part[0] == "'":
        return part[1:-1]
    if part[0] == '"':
        return _ESCAPED.sub(
            lambda m: m.group(1) if m.group(1) in '"\\$`\n' else m.group(), part[1:-1]
        )
    if part[0] == "\\":
        return part[1:]
    return part


def _flush(
    segments: list[Segment],
    words: list[str],
    writes: list[str],
    heredoc: str | None,
    piped: bool,
    depth: int,
) -> None:
    start = 0
    while start < len(words) and _is_assignment(words[start]):
        start += 1
    if start < len(words) or writes:
        segments.append(Segment(tuple(words[start:]), tuple(writes), heredoc, piped, depth))


def _is_assignment(word: str) -> bool:
    name, eq, _ = word.partition("=")
    return bool(eq) and name.replace("_", "a").isalnum() and not name[:1].isdigit()


def without_heredocs(text: str) -> str:
    """``text`` with here-document bodies removed (they are data, not commands)."""
    return _take_heredocs(text)[0]


def _take_heredocs(text: str) -> tuple[str, list[str]]:
    """``text`` without here-document bodies, and the bodies in order."""
    if "<<" not in text:
        return text, []
    lines = text.split("\n")
    kept: list[str] = []
    bodies: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        kept.append(line)
        i += 1
        for match in _HEREDOC.finditer(line):
            if line[match.start() : match.start() + 3] == "<<<":
                continue
            strip_tabs = bool(match.group(1))
            word = next(g for g in match.groups()[1:] if g is not None)
            body: list[str] = []
            while i < len(lines):
                candidate = lines[i].lstrip("\t") if strip_tabs else lines[i]
                i += 1
                if candidate.rstrip() == word:
                    break
                body.append(lines[i - 1])
            bodies.append("\n".join(body))
    return "\n".join(kept), bodies


def _strip_comments_and_join(text: str, found: list[str]) -> str:
    """Comments removed, ``\\``-newlines joined, other unquoted newlines made ``;``, and each
    ``$( ... )`` or backquoted command replaced by one word (its text goes to ``found``)."""
    out: list[str] = []
    quote = ""
    i = 0
    n = len(text)
    at_word_start = True
    while i < n:
        c = text[i]
        if quote == "'":
            out.append(c)
            if c == "'":
                quote = ""
            i += 1
            continue
        if c == "\\" and i + 1 < n:
            if text[i + 1] == "\n":
                i += 2
                continue
            out.append(text[i : i + 2])
            i += 2
            at_word_start = False
            continue
        if (c == "$" and text.startswith("$(", i)) or c == "`":
            end = _substitution_end(text, i)
            inner = text[i + 2 : end - 1] if c == "$" else text[i + 1 : end - 1]
            arithmetic = text.startswith("$((", i)
            if not arithmetic:
                found.append(inner)
            out.append("0" if arithmetic else "__subst__")
            i = end
            at_word_start = False
            continue
        if quote == '"':
            out.append(c)
            if c == '"':
                quote = ""
            i += 1
            continue
        if c in "'\"":
            quote = c
        elif c == "#" and at_word_start:
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif c == "\n":
            out.append(" ; ")
            i += 1
            at_word_start = True
            continue
        out.append(c)
        at_word_start = c in " \t;&|()"
        i += 1
    return "".join(out)


def _substitution_end(text: str, start: int) -> int:
    """Index after the ``)`` (or backquote) that closes the substitution at ``start``."""
    if text[start] == "`":
        end = text.find("`", start + 1)
        return len(text) if end < 0 else end + 1
    level = 0
    quote = ""
    i = start + 1
    while i < len(text):
        c = text[i]
        if quote:
            if c == quote:
                quote = ""
            elif c == "\\" and quote == '"':
                i += 1
        elif c in "'\"":
            quote = c
        elif c == "\\":
            i += 1
        elif c == "(":
            level += 1
        elif c == ")":
            level -= 1
            if level == 0:
                return i + 1
        i += 1
    return len(text)
