"""The rules over one runbook that are not about its shell: severities, reviews,
placeholders, ``lint.allow`` and comms templates (``generator.lint.runbooks`` lists every rule)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from checks.model import SourceLocation
from checks.problems import Problem, Severity, did_you_mean
from checks.terminal import has_control
from generator.lint.placeholders import placeholder_problems
from generator.lint.shell import step_block
from generator.load import comments, credentials
from generator.load.tree import severity_scheme
from generator.model import Runbook

__all__ = ["ALLOWABLE", "RULES", "control_problem", "runbook_problems"]

RULES: dict[str, Severity] = {
    "schema": Severity.ERROR,
    "block": Severity.ERROR,
    "undeclared-variable": Severity.ERROR,
    "bash-syntax": Severity.ERROR,
    "unknown-severity": Severity.ERROR,
    "comms-template": Severity.ERROR,
    "control-character": Severity.ERROR,
    "review-date": Severity.ERROR,
    credentials.RULE: Severity.ERROR,
    "strict-exit-status": Severity.WARNING,
    "placeholder": Severity.WARNING,
    "secret-default": Severity.WARNING,
    "stale-review": Severity.WARNING,
    "lint-allow": Severity.WARNING,
    comments.RULE: Severity.WARNING,
}
"""Every rule and its severity (``--strict`` makes warnings errors)."""
ALLOWABLE = frozenset(r for r, s in RULES.items() if s is Severity.WARNING)
"""Rules ``lint.allow`` may accept: warnings only; an error is never waved through."""


def runbook_problems(runbook: Runbook, today: dt.date | None) -> list[Problem]:
    """Every rule except the shell ones: severities, reviews, placeholders, templates."""
    problems = _severity_problems(runbook)
    problems.extend(_review_problems(runbook, today))
    problems.extend(placeholder_problems(runbook))
    problems.extend(_allow_problems(runbook))
    problems.extend(_control_problems(runbook))
    problems.extend(_label_problems(runbook))
    problems.extend(
        Problem(
            v.location or runbook.location,
            Severity.WARNING,
            f"variable '{v.name}': secrets have no defaults in files: the page never shows "
            "a secret's value, so this default is dropped (give it with --var, --env-file "
            "or the environment)",
            "secret-default",
        )
        for v in runbook.variables
        if v.secret and v.default is not None
    )
    problems.extend(_template_problems(runbook))
    return problems


def _template_problems(runbook: Runbook) -> list[Problem]:
    """Each comms template rendered with example facts. Imported here, not at the top: a
    warm lint, whose files all come from its cache, renders none and need not load the
    template engine and the incident model behind the examples."""
    from generator.comms.context import ExampleContexts
    from generator.comms.templates import check_template

    contexts = ExampleContexts(runbook)
    problems = []
    for template in runbook.communications.templates:
        problems.extend(check_template(runbook, template, contexts))
    return problems


def _label_problems(runbook: Runbook) -> Iterator[Problem]:
    """``labels:`` must name a declared variable the page may fill in (never a secret)."""
    variables = {v.name: v for v in runbook.variables}
    for label, name in runbook.labels:
        var = variables.get(name)
        if var is None:
            hint = did_you_mean(name, variables)
            yield Problem(
                runbook.location,
                Severity.ERROR,
                f"labels: '{label}' fills variable '{name}', which 'variables:' does not "
                f"declare{hint}",
                "undeclared-variable",
            )
        elif var.secret:
            yield Problem(
                runbook.location,
                Severity.ERROR,
                f"labels: '{label}' fills the secret '{name}': the page never takes a "
                "secret's value (it stays in the terminal)",
                "undeclared-variable",
            )


def _severity_problems(runbook: Runbook) -> list[Problem]:
    scheme = severity_scheme(runbook)
    known = [level.id for level in scheme.levels]
    where: list[tuple[str, str, SourceLocation]] = []
    if runbook.severity is not None:
        where.append(("runbook", runbook.severity, runbook.location))
    for section in runbook.all_sections():
        if section.severity is not None:
            where.append((f"section '{section.id}'", section.severity, section.location))
    for scenario in runbook.scenarios:
        if scenario.severity is not None:
            where.append((f"scenario '{scenario.id}'", scenario.severity, scenario.location))
    return [
        Problem(
            location,
            Severity.ERROR,
            f"{what}: severity '{value}' is not a level of the scheme '{scheme.name}' "
            f"({', '.join(known)}){did_you_mean(value, known)}",
            "unknown-severity",
        )
        for what, value, location in where
        if value not in known
    ]


def _review_problems(runbook: Runbook, today: dt.date | None) -> list[Problem]:
    if today is None or runbook.review_every is None:
        return []
    every = _days(runbook.review_every)
    due = runbook.review_due()
    if not runbook.last_reviewed:
        message = f"never reviewed (review_every: {every}): set last_reviewed after a review"
    elif due is None:
        return []  # not an ISO date: the loader already said so
    elif due == dt.date.max:
        message = (
            f"review_every: {every} after last_reviewed {runbook.last_reviewed} is past "
            f"the last date there is ({due.isoformat()})"
        )
        return [Problem(runbook.location, Severity.ERROR, message, "review-date")]
    elif (runbook.reviewed_on() or today) > today:
        message = f"last_reviewed {runbook.last_reviewed} is in the future (today is {today})"
    elif due < today:
        message = (
            f"stale: last reviewed {runbook.last_reviewed}, review was due {due.isoformat()} "
            f"(review_every: {every})"
        )
    else:
        return []
    return [Problem(runbook.location, Severity.WARNING, message, "stale-review")]


def _days(seconds: float) -> str:
    days = seconds / 86400
    return f"{days:g}d" if days >= 1 else f"{seconds:g}s"


def control_problem(
    label: str, text: str, at: Callable[[int, int], SourceLocation]
) -> Problem | None:
    """A control character other than tab (and newline) in a command: a terminal would act
    on it where a person reads the command (``\\e[2K\\r`` erases it at the consent
    prompt), so the command shown and the command run could differ. ``at(line, col)``
    (0-based, within ``text``) locates it."""
    char = has_control(text)
    if char is None:
        return None
    index = next(i for i, c in enumerate(text) if has_control(c))
    line = text.count("\n", 0, index)
    return Problem(
        at(line, index - (text.rfind("\n", 0, index) + 1)),
        Severity.ERROR,
        f"{label}: control character '{char}' in the command: a terminal acts on it "
        "instead of showing it, so what a person reads is not what runs (if the command "
        "needs one, let it make it: printf '\\033')",
        "control-character",
    )


def _control_problems(runbook: Runbook) -> Iterator[Problem]:
    for step in runbook.all_steps():
        if step.run:
            problem = control_problem(f"step '{step.id}'", step.run, step_block(step, step.run).at)
            if problem is not None:
                yield problem
        if step.interpreter:
            where = step.interpreter_location or step.location
            problem = control_problem(
                f"step '{step.id}' interpreter", step.interpreter, _on_line(where)
            )
            if problem is not None:
                yield problem


def _on_line(where: SourceLocation) -> Callable[[int, int], SourceLocation]:
    """(line, col) in a one-line scalar -> its place on the scalar's line."""
    return lambda line, col: SourceLocation(where.path, where.line, where.col + col)


def _allow_problems(runbook: Runbook) -> list[Problem]:
    out = []
    for rule in runbook.lint.allow:
        if rule in ALLOWABLE:
            continue
        if rule in RULES:
            message = f"lint.allow: '{rule}' is an error and cannot be allowed"
        else:
            message = f"lint.allow: unknown rule '{rule}'{did_you_mean(rule, ALLOWABLE)}"
        out.append(Problem(runbook.lint.location, Severity.WARNING, message, "lint-allow"))
    return out
