"""Markdown runbooks -> YAML runbooks (``runbook import``): Markdown bytes in, runbook YAML
text and an import report out.

Stages, in order: ``source`` (bytes -> text and front matter), ``markdown`` (headings and
fences with line maps, markdown-it-py), ``build``/``carve`` (sections, prose, steps),
``decide``/``kinds``/``runnable`` (each block's kind against the command table in
``commands.toml``, loaded by ``table``), ``assemble`` (bash -n verdicts, variables),
``emit`` (YAML that loads back to the same strings), ``batch`` (files, outputs, the
report in ``report``).
"""

from __future__ import annotations

from generator.importer.batch import ImportRequest, find_markdown, import_paths
from generator.importer.options import ImportOptions, OptionError, parse_pairs
from generator.importer.report import FileReport, ImportReport
from generator.importer.table import CommandTable, TableError, load_table

__all__ = [
    "CommandTable",
    "FileReport",
    "ImportOptions",
    "ImportReport",
    "ImportRequest",
    "OptionError",
    "TableError",
    "find_markdown",
    "import_paths",
    "load_table",
    "parse_pairs",
]
