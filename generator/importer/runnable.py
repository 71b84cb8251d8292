"""Can a block run exactly as written? Placeholders, prompts, output and script arguments say no.

``manual_reason(text)`` names the first thing that stops a block from running as written,
or returns None. ``strip_prompts`` is the opt-in rewrite of a pure prompt transcript.
"""

from __future__ import annotations

import re

from generator.importer.segments import without_heredocs

__all__ = ["fill_placeholders", "manual_reason", "prompt_lines", "strip_prompts"]

_ANGLE = re.compile(r"(?<![<\w])<([A-Za-z][A-Za-z0-9_.:/-]*(?: [A-Za-z0-9_.:/-]+){0,4})>(?!>)")
_BRACKET = re.compile(r"(?<![\w\[$@*])\[([A-Z][A-Z0-9_ -]*[A-Z0-9]|[A-Z])\](?!\])")
_YOUR = re.compile(
    r"\b(?:your|YOUR|Your)[-_][A-Za-z0-9_-]+|\b(?:CHANGE_?ME|REPLACE_?ME|INSERT_\w+|TODO|FIXME|TBD)\b"
)
_X_RUN = re.compile(r"(?<![A-Za-z0-9])(?:x{3,}|X{3,})(?![A-Za-z0-9])")
_ELLIPSIS = re.compile(r"(?:^|\s)(?:\.\.\.|…)(?:\s|$)")
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|<%.*?%>")
# Shell prompts and REPL prompts at the start of a line.
_PROMPT = re.compile(
    r"^\s*(?:"
    r"\$ |\$$|% |> |>>> |\.\.\. |"  # $ cmd, % cmd, > continuation, python REPL
    r"[\w.-]+@[\w.-]+(?::[^\s$#]*)?[$#] ?|"  # user@host:~$ cmd
    r"\[[\w.-]+@[\w.-]+[^\]]*\][$#] ?|"  # [root@host ~]# cmd
    r"(?:mysql|mariadb|sqlite|cqlsh|redis|psql|irb|pry|ksql|mongo|rs\d*:\w+|kafka|hive|"
    r"spark-sql|presto|trino|clickhouse|cockroach|sql|db|iex|scala|ghci|julia|gdb|pdb|lldb)"
    r"[\w.:()\[\] -]*[>#] |"
    r"[\w-]+=[#>] |"  # postgres=# select
    r"(?:\d{1,3}\.){3}\d{1,3}:\d+(?:\[\d+\])?> |"  # 127.0.0.1:6379> get x
    r"In \[\d+\]: |PS [A-Z]:\\[^>]*> |[A-Z]:\\[^>]*> |irb\(main\):\d+:\d+> "
    r")"
)
_PROSE_LINE = re.compile(r"^[ \t]*(?:[-*•] |\d{1,2}\. )[A-Za-z]", re.M)
_POSITIONAL = re.compile(r"\$(?:[1-9@*#]|\{[1-9@*#])")


def prompt_lines(text: str) -> list[int]:
    """0-based lines that start with a shell or REPL prompt."""
    return [i for i, line in enumerate(text.split("\n")) if _PROMPT.match(line)]


def manual_reason(text: str, *, shell: bool) -> str | None:
    """Why ``text`` cannot run as written, or None. ``shell``: it is meant for bash."""
    if not text.strip():
        return "the block is empty"
    if prompt_lines(text):
        return "it shows a prompt" + (" and output" if _has_output(text) else "")
    found = _placeholder(text)
    if found is not None:
        return f"it has a placeholder ('{found}')"
    if shell and _PROSE_LINE.search(without_heredocs(text)):
        return "it reads as a list, not as commands"
    if shell and _takes_arguments(text):
        return "it is a script that takes arguments ($1 ...)"
    return None


def fill_placeholders(text: str) -> str:
    """``text`` with ``<name>`` and ``[NAME]`` blanks filled by a plain word, so the commands
    around them read as they would once filled in (to report the kind they would have)."""
    text = _ANGLE.sub(lambda m: m.group(0) if _quoted(text, m.start(), m.end()) else "value", text)
    return _BRACKET.sub("value", text)


def strip_prompts(text: str) -> str | None:
    """The commands of a transcript whose every line is a ``$ `` prompt or its continuation;
    None when the text shows output too (it cannot be told apart safely)."""
    lines = text.split("\n")
    out: list[str] = []
    continued = False
    for line in lines:
        if not line.strip():
            out.append(line)
            continued = False
            continue
        match = re.match(r"^(\s*)\$ ?", line)
        if match is not None and not continued:
            out.append(line[match.end() :])
        elif continued:
            out.append(line)
        else:
            return None
        continued = line.rstrip().endswith("\\")
    return "\n".join(out)


def _has_output(text: str) -> bool:
    prompts = set(prompt_lines(text))
    lines = text.split("\n")
    continued = False
    for i, line in enumerate(lines):
        if i in prompts:
            continued = line.rstrip().endswith("\\")
            continue
        if line.strip() and not continued:
            return True
        continued = continued and line.rstrip().endswith("\\")
    return False


def _placeholder(text: str) -> str | None:
    for pattern in (_ANGLE, _BRACKET, _YOUR, _X_RUN, _TEMPLATE):
        for match in pattern.finditer(text):
            if pattern is _ANGLE and (
                _is_redirect_or_heredoc(text, match.start())
                or _quoted(text, match.start(), match.end())
            ):
                continue
            return match.group(0)
    for line in text.split("\n"):
        if _ELLIPSIS.search(line) and not line.lstrip().startswith("#"):
            return "..."
    return None


def _is_redirect_or_heredoc(text: str, start: int) -> bool:
    before = text[max(0, start - 2) : start]
    return before.endswith("<") or before.endswith("$")


def _quoted(text: str, start: int, end: int) -> bool:
    """``'<IDLE>'`` in quotes is a literal (SQL, a pattern), not a blank to fill in."""
    before, after = text[start - 1 : start], text[end : end + 1]
    return before in ("'", '"') and before == after


def _takes_arguments(text: str) -> bool:
    """``$1``, ``$@`` ... outside single quotes (awk programs), outside a function body."""
    if "$" not in text or "()" in text or "function " in text:
        return False
    quote = ""
    i = 0
    while i < len(text):
        c = text[i]
        if quote == "'":
            quote = "" if c == "'" else quote
        elif c == "\\":
            i += 2
            continue
        elif c == "'" and quote == "":
            quote = "'"
        elif c == '"':
            quote = "" if quote == '"' else '"'
        elif c == "$" and _POSITIONAL.match(text, i):
            return True
        i += 1
    return False
