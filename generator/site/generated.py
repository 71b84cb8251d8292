"""What the plugin writes for generated pages beyond their Markdown: the front matter that
gives the theme an escaped title, and the file of an alert's redirect page (outside the
theme). Also how the runbooks root is shown in messages."""

from __future__ import annotations

import json
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

from generator.site.config import REDIRECT_SCRIPT
from generator.site.html import redirect_html
from generator.site.safety import escape_title
from generator.site.tree import SitePage

__all__ = ["display_path", "page_source", "redirect_file"]


def page_source(page: SitePage) -> str:
    """A generated page's Markdown as MkDocs gets it, with its title in front matter."""
    # The theme puts page.title into <title> and the nav without escaping: give it ours.
    if page.markdown.startswith("---\n"):
        return page.markdown  # render's runbook pages carry their own (escaped) title
    meta = {"title": escape_title(page.title)}
    if page.search_boost:
        meta["search"] = {"boost": page.search_boost}  # type: ignore[assignment]
    return f"---\n{json.dumps(meta)}\n---\n\n{page.markdown}"


def redirect_file(page: SitePage, files: Files, config: MkDocsConfig) -> tuple[str, str]:
    """Where a redirect page is written (as a file, outside the theme) and its HTML."""
    redirect = page.redirect
    assert redirect is not None
    stub = File(page.uri, None, config.site_dir, config.use_directory_urls)
    target = files.get_file_from_path(redirect.to_uri)
    assert target is not None, f"{page.uri} redirects to {redirect.to_uri}, not a page"
    anchor = f"#{redirect.anchor}" if redirect.anchor else ""
    href = get_relative_url(target.url, stub.url) + anchor
    text = redirect_html(
        href,
        title=f"Alert {page.title}",
        text=redirect.text,
        link_text=redirect.link_text,
        after=redirect.after,
        script=get_relative_url(REDIRECT_SCRIPT, stub.url),
    )
    return stub.dest_uri, text


def display_path(path: Path) -> Path:
    """``runbooks`` rather than ``/abs/runbooks`` when under the working directory."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path
