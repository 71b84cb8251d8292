"""Model -> page Markdown: pure functions, no I/O and no MkDocs.

``page`` turns a loaded ``Runbook`` into its complete page (``render_page``: header,
variables, sections, scenarios, then the reference parts); ``blocks`` writes each
executable step as the fenced block ``checks.extract`` reads back, so what runs is what
the page shows; ``reference`` renders escalation, contacts, roles, links, communications
(templates with their examples), post-incident and maintenance; ``text`` turns text into
Markdown under two named contracts (``safe_markdown`` keeps a field's formatting,
``literal_text`` shows a plain value exactly as written) and writes code spans, fences
and tables. The site, ``runbook render``, ``generator.targets`` and the pytest plugin
call ``render_page`` or ``render_runbook``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checks._lazy import lazy_exports

if TYPE_CHECKING:
    from generator.render.blocks import block_command
    from generator.render.page import (
        PageContext,
        RenderedPage,
        render_page,
        render_runbook,
        render_steps_markdown,
    )
    from generator.render.text import literal_text, safe_markdown

__all__ = [
    "PageContext",
    "RenderedPage",
    "block_command",
    "literal_text",
    "render_page",
    "render_runbook",
    "render_steps_markdown",
    "safe_markdown",
]

_MODULE_OF = {
    "PageContext": "page",
    "RenderedPage": "page",
    "block_command": "blocks",
    "literal_text": "text",
    "render_page": "page",
    "render_runbook": "page",
    "render_steps_markdown": "page",
    "safe_markdown": "text",
}

# Loaded on first use: the site's listing pages import ``render.text`` alone, and that
# must not load the page renderer.
__getattr__ = lazy_exports(__name__, _MODULE_OF)
