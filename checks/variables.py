"""Variable values: where each comes from, validation, and the environment a block gets.

Precedence: ``--var K=V``, then ``--env-file``, then the process environment, then the
declared default. Values reach commands only as environment variables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from checks.encoding import NotUtf8, decode_utf8
from checks.model import Check, ShownValue, SourceLocation, Variable
from checks.patterns import PatternError, fullmatch
from checks.problems import ExitCode, Problem, ProblemError, Severity
from checks.run.capture import redact_text

COMMAND_LINE = SourceLocation("<command line>", 1, 1)
"""Where a problem about a variable with no declaration (a ``--var``) is located."""
_ASSIGN = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)\Z")


class VariableError(ProblemError):
    """Invalid input about variables: a located problem (a line of an env file), or a
    message when it has no place in a file (``--var``: a usage error)."""

    def __init__(
        self,
        message: str,
        location: SourceLocation | None = None,
        *,
        exit_code: ExitCode = ExitCode.INVALID,
    ) -> None:
        if location is None:
            super().__init__(message, exit_code=exit_code)
        else:
            problem = Problem(location, Severity.ERROR, message, "variable")
            super().__init__(problems=(problem,), exit_code=exit_code)


@dataclass(frozen=True, slots=True)
class Value:
    """A resolved value and where it came from."""

    value: str
    source: str
    """``--var``, ``env-file <path>:<line>``, ``environment`` or ``default``."""


@dataclass(frozen=True, slots=True)
class Resolution:
    """The values a run will use."""

    values: Mapping[str, Value] = field(default_factory=dict)
    missing: tuple[Variable, ...] = ()
    """Declared required variables with no value from any source."""


def parse_var_options(items: Iterable[str]) -> dict[str, str]:
    """``--var K=V`` options -> mapping; VariableError for a malformed one."""
    out: dict[str, str] = {}
    for item in items:
        m = _ASSIGN.match(item)
        if not m:
            raise VariableError(f"--var {item!r}: expected NAME=VALUE", exit_code=ExitCode.USAGE)
        out[m.group(1)] = m.group(2)
    return out


def read_env_file(path: str) -> dict[str, tuple[str, int]]:
    """``KEY=VALUE`` lines (``#`` comments, optional ``export``, quotes) -> name: (value, line)."""
    out: dict[str, tuple[str, int]] = {}
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise VariableError(f"--env-file {path}: {exc.strerror or exc}") from None
    try:
        lines = decode_utf8(data, path).splitlines()
    except NotUtf8 as exc:  # the message shows no text: the line may hold a secret
        raise VariableError(exc.message, exc.location) from None
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _ASSIGN.match(line)
        if not m:
            raise VariableError(
                "expected NAME=VALUE (the line is not shown: it may hold a secret)",
                SourceLocation(path, number, 1),
            )
        value = m.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out[m.group(1)] = (value, number)
    return out


def resolve_variables(
    declared: Sequence[Variable],
    cli: Mapping[str, str],
    env_file: Mapping[str, tuple[str, int]],
    environ: Mapping[str, str],
    env_file_path: str = "",
) -> Resolution:
    """Resolve every declared variable (and every ``--var``) in precedence order."""
    values: dict[str, Value] = {}
    missing: list[Variable] = []
    for var in declared:
        value = _pick(var.name, cli, env_file, environ, env_file_path)
        if value is None and var.default is not None:
            value = Value(var.default, "default")
        if value is None:
            if var.required:
                missing.append(var)
            continue
        values[var.name] = value
    for name, text in cli.items():
        values.setdefault(name, Value(text, "--var"))
    for name, (text, line) in env_file.items():
        values.setdefault(name, Value(text, f"env-file {env_file_path}:{line}"))
    return Resolution(values=values, missing=tuple(missing))


def _pick(
    name: str,
    cli: Mapping[str, str],
    env_file: Mapping[str, tuple[str, int]],
    environ: Mapping[str, str],
    env_file_path: str,
) -> Value | None:
    if name in cli:
        return Value(cli[name], "--var")
    if name in env_file:
        text, line = env_file[name]
        return Value(text, f"env-file {env_file_path}:{line}")
    if environ.get(name):  # an empty exported variable is as good as unset
        return Value(environ[name], "environment")
    return None


def validate_value(var: Variable, value: str) -> str:
    """An error message when ``value`` breaks the variable's pattern or choices, else ''."""
    if var.choices and value not in var.choices:
        shown = "***" if var.secret else repr(value)
        return f"variable {var.name}: {shown} is not one of: {', '.join(var.choices)}"
    if var.pattern is not None and not _matches(var.pattern, value):
        shown = "the value" if var.secret else repr(value)
        return f"variable {var.name}: {shown} does not match /{var.pattern}/"
    return ""


def _matches(pattern: str, value: str) -> bool:
    try:
        return fullmatch(pattern, value)
    except PatternError:
        return False  # extraction reported the pattern itself (a located error)


def validate_resolution(declared: Sequence[Variable], resolution: Resolution) -> list[Problem]:
    """Every pattern/choices violation, at the declaration, saying where the value came from."""
    problems: list[Problem] = []
    for var in declared:
        value = resolution.values.get(var.name)
        if value is None:
            continue
        message = validate_value(var, value.value)
        if message:
            where = var.location or COMMAND_LINE
            text = f"{message} (from {value.source})"
            problems.append(Problem(where, Severity.ERROR, text, "variable"))
    return problems


def block_environment(
    environ: Mapping[str, str], resolution: Resolution, check: Check | None = None
) -> dict[str, str]:
    """A clean copy of the process environment plus the resolved variables."""
    env = dict(environ)
    env.update({name: v.value for name, v in resolution.values.items()})
    if check is not None:
        env["RUNBOOK_BLOCK"] = check.id
    return env


def used_variables(check: Check, declared: Iterable[Variable]) -> tuple[str, ...]:
    """Declared variables the block reads: its ``env`` key, then those its text reads.

    The text is scanned as bash (``checks.shell.reads``): ``$NAME``, ``${NAME:-x}`` and bare names
    in arithmetic (``$((MIN_FREE_MB * 1024))``) count; single-quoted text and quoted
    here-documents do not. The ``interpreter`` is scanned too (its variables expand).
    """
    names = list(check.options.env)
    known = {var.name for var in declared}
    if not known:  # no name the text could read: a page without variables is not scanned
        return tuple(names)
    from checks.shell.reads import scan_shell  # here: only a page with variables needs it

    texts = [check.command]
    if check.options.interpreter:
        texts.append(check.options.interpreter)
    for text in texts:
        for ref in scan_shell(text).references:
            if ref.name in known and ref.name not in names:
                names.append(ref.name)
    return tuple(names)


def shown_values(
    check: Check,
    declared: Sequence[Variable],
    values: Mapping[str, Value],
    secrets: Iterable[bytes] = (),
    pending: Mapping[str, str] | None = None,
) -> tuple[ShownValue, ...]:
    """The variables a block reads, as ``--dry-run``, a consent prompt and the reports show
    them: a secret variable's value is ``***``, and a secret inside another value is
    redacted. ``pending`` says why a name has no value yet (``set by ID``)."""
    secret_names = {v.name for v in declared if v.secret}
    shown: list[ShownValue] = []
    for name in used_variables(check, declared):
        value = values.get(name)
        if value is None:
            why = (pending or {}).get(name, "no value")
            shown.append(ShownValue(name, None, why))
        elif name in secret_names:
            shown.append(ShownValue(name, "***", value.source))
        else:
            shown.append(ShownValue(name, redact_text(value.value, secrets), value.source))
    return tuple(shown)


def secret_values(declared: Iterable[Variable], resolution: Resolution) -> list[str]:
    """The values of every secret variable."""
    return [
        resolution.values[v.name].value
        for v in declared
        if v.secret and v.name in resolution.values and resolution.values[v.name].value
    ]
