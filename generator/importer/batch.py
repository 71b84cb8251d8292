"""Paths -> Markdown files -> YAML runbooks written (or not) -> the import report.

Folders are walked in sorted order for ``*.md``, ``*.markdown`` and ``*.md.erb``; outputs
mirror the folders under ``--out-dir``. Bash reads every runnable block of the whole
import in a few ``bash -n`` calls. A file is never overwritten without ``force`` unless
it already holds exactly the new text (so importing twice is harmless).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from checks.shell.syntax import check_bash_syntax
from generator.importer.assemble import assemble, runnable_shell_steps
from generator.importer.build import Draft, build_draft
from generator.importer.drafts import Warning_
from generator.importer.emit import dump_yaml
from generator.importer.naming import Ids
from generator.importer.options import ImportOptions
from generator.importer.report import FileReport, ImportReport
from generator.importer.table import CommandTable

__all__ = ["ImportRequest", "find_markdown", "import_paths", "output_name"]

SUFFIXES = (".md", ".markdown", ".md.erb")


@dataclass(frozen=True, slots=True)
class ImportRequest:
    paths: tuple[str, ...]
    out_dir: str | None = None
    out_file: str | None = None
    dry_run: bool = False
    force: bool = False


def find_markdown(paths: Iterable[str]) -> tuple[list[tuple[str, str]], list[FileReport]]:
    """(file, path relative to its walked folder) for every Markdown file, and a report for
    each path that does not exist."""
    found: list[tuple[str, str]] = []
    missing: list[FileReport] = []
    for path in paths:
        if os.path.isfile(path):
            found.append((path, os.path.basename(path)))
        elif os.path.isdir(path):
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
                for name in sorted(files):
                    if name.lower().endswith(SUFFIXES):
                        full = os.path.join(folder, name)
                        found.append((full, os.path.relpath(full, path)))
        else:
            missing.append(FileReport(path, None, error="cannot read: no such file or folder"))
    return found, missing


def output_name(relative: str) -> str:
    """``docs/Alert.md`` -> ``docs/Alert.yaml``."""
    lower = relative.lower()
    for suffix in SUFFIXES[::-1]:
        if lower.endswith(suffix):
            return relative[: -len(suffix)] + ".yaml"
    return relative + ".yaml"


def import_paths(
    request: ImportRequest, opts: ImportOptions, table: CommandTable
) -> tuple[ImportReport, dict[str, str]]:
    """Import every Markdown file under ``request.paths``; return the report and the YAML
    text of each output path (written unless ``dry_run``)."""
    files, missing = find_markdown(request.paths)
    report = ImportReport(files=list(missing))
    drafts: list[tuple[FileReport, Draft]] = []
    ids = Ids()
    outputs_taken = Ids()
    for path, relative in files:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            report.files.append(FileReport(path, None, error=f"cannot read: {exc.strerror or exc}"))
            continue
        draft = build_draft(path, data, opts, table)
        wanted = draft.id
        draft.id = ids.claim(wanted)
        if draft.id != wanted:
            draft.warnings.append(
                Warning_(
                    1,
                    1,
                    "id-clash",
                    f"id '{wanted}' (from the {draft.id_from}) is taken by another file; "
                    f"this one is '{draft.id}'",
                )
            )
        out = request.out_file or os.path.join(request.out_dir or ".", output_name(relative))
        taken = outputs_taken.claim(os.path.normpath(out)[: -len(".yaml")]) + ".yaml"
        entry = FileReport(path, taken, id=draft.id, snippets=draft.snippets)
        report.files.append(entry)
        drafts.append((entry, draft))
    verdicts = _bash_verdicts(drafts)
    texts: dict[str, str] = {}
    for entry, draft in drafts:
        done = assemble(draft, verdicts, opts, table)
        entry.sections, entry.kinds, entry.rules = done.sections, done.kinds, done.rules
        entry.samples, entry.variables = done.samples, done.variables
        entry.warnings = sorted(done.warnings, key=lambda w: (w.line, w.col))
        assert entry.output is not None
        header = _header(entry.output, draft, opts)
        text = dump_yaml(done.mapping, header)
        texts[entry.output] = text
        if not request.dry_run:
            _write(entry, text, force=request.force)
    return report, texts


def _bash_verdicts(drafts: list[tuple[FileReport, Draft]]) -> dict[str, str | None]:
    texts = sorted({s.decision.run for _, d in drafts for s in runnable_shell_steps(d.sections)})
    if not texts:
        return {}
    try:
        results = check_bash_syntax(texts)
    except FileNotFoundError:
        return {}
    return {
        t: (f"line {r.line}: {r.message}" if r is not None else None)
        for t, r in zip(texts, results, strict=True)
    }


def _header(output: str, draft: Draft, opts: ImportOptions) -> list[str]:
    schema = _schema_path(output, opts.schema_path)
    lines = [f"yaml-language-server: $schema={schema}"]
    lines.append(
        f"imported from {_display(draft.source)} by 'runbook import': review each step's kind"
    )
    if draft.front_comments:
        lines.append("front matter kept as written (no runbook field for these keys):")
        lines.extend(draft.front_comments)
    return lines


def _display(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative.replace(os.sep, "/")


def _schema_path(output: str, explicit: str | None) -> str:
    folder = os.path.dirname(os.path.abspath(output))
    if explicit is not None:
        return os.path.relpath(os.path.abspath(explicit), folder).replace(os.sep, "/")
    probe = folder
    while True:
        candidate = os.path.join(probe, "runbook.schema.json")
        if os.path.isfile(candidate):
            return os.path.relpath(candidate, folder).replace(os.sep, "/")
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    fallback = os.path.abspath(os.path.join("runbooks", "runbook.schema.json"))
    if os.path.isfile(fallback):
        return os.path.relpath(fallback, folder).replace(os.sep, "/")
    return "runbook.schema.json"


def _write(entry: FileReport, text: str, *, force: bool) -> None:
    from checks.files import write_atomic

    assert entry.output is not None
    try:
        with open(entry.output, encoding="utf-8") as handle:
            if handle.read() == text:
                return
        if not force:
            entry.error = f"{entry.output} exists (use --force to overwrite it)"
            return
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError):
        if not force:
            entry.error = f"{entry.output} exists (use --force to overwrite it)"
            return
    try:
        os.makedirs(os.path.dirname(entry.output) or ".", exist_ok=True)
        write_atomic(entry.output, text, durable=False)
        entry.written = True
    except OSError as exc:
        entry.error = f"cannot write {entry.output}: {exc.strerror or exc}"
