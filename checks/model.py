"""The executable side's data: where things are, what a block asks for, what a run gave.

Plain frozen dataclasses with no I/O, shared by extraction, running and reporting.
The generator imports this module; this package never imports the generator.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, order=True)
class SourceLocation:
    """A 1-based position in a source file."""

    path: str
    """The file as the user named it (relative where possible)."""
    line: int
    """1-based line."""
    col: int = 1
    """1-based column."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


class Risk(enum.Enum):
    """How dangerous a block is; decides whether and how it may run."""

    CHECK = "check"
    """Read-only diagnostics: run by `exec` and by `check` in CI."""
    ACTION = "action"
    """Changes state: asks y/N on a TTY, skipped without one unless allowed."""
    DESTRUCTIVE = "destructive"
    """Data loss or outage risk: the user types the step id to consent."""
    MANUAL = "manual"
    """A step a person performs; shown, never run."""


@dataclass(frozen=True, slots=True)
class Variable:
    """A value a page's commands read from the environment."""

    name: str
    """Environment variable name, e.g. ``DB_HOST``."""
    description: str = ""
    """What the value is, shown in the variables table and the prompt."""
    default: str | None = None
    """Used when no other source gives a value."""
    required: bool = False
    """A missing value is prompted for on a TTY, an error otherwise."""
    secret: bool = False
    """Masked when prompted; redacted from every output."""
    pattern: str | None = None
    """A Python regular expression the whole value must match."""
    choices: tuple[str, ...] = ()
    """The only allowed values, when not empty."""
    example: str | None = None
    """A realistic value, shown in docs; never used as a value."""
    location: SourceLocation | None = None
    """Where the variable was declared."""


@dataclass(frozen=True, slots=True)
class BlockOptions:
    """Everything a block header can say about how to run the block.

    Defaults are the values a header without that key means, so a header only
    spells out what differs from them.
    """

    timeout: float | None = None
    """Seconds before the process group is stopped; None means the runner's default."""
    expect_exit: tuple[int, ...] = (0,)
    """Exit codes that count as success."""
    expect_stdout: str | None = None
    """A Python regular expression searched (``re.search``) in stdout."""
    expect_contains: str | None = None
    """A literal string stdout must contain."""
    requires: tuple[str, ...] = ()
    """Executables, ``./paths`` or ``env:VAR`` that must exist, else the block is skipped."""
    env: tuple[str, ...] = ()
    """Names of the variables the block reads."""
    cwd: str | None = None
    """Working directory, relative to where ``runbook`` was started."""
    shell: str | None = None
    """A shell to run the block with instead of strict bash (e.g. ``sh``)."""
    interpreter: str | None = None
    """A command that reads the block on stdin (``python3``, ``psql -X "$DATABASE_URL"``)."""
    strict: bool = True
    """bash ``-e -o pipefail``; false for code that tests ``$?`` itself."""
    interactive: bool = False
    """Needs a TTY; never run by ``runbook check``."""
    follow: bool = False
    """Streams until stopped; its timeout is the normal end."""
    ci: bool = True
    """False keeps the block out of ``runbook check``."""
    ci_reason: str | None = None
    """Why the block is kept out of CI."""
    tags: tuple[str, ...] = ()
    """Free labels used by ``--tag`` selection."""
    outputs: tuple[str, ...] = ()
    """Names the block may write as ``NAME=value`` lines to ``$RUNBOOK_OUTPUT``: they are
    environment for the later blocks of the same run."""


@dataclass(frozen=True, slots=True)
class Check:
    """One executable (or manual) block as extracted from page Markdown."""

    id: str
    """``<runbook-id>--<step-id>``."""
    risk: Risk
    """From the block's class."""
    lang: str
    """The fence language (bash, sh, sql, python ...)."""
    command: str
    """The block text, exactly as the page shows it."""
    options: BlockOptions
    """Parsed header keys."""
    location: SourceLocation
    """The fence's opening line."""
    title: str = ""
    """The nearest heading above the block."""
    section: str = ""
    """Id of the enclosing section or scenario, if the page says."""
    expected_output: str | None = None
    """From a ``{.expected-output for=ID}`` block: asserted."""
    sample_output: str | None = None
    """From a ``{.sample-output for=ID}`` block: shown only."""

    @property
    def step_id(self) -> str:
        """The id without the runbook prefix."""
        return self.id.split("--", 1)[-1]


class Status(enum.Enum):
    """Outcome of one block."""

    PASSED = "passed"
    FAILED = "failed"
    TIMEOUT = "timeout"
    ERROR = "error"
    SKIPPED = "skipped"
    DONE = "done"
    """A manual step a person marked done (``--walk``): nothing ran, and nothing was skipped."""


@dataclass(frozen=True, slots=True)
class ShownValue:
    """A variable as a prompt or a report shows it: a secret's value is ``***``."""

    name: str
    value: str | None
    """None: it has no value (yet)."""
    source: str
    """Where the value came from (``--var``, ``environment``, ``output of ID`` ...), or,
    without a value, why (``set by ID``)."""


@dataclass(frozen=True, slots=True)
class Result:
    """What running (or skipping) one block gave."""

    check: Check
    status: Status
    exit_code: int | None = None
    duration_s: float = 0.0
    finished_at: str = ""
    """ISO 8601 UTC timestamp."""
    stdout: str = ""
    """Captured, decoded with replacement, secrets redacted, possibly elided in the middle."""
    stderr: str = ""
    reason: str = ""
    """Why it was skipped, or what failed (expected vs got)."""
    details: tuple[str, ...] = field(default_factory=tuple)
    """Extra lines, such as a diff of expected output."""
    user: str = ""
    """Who ran the block (the login name); empty when it did not run."""
    host: str = ""
    """The host name of the machine it ran on; empty when it did not run."""
    variables: tuple[ShownValue, ...] = ()
    """The variables it read, with their values (secrets masked) and sources."""
    outputs: tuple[tuple[str, str], ...] = ()
    """What it handed on through ``$RUNBOOK_OUTPUT``: (name, value), secrets masked."""
