"""The queue, approvals and audit pages on a 390 px phone in a real Chromium: the page never
scrolls sideways (wide tables scroll inside their own box) and a date stays on one line (same
server and browser as test_browser.py)."""

from __future__ import annotations

import pytest
from test_browser import chromium, page, server, shoot, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
PAGE_WIDTH = "document.documentElement.scrollWidth"
#: Dates whose text is laid out on more than one line (wrapped mid-value).
WRAPPED_DATES = """cells => cells.filter(c => {
    const text = document.createRange();
    text.selectNodeContents(c);
    return text.getClientRects().length > 1;
}).map(c => c.innerText)"""


@pytest.mark.parametrize(
    ("path", "table", "name"),
    [
        ("/queue", "table.queue", "queue-390"),
        ("/approvals", "table.publications, table.candidates", "approvals-390"),
        ("/admin/audit", "table.audit", "audit-390"),
    ],
)
def test_a_page_fits_a_390_px_screen(server, page, path, table, name):  # noqa: F811
    base, _ = server
    page.set_viewport_size(PHONE)
    try:
        sign_in(page, base, "sam", path)
        assert page.locator(table).count() >= 1
        assert page.evaluate(PAGE_WIDTH) <= PHONE["width"]
        assert page.locator(".table-scroll").count() >= 1
        assert page.eval_on_selector_all("td.date, span.date", WRAPPED_DATES) == []
        shoot(page, name, full_page=True, docs=name != "queue-390")
    finally:
        page.set_viewport_size(DESKTOP)
    assert page.errors == []


SCROLL_WIDTH = "document.scrollingElement.scrollWidth"


@pytest.mark.parametrize("who", ["sam", "ann"])
def test_case_work_pages_never_scroll_sideways_at_390_px(server, page, who):  # noqa: F811
    """The queue, an offender's record (its flags, travel, packages and audit as stacked
    cards), a flag's evidence and the latest run's report, for a supervisor (who also sees
    the record's audit) and an analyst."""
    base, scenario = server
    flag_id = scenario.flags["alias"]
    paths = ["/queue", "/offenders/VR-HARD-alias", f"/flags/{flag_id}", "/reports/latest"]
    page.set_viewport_size(PHONE)
    try:
        sign_in(page, base, who, paths[0])
        for path in paths:
            page.goto(base + path)
            assert page.evaluate(SCROLL_WIDTH) <= PHONE["width"], path
    finally:
        page.set_viewport_size(DESKTOP)
    assert page.errors == []
