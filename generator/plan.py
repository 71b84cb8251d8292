"""A target's blocks -> the plan of a run: variables, environments and a decision per block.

``runbook exec``, ``runbook check``, ``runbook list`` and the pytest plugin all decide the
same way: resolve the declared variables (``--var``, ``--env-file``, the environment, a
prompt), give every block its environment, then ask the risk policy (``checks.select``)
what to do with each one and skip what lacks a requirement. This module is that one
decision; the commands only choose the blocks and show or run the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from checks.extract import Extraction
from checks.model import Check, Risk, ShownValue, Variable
from checks.problems import ExitCode, Problem, Severity, did_you_mean
from checks.run.capture import redact_text, secret_forms
from checks.select import (
    Action,
    Decision,
    Selection,
    SelectionError,
    ci_skip_reason,
    decide_exec,
    missing_requirement,
    select_checks,
)
from checks.terminal import visible_lines
from checks.variables import (
    COMMAND_LINE,
    Resolution,
    Value,
    block_environment,
    parse_var_options,
    read_env_file,
    resolve_variables,
    shown_values,
    used_variables,
    validate_resolution,
)
from generator.errors import RunbookError, UsageError

__all__ = [
    "ExecChoices",
    "ListedBlock",
    "Plan",
    "Variables",
    "ci_plan",
    "dry_run_text",
    "environments",
    "exec_plan",
    "list_plan",
    "needed_names",
    "resolve_all",
    "run_variables",
    "select_blocks",
    "undeclared_var_warnings",
    "value_lines",
]

Environments = dict[str, dict[str, str]]
"""Block id -> the environment it runs with."""


@dataclass(frozen=True, slots=True)
class Variables:
    """Declared variables and their resolution for one run."""

    declared: tuple[Variable, ...]
    resolution: Resolution

    @property
    def secrets(self) -> tuple[bytes, ...]:
        """Every form of every secret value, for redaction."""
        values = [
            self.resolution.values[v.name].value
            for v in self.declared
            if v.secret and v.name in self.resolution.values
        ]
        return secret_forms(values)


@dataclass(frozen=True, slots=True)
class Plan:
    """What a run will do: one decision per block, with its environment and the variables."""

    decisions: tuple[Decision, ...]
    """In page order; ``Action.SKIP`` ones carry the reason."""
    environments: Environments
    variables: Variables


@dataclass(frozen=True, slots=True)
class ExecChoices:
    """The consent a person gave ``runbook exec`` (and whether a terminal can ask more)."""

    tty: bool
    yes: bool = False
    allow: tuple[str, ...] = ()
    walk: bool = False
    """``--walk``: a missing value is asked for when a block reading it is about to run."""


# -- variables -----------------------------------------------------------------------------


def resolve_all(
    declared: Sequence[Variable],
    var_options: Sequence[str],
    env_file: str | None,
    environ: Mapping[str, str],
    *,
    needed: Sequence[str],
    tty: bool,
    ask: Callable[[Variable], str] | None = None,
) -> Variables:
    """Resolve, ask for missing required values on a TTY (``ask``), validate; exit 3 otherwise."""
    cli = parse_var_options(var_options)
    from_file = read_env_file(env_file) if env_file else {}
    resolution = resolve_variables(declared, cli, from_file, environ, env_file or "")
    missing = [v for v in resolution.missing if v.name in needed]
    if missing:
        if not tty or ask is None:
            problems = [
                Problem(
                    v.location or COMMAND_LINE,
                    Severity.ERROR,
                    f"required variable {v.name} has no value (no TTY to ask: set it with "
                    f"--var {v.name}=..., --env-file or the environment)",
                    rule="variable",
                )
                for v in missing
            ]
            raise RunbookError(problems=problems, exit_code=ExitCode.INVALID)
        values = dict(resolution.values)
        for var in missing:
            values[var.name] = Value(ask(var), "prompt")
        resolution = Resolution(values=values, missing=())
    invalid = validate_resolution(declared, resolution)
    if invalid:
        raise RunbookError(problems=invalid, exit_code=ExitCode.INVALID)
    return Variables(tuple(declared), resolution)


def undeclared_var_warnings(
    extraction: Extraction, var_options: Sequence[str], target: str
) -> list[str]:
    """A warning for each ``--var`` that names no variable of the page (nor a name one of
    its blocks hands on or requires, ``requires=env:NAME``): a misspelt name leaves the
    real variable unset, which would show only as a skipped block or a prompt. The value
    still reaches the blocks' environment, as a variable the page does not declare can be
    read by a command."""
    names = [v.name for v in run_variables(extraction.variables, extraction.checks)]
    names += [
        need.removeprefix("env:")
        for check in extraction.checks
        for need in check.options.requires
        if need.startswith("env:")
    ]
    return [
        f"warning: --var {name}: {target} declares no such variable"
        f"{did_you_mean(name, names)}; it reaches the blocks' environment as given"
        for name in parse_var_options(var_options)
        if name not in names
    ]


def environments(
    checks: Sequence[Check], variables: Variables, environ: Mapping[str, str]
) -> Environments:
    """The environment of every block: process env + resolved variables + its id."""
    return {c.id: block_environment(environ, variables.resolution, c) for c in checks}


def needed_names(
    checks: Sequence[Check],
    declared: Sequence[Variable],
    provided: Mapping[str, frozenset[str]] | None = None,
) -> list[str]:
    """Names of the declared variables the given blocks read (less the names ``provided``
    to each block: set by an earlier block's outputs)."""
    names: list[str] = []
    for check in checks:
        given = provided.get(check.id, frozenset()) if provided else frozenset()
        names.extend(
            n for n in used_variables(check, declared) if n not in names and n not in given
        )
    return names


def run_variables(declared: Sequence[Variable], checks: Sequence[Check]) -> tuple[Variable, ...]:
    """The page's variables and the names its blocks hand on (``outputs``), so that what
    a block reads of them is seen, shown and checked like a declared variable."""
    names = {v.name for v in declared}
    handed: list[Variable] = []
    for check in checks:
        for name in check.options.outputs:
            if name not in names:
                names.add(name)
                handed.append(Variable(name, f"set by {check.id}", location=check.location))
    return (*declared, *handed)


def _set_before(decisions: Sequence[Decision]) -> dict[str, dict[str, str]]:
    """Block id -> each name an earlier block that may run sets, and which block."""
    setters: dict[str, str] = {}
    out: dict[str, dict[str, str]] = {}
    for decision in decisions:
        check = decision.check
        out[check.id] = dict(setters)
        if decision.action not in (Action.SKIP, Action.MANUAL):
            setters.update(dict.fromkeys(check.options.outputs, check.id))
    return out


def _from_environment(extraction: Extraction, environ: Mapping[str, str]) -> Variables:
    """Variables as CI sees them: the environment only, nothing asked, nothing checked."""
    declared = extraction.variables
    return Variables(declared, resolve_variables(declared, {}, {}, environ))


# -- plans ---------------------------------------------------------------------------------


def ci_plan(extraction: Extraction, environ: Mapping[str, str]) -> Plan:
    """``runbook check`` and the pytest plugin: the ``.check`` blocks, each run or skipped
    with the reason (a requirement, a variable without a value, ``ci: false``)."""
    checks = [c for c in extraction.checks if c.risk is Risk.CHECK]
    found = _from_environment(extraction, environ)
    variables = Variables(run_variables(found.declared, checks), found.resolution)
    envs = environments(checks, variables, environ)
    decisions: list[Decision] = []
    handed: set[str] = set()  # names set by the outputs of the checks before
    for check in checks:
        resolution, env = variables.resolution, envs[check.id]
        why = ci_skip_reason(check, variables.declared, resolution, env, provided=handed)
        decisions.append(Decision(check, Action.SKIP if why else Action.RUN, why))
        if not why:
            handed.update(check.options.outputs)
    return Plan(tuple(decisions), envs, variables)


@dataclass(frozen=True, slots=True)
class ListedBlock:
    """One row of ``runbook list``: a block and what each command would do with it."""

    check: Check
    check_skip_reason: str
    """Why ``runbook check`` would skip it here ('' = it runs)."""
    exec_without_tty: str
    """What ``runbook exec`` without a terminal does: a skip reason, or ``runs``."""


def list_plan(extraction: Extraction, environ: Mapping[str, str]) -> list[ListedBlock]:
    """``runbook list``: every block, with the check decision and the exec one without a TTY."""
    variables = _from_environment(extraction, environ)
    envs = environments(extraction.checks, variables, environ)
    return [
        ListedBlock(
            check,
            ci_skip_reason(check, variables.declared, variables.resolution, envs[check.id]),
            decide_exec(check, tty=False, yes=False, allow=()).reason or "runs",
        )
        for check in extraction.checks
    ]


def select_blocks(
    extraction: Extraction,
    name: str,
    *,
    section: str | None = None,
    steps: Sequence[str] = (),
    tags: Sequence[str] = (),
    walk: bool = False,
) -> Selection:
    """``--section``/``--step``/``--tag``/``--walk`` over a target; unknown ids exit 2."""
    try:
        return select_checks(
            extraction.checks,
            extraction.sections,
            section=section,
            steps=steps,
            tags=tags,
            walk=walk,
        )
    except SelectionError as exc:
        raise UsageError(f"{name}: {exc}") from None


def exec_plan(
    extraction: Extraction,
    selected: Sequence[Check],
    choices: ExecChoices,
    *,
    var_options: Sequence[str] = (),
    env_file: str | None = None,
    environ: Mapping[str, str],
    resolve_needed: bool = True,
    ask: Callable[[Variable], str] | None = None,
) -> Plan:
    """``runbook exec``: the risk policy for each selected block, then requirements.

    Only the variables of blocks that would run must have a value (``resolve_needed``
    False: a dry run, which shows what is missing instead), and not those an earlier
    block sets (its ``outputs``); in ``--walk`` none yet: the run asks for a missing
    value when a block that reads it is about to run.
    """
    declared = run_variables(extraction.variables, selected)
    decided = [
        decide_exec(c, tty=choices.tty, yes=choices.yes, allow=choices.allow) for c in selected
    ]
    runnable = [d.check for d in decided if d.action is not Action.SKIP]
    set_before = _set_before(decided)
    provided = {block: frozenset(names) for block, names in set_before.items()}
    ask_now = resolve_needed and not choices.walk
    variables = resolve_all(
        declared,
        var_options,
        env_file,
        environ,
        needed=needed_names(runnable, declared, provided) if ask_now else [],
        tty=choices.tty,
        ask=ask,
    )
    envs = environments(selected, variables, environ)
    decisions: list[Decision] = []
    for decision in decided:
        if decision.action not in (Action.SKIP, Action.MANUAL):
            check = decision.check
            given = used_variables(check, declared) if choices.walk else provided[check.id]
            resolution = variables.resolution
            why = missing_requirement(check, declared, resolution, envs[check.id], None, given)
            if why:
                decision = Decision(check, Action.SKIP, why)
        decisions.append(decision)
    return Plan(tuple(decisions), envs, variables)


# -- dry run -------------------------------------------------------------------------------


def _would(decision: Decision) -> str:
    if decision.action is Action.RUN:
        return "would run"
    if decision.action is Action.ASK:
        return "would ask y/N"
    if decision.action is Action.CONFIRM_ID:
        return "would ask to type the step id"
    return f"would skip: {decision.reason}"


def value_lines(shown: Sequence[ShownValue]) -> list[str]:
    """The variables a block reads, one line each, as ``--dry-run`` and the consent
    prompts show them: ``NAME = 'value'  (from SOURCE)``."""
    return [
        f"    {v.name} = ({v.source})"
        if v.value is None
        else f"    {v.name} = {v.value!r}  (from {v.source})"
        for v in shown
    ]


def dry_run_text(plan: Plan) -> str:
    """Every planned block with what it would do and each variable's value and source."""
    variables = plan.variables
    values = variables.resolution.values
    lines: list[str] = []
    set_before = _set_before(plan.decisions)
    for decision in plan.decisions:
        check = decision.check
        lines.append(f"{check.location}: {check.id} [{check.risk.value}] {_would(decision)}")
        lines.extend(f"    | {line}" for line in visible_lines(check.command))
        pending = {name: f"set by {block}" for name, block in set_before[check.id].items()}
        shown = shown_values(check, variables.declared, values, variables.secrets, pending)
        lines.extend(value_lines(shown))
        if check.options.outputs:
            names = ", ".join(check.options.outputs)
            lines.append(f"    sets {names} for later blocks ($RUNBOOK_OUTPUT)")
    return redact_text("\n".join(lines), variables.secrets) + "\n"
