"""A runbook page in a real Chromium: variable names stay whole on a narrow screen."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

FIRST_COLUMN = """() => {
  const table = document.querySelector('h2#variables').nextElementSibling;
  return [...table.querySelectorAll('tbody td:first-child code')].map(code => ({
    name: code.textContent,
    whiteSpace: getComputedStyle(code).whiteSpace,
    lines: code.getClientRects().length,
  }));
}"""


def test_variable_names_never_wrap_mid_word_on_a_phone(page: Any, site_url: str) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site_url + "runbooks/db-pool/")
    names = page.evaluate(FIRST_COLUMN)
    assert names, "the variables table has no names"
    for name in names:
        assert name["whiteSpace"] == "nowrap", name
        assert name["lines"] == 1, name  # one line box: the name is not broken
