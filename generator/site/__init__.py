"""Loaded runbooks -> the MkDocs site: every page's Markdown, the navigation, safe HTML.

``tree`` is the composition root (``load_site``: loader, page renderer, comms and listing
pages -> ``Site``, no MkDocs import); ``layout`` says where each page lives and how the
navigation groups them; ``pages`` writes the listing pages (home, services, alerts,
tags), ``help`` the reader's help page, ``org`` the organisation pages and
``runbook_pages`` the runbook pages (in worker processes when there are many).
``plugin`` is the thin MkDocs adapter (``RunbookPlugin``: in-memory pages), with
``config`` (what it adds to ``mkdocs.yml``), ``html`` (after Python-Markdown), ``safety``
(``sanitize_html``, nh3), ``link_warnings``, ``report`` (when each block last ran) and
``_parallel`` (Markdown -> HTML in forked workers), ``_theme`` (pages through the theme in
forked workers) and ``_worker_logs`` (what those workers log, logged again). ``build``
and ``serve`` run MkDocs for ``runbook build`` and ``runbook serve``; ``rebuild`` says
which pages a serve rebuild writes again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checks._lazy import lazy_exports

if TYPE_CHECKING:
    from generator.site.build import BuildOptions, run_build
    from generator.site.plugin import RunbookPlugin
    from generator.site.safety import sanitize_html
    from generator.site.serve import run_serve
    from generator.site.tree import Site, SitePage, build_pages, load_site

__all__ = [
    "BuildOptions",
    "RunbookPlugin",
    "Site",
    "SitePage",
    "build_pages",
    "load_site",
    "run_build",
    "run_serve",
    "sanitize_html",
]

_MODULE_OF = {
    "BuildOptions": "build",
    "RunbookPlugin": "plugin",
    "Site": "tree",
    "SitePage": "tree",
    "build_pages": "tree",
    "load_site": "tree",
    "run_build": "build",
    "run_serve": "serve",
    "sanitize_html": "safety",
}

# Loaded on first use: MkDocs imports ``generator.site.plugin`` and ``runbook build``
# imports ``generator.site.build``; neither should load the other's modules (nor serve).
__getattr__ = lazy_exports(__name__, _MODULE_OF)
