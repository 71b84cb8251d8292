"""Communication templates: rendering in the sandbox, located problems, static checks.

The site (``render_example``), lint (``check_template``) and ``runbook comms`` all render
through ``render_template``, so what the site shows is what the CLI prints. The context a
template sees is ``generator.comms.context``. A value the context lacks is an error naming it
and the template's ``file:line``, never an empty string. Secret variables of the runbook are
never part of the context, and their values (when the caller knows them) are redacted from
the output.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, UndefinedError

from checks.problems import ExitCode, Problem, Severity, did_you_mean
from generator.comms.context import CONTEXT_SCHEMA, ExampleContexts
from generator.comms.hints import missing_hint
from generator.comms.sandbox import (
    MAX_TEMPLATE_CHARS,
    Escape,
    environment,
    escape_for,
    missing_name,
    render_source,
)
from generator.errors import RunbookError
from generator.model import CommsTemplate, Runbook, SourceLocation

RULE = "comms-template"
REDACTED = "********"


@dataclass(frozen=True, slots=True)
class Reference:
    """A name a template reads, with where."""

    name: str
    """Dotted: ``incident.title``, ``postmortem_url``."""
    part: str
    """``subject`` or ``body``."""
    line: int
    """1-based line within that part."""


# -- rendering -----------------------------------------------------------------------------


def render_template(
    runbook: Runbook,
    template: CommsTemplate,
    context: Mapping[str, Any],
    *,
    secret_values: Iterable[str] = (),
    destination: str | None = None,
    incident_ref: str | None = None,
) -> tuple[str | None, str]:
    """(subject, body) of ``template`` over ``context``; the one rendering path.

    ``destination`` is where the message is sent when that is not the template's own
    channel (``slack`` for ``--send slack-webhook``): it decides the escaping of values.
    ``incident_ref`` is how the user named the incident, for the command a missing value's
    message suggests (default: the incident's id).
    Raises ``RunbookError`` (exit 3) with the template's location for anything that does
    not render: syntax, a missing value, a sandbox refusal, a limit.
    """
    mode = escape_for(template.channel, template.format, destination=destination)
    secrets = {v.name for v in runbook.variables if v.secret}
    subject = None
    ref = incident_ref
    if template.subject is not None:
        subject = _render_part(template, "subject", template.subject, mode, context, secrets, ref)
    body = _render_part(template, "body", template.body, mode, context, secrets, ref)
    for value in sorted({v for v in secret_values if v}, key=len, reverse=True):
        body = body.replace(value, REDACTED)
        subject = subject.replace(value, REDACTED) if subject is not None else None
    return subject, body


def render_example(
    runbook: Runbook, template: CommsTemplate, contexts: ExampleContexts | None = None
) -> tuple[str | None, str]:
    """(subject, body) with the template's ``examples`` over the built-in sample incident;
    ``contexts``: the runbook's example contexts, to share among its templates."""
    context = (contexts or ExampleContexts(runbook)).context(template)
    return render_template(runbook, template, context)


def _render_part(
    template: CommsTemplate,
    part: str,
    source: str,
    mode: Escape,
    context: Mapping[str, Any],
    secrets: set[str],
    incident_ref: str | None,
) -> str:
    try:
        return render_source(environment(mode), source, dict(context))
    except TemplateSyntaxError as exc:
        raise _error(template, part, exc.lineno, f"syntax error: {exc.message}") from None
    except UndefinedError as exc:
        line = _template_line(exc)
        name = missing_name(exc)
        if isinstance(exc, SecurityError) or name is None:
            raise _error(template, part, line, f"sandbox: {exc.message}") from None
        message = _missing_message(name, secrets, context, incident_ref)
        raise _error(template, part, line, message) from None
    except SecurityError as exc:
        raise _error(template, part, _template_line(exc), f"sandbox: {exc}") from None
    except RecursionError as exc:
        raise _error(template, part, _template_line(exc), "recursion too deep") from None
    except Exception as exc:  # the user's template failed (1/0, 'a' + 1 ...): report it
        raise _error(template, part, _template_line(exc), f"{type(exc).__name__}: {exc}") from None


def _missing_message(
    name: str, secrets: set[str], context: Mapping[str, Any], incident_ref: str | None
) -> str:
    head = name.split(".", 1)[0]
    if head in secrets:
        return f"'{head}' is a secret variable; secrets are never rendered"
    if head == "incident" and name != "incident":
        incident = context.get("incident")
        record = incident if isinstance(incident, Mapping) else None
        return f"undefined variable '{name}': {missing_hint(name, record, incident_ref)}"
    if head in CONTEXT_SCHEMA:
        return f"undefined variable '{name}'"
    if incident_ref is not None:  # a real incident: its fields, never the examples
        return (
            f"undefined variable '{name}': the incident has no field '{head}' (record it with "
            f"`runbook incident update {incident_ref} --set {head}=VALUE`, or pass "
            f"--set {head}=VALUE)"
        )
    return (
        f"undefined variable '{name}' (pass --set {head}=VALUE, "
        f"or name it in the template's examples)"
    )


def _template_line(exc: BaseException) -> int:
    # Jinja rewrites tracebacks so template frames carry template line numbers.
    line = 1
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == "<template>":
            line = lineno
    return line


def locate(template: CommsTemplate, part: str, line: int) -> tuple[SourceLocation, str]:
    """Where line ``line`` of a template part is, and a suffix when it cannot be exact."""
    if part == "body" and template.body_location is not None:
        base = template.body_location
        return SourceLocation(base.path, base.line + line - 1, base.col), ""
    return template.location, f" ({part} line {line})"


def _error(template: CommsTemplate, part: str, line: int | None, what: str) -> RunbookError:
    return RunbookError(problems=[_problem(template, part, line or 1, what)])


def _problem(template: CommsTemplate, part: str, line: int, what: str) -> Problem:
    location, suffix = locate(template, part, line)
    return Problem(
        location, Severity.ERROR, f"comms template '{template.id}': {what}{suffix}", RULE
    )


# -- static checks -------------------------------------------------------------------------


def template_references(template: CommsTemplate) -> list[Reference]:
    """Every context name the template reads, dotted where statically known, in order.

    Raises ``RunbookError`` on a syntax error.
    """
    refs: list[Reference] = []
    for part, source in (("subject", template.subject), ("body", template.body)):
        if source is None:
            continue
        try:
            names = _source_names(source)
        except TemplateSyntaxError as exc:
            raise _error(template, part, exc.lineno, f"syntax error: {exc.message}") from None
        refs.extend(Reference(name, part, line) for name, line in names)
    return refs


@functools.lru_cache(maxsize=1024)
def _source_names(source: str) -> tuple[tuple[str, int], ...]:
    """(dotted name, line) of every context name ``source`` reads (cached: inherited
    templates are checked once per runbook)."""
    tree = environment(Escape.NONE).parse(source)
    return tuple(_walk_names(tree, meta.find_undeclared_variables(tree)))


def _walk_names(node: nodes.Node, undeclared: set[str]) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    if isinstance(node, nodes.Getattr | nodes.Getitem):
        path = _dotted(node)
        if path is not None and path[0] in undeclared:
            return [(".".join(path), node.lineno)]
    if isinstance(node, nodes.Name) and node.ctx == "load" and node.name in undeclared:
        return [(node.name, node.lineno)]
    for child in node.iter_child_nodes():
        found.extend(_walk_names(child, undeclared))
    return found


def _dotted(node: nodes.Node) -> list[str] | None:
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Getattr):
        inner = _dotted(node.node)
        return None if inner is None else [*inner, node.attr]
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        inner = _dotted(node.node)
        if inner is not None and isinstance(node.arg.value, str):
            return [*inner, node.arg.value]
    return None


def required_values(template: CommsTemplate) -> list[str]:
    """Top-level names the template needs from ``--set`` (not provided by the context)."""
    seen: list[str] = []
    for ref in template_references(template):
        head = ref.name.split(".", 1)[0]
        if head not in CONTEXT_SCHEMA and head not in seen:
            seen.append(head)
    return seen


def check_template(
    runbook: Runbook, template: CommsTemplate, contexts: ExampleContexts | None = None
) -> list[Problem]:
    """Problems of one template: size, syntax, unknown names, then a trial render (over
    ``contexts``, the runbook's shared example contexts, when given).

    Names must be context names, fields the context knows, or names the template's
    ``examples`` give (rule ``comms-template``).
    """
    problems: list[Problem] = []
    for part, source in (("subject", template.subject), ("body", template.body)):
        if source is not None and len(source) > MAX_TEMPLATE_CHARS:
            problems.append(
                _problem(
                    template,
                    part,
                    1,
                    f"{part} has {len(source)} characters, over the limit of {MAX_TEMPLATE_CHARS}",
                )
            )
    if problems:
        return problems
    try:
        refs = template_references(template)
    except RunbookError as exc:
        return list(exc.problems)
    examples = {key.split(".", 1)[0] for key, _ in template.examples}
    secrets = {v.name for v in runbook.variables if v.secret}
    reported: set[str] = set()
    for ref in refs:
        message = _unknown_name(ref.name, examples, secrets)
        if message and ref.name not in reported:
            reported.add(ref.name)
            problems.append(_problem(template, ref.part, ref.line, message))
    if problems:
        return problems
    try:
        render_example(runbook, template, contexts)
    except RunbookError as exc:
        problems.extend(exc.problems)
    return problems


def _unknown_name(name: str, examples: set[str], secrets: set[str]) -> str | None:
    parts = name.split(".")
    head = parts[0]
    if head in secrets:
        return f"'{head}' is a secret variable; secrets are never rendered"
    if head not in CONTEXT_SCHEMA:
        if head in examples:
            return None
        return (
            f"'{head}' is not provided by the context"
            f"{did_you_mean(head, list(CONTEXT_SCHEMA) + sorted(examples))}: "
            f"name it in the template's examples (and pass --set {head}=VALUE)"
        )
    schema: Any = CONTEXT_SCHEMA[head]
    path = head
    for part in parts[1:]:
        if not isinstance(schema, dict):
            return None  # a leaf's own attributes (title.upper) are the sandbox's business
        if part not in schema:
            return f"'{path}' has no field '{part}'{did_you_mean(part, schema)}"
        schema = schema[part]
        path = f"{path}.{part}"
    return None


# -- lookup --------------------------------------------------------------------------------


def find_template(runbook: Runbook, template_id: str) -> CommsTemplate:
    """The template named ``template_id``; exit 2 with did-you-mean otherwise."""
    templates = runbook.communications.templates
    for template in templates:
        if template.id == template_id:
            return template
    ids = [t.id for t in templates]
    known = f"; templates: {', '.join(ids)}" if ids else "; it has no templates"
    raise RunbookError(
        f"runbook '{runbook.id}' has no comms template '{template_id}'"
        f"{did_you_mean(template_id, ids)}{known}",
        exit_code=ExitCode.USAGE,
    )
