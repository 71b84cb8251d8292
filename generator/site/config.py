"""What the plugin brings to a site's MkDocs configuration, so a minimal ``mkdocs.yml``
(``theme: material`` and ``plugins: [runbook]``) gives the same pages as ours.

Runbook pages are written for a set of Markdown extensions (attribute lists for block ids,
admonitions for callouts, superfences for mermaid and fences in tabs ...); without them the
page shows ``{#diagnose}`` and ``!!! warning`` as text while the build says it succeeded.
The plugin therefore enables whatever is missing, adds its own styles and scripts (shipped in
the package, served from the site: no request leaves it), turns on the theme features the
pages rely on, and adds the runbook navigation to an explicit ``nav:``. What a user already
configured is kept as it is.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from pymdownx.superfences import fence_code_format

__all__ = [
    "REDIRECT_SCRIPT",
    "add_asset_files",
    "add_requirements",
    "merge_nav",
    "plugin_report",
    "plugin_today",
]

MARKDOWN_EXTENSIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("admonition", {}),
    ("attr_list", {}),
    ("md_in_html", {}),
    ("tables", {}),
    ("toc", {"permalink": True}),
    ("pymdownx.details", {}),
    # Highlighting happens in the browser (vendored highlight.js), not with Pygments.
    ("pymdownx.highlight", {"use_pygments": False}),
    (
        "pymdownx.superfences",
        {"custom_fences": [{"name": "mermaid", "class": "mermaid", "format": fence_code_format}]},
    ),
    ("pymdownx.tabbed", {"alternate_style": True}),
    ("pymdownx.tasklist", {"custom_checkbox": True}),
)
"""What runbook pages are written for, with the settings the pages assume."""

THEME_FEATURES = (
    "navigation.prune",
    "navigation.indexes",
    "content.code.copy",
    "content.tabs.link",
)
"""Material features the pages rely on: small navigation at scale, section index pages,
copy buttons on command blocks, linked scenario tabs."""

STYLESHEETS = ("assets/stylesheets/runbook.css", "assets/stylesheets/search.css")
SCRIPTS = (
    "assets/vendor/mermaid-11.17.2.min.js",
    "assets/vendor/highlight-11.12.0.min.js",
    "assets/javascripts/runbook.js",
    "assets/javascripts/variables.js",
    "assets/javascripts/search.js",
)
"""Site paths of the plugin's own assets, in load order (the files live in the package,
under ``generator/site/assets/`` at the same relative paths). Mermaid before
``runbook.js``, which locks its configuration; it stays only on pages with a diagram
(``generator.site.html``)."""
SEARCH_MODULE = "assets/javascripts/pagefind/pagefind.js"
"""Pagefind's API as ``search.js`` hands it to Pagefind's UI (imported, not a page script)."""
REDIRECT_SCRIPT = "assets/javascripts/redirect.js"
"""Loaded by the alert redirect pages only (outside the theme), so not in ``SCRIPTS``."""
SEARCH_STYLESHEETS = ("_pagefind/pagefind-ui.css",)
SEARCH_SCRIPTS = ("_pagefind/pagefind-ui.js",)
"""Pagefind's UI, written with the index after the pages (``generator.site.search_index``);
loaded before the plugin's own files, which use it."""
LICENSES = ("assets/vendor/LICENSE.highlightjs", "assets/vendor/LICENSE.mermaid")
"""The vendored scripts' licenses travel with them."""


def add_requirements(config: MkDocsConfig) -> list[str]:
    """Enable the missing extensions, features, styles and scripts; return what was added."""
    added: list[str] = []
    for name, settings in MARKDOWN_EXTENSIONS:
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
            if settings:
                config.mdx_configs[name] = settings
            added.append(f"markdown extension {name}")
    if config.theme.name == "material":
        features = config.theme.get("features") or []
        for feature in THEME_FEATURES:
            if feature not in features:
                features.append(feature)
                added.append(f"theme feature {feature}")
        config.theme["features"] = features
    for path in (*SEARCH_STYLESHEETS, *STYLESHEETS):
        if path not in config.extra_css:
            config.extra_css.append(path)
            added.append(f"stylesheet {path}")
    present = {str(script) for script in config.extra_javascript}
    for path in (*SEARCH_SCRIPTS, *SCRIPTS):
        if path not in present:
            config.extra_javascript.append(path)
            added.append(f"script {path}")
    return added


def add_asset_files(files: Files, config: MkDocsConfig) -> None:
    """The plugin's styles and scripts as site files; a file of the same path in
    ``docs_dir`` wins, so a site can override them."""
    for path in (*STYLESHEETS, *SCRIPTS, SEARCH_MODULE, REDIRECT_SCRIPT, *LICENSES):
        if files.get_file_from_path(path) is None:
            content = resources.files("generator.site").joinpath(path).read_bytes()
            files.append(File.generated(config, path, content=content))


def merge_nav(user_nav: list[Any], generated: list[Any]) -> list[Any]:
    """An explicit ``nav:`` stays first, as written; the generated runbook navigation
    follows, without the pages the user's nav already lists (as TechDocs adds its pages)."""
    listed = set(_pages(user_nav))
    return [*user_nav, *_without(generated, listed)]


def _pages(nav: Any) -> Iterator[str]:
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from _pages(value)
    elif isinstance(nav, list):
        for item in nav:
            yield from _pages(item)


def _without(nav: list[Any], listed: set[str]) -> list[Any]:
    kept: list[Any] = []
    for item in nav:
        if isinstance(item, str):
            if item not in listed:
                kept.append(item)
            continue
        assert isinstance(item, dict)
        for title, value in item.items():
            if isinstance(value, str):
                if value not in listed:
                    kept.append({title: value})
            else:
                children = _without(value, listed)
                if children:
                    kept.append({title: children})
    return kept


def plugin_today(value: str) -> dt.date:
    """``plugins.runbook.today``, else ``$RUNBOOK_TODAY``, else the real date."""
    text = value or os.environ.get("RUNBOOK_TODAY", "")
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        where = "plugins.runbook.today" if value else "RUNBOOK_TODAY"
        raise PluginError(
            f"error: {where} '{text}' is not an ISO date (expected 2026-10-01)"
        ) from None


def plugin_report(path_text: str, base_dir: Path) -> dict[str, Any]:
    """The ``runbook check --json`` report named by ``plugins.runbook.report``."""
    from generator.site.report import read_report

    path = Path(path_text)
    if not path.is_absolute() and not path.exists():
        path = base_dir / path
    try:
        return read_report(path)
    except ValueError as exc:
        raise PluginError(str(exc)) from None
