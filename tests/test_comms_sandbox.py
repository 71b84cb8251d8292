"""Comms templates render in a sandbox: escapes, limits, escaping of values, located errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from checks.model import Variable
from checks.problems import ExitCode
from generator.comms.context import ExampleContexts, build_context
from generator.comms.sandbox import Escape, Namespace, environment, render_source
from generator.comms.templates import check_template, render_example, render_template
from generator.errors import RunbookError
from generator.incident import IncidentRecord
from generator.model import CommsTemplate, Runbook, SourceLocation

RUNBOOK = Runbook(
    id="db-pool",
    title="Database connection pool exhausted",
    service="payments-api",
    owner="team-dba",
    severity="SEV2",
    variables=(Variable("DB_HOST"), Variable("DB_PASSWORD", secret=True)),
)
TEMPLATE_AT = SourceLocation("runbooks/acme/db.yaml", 40, 7)
BODY_AT = SourceLocation("runbooks/acme/db.yaml", 43, 11)


def template(body: str, **kwargs: object) -> CommsTemplate:
    return CommsTemplate(
        id="slack-update",
        body=body,
        location=TEMPLATE_AT,
        body_location=BODY_AT,
        **kwargs,  # type: ignore[arg-type]
    )


def render_error(body: str, **kwargs: object) -> str:
    with pytest.raises(RunbookError) as info:
        render_example(RUNBOOK, template(body, **kwargs))
    assert info.value.exit_code == ExitCode.INVALID
    return info.value.format()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "ok\n{{ ''.__class__.__mro__ }}",
            "runbooks/acme/db.yaml:44:11: error: comms template 'slack-update': sandbox: "
            "access to attribute '__class__' of 'str' object is unsafe.",
        ),
        (
            "{{ cycler.__init__.__globals__ }}",
            "runbooks/acme/db.yaml:43:11: error: comms template 'slack-update': sandbox: "
            "access to attribute '__init__' of 'type' object is unsafe.",
        ),
        (
            "\n\n{{ incident.__class__.__base__.__subclasses__() }}",
            "runbooks/acme/db.yaml:45:11: error: comms template 'slack-update': sandbox: "
            "access to attribute '__class__' of 'Namespace' object is unsafe.",
        ),
        (
            "{{ runbook.update(id='x') }}",
            "runbooks/acme/db.yaml:43:11: error: comms template 'slack-update': sandbox: "
            "access to attribute 'update' of 'Namespace' object is unsafe.",
        ),
        (
            "{{ incident.title|attr('__class__') }}",
            "runbooks/acme/db.yaml:43:11: error: comms template 'slack-update': sandbox: "
            "access to attribute '__class__' of 'str' object is unsafe.",
        ),
    ],
)
def test_sandbox_escapes_are_located_errors(body: str, expected: str) -> None:
    assert render_error(body) == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{% for i in range(10**6) %}{% endfor %}", "range() of 1000000 items exceeds"),
        ("{{ 2 ** incident.impact.users_affected }}", "exponent 15000 exceeds the limit of 64"),
        ("{% for i in range(100000) %}x{% endfor %}", "range() of 100000 items exceeds"),
        (
            "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
            "template does more than 100000 steps of work",
        ),
        ("{{ 'x' * 1000000 }}", "repetition would make 1000000 characters"),
        ("{{ 'x'|center(1000000000) }}", "width 1000000000 exceeds the limit"),
        ("{{ 'x'.ljust(1000000000) }}", "width 1000000000 exceeds the limit"),
        ("{{ '{:>1000000000}'.format(1) }}", "asks for a width over 10000"),
        ("{% for i in range(1000) %}{{ 'y' * 100 }}{% endfor %}", "rendered text exceeds"),
        ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "recursion too deep"),
        (
            "{% macro f(n) %}{% if n < 30 %}{{ f(n+1) }}{{ f(n+1) }}{% endif %}{% endmacro %}"
            "{{ f(0) }}",
            "template does more than 100000 steps of work",
        ),
    ],
)
def test_work_and_output_are_bounded(body: str, message: str) -> None:
    text = render_error(body)
    assert text.startswith("runbooks/acme/db.yaml:43:11: error: comms template 'slack-update': ")
    assert message in text


B = "{% set b = 'x' * 40000 %}"  # the longest value a template may build


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # replace, as a filter and as a method
        (
            "{{ ('a'*40000)|replace('a', 'a'*40000)|length }}",
            "replace would make 1600000000 characters, over the limit of 40000",
        ),
        (B + "{{ b.replace('x', b)|length }}", "replace would make 1600000000 characters"),
        (B + "{{ b|replace('x', 'yy', 30000)|length }}", "replace would make 70000 characters"),
        # repetition counts the characters of what is repeated, not the items
        ("{{ ['x'*40000]*40000 }}", "repetition would make 1600240000 characters"),
        ("{{ 40000 * ('x'*40000,) }}", "repetition would make 1600240000 characters"),
        # join, as a filter (of a generator too) and as a method
        (B + "{{ range(1000)|join(b)|length }}", "join would make 39960000 characters"),
        (B + "{{ range(1000)|map('string')|join(b) }}", "join would make 39960000 characters"),
        (B + "{{ b.join(b)|length }}", "join would make 1599960000 characters"),
        # formatting: fields that reuse a value, and widths that come from values
        (B + "{{ ('{0}'*13000).format(b)|length }}", "format would make 79000 characters"),
        ("{{ '{:{}}'.format('x', 100000000)|length }}", "format field '100000000' asks"),
        (B + "{{ ('%(a)s'*8000) % {'a': b} }}", "formatting would make 80000 characters"),
        ("{{ ('%999999999s' % 'x')|length }}", "asks for a width over 10000"),
        ("{{ '%*s' % (999999999, 'x') }}", "width 999999999 exceeds the limit of 10000"),
        (B + "{{ ('%(a)s'*8000)|format(a=b) }}", "formatting would make 80000 characters"),
        # padding by a string or per line, tabs
        (B + "{{ ('\\n'*30000)|indent(b, blank=True)|length }}", "indent would make"),
        (B + "{{ ('a '*20000)|wordwrap(1, wrapstring=b)|length }}", "wordwrap would make"),
        ("{{ ('\\t'*40000).expandtabs(9999)|length }}", "expandtabs would make 400000000"),
        # concatenation doubles: ~ and +
        (B + "{% set b = b ~ b %}{% set b = b ~ b %}{{ b|length }}", "concatenation would"),
        (B + "{{ (b + b)|length }}", "concatenation would make 80000 characters"),
        (B + "{{ ([b] + [b])|length }}", "concatenation would make 80012 characters"),
        # integers grow too
        ("{{ ((2**64)**64)**64 }}", "a number of about 4160 bits exceeds the limit of 4096"),
        (
            "{% set n = 2**63 %}{% set n = n*n %}{% set n = n*n %}{% set n = n*n %}"
            "{% set n = n*n %}{% set n = n*n %}{% set n = n*n %}{% set n = n*n %}{{ n }}",
            "bits exceeds the limit of 4096",
        ),
        # a list of references is as long as the text it makes
        (B + "{{ [b, b, b] }}", "output: a value of over 40000 characters"),
        (B + "{{ [b, b, b]|join|length }}", "filter 'join': a value of over 40000 characters"),
        (B + "{{ [b, b]|string|length }}", "filter 'string': a value of over 40000 characters"),
        (B + "{{ [b, b].__len__() }}", "sandbox: access to attribute '__len__'"),
        (B + "{{ [b, b].count(b) }}", "count(): a value of over 40000 characters"),
        # methods that turn one character into anything, or make bytes the checks miss
        ("{{ 'x'.translate({120: 'y'}) }}", "access to attribute 'translate' of 'str' object"),
        ("{{ 'x'.encode() * 1000000000 }}", "access to attribute 'encode' of 'str' object"),
        # text captured by {% set %} and macros never reaches the output cap
        (
            B + "{% set x %}{% for i in range(1000) %}{{ b }}{% endfor %}{% endset %}"
            "{{ x|length }}",
            "template produces more than 1000000 characters in all",
        ),
        (
            "{% set x %}{% for i in range(1000) %}{% for j in range(99) %}"
            + "z" * 5000
            + "{% endfor %}{% endfor %}{% endset %}{{ x|length }}",
            "template produces more than 1000000 characters in all",
        ),
        (
            "{% macro m() %}" + "z" * 15000 + "{{ caller() }}{% endmacro %}"
            "{% set x %}{% for i in range(100) %}{% call m() %}{% endcall %}{% endfor %}"
            "{% endset %}{{ x|length }}",
            "template produces more than 1000000 characters in all",
        ),
    ],
)
def test_amplifiers_are_refused_before_they_run(body: str, message: str) -> None:
    text = render_error(body)
    assert text.startswith("runbooks/acme/db.yaml:43:11: error: comms template 'slack-update': ")
    assert message in text


def test_ordinary_string_work_still_renders() -> None:
    body = (
        "{{ 'ab'*3 ~ '!' }} {{ '%s-%05.1f' % ('a', 3.14159) }} {{ '{:>4}|{x}'.format('y', x=1) }} "
        "{{ ['a', 'b']|join(', ') }} {{ 'hello'|replace('l', 'L') }} {{ '/'.join(['a', 'b']) }} "
        "{{ 2**10 * 3 }} {{ [1] + [2] }} {{ '%(n)s' % {'n': 7} }} {{ 'a\tb'.expandtabs(2) }} "
        "{{ 'x'|center(3) }}|{{ 'a b c'|wordwrap(3) }}|{{ 'a\nb'|indent(2) }}|"
        "{{ '%d%%'|format(5) }}|{{ '{v}'.format_map({'v': 'w'}) }}|{{ ('x'*40000)|length }}"
    )
    assert render_source(environment(Escape.NONE), body, {}) == (
        "ababab! a-003.1    y|1 a, b heLLo a/b 3072 [1, 2] 7 a b  x |a b\nc|a\n  b|5%|w|40000"
    )


def test_oversized_template_is_refused_before_parsing() -> None:
    text = render_error("x" * 20_001)
    assert text == (
        "runbooks/acme/db.yaml:43:11: error: comms template 'slack-update': sandbox: "
        "template has 20001 characters, over the limit of 20000"
    )


def test_missing_value_names_the_variable_and_the_line() -> None:
    text = render_error("Status: {{ incident.status }}\nPostmortem: {{ postmortem_url }}")
    assert text == (
        "runbooks/acme/db.yaml:44:11: error: comms template 'slack-update': undefined variable "
        "'postmortem_url' (pass --set postmortem_url=VALUE, or name it in the template's examples)"
    )


def test_missing_incident_field_names_the_dotted_path() -> None:
    record_free = template("{{ incident.impact.summary }} / {{ incident.eta }}")
    context = {"incident": Namespace("incident", {"impact": Namespace("incident.impact", {})})}
    with pytest.raises(RunbookError) as info:
        render_template(RUNBOOK, record_free, context)
    assert info.value.format() == (
        "runbooks/acme/db.yaml:43:11: error: comms template 'slack-update': undefined variable "
        "'incident.impact.summary': the incident has no value for it (record it with "
        "`runbook incident update INCIDENT --impact summary=VALUE`, "
        "or pass --set incident.impact.summary=VALUE)"
    )


def test_without_body_location_the_template_line_and_body_line_are_given() -> None:
    bare = CommsTemplate(id="email", channel="email", body="a\nb\n{{ nope }}", location=TEMPLATE_AT)
    with pytest.raises(RunbookError) as info:
        render_example(RUNBOOK, bare)
    assert info.value.format() == (
        "runbooks/acme/db.yaml:40:7: error: comms template 'email': undefined variable 'nope' "
        "(pass --set nope=VALUE, or name it in the template's examples) (body line 3)"
    )


def test_slack_escapes_filled_in_values_but_not_the_template_text() -> None:
    slack = template("<!here> *{{ incident.title }}* & {{ note }}", channel="slack")
    context = {
        "incident": Namespace("incident", {"title": "<!channel> DB & <https://x|click>"}),
        "note": "a > b",
    }
    _, body = render_template(RUNBOOK, slack, context)
    assert body == "<!here> *&lt;!channel&gt; DB &amp; &lt;https://x|click&gt;* & a &gt; b"


def test_html_format_html_escapes_values_and_plain_email_does_not() -> None:
    context = {"incident": Namespace("incident", {"title": "<b>DB</b> & co"})}
    html = template("<p>{{ incident.title }}</p>", channel="email", format="html")
    plain = template("Title: {{ incident.title }}", channel="email")
    assert render_template(RUNBOOK, html, context)[1] == "<p>&lt;b&gt;DB&lt;/b&gt; &amp; co</p>"
    assert render_template(RUNBOOK, plain, context)[1] == "Title: <b>DB</b> & co"


def test_a_message_sent_to_slack_gets_slack_escaping_whatever_its_template_says() -> None:
    context = {"incident": Namespace("incident", {"title": '<!channel> "DB" & co'})}
    for channel, fmt in (("email", "text"), ("statuspage", "html"), ("other", "text")):
        tpl = template("T: {{ incident.title }}", channel=channel, format=fmt)
        _, body = render_template(RUNBOOK, tpl, context, destination="slack")
        assert body == 'T: &lt;!channel&gt; "DB" &amp; co', channel


def test_secret_variables_are_never_rendered() -> None:
    text = render_error("{{ DB_PASSWORD }}")
    assert text == (
        "runbooks/acme/db.yaml:43:11: error: comms template 'slack-update': "
        "'DB_PASSWORD' is a secret variable; secrets are never rendered"
    )
    leaky = template("Title: {{ incident.title }}")
    context = {"incident": Namespace("incident", {"title": "pw is hunter2!"})}
    _, body = render_template(RUNBOOK, leaky, context, secret_values=["hunter2"])
    assert body == "Title: pw is ********!"


def test_example_render_uses_examples_and_the_sample_incident() -> None:
    example = template(
        "[{{ incident.severity }} {{ incident.severity_label }}] {{ incident.title }}\n"
        "Since {{ incident.started_at|time }}, next update {{ incident.next_update|time }}\n"
        "Postmortem: {{ postmortem_url }}",
        subject="{{ incident.id }}",
        examples=(("postmortem_url", "https://docs.example.com/pm/1"),),
    )
    assert render_example(RUNBOOK, example) == (
        "INC-20240115-1415",
        "[SEV2 High] Database connection pool exhausted\n"
        "Since 14:15 UTC, next update 15:30 UTC\n"
        "Postmortem: https://docs.example.com/pm/1",
    )


def test_a_runbooks_templates_share_the_sample_incident_but_not_their_examples() -> None:
    # Lint renders every template of a runbook over one sample context per status: what
    # one template's examples set must not show in the next one's render.
    contexts = ExampleContexts(RUNBOOK)
    setting = template(
        "{{ incident.eta }} / {{ incident.impact.summary }} / {{ extra }}",
        examples=(
            ("incident.eta", "soon"),
            ("incident.impact.summary", "all down"),
            ("extra", "x"),
        ),
    )
    reading = template("{{ incident.eta }} / {{ incident.impact.summary }}")
    for _ in range(2):
        assert render_example(RUNBOOK, setting, contexts) == (None, "soon / all down / x")
        assert render_example(RUNBOOK, reading, contexts) == (
            None,
            "45 minutes / errors and timeouts in payments-api",
        )
    assert render_example(RUNBOOK, reading) == render_example(RUNBOOK, reading, contexts)
    resolved = template("{{ incident.status }} {{ incident.resolved_at|time }}", status="resolved")
    assert render_example(RUNBOOK, resolved, contexts) == (None, "resolved 15:45 UTC")
    with pytest.raises(RunbookError, match="resolved_at"):  # not in an open incident
        render_example(RUNBOOK, template("{{ incident.resolved_at }}"), contexts)


def test_severity_level_carries_the_scheme_entry() -> None:
    # RUNBOOK is SEV2 of the built-in scheme.
    level = template(
        "{{ incident.severity_level.id }} {{ incident.severity_level.label }}: "
        "{{ incident.severity_level.impact }}\n"
        "Respond {{ incident.severity_level.response }}; "
        "{{ incident.severity_level.escalation|join(' > ') }}; "
        "updates every {{ incident.severity_level.update_every }}",
        channel="email",
    )
    assert render_example(RUNBOOK, level)[1] == (
        "SEV2 High: A major feature is down or badly degraded for many users.\n"
        "Respond < 15 minutes; On-call engineer > Incident commander; updates every 1 hour"
    )
    assert [
        str(p) for p in check_template(RUNBOOK, template("{{ incident.severity_level.impakt }}"))
    ] == [
        "runbooks/acme/db.yaml:43:11: error: comms template 'slack-update': "
        "'incident.severity_level' has no field 'impakt' (did you mean 'impact'?)"
    ]


def test_a_missing_scheme_value_says_where_it_comes_from() -> None:
    now = datetime(2024, 1, 15, 14, 30, tzinfo=UTC)
    fields = {"id": "INC-1", "severity": "SEV4", "started_at": "2024-01-15T14:15:00Z"}
    record = IncidentRecord(dict(fields))
    cadence = template("Every {{ incident.severity_level.update_every }}")
    with pytest.raises(RunbookError) as info:
        render_template(RUNBOOK, cadence, build_context(RUNBOOK, record, now))
    assert info.value.format() == (
        "runbooks/acme/db.yaml:43:11: error: comms template 'slack-update': undefined variable "
        "'incident.severity_level.update_every': level SEV4 of the runbook's severity scheme has "
        "no update_every (add it to the scheme, or pass --set "
        "incident.severity_level.update_every=VALUE)"
    )
    unknown = build_context(RUNBOOK, IncidentRecord({**fields, "severity": "SEV9"}), now)
    with pytest.raises(RunbookError) as info:
        render_template(RUNBOOK, cadence, unknown, incident_ref="incidents/INC-1.yaml")
    assert info.value.format() == (
        "runbooks/acme/db.yaml:43:11: error: comms template 'slack-update': undefined variable "
        "'incident.severity_level': the incident's severity 'SEV9' is not a level of the "
        "runbook's scheme (record one with `runbook incident update incidents/INC-1.yaml "
        "--severity LEVEL`)"
    )


def test_check_template_reports_syntax_unknown_fields_and_undeclared_names() -> None:
    broken = template("fine\n{% if incident.status %}open")
    assert [str(p) for p in check_template(RUNBOOK, broken)] == [
        "runbooks/acme/db.yaml:44:11: error: comms template 'slack-update': syntax error: "
        "Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' "
        "or 'endif'. The innermost block that needs to be closed is 'if'."
    ]
    unknown = template(
        "{{ incident.titel }}\n{{ incident.impact.user_affected }}\n"
        "{{ pm_link }} {{ runbook.owner }}",
        examples=(("pm_url", "x"),),
    )
    problems = check_template(RUNBOOK, unknown)
    assert [str(p) for p in problems] == [
        "runbooks/acme/db.yaml:43:11: error: comms template 'slack-update': "
        "'incident' has no field 'titel' (did you mean 'title'?)",
        "runbooks/acme/db.yaml:44:11: error: comms template 'slack-update': "
        "'incident.impact' has no field 'user_affected' (did you mean 'users_affected'?)",
        "runbooks/acme/db.yaml:45:11: error: comms template 'slack-update': "
        "'pm_link' is not provided by the context (did you mean 'pm_url'?): "
        "name it in the template's examples (and pass --set pm_link=VALUE)",
    ]
    assert {p.rule for p in problems} == {"comms-template"}


def test_check_template_passes_a_good_template_and_reports_render_failures() -> None:
    good = template("{% for a in incident.actions %}{{ a.block }} {{ a.status }}{% endfor %}")
    assert check_template(RUNBOOK, good) == []
    bad = template("{{ incident.title + 1 }}")
    assert [str(p) for p in check_template(RUNBOOK, bad)] == [
        "runbooks/acme/db.yaml:43:11: error: comms template 'slack-update': "
        'TypeError: can only concatenate str (not "int") to str'
    ]


def test_environments_share_nothing_between_renders() -> None:
    env = environment(Escape.NONE)
    assert render_source(env, "{% for i in range(900) %}{% endfor %}done", {}) == "done"
    # A second render starts with a fresh budget.
    assert render_source(env, "{% for i in range(900) %}{% endfor %}done", {}) == "done"
