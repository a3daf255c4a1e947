"""The newcomer's path in a real Chromium: `tracker demo`, then the web application on its
database, signed in with the credentials the demo printed; the daily report fits a phone."""

from __future__ import annotations

import re
import threading
import time

import pytest
from test_browser import _free_port, chromium, page, shoot  # noqa: F401 (fixtures)

from tracker.demo import run_demo
from tracker.web import create_app

pytestmark = pytest.mark.browser

PERSON = re.compile(r"^  (demo-\w+)\s+(\w+)\s+password (\S+)$", re.M)
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The demo's database served as `tracker demo --serve` would, and what the demo printed."""
    import uvicorn

    result = run_demo(tmp_path_factory.mktemp("demo") / "tracker-demo", echo=lambda _: None)
    summary = result.summary()
    app = create_app(result.settings)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", summary
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


def _printed_password(summary: str, name: str) -> str:
    return next(p for n, _, p in PERSON.findall(summary) if n == name)


def _sign_in(tab, base: str, name: str, password: str) -> None:
    tab.goto(base + "/")
    tab.wait_for_url(re.compile("/sign-in"))
    tab.fill("input[name=name]", name)
    tab.fill("input[name=password]", password)
    tab.click("form.stack button[type=submit]")
    tab.wait_for_load_state()
    assert "/sign-in" not in tab.url, tab.inner_text("main")


def test_the_demo_analyst_signs_in_with_the_printed_password(demo_server, page):  # noqa: F811
    base, summary = demo_server
    _sign_in(page, base, "demo-analyst", _printed_password(summary, "demo-analyst"))
    page.goto(base + "/queue")
    assert page.locator("tr.queue-row").count() > 0
    assert not page.errors


def test_the_daily_report_fits_a_phone(demo_server, page):  # noqa: F811
    base, summary = demo_server
    _sign_in(page, base, "demo-supervisor", _printed_password(summary, "demo-supervisor"))
    page.set_viewport_size(PHONE)
    page.goto(base + "/reports/latest")
    assert "Critical cases raised in this run" in page.inner_text("main")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the run's page is {width}px wide"
    shoot(page, "report-390", full_page=True, docs=False)  # the case-work test takes it
    link = page.get_attribute("a[href$='/daily.html']", "href")
    page.goto(base + link)
    assert "Critical cases raised today" in page.inner_text("body")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the report is {width}px wide"
    shoot(page, "daily-report-390", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(base + link)
    shoot(page, "daily-report", full_page=True)


#: The README's pictures of case work, from the demo's data: name, how to reach the page.
CASE_WORK = ("queue", "offender", "flag", "report")


def _case_work_pages(tab, base: str) -> dict[str, str]:
    """The queue, the most severe flag on it, that flag's offender and the latest run."""
    tab.goto(base + "/queue")
    flag = tab.get_attribute("tr.queue-row a.open", "href")
    tab.goto(base + flag)
    offender = tab.get_attribute("#offender-link", "href")
    return {"queue": "/queue", "offender": offender, "flag": flag, "report": "/reports/latest"}


def test_screenshots_of_case_work_on_a_desktop_and_a_phone(demo_server, page):  # noqa: F811
    """docs/screenshots/{queue,offender,flag,report}{,-390}.png with UPDATE_SCREENSHOTS=1;
    on the phone no page scrolls sideways."""
    base, summary = demo_server
    _sign_in(page, base, "demo-supervisor", _printed_password(summary, "demo-supervisor"))
    pages = _case_work_pages(page, base)
    for viewport, suffix in (({"width": 1280, "height": 860}, ""), (PHONE, "-390")):
        page.set_viewport_size(viewport)
        for name in CASE_WORK:
            page.goto(base + pages[name])
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= viewport["width"], f"{name} is {width}px wide"
            shoot(page, name + suffix, full_page=name != "queue")
    page.set_viewport_size({"width": 1280, "height": 860})
    assert not page.errors
