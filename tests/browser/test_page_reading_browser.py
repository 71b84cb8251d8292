"""A runbook page in a real Chromium: variable names stay whole on a narrow screen."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_variable_names_never_wrap_mid_word_on_a_phone(page: Any, site_url: str) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site_url + "runbooks/db-pool/")
    names = page.locator(".runbook-variable-table td:first-child code")
    assert names.count() > 0
    for i in range(names.count()):
        name = names.nth(i)
        assert name.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
        assert name.evaluate("e => e.getClientRects().length") == 1  # one line box
