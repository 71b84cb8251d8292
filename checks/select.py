"""Which blocks a run takes, and what the risk policy says about each one.

Pure decisions over checks and a few facts (is there a TTY, what was allowed); the
CLI asks the questions and the runner runs.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from checks.model import Check, Risk, Variable
from checks.problems import ExitCode, ProblemError, did_you_mean
from checks.run.process import runner_program
from checks.variables import Resolution, used_variables


class SelectionError(ProblemError):
    """An unknown section, step or tag: a usage error about the command line, so it has
    no place in a file."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=ExitCode.USAGE)


class Action(enum.Enum):
    """What to do with a selected block."""

    RUN = "run"
    ASK = "ask"
    """Ask y/N on the terminal."""
    CONFIRM_ID = "confirm-id"
    """Ask the user to type the step id."""
    MANUAL = "manual"
    """Show it; a person does it."""
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Decision:
    """What a run does with one block, and why (a skip shows the reason)."""

    check: Check
    action: Action
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Selection:
    """The blocks a run takes (page order) and the ones it only lists."""

    selected: tuple[Check, ...]
    listed: tuple[Check, ...] = ()


def select_checks(
    checks: Sequence[Check],
    sections: Mapping[str, tuple[str, ...]],
    *,
    section: str | None = None,
    steps: Sequence[str] = (),
    tags: Sequence[str] = (),
    walk: bool = False,
) -> Selection:
    """Apply ``--section``/``--step``/``--tag``/``--walk``; no selection = the ``.check`` blocks.

    Each of them selects every kind of block it names (actions then need consent);
    given together, a block must match all of them (any of several ``--step``/``--tag``).
    """
    chosen = list(checks)
    if section is not None:
        known = sorted({s for c in checks for s in _sections_of(c, sections)})
        if section not in known:
            shown = ", ".join(known) if known else "none holds a block"
            hint = did_you_mean(section, known)
            raise SelectionError(
                f"unknown section '{section}'{hint} (sections on this page: {shown})"
            )
        chosen = [c for c in chosen if section in _sections_of(c, sections)]
    if steps:
        picked: list[Check] = []
        for wanted in steps:
            match = [c for c in checks if wanted in (c.id, c.step_id)]
            if not match:
                ids = [c.step_id for c in checks] + [c.id for c in checks]
                raise SelectionError(f"unknown step '{wanted}'{did_you_mean(wanted, ids)}")
            picked.extend(m for m in match if m not in picked)
        chosen = [c for c in chosen if c in picked]
    if tags:
        known_tags = sorted({t for c in checks for t in c.options.tags})
        for tag in tags:
            if tag not in known_tags:
                shown = ", ".join(known_tags) if known_tags else "none"
                hint = did_you_mean(tag, known_tags)
                raise SelectionError(f"unknown tag '{tag}'{hint} (tags on this page: {shown})")
        chosen = [c for c in chosen if set(tags) & set(c.options.tags)]
    if section is None and not steps and not tags and not walk:
        runnable = [c for c in chosen if c.risk is Risk.CHECK]
        taken = {c.id for c in runnable}  # a set: pages with hundreds of blocks
        return Selection(tuple(runnable), tuple(c for c in checks if c.id not in taken))
    taken = {c.id for c in chosen}
    return Selection(tuple(chosen), tuple(c for c in checks if c.id not in taken))


def _sections_of(check: Check, sections: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    return sections.get(check.id, (check.section,) if check.section else ())


def decide_exec(check: Check, *, tty: bool, yes: bool, allow: Iterable[str]) -> Decision:
    """The risk policy of ``runbook exec`` for one selected block."""
    allowed = set(allow)
    if check.risk is Risk.MANUAL:
        return Decision(check, Action.MANUAL, "manual step: a person does this")
    if check.options.interactive and not tty:
        return Decision(check, Action.SKIP, "interactive: needs a terminal (no TTY)")
    if check.risk is Risk.CHECK:
        return Decision(check, Action.RUN)
    # One rule: --yes is the yes to every question, but for a destructive block it counts
    # only with --allow destructive; --allow action alone also lets actions run. A
    # question without a yes is asked on a terminal; without one, the block is skipped.
    if check.risk is Risk.ACTION:
        if yes or "action" in allowed:
            return Decision(check, Action.RUN)
        if tty:
            return Decision(check, Action.ASK)
        hint = "--yes"
    else:
        if yes and "destructive" in allowed:
            return Decision(check, Action.RUN)
        if tty:
            return Decision(check, Action.CONFIRM_ID)
        hint = "--yes --allow destructive"
    return Decision(
        check,
        Action.SKIP,
        f"{check.risk.value}: needs consent and there is no TTY (pass {hint})",
    )


def ci_skip_reason(
    check: Check,
    declared: Sequence[Variable],
    resolution: Resolution,
    env: Mapping[str, str],
    cwd: str | None = None,
    provided: Collection[str] = (),
) -> str:
    """Why ``runbook check`` would not run this block here ('' = it runs)."""
    if check.risk is not Risk.CHECK:
        return f"{check.risk.value}: runbook check runs only .check blocks"
    if not check.options.ci:
        return "ci: false" + (f" ({check.options.ci_reason})" if check.options.ci_reason else "")
    if check.options.interactive:
        return "interactive: needs a terminal; never run by runbook check"
    return missing_requirement(check, declared, resolution, env, cwd, provided, var_option=False)


def missing_requirement(
    check: Check,
    declared: Sequence[Variable],
    resolution: Resolution,
    env: Mapping[str, str],
    cwd: str | None = None,
    provided: Collection[str] = (),
    *,
    var_option: bool = True,
) -> str:
    """The first missing ``requires`` entry or variable value, as a skip reason ('' = none).

    ``provided``: names that will have a value when the block runs (set by an earlier
    block's outputs, or asked for in ``--walk``). ``var_option``: the command takes
    ``--var`` (``exec``); ``check`` and the pytest plugin read values from the environment
    only, and the reason must not send the reader to an option they do not have."""
    for entry in check.options.requires:
        problem = _requirement_problem(entry, env, cwd)
        if problem:
            return f"requires {entry}: {problem}"
    program = runner_program(check)
    if program is not None:
        problem = _requirement_problem(program, env, cwd)
        if problem:
            return f"requires {program}: {problem} (the block runs with it)"
    known = {v.name for v in declared}
    for name in used_variables(check, declared):
        if name in resolution.values or name in provided:
            continue
        if name not in known and env.get(name):
            continue
        if var_option:
            return f"needs {name} (no value: set it with --var {name}=... or the environment)"
        return f"needs {name} (no value: set it in the environment)"
    return ""


def _requirement_problem(entry: str, env: Mapping[str, str], cwd: str | None) -> str:
    if entry.startswith("env:"):
        name = entry[4:]
        return "" if env.get(name) else f"${name} is not set"
    if entry.startswith(("./", "../", "/")):
        path = os.path.join(cwd or os.getcwd(), entry)
        return "" if os.path.exists(path) else "no such file"
    import shutil  # here: only a block that requires a program needs it

    found = shutil.which(entry, path=env.get("PATH", os.defpath))
    return "" if found else "not found on PATH"
