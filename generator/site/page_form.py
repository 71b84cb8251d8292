"""What a runbook page's variables form needs, carried in the page as data.

The form itself is drawn by ``assets/javascripts/variables.js`` (so without JavaScript the
page reads as before): it fills in the page's variables from the URL query or an alert's
labels and makes each block's copy button copy ``export NAME='value'`` lines in front of
the command, never a changed command. The script learns the variables from one hidden
element at the end of the article: names, descriptions, defaults, examples, patterns and
choices (what the variables table shows), the names of secrets (never asked for: they
stay in the terminal) and the runbook's ``labels:`` map. The element holds JSON in an
attribute, escaped here; the page Markdown is unchanged.
"""

from __future__ import annotations

import html
import json

from generator.model import Runbook

__all__ = ["FORM_DATA_ID", "add_form_data", "form_data"]

FORM_DATA_ID = "runbook-form-data"


def form_data(runbook: Runbook) -> str:
    """The JSON the page's script reads; empty when the runbook declares no variables."""
    if not runbook.variables:
        return ""
    variables: list[dict[str, object]] = []
    for var in runbook.variables:
        if var.secret:
            continue
        entry: dict[str, object] = {"name": var.name}
        if var.description:
            entry["description"] = var.description
        if var.default is not None:
            entry["default"] = var.default
        if var.example is not None:
            entry["example"] = var.example
        if var.pattern is not None:
            entry["pattern"] = var.pattern
        if var.choices:
            entry["choices"] = list(var.choices)
        if var.required:
            entry["required"] = True
        variables.append(entry)
    data = {
        "variables": variables,
        "secrets": [var.name for var in runbook.variables if var.secret],
        "labels": dict(runbook.labels),
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def add_form_data(page_html: str, data: str) -> str:
    """``page_html`` with the hidden data element last in its ``<article>``."""
    end = page_html.rfind("</article>")
    if not data or end < 0:
        return page_html
    element = (
        f'<div id="{FORM_DATA_ID}" hidden data-variables="{html.escape(data, quote=True)}"></div>'
    )
    return page_html[:end] + element + page_html[end:]
