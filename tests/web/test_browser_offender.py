"""The offender page in a real Chromium: an analyst opens a flag, follows the register
reference to the offender's record, and comes back to the flag from it (same server, browser
and screenshots as test_browser.py)."""

from __future__ import annotations

import re

import pytest
from test_browser import chromium, page, server, shoot, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_an_analyst_opens_the_offender_from_a_flag_and_returns(server, page):  # noqa: F811
    base, scenario = server
    flag_id = scenario.flags["alias"]
    sign_in(page, base, "ann", f"/flags/{flag_id}")
    page.click("#offender-link")
    page.wait_for_url(re.compile(r"/offenders/VR-HARD-alias\?back="))
    assert "KALINOWSKA, BRONISLAWA" in page.inner_text("h1")
    main = page.inner_text("main")
    assert "Zielinska, Bronislawa" in main and "Flags (1)" in main
    assert page.locator(f"#offender-flags tr[data-flag='{flag_id}']").count() == 1
    assert page.locator("#offender-travel tbody tr").count() >= 1
    assert page.locator("#offender-audit").count() == 0  # an analyst does not read the trail
    shoot(page, "offender", full_page=True, docs=False)
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "offender-390", full_page=True, docs=False)
    page.click("#back-link")
    page.wait_for_url(re.compile(rf"/flags/{flag_id}$"))
    assert page.errors == []
