"""The MkDocs plugin ``runbook``: YAML runbooks become in-memory pages (thin adapter).

``on_files`` loads ``runbooks/`` (``generator.load.tree``), asks ``generator.render.page`` for each
runbook page and ``generator.site.layout*`` for the listing pages, and adds them with
``File.generated`` (never written into ``docs_dir``). It sets the navigation
(organisation > service > runbook; ``navigation.prune`` keeps each page's copy small),
watches ``runbooks/`` for ``serve``, sanitises every generated page's HTML, trims pages
(``generator.site.html``: no variables block twice, a two-level TOC on runbook pages, no
indentation between tags) and points MkDocs' link warnings at the YAML line they come from
(``generator.site.link_warnings``). An alert one runbook handles becomes a redirect file, not a
themed page. In ``build``, worker processes convert, finish and index the generated pages
(``generator.site._parallel``).

Under ``serve --dirty`` (``runbook serve`` uses it) only the pages ``generator.site.rebuild``
names are rebuilt: those whose Markdown or printed navigation changed.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from checks.problems import Problem, Severity
from checks.terminal import visible
from generator.errors import RunbookError
from generator.load.cache import ParseCache
from generator.model import NOWHERE
from generator.site._parallel import ParallelRenderer, PrerenderedPage
from generator.site._templates import CompiledTemplates
from generator.site._theme import ParallelTheme
from generator.site.config import (
    add_asset_files,
    add_requirements,
    merge_nav,
    plugin_report,
    plugin_today,
)
from generator.site.generated import display_path, page_source, redirect_file
from generator.site.html import (
    add_security_policy,
    collapse_whitespace,
    defer_theme_scripts,
    drop_unused_diagram_script,
    drop_variables_block,
    hoist_search_scripts,
    shallow_toc,
    start_search_engine,
)
from generator.site.link_warnings import LocatingFilter, Source
from generator.site.page_form import add_form_data
from generator.site.rebuild import LastBuild
from generator.site.safety import sanitize_html
from generator.site.search import PageFacts, mark_page, page_kind
from generator.site.search_index import SERVE_MARKER, BackgroundIndexer, index_site
from generator.site.tree import SitePage, load_site

log = logging.getLogger("mkdocs.plugins.runbook")


class RunbookPluginConfig(base.Config):  # type: ignore[no-untyped-call]
    """``plugins: [runbook: {root: runbooks, report: '', today: ''}]``."""

    root = c.Type(str, default="runbooks")
    """The runbooks folder, relative to ``mkdocs.yml``."""
    report = c.Type(str, default="")
    """A ``runbook check --json`` report: each block shows when it last passed or failed."""
    today = c.Type(str, default="")
    """ISO date for stale badges; default ``$RUNBOOK_TODAY``, else the real date."""
    sanitize = c.Type(bool, default=True)
    """Clean the HTML of generated pages with nh3 (never turn off for untrusted YAML)."""
    jobs = c.Type(int, default=0)
    """Processes converting generated pages' Markdown in ``build``: 0 one per core, 1 none."""


class GeneratedPage(File):
    """A generated page that knows whether its Markdown changed since the last build.

    MkDocs asks ``is_modified`` under ``--dirty``; in-memory files otherwise always say yes.
    """

    changed: bool = True

    def is_modified(self) -> bool:
        return self.changed


class RunbookPlugin(BasePlugin[RunbookPluginConfig]):  # type: ignore[no-untyped-call]
    """Adds runbook, organisation, service, alert, tag and home pages to the site."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.pages_built = 0
        self.redirects_built = 0
        """Alert URLs written as redirects (not counted in ``pages_built``)."""
        self.input_failed = False
        """True when the last build stopped on bad input (runbooks, report, settings)."""
        self.problems: tuple[Problem, ...] = ()
        """Problems of the last load; the build command reads them for its exit code."""
        self._dirty = False
        self._last = LastBuild()
        self._parse_cache = ParseCache(None)  # in memory, across serve rebuilds
        self._sources: dict[str, Source] = {}
        self._cache: dict[Any, str] = {}
        self._own_nav = True
        self._user_nav: list[Any] = []
        self._root = Path("runbooks")
        self._today = dt.date.today()
        self._results: dict[str, Any] | None = None
        """The check report's results by block id; None without a report."""
        self._filter = LocatingFilter(self._sources)
        self._renderer: ParallelRenderer | None = None
        self._theme: ParallelTheme | None = None
        self._search_meta: dict[str, Any] = {}
        self._facts: dict[str, PageFacts] = {}
        """Search filters and labels of each generated page (by source path)."""
        self._forms: dict[str, str] = {}
        """Each runbook page's variables form data (by source path), when it has variables."""
        self._templates = CompiledTemplates()
        """The theme's compiled templates, for every serve rebuild's new environment."""
        self._indexer: BackgroundIndexer | None = None
        """Under ``serve``: the search index is rebuilt after each rebuild, in the background."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Its presence keeps this instance (and its caches) alive across serve rebuilds.
        self._dirty = dirty
        # MkDocs may hand a later build in this process the same instance: decide each time
        # (one indexer per serve: two would write the same bundle at once).
        self._indexer = (self._indexer or BackgroundIndexer()) if command == "serve" else None

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        from generator.site.serve import keep_serving

        keep_serving(server)
        return server

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.input_failed = False
        base_dir = Path(config.config_file_path or ".").resolve().parent
        # `runbook serve --root` reaches us through the environment (serve reloads config).
        from_env = os.environ.get("RUNBOOK_ROOT")
        root = Path(from_env or self.config.root)
        if not root.is_absolute():
            root = base_dir / root
        if not root.is_dir():
            self.input_failed = True
            where = "RUNBOOK_ROOT" if from_env else "plugins.runbook.root"
            raise PluginError(f"error: {where}: runbooks root '{root}' is not a folder")
        self._root = display_path(root)
        if str(root) not in config.watch:
            config.watch.append(str(root))
        self._own_nav = config.nav is None
        self._user_nav = list(config.nav or [])
        for what in add_requirements(config):
            log.debug(f"runbook plugin: enabled {what}")
        try:
            self._today = plugin_today(self.config.today)
            self._results = (
                plugin_report(self.config.report, base_dir) if self.config.report else None
            )
        except PluginError:
            self.input_failed = True
            raise
        pages_log = logging.getLogger("mkdocs.structure.pages")
        if self._filter not in pages_log.filters:
            pages_log.addFilter(self._filter)
        return config

    @event_priority(50)  # before other plugins' on_files: they may want to see our pages
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        try:
            site = load_site(
                self._root,
                today=self._today,
                results=self._results,
                cache=self._cache,
                parse_cache=self._parse_cache,
                jobs=self.config.jobs or None,
                directory_urls=config.use_directory_urls,
            )
        except RunbookError as exc:  # a comms template that cannot render, ...
            self.problems = exc.problems or (Problem(NOWHERE, Severity.ERROR, exc.message),)
            self.input_failed = True
            raise PluginError(exc.format()) from None
        self.problems = site.problems
        errors = [p for p in site.problems if p.severity is Severity.ERROR]
        for problem in site.problems:
            if problem.severity is not Severity.ERROR:
                log.info(str(problem))
        if errors:
            self.input_failed = True
            raise PluginError("\n".join(str(p) for p in errors))

        self._sources.clear()
        self._facts = {p.uri: p.search or (("meta:kind", page_kind(p.uri)),) for p in site.pages}
        self._forms = {p.uri: p.form for p in site.pages if p.form}
        own = self._own_nav and "navigation.prune" in (config.theme.get("features") or ())
        self._last.begin(site, config.site_dir, dirty=self._dirty, pages_print_own_branch=own)
        redirects: list[SitePage] = []
        for page in site.pages:
            self._check_collision(files, page, page.uri)
            if page.uri == "index.md" and files.get_file_from_path(page.uri) is not None:
                continue  # a hand-written home page wins
            if page.redirect is not None:
                redirects.append(page)  # once every page it may point at is in `files`
                continue
            f = self._add(files, config, page.uri, page_source(page), page.in_nav, True)
            # Sets f.page; its HTML may come from a worker.
            kept = self._dirty and not f.changed
            PrerenderedPage(self._last.kept_title(page.uri) if kept else None, f, config)
            if page.source is not None:
                self._sources[page.uri] = Source(
                    page.source.path, page.source.line, page.source.col
                )
        for page in redirects:
            uri, text = redirect_file(page, files, config)
            self._check_collision(files, page, uri)
            self._add(files, config, uri, text, page.in_nav, False)
        self.pages_built = self._last.files_done() - len(redirects)
        self.redirects_built = len(redirects)
        config.nav = site.nav if self._own_nav else merge_nav(self._user_nav, site.nav)
        add_asset_files(files, config)
        return files

    @event_priority(-100)  # last: workers see the pages and files every plugin left
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        pages = [
            f.page
            for f in files.documentation_pages()
            if isinstance(f.page, PrerenderedPage) and (not self._dirty or f.is_modified())
        ]
        uris = [p.file.src_uri for p in pages]
        self._renderer = ParallelRenderer.start(
            config, files, uris, self._finish_content, self.config.jobs or None
        )
        for page in pages:
            page.renderer = self._renderer
        return nav

    @event_priority(-100)  # last: the workers see the environment every plugin left
    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        if self._dirty:  # for the next serve rebuild; every page rebuilt is converted by now
            pages = files.documentation_pages()
            self._last.remember_titles(
                (f.src_uri, f.page.title) for f in pages if isinstance(f.page, PrerenderedPage)
            )
        if self._renderer is not None and not self._renderer.indexing:
            self._renderer.close(wait=True)  # converted: forking needs its thread gone
        theme = ParallelTheme(self, self.config.jobs or None)
        if theme.install(config):
            self._theme = theme
        self._templates.attach(env)
        return env

    def _close_renderer(self, interrupted: bool = False) -> None:
        if self._renderer is not None:
            renderer = self._renderer
            log.info(
                f"converted {renderer.used} pages and indexed {renderer.indexed} "
                f"in {renderer.workers} processes"
            )
            self._renderer.close()
            self._renderer = None
        if self._theme is not None:
            theme = self._theme
            if theme.workers > 0:
                log.info(f"wrote {theme.built} pages in {theme.workers} processes")
            theme.remove(stop=interrupted)
            self._theme = None

    def _check_collision(self, files: Files, page: SitePage, uri: str) -> None:
        existing = files.get_file_from_path(uri)
        if existing is not None and uri != "index.md":
            self.input_failed = True
            raise PluginError(
                f"{existing.abs_src_path or uri}: error: collides with the page "
                f"generated for {page.source.path if page.source else page.uri}"
            )

    def _add(
        self,
        files: Files,
        config: MkDocsConfig,
        uri: str,
        text: str,
        in_nav: bool,
        themed: bool,
    ) -> GeneratedPage:
        """A generated file, marked changed when a rebuild must write it again (``themed``:
        a page that prints the navigation, not a redirect)."""
        inclusion = InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV
        f = GeneratedPage.generated(config, uri, content=text, inclusion=inclusion)
        assert isinstance(f, GeneratedPage)
        f.changed = self._last.changed(uri, text, f.abs_dest_path, in_navigation=themed)
        files.append(f)
        return f

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if not isinstance(page.file, GeneratedPage):
            return html
        if self._renderer is not None:
            finished = self._renderer.finished(page.file.src_uri, html)
            if finished is not None:
                return finished
        return self._finish_content(html)

    def _finish_content(self, html: str) -> str:
        """What a generated page's HTML needs (also run by the workers)."""
        if self.config.sanitize:
            html = sanitize_html(html)
        return drop_variables_block(html)

    @event_priority(100)  # before search
    def _on_page_context_early(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        if self._renderer is not None and self._renderer.index(page):
            # A worker indexes it; Material's search skips it (documented front matter).
            search = page.meta.get("search")
            self._search_meta[page.file.src_uri] = search
            page.meta["search"] = {**(search or {}), "exclude": True}
        return context

    @event_priority(-100)  # after search, which indexes every heading of the full TOC
    def _on_page_context_late(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        uri = page.file.src_uri
        if uri in self._search_meta:
            search = self._search_meta.pop(uri)
            if search is None:
                del page.meta["search"]
            else:
                page.meta["search"] = search
        if isinstance(page.file, GeneratedPage) and uri.startswith("runbooks/"):
            shallow_toc(page.toc)
        return context

    on_page_context = CombinedEvent(_on_page_context_early, _on_page_context_late)

    @event_priority(100)  # before Material's search (if on) writes its index
    def _on_post_build_early(self, *, config: MkDocsConfig) -> None:
        if self._renderer is not None:
            self._renderer.add_search_entries()
        self._close_renderer()

    @event_priority(-100)  # last: every page and file of every plugin is written
    def _index_for_search(self, *, config: MkDocsConfig) -> None:
        site_dir = Path(config.site_dir)
        if self._indexer is not None:
            self._indexer.start(site_dir)
        else:
            index_site(site_dir)

    on_post_build = CombinedEvent(_on_post_build_early, _index_for_search)

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        generated = isinstance(page.file, GeneratedPage)
        facts = self._facts.get(page.file.src_uri, ()) if generated else ()
        output = mark_page(output, facts)
        if generated and page.file.src_uri in self._forms:
            output = add_form_data(output, self._forms[page.file.src_uri])
        if self._indexer is not None:
            output = output.replace("</head>", SERVE_MARKER + "\n</head>", 1)
        # A control character (an escape sequence in a command) shows as what it is.
        output = defer_theme_scripts(hoist_search_scripts(drop_unused_diagram_script(output)))
        return collapse_whitespace(start_search_engine(add_security_policy(visible(output))))

    def on_post_template(
        self, output_content: str, *, template_name: str, config: MkDocsConfig
    ) -> str:
        # 404.html and other theme pages that are not documents.
        if template_name.endswith(".html"):
            return add_security_policy(output_content)
        return output_content

    def on_shutdown(self) -> None:
        self._close_renderer(interrupted=True)  # Ctrl-C: queued pages are cancelled
        if self._indexer is not None:
            self._indexer.stop()

    def on_build_error(self, *, error: Exception) -> None:
        self._close_renderer()
        self._last.forget()  # a failed serve rebuild must rebuild everything next time
