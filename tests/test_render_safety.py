"""Raw HTML from YAML never reaches the site; commands survive the page byte for byte."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.extract import extract_markdown
from checks.header import parse_header
from checks.model import Risk, Variable
from generator.model import (
    Callout,
    ChecklistItem,
    CommsChannel,
    CommsTemplate,
    Communications,
    Contact,
    Diagram,
    EscalationLevel,
    Expect,
    Link,
    Maintenance,
    PostIncident,
    Resolution,
    Role,
    Runbook,
    Scenario,
    Section,
    SeverityLevel,
    SeverityScheme,
    Step,
    Table,
    Timeframe,
)
from generator.render.blocks import block_command, block_options
from generator.render.page import PageContext, render_runbook
from generator.render.text import escape_cell, escape_inline, safe_markdown
from tests.site_html import live_html, to_html

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "text {: onclick=alert(1)}",
    "para\n{: onclick=alert(1) }",
    "## Title {#x .y onclick=alert(1)}",
    "*a*{: onclick=alert(1)}",
    "`a`{: onclick=alert(1)}",
    "[x](javascript:alert(1))",
    "[x]( JaVaScRiPt:alert(1))",
    "[x](<javascript:alert(1)>)",
    "![i](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](vbscript:msgbox(1))",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x][r]\n\n[r]:\n  javascript:alert(1)",
    "<a href=javascript:alert(1)>x</a>",
    "`x\n<script>alert(1)</script>\ny`",
    "```\n<script>alert(1)</script>",
    "```html {onclick=alert(1)}\n<script>alert(1)</script>\n```",
    "  ~~~\n<svg onload=alert(1)>\n  ~~~",
    "\\\\{: onclick=alert(1)}",
    "<!-- hidden --><iframe src=x>",
    "> <div markdown=1 onclick=alert(1)>*x*</div>",
    '!!! note "<img src=x onerror=alert(1)>"\n    body',
    '=== "<script>t</script>"\n    body',
]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("escape", [safe_markdown, escape_inline, escape_cell])
def test_escaped_payload_is_never_live_html(payload: str, escape: Any) -> None:
    text = escape(payload)
    if escape is escape_cell:
        text = f"| h |\n| --- |\n| {text} |"
    assert live_html(to_html(text)) == []


def test_the_checker_sees_live_html() -> None:
    # The oracle must be able to fail: unescaped payloads are live in Python-Markdown.
    for payload in ["<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "a\n{: onclick=x}"]:
        assert live_html(to_html(payload)) != []


def test_markdown_formatting_survives_escaping() -> None:
    text = (
        "Use **bold**, `a < b && c`, [docs](https://example.com/a_(b)?x=1&y=2).\n\n"
        "- item with `code`\n- R&D <team>\n\n"
        "```bash {#x .check}\necho '<b>' && true\n```"
    )
    html = to_html(safe_markdown(text))
    assert "<strong>bold</strong>" in html
    assert "<code>a &lt; b &amp;&amp; c</code>" in html
    assert '<a href="https://example.com/a_(b)?x=1&amp;y=2">docs</a>' in html
    assert "<li>R&amp;D &lt;team&gt;</li>" in html
    assert (
        '<pre class="highlight"><code class="language-bash">'
        "echo '&lt;b&gt;' &amp;&amp; true</code></pre>" in html
    )


def test_body_fences_lose_their_attributes_so_only_steps_run() -> None:
    out = safe_markdown("Before:\n```bash {#db--x .destructive}\nrm -rf /\n```\nafter")
    assert out == "Before:\n\n```bash\nrm -rf /\n```\n\nafter"
    assert extract_markdown(out, "p.md").checks == ()


def test_body_headings_stay_below_the_heading_they_sit_under() -> None:
    assert (
        safe_markdown("# Top\n\nText\n\n### Deep", heading_floor=3)
        == "#### Top\n\nText\n\n#### Deep"
    )
    assert safe_markdown("Title\n=====", heading_floor=2) == "Title\n\n====="


def _full_runbook(text: str) -> Runbook:
    """A runbook with ``text`` in every free-text field the page shows."""
    step = Step(id="s", title=text, body=text, run="echo hi", ci_reason=text, requires=("x",))
    manual = Step(id="m", title=text, body=text, kind=Risk.MANUAL)
    return Runbook(
        id="rb",
        title=text,
        summary=text,
        service=text,
        owner=text,
        tags=(text,),
        alerts=(text,),
        severity="SEV1",
        version=text,
        status=text,
        audience=text,
        oncall=text,
        last_reviewed=text,
        variables=(Variable("V", text, default=text, pattern=text, choices=(text,), example=text),),
        sections=(
            Section(
                id="sec",
                title=text,
                window=text,
                severity="SEV1",
                alerts=(text,),
                body=text,
                callout=Callout(type=text, text=text, title=text),
                steps=(step, manual),
                checklist=(ChecklistItem(text),),
                table=Table(columns=(text, text), rows=((text, text),), caption=text),
                diagram=Diagram(mermaid=text, title=text),
                footer=text,
            ),
        ),
        scenarios=(
            Scenario(
                id="sc",
                title=text,
                severity="SEV1",
                alerts=(text,),
                body=text,
                symptoms=(text,),
                causes=(text,),
                resolution=(Resolution(when=text, body=text, steps=(manual,)),),
                long_term=text,
                post_incident=(text,),
            ),
            Scenario(
                id="sc2",
                title=text,
                resolution=(Resolution(when=text, steps=(dataclasses.replace(step, id="r"),)),),
            ),
        ),
        severities=SeverityScheme("s", (SeverityLevel("SEV1", label=text),)),
        escalation=(EscalationLevel(text, text, text, text, (text,), text),),
        contacts=(
            Contact(text, text, text, text + "@x", text, text, text, text, text),
            Contact(text, url="javascript:alert(1)", email="a@b\n<script>"),
        ),
        roles=(Role(text, (text,)),),
        links=(Link(text, url=text, notes=text), Link(text, path=text), Link(text)),
        communications=Communications(
            channels=(CommsChannel(text, text, text, text, text),),
            templates=(CommsTemplate(id="t", title=text, status=text, subject=text, body=text),),
        ),
        post_incident=PostIncident(
            timeframes=(Timeframe(within=text, title=text, tasks=(text,)),),
            postmortem_template=text,
            timeline_template=text,
            metrics=(text,),
        ),
        maintenance=Maintenance(text, text, text, (text,), text),
        closing=text,
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_every_text_field_is_never_live_on_the_page(payload: str) -> None:
    ctx = PageContext(org_title=payload, org_url="javascript:alert(1)")
    page = render_runbook(_full_runbook(payload), ctx)
    assert live_html(to_html(page)) == []
    front = page.split("---\n", 2)[1]
    assert "<" not in front


def test_jinja_never_touches_runbook_text_or_commands() -> None:
    text = "{{ 7 * 7 }} {% raw %}"
    step = Step(id="s", title=text, body=text, run="echo '{{ $labels.x }}' {{ 7*7 }}")
    page = render_runbook(
        Runbook(id="rb", title=text, sections=(Section("a", "A", steps=(step,)),))
    )
    assert "49" not in page
    assert "echo '{{ $labels.x }}' {{ 7*7 }}\n" in page
    assert "\\{\\{ 7 * 7 \\}\\} \\{% raw %\\}" in page


# -- round trip over generated steps ---------------------------------------------------

_tricky = st.sampled_from(
    ["`", "```", "````", "{", "}", '"', "'", "\\", "{{ x }}", "<b>", "&", "|", "#", "--", " ", "\n"]
)
# No control characters: markdown-it turns NUL into U+FFFD and Python's splitlines()
# breaks lines at \x1c-\x1e, \x85 and U+2028 where Markdown does not (the loader's job).
_chars = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\x85")
_text = st.lists(st.one_of(_tricky, st.text(_chars, min_size=1, max_size=5)), max_size=8).map(
    "".join
)
_word = st.from_regex(r"[a-z][a-z0-9_.:/@+-]{0,8}", fullmatch=True)
_header_text = _text.filter(lambda s: "\n" not in s and "\r" not in s)
_items = st.lists(_word.filter(lambda w: "," not in w), max_size=3).map(tuple)


@st.composite
def steps(draw: st.DrawFn) -> Step:
    kind = draw(st.sampled_from([Risk.CHECK, Risk.ACTION, Risk.DESTRUCTIVE, Risk.MANUAL]))
    run = draw(_text.filter(lambda s: s.strip() != "" and "\r" not in s))
    return Step(
        id=draw(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)),
        title=draw(_text),
        body=draw(_text),
        kind=kind,
        lang=draw(st.sampled_from(["bash", "sh", "sql", "python", "text"])),
        shell=draw(st.none() | _header_text.filter(bool)),
        interpreter=draw(st.none() | _header_text.filter(bool)),
        run=run,
        expect=Expect(
            exit=draw(st.lists(st.integers(0, 255), min_size=1, max_size=3).map(tuple)),
            stdout=draw(st.none() | st.sampled_from([r"^\d+$", "a{2}", r'"q"\s', "x}"])),
            contains=draw(st.none() | _header_text.filter(bool)),
        ),
        expected_output=draw(st.none() | _text.filter(lambda s: "\r" not in s)),
        sample_output=draw(st.none() | _text.filter(lambda s: "\r" not in s)),
        timeout=draw(st.none() | st.sampled_from([0.5, 1.0, 10.0, 90.0, 3600.0])),
        strict=draw(st.booleans()),
        interactive=draw(st.booleans()),
        follow=draw(st.booleans()),
        requires=draw(_items),
        ci=draw(st.booleans()),
        ci_reason=draw(st.none() | _header_text.filter(bool)),
        tags=draw(_items),
        env=draw(
            st.lists(st.tuples(st.sampled_from(["A", "B_2"]), _header_text), max_size=2).map(tuple)
        ),
        cwd=draw(st.none() | _header_text.filter(bool)),
    )


@settings(max_examples=60)
@given(
    st.lists(steps(), min_size=1, max_size=5, unique_by=lambda s: s.id),
    st.integers(0, 5),
    _text,
)
def test_every_step_comes_back_from_the_page(
    generated: list[Step], in_tabs: int, when: str
) -> None:
    # The first steps sit in a section, the rest in two resolution options (content tabs).
    split = max(0, len(generated) - in_tabs)
    tabbed = generated[split:]
    options = (
        Resolution(when=when or "w", steps=tuple(tabbed[::2])),
        Resolution(when="other", body=when, steps=tuple(tabbed[1::2])),
    )
    rb = Runbook(
        id="rb",
        title="T",
        sections=(Section("main", "Main", steps=tuple(generated[:split])),),
        scenarios=(Scenario(id="sc", title="S", resolution=options),) if tabbed else (),
    )
    page = render_runbook(rb)
    assert ("=== " in page) == bool(tabbed)
    ex = extract_markdown(page, "rb.md")
    assert ex.problems == ()
    in_order = [*generated[:split], *tabbed[::2], *tabbed[1::2]]
    with_blocks = [s for s in in_order if s.kind is not Risk.MANUAL or s.run.strip()]
    assert [c.id for c in ex.checks] == [rb.block_id(s) for s in with_blocks]
    sections = {rb.block_id(s): ("sc" if s in tabbed else "main") for s in generated}
    for check, step in zip(ex.checks, with_blocks, strict=True):
        assert check.risk is step.kind
        assert check.options == block_options(step)
        shown = block_command(step)
        assert check.command == (shown if shown.endswith("\n") else shown + "\n")
        assert check.section == sections[check.id]
        if step.expected_output is not None:
            out = step.expected_output
            assert check.expected_output == (out if out.endswith("\n") or not out else out + "\n")
        info = next(
            line
            for line in page.splitlines()
            if f"#{check.id} " in line or f"#{check.id}}}" in line
        )
        header = parse_header(info.lstrip(" `~"))
        assert (header.id, header.risk, header.options) == (
            check.id,
            step.kind,
            block_options(step),
        )
