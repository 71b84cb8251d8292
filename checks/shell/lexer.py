"""The bash lexer behind ``checks.shell.reads``: one pass, contexts by recursion, no exceptions.

Most of a command is plain words, so the main loop takes runs of them in one regular
expression match and looks closely only at quotes, ``$``, here-documents and the words
that assign or test.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

__all__ = ["Lexer", "Reference"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NEWLINE = re.compile("\n")
_QUOTED_SPECIAL = re.compile(r'[\\"$`]')
"""What ends a run of plain text inside double quotes."""
_EXPANDING_SPECIAL = re.compile(r"[\\$`]")
"""What ends a run of plain text in a here-document that expands."""
_ASSIGN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]\n]*\])?\+?=(?!=)")
_HEREDOC = re.compile(r"<<(-?)[ \t]*(\\?)(?:'([^'\n]*)'|\"([^\"\n]*)\"|([^\s;&|<>()]+))")
_DECLARE = re.compile(r"(?:export|local|declare|typeset|readonly)\b")
_LOOP_VAR = re.compile(r"(?:for|select)[ \t]+([A-Za-z_][A-Za-z0-9_]*)\b")
_READ = re.compile(r"read\b")
_VAR_OPTION = re.compile(r"(?:printf[ \t]+-v|getopts[ \t]+\S+)[ \t]+([A-Za-z_][A-Za-z0-9_]*)")
_ARRAY_READ = re.compile(r"(?:mapfile|readarray)\b")
_READ_ARG_OPTIONS = frozenset("adinNptu")
_MAPFILE_ARG_OPTIONS = frozenset("dnOsuCc")
_WORD_BREAK = frozenset(" \t\n;&|()<>")
_PLAIN_RUN = re.compile(r"[^\\\n#'\"$`<>(){}; \t&|]+")
_SPECIAL = frozenset("\\\n#'\"$`<>(){}; \t&|")
"""The characters ``_PLAIN_RUN`` stops at."""
_BLANKS = re.compile(r"[ \t]+")
_INTERESTING_WORD = re.compile(
    r"[A-Za-z_][A-Za-z0-9_]*+(?:\[[^\]\n]*\])?\+?=(?!=)|[\[!]|(?:e(?:xport|lif)|local|declare|"
    r"t(?:ypeset|est)|read(?:only|array)?|for|select|printf|getopts|mapfile|if|while|until|case)\b"
)
"""What a word must start with for ``command_word`` to look further (most words do not)."""
_QUIET = re.compile(rf"(?:[ \t]++(?!{_INTERESTING_WORD.pattern})[^\\\n#'\"$`<>(){{}}; \t&|]++)+")
"""Blanks and plain words ``command_word`` has nothing to say about (``-n prod -o wide``):
what the main loop would step through word by word, in one match."""
_COMMAND_END = re.compile(r"[;&|)\n]")
_STATUS_TEST = re.compile(r"[ \t]*(?:(?:if|elif|while|until|!)[ \t]+)*(?:\[\[?|test\b|case\b)")
_STATUS_SAVE = re.compile(r"[ \t]*(?:local[ \t]+|declare[ \t]+)?[A-Za-z_][A-Za-z0-9_]*=\$\?")


@dataclass(frozen=True, slots=True)
class Reference:
    """A variable read: ``$NAME``, ``${NAME...}`` or a bare name in arithmetic."""

    name: str
    line: int
    """0-based line in the scanned text."""
    col: int
    """0-based column of the ``$`` (or of the name in arithmetic)."""


class Lexer:
    """One pass over the text, nested contexts by recursion; what it found in its lists."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.references: list[Reference] = []
        self.assigned: set[str] = set()
        self.status_tests: list[tuple[int, int]] = []
        self.unterminated: tuple[str, int, int] | None = None
        self.pending: list[tuple[str, bool, bool, int]] = []
        """Here-documents whose bodies start at the next newline: (delimiter, expands,
        strip tabs, offset of ``<<``)."""
        self._line_starts: list[int] | None = None
        """Offsets where lines start, once a position is asked for."""

    # --- positions -------------------------------------------------------------------

    def where(self, offset: int) -> tuple[int, int]:
        starts = self._line_starts
        if starts is None:
            starts = self._line_starts = [0] + [m.end() for m in _NEWLINE.finditer(self.text)]
        line = bisect.bisect_right(starts, offset) - 1
        return line, offset - starts[line]

    def open_failed(self, what: str, offset: int) -> None:
        if self.unterminated is None:
            line, col = self.where(offset)
            self.unterminated = (what, line, col)
        self.i = len(self.text)

    # --- contexts --------------------------------------------------------------------

    def run(self) -> None:
        self.code(closer=None)

    def code(self, closer: str | None) -> None:
        """Shell code until ``closer`` (``)`` of ``$(``, `````, ``}`` of ``${``) or the end."""
        text, depth = self.text, 0
        size = len(text)
        word_start = True
        while self.i < size:
            c = text[self.i]
            if c == closer and (closer == "`" or depth == 0):
                self.i += 1
                return
            if word_start and closer != "}":
                self.command_word()
                if self.i >= size:
                    return
                c = text[self.i]
            if c not in _SPECIAL:
                # Letters, digits, dashes ...: nothing to look at until the next special.
                self.i = _PLAIN_RUN.match(text, self.i).end()  # type: ignore[union-attr]
                word_start = False
                continue
            if c == " " or c == "\t":
                quiet = _QUIET.match(text, self.i)
                if quiet:
                    self.i = quiet.end()
                    word_start = False
                else:
                    # One blank, as any other break: ``command_word`` skips the rest (and
                    # the character after them is not taken for the closer, as always).
                    self.i += 1
                    word_start = True
                continue
            if c == "\\":
                self.i += 2
                word_start = False
                continue
            if c == "\n":
                self.i += 1
                self.heredoc_bodies()
                word_start = True
                continue
            if c == "#" and word_start and closer != "}":
                end = text.find("\n", self.i)
                self.i = len(text) if end < 0 else end
                continue
            if c == "'":
                self.single_quoted(self.i + 1, "single quote")
            elif c == '"':
                start = self.i
                self.i += 1
                if not self.expansions('"', len(text)):
                    self.open_failed("double quote", start)
            elif c == "$":
                self.dollar()
            elif c == "`":
                self.i += 1
                self.code(closer="`")
            elif c == "<" and text.startswith("<<", self.i) and not text.startswith("<<<", self.i):
                self.heredoc_start()
            elif c == "(" and text.startswith("((", self.i) and word_start:
                self.i += 2
                self.arithmetic("))")
            else:
                if c == "(":
                    depth += 1
                elif c == ")" and depth:
                    depth -= 1
                self.i += 1
            word_start = c in _WORD_BREAK or (c == "{" and closer != "}")

    def command_word(self) -> None:
        """At the start of a word: skip blanks, note assignments and assigning builtins."""
        text = self.text
        blanks = _BLANKS.match(text, self.i)
        if blanks:
            self.i = blanks.end()
        if not _INTERESTING_WORD.match(text, self.i):
            return
        m = _ASSIGN.match(text, self.i)
        if m:
            self.assigned.add(m.group(1))
            return
        if _DECLARE.match(text, self.i):
            end = _end_of_command(text, self.i)
            for word in text[self.i : end].split()[1:]:
                name = _NAME.match(word)
                if name and not word.startswith("-"):
                    self.assigned.add(name.group(0))
            return
        m = _LOOP_VAR.match(text, self.i) or _VAR_OPTION.match(text, self.i)
        if m:
            self.assigned.add(m.group(1))
            return
        if _READ.match(text, self.i):
            command = text[self.i : _end_of_command(text, self.i)]
            self.assigned.update(_option_targets(command, _READ_ARG_OPTIONS, "a"))
            return
        if _ARRAY_READ.match(text, self.i):
            command = text[self.i : _end_of_command(text, self.i)]
            self.assigned.update(_option_targets(command, _MAPFILE_ARG_OPTIONS, ""))
            return
        if self.after_previous_command() and (
            _STATUS_TEST.match(text, self.i) or _STATUS_SAVE.match(text, self.i)
        ):
            end = _end_of_command(text, self.i)
            at = text.find("$?", self.i, end)
            if at >= 0:
                self.status_tests.append(self.where(at))

    def after_previous_command(self) -> bool:
        """True when the word starts a command that runs after the previous one finished
        (start of a line or after ``;``), where ``$?`` is that command's status and, under
        ``-e``, a failure has already ended the block. Not after ``||``, ``&&`` or ``|``."""
        j = self.i - 1
        while j >= 0 and self.text[j] in " \t":
            j -= 1
        return j < 0 or self.text[j] in "\n;"

    def single_quoted(self, start: int, what: str) -> None:
        end = self.text.find("'", start)
        if end < 0:
            self.open_failed(what, start - 1)
            return
        self.i = end + 1

    def ansi_c_quoted(self) -> None:
        """``$'...'``: backslash escapes, no expansion."""
        start = self.i - 1
        text = self.text
        while self.i < len(text):
            c = text[self.i]
            if c == "\\":
                self.i += 2
            elif c == "'":
                self.i += 1
                return
            else:
                self.i += 1
        self.open_failed("$'...' quote", start)

    def expansions(self, closer: str, end: int) -> bool:
        """Text where only ``$``, backticks and backslashes are special (inside double
        quotes, or a line of an unquoted here-document), up to ``closer`` (``"``, or
        ``""`` for none) or ``end``. True when ``closer`` was found."""
        text = self.text
        special = _QUOTED_SPECIAL if closer else _EXPANDING_SPECIAL
        while self.i < end:
            found = special.search(text, self.i, end)
            if found is None:  # plain text to the end
                self.i = end
                return False
            self.i = found.start()
            c = text[self.i]
            if c == "\\":
                self.i += 2
            elif c == closer:
                self.i += 1
                return True
            elif c == "$":
                self.dollar()
            else:  # a backtick
                self.i += 1
                self.code(closer="`")
        return False

    def dollar(self) -> None:
        text, start = self.text, self.i
        self.i += 1
        if self.i >= len(text):
            return
        c = text[self.i]
        if text.startswith("((", self.i):
            self.i += 2
            self.arithmetic("))")
        elif c == "(":
            self.i += 1
            self.code(closer=")")
        elif c == "[":
            self.i += 1
            self.arithmetic("]")
        elif c == "{":
            self.i += 1
            self.braced(start)
        elif c == "'":
            self.i += 1
            self.ansi_c_quoted()
        elif c == "?":
            self.i += 1
        else:
            m = _NAME.match(text, self.i)
            if m:
                self.add_reference(m.group(0), start)
                self.i = m.end()

    def braced(self, start: int) -> None:
        """``${...}``: the name, then the rest (defaults, patterns) until ``}``."""
        text = self.text
        if self.i < len(text) and text[self.i] in "#!" and _NAME.match(text, self.i + 1):
            self.i += 1
        m = _NAME.match(text, self.i)
        if m:
            self.add_reference(m.group(0), start)
            self.i = m.end()
            if re.match(r":?=", text[self.i : self.i + 2]):
                self.assigned.add(m.group(0))
        self.code(closer="}")

    def arithmetic(self, closer: str) -> None:
        """In arithmetic, bare names are variables too (``$((MIN_MB * 1024))``)."""
        text, depth = self.text, 0
        while self.i < len(text):
            if text.startswith(closer, self.i) and depth == 0:
                self.i += len(closer)
                return
            c = text[self.i]
            m = _NAME.match(text, self.i)
            if m and (self.i == 0 or not (text[self.i - 1].isalnum() or text[self.i - 1] in "#_")):
                name = m.group(0)
                after = text[m.end() :].lstrip(" \t")
                if after.startswith(("++", "--")) or re.match(
                    r"(?:[-+*/%&|^]|<<|>>)?=(?!=)", after
                ):
                    self.assigned.add(name)
                self.add_reference(name, self.i)
                self.i = m.end()
                continue
            if c == "$":
                self.dollar()
                continue
            if c == "(":
                depth += 1
            elif c == ")" and depth:
                depth -= 1
            self.i += 1

    def heredoc_start(self) -> None:
        m = _HEREDOC.match(self.text, self.i)
        if not m:
            self.i += 2
            return
        strip, backslash, single, double, bare = m.groups()
        word = single if single is not None else double if double is not None else bare or ""
        quoted = bool(backslash) or single is not None or double is not None
        if bare and ("'" in bare or '"' in bare):
            word, quoted = bare.replace("'", "").replace('"', ""), True
        self.pending.append((word, not quoted, strip == "-", self.i))
        self.i = m.end()

    def heredoc_bodies(self) -> None:
        """After a newline: consume the bodies of the here-documents opened on that line."""
        pending, self.pending = self.pending, []
        text = self.text
        for word, expands, strip_tabs, opened in pending:
            while True:
                if self.i >= len(text):
                    self.open_failed(f"here-document '{word}'", opened)
                    return
                end = text.find("\n", self.i)
                end = len(text) if end < 0 else end
                line = text[self.i : end]
                if (line.lstrip("\t") if strip_tabs else line) == word:
                    self.i = min(end + 1, len(text))
                    break
                if expands:
                    self.expansions("", end)
                self.i = end + 1

    def add_reference(self, name: str, offset: int) -> None:
        line, col = self.where(offset)
        self.references.append(Reference(name, line, col))


def _end_of_command(text: str, start: int) -> int:
    m = _COMMAND_END.search(text, start)
    return m.start() if m else len(text)


def _option_targets(command: str, arg_options: frozenset[str], target_option: str) -> list[str]:
    """Names set by ``read``/``mapfile``: operands, and the argument of ``target_option``
    (``read -a NAME``); the arguments of other options in ``arg_options`` are skipped."""
    names: list[str] = []
    skip = False
    for word in command.split()[1:]:
        if skip:
            skip = False
            continue
        if word.startswith(("<", ">")):
            break
        if word.startswith("-") and len(word) > 1:
            last = word[-1]
            skip = last in arg_options and last != target_option
            continue
        if _NAME.fullmatch(word):
            names.append(word)
    return names
