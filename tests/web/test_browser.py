"""The web application in a real Chromium (Debian's, driven by Playwright), against a server
started here on 127.0.0.1 with a free port and a migrated SQLite database holding the scenario.

Locally the tests skip, saying why, when Chromium is missing or cannot start; with ``CI`` set
they fail instead. Screenshots go to test-artifacts/ (and to docs/screenshots/ when
``UPDATE_SCREENSHOTS=1``, for the README).
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest
from scenario import PASSWORD, build_scenario

from tracker.db import make_engine, make_session_factory, upgrade_to_head

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("TRACKER_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 860}


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, population):
    """uvicorn in a background thread, serving a fresh SQLite database with the scenario."""
    import uvicorn
    from webtools import make_app

    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{(folder / 'tracker.db').as_posix()}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    scenario = build_scenario(make_session_factory(engine), population)
    engine.dispose()
    import time as clock

    app = make_app(url, folder, clock=clock.time)
    port = _free_port()
    # The browser keeps connections alive: without a bound, shutting down waits on them.
    instance = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", scenario
    instance.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """A persistent context in a fresh profile folder (the flags known to work here)."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    driver = sync_playwright().start()
    try:
        context = driver.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport=VIEWPORT,
            timeout=30_000,
        )
    except Exception as exc:
        driver.stop()
        _unavailable(f"Chromium at {CHROMIUM} could not start: {str(exc).splitlines()[0]}")
    yield context
    context.close()
    driver.stop()


@pytest.fixture
def page(chromium):
    """A tab that records console errors (a CSP violation is one) and is signed out after."""
    tab = chromium.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.errors = errors
    yield tab
    chromium.clear_cookies()
    tab.close()


def shoot(tab, name: str, full_page: bool = False, docs: bool = True) -> None:
    """A screenshot in test-artifacts/; with UPDATE_SCREENSHOTS=1 also in docs/screenshots/
    (``docs=False``: a page whose README picture is taken from the demo's data instead)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=full_page)
    if docs and os.environ.get("UPDATE_SCREENSHOTS") == "1":  # small palette copy, README
        from PIL import Image

        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with Image.open(path) as image:
            small = image.convert("RGB").quantize(colors=96, method=Image.Quantize.MEDIANCUT)
            small.save(DOCS_SCREENSHOTS / f"{name}.png", optimize=True)


def sign_in(tab, base: str, name: str, path: str) -> None:
    tab.goto(base + path)
    assert "/sign-in" in tab.url
    tab.fill("input[name=name]", name)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("form.stack button[type=submit]")
    tab.wait_for_url(re.compile(re.escape(base + path.split("?")[0])))


def queue_ids(tab) -> list[int]:
    return [
        int(v)
        for v in tab.eval_on_selector_all("tr.queue-row", "rows => rows.map(r => r.dataset.flag)")
    ]


def test_an_analyst_dismisses_the_most_severe_flag_and_an_admin_sees_it(server, page):
    base, scenario = server
    most_severe = scenario.flags["swapped"]
    sign_in(page, base, "ann", "/queue")
    assert queue_ids(page)[0] == most_severe
    shoot(page, "queue", docs=False)

    page.keyboard.press("j")  # keyboard: select the first flag, Enter opens it
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/flags/{most_severe}\b"))
    assert page.locator("#waterfall g.step").count() >= 8
    assert "Total match weight" in page.inner_text("main")
    shoot(page, "flag", full_page=True, docs=False)

    page.check("#decision-dismiss")
    page.fill("#reason", "Different person: date of birth checked with the carrier")
    page.click("#decide-button")
    page.wait_for_url(re.compile(rf"/flags/{scenario.flags['alias']}\?back=%2Fqueue$"))  # next
    assert f"Flag {most_severe} dismissed." in page.inner_text(".flash")
    page.click("#back-link")
    page.wait_for_url(re.compile(r"/queue$"))
    assert most_severe not in queue_ids(page)

    page.select_option("select[name=severity]", "high")  # htmx swaps the results in place
    page.wait_for_function("() => location.search.includes('severity=high')")
    page.wait_for_function(
        "() => [...document.querySelectorAll('tr.queue-row .badge')]"
        ".filter(b => b.textContent === 'medium').length === 0"
    )
    severities = page.eval_on_selector_all(
        "tr.queue-row td:nth-child(2) .badge", "els => els.map(e => e.textContent)"
    )
    assert severities and set(severities) == {"high"}
    page.click("button:has-text('Sign out')")
    page.wait_for_url(re.compile(r"/sign-in"))

    sign_in(page, base, "ada", "/admin/audit?action=decision")
    row = page.locator("tr.audit-row.action-decision").first
    assert "Different person" in row.inner_text() and "ann" in row.inner_text()
    page.wait_for_selector("#verify-status")
    assert "intact" in page.inner_text("#verify-status")
    page.goto(base + "/admin/audit")
    page.wait_for_selector("#verify-status")
    shoot(page, "audit")
    page.goto(base + "/admin/users")
    shoot(page, "users")
    assert page.errors == []


def test_a_supervisor_approves_a_wanted_offender_and_the_feed_carries_them(server, page):
    base, scenario = server
    wanted = scenario.offenders["wanted"]
    sign_in(page, base, "sam", "/approvals")
    candidate = page.locator(f"#candidate-{wanted}")
    candidate.locator("summary").click()
    assert "web-wanted" in candidate.locator("pre").inner_text()
    shoot(page, "approvals")
    candidate.locator("input[name=reason]").fill("Missing three weeks; enquiries exhausted")
    candidate.locator("button:has-text('Approve')").click()
    page.wait_for_url(re.compile(r"/approvals$"))
    assert "approved for the public feed" in page.inner_text(".flash")
    assert page.locator("#feed-web-wanted").count() == 1

    page.goto(base + "/public/most-wanted.json")
    feed = json.loads(page.inner_text("body"))
    assert [item["uid"] for item in feed["items"]] == ["web-wanted"]
    assert "9 Never Published Road" not in json.dumps(feed)
    page.goto(base + "/escalations")
    shoot(page, "escalations")
    page.goto(base + "/reports/latest")
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth)")
    shoot(page, "report", docs=False)
    assert page.errors == []


def test_a_liaison_officer_sees_the_packages_page(server, page):
    base, _ = server
    sign_in(page, base, "liz", "/packages")
    assert "Intelligence packages" in page.inner_text("h1")
    shoot(page, "packages")
    assert page.errors == []


def assigned_to(tab, name: str) -> None:
    """Wait for the flag page (reloaded after an assignment) to name its assignee."""
    tab.wait_for_function(
        "name => document.getElementById('assigned-to')?.textContent === name", arg=name
    )


def test_an_analyst_assigns_flags_and_works_through_a_filtered_queue(server, page):
    base, scenario = server
    alias, escalated = scenario.flags["alias"], scenario.flags["escalated"]
    sign_in(page, base, "ann", "/queue?severity=high")
    assert queue_ids(page) == [alias, escalated]
    page.check("#select-all")  # bulk: every flag on the page to the supervisor
    page.select_option("#bulk-to", "sam")
    page.click("#bulk-assign")
    page.wait_for_url(re.compile(r"/queue\?severity=high$"))
    assert "assigned to sam" in page.inner_text(".flash")
    assigned = page.eval_on_selector_all(
        "tr.queue-row td:nth-child(8)", "cells => cells.map(c => c.textContent.trim())"
    )
    assert assigned == ["sam", "sam"]

    page.click(f"tr.queue-row[data-flag='{alias}'] a.open")
    page.wait_for_url(re.compile(rf"/flags/{alias}\b"))
    assert page.inner_text("#assigned-to") == "sam"
    page.click("#assign-me")
    assigned_to(page, "ann")
    assert page.locator("#assign-me").count() == 0
    page.select_option("#assign-to", "")
    page.click("#assign-button")
    assigned_to(page, "nobody")
    page.click("#assign-me")
    assigned_to(page, "ann")
    assert "assigned to you" in page.inner_text(".flash.success")
    shoot(page, "flag-assigned")

    page.check("#decision-escalate")  # next flag: the following one of the same filters
    page.fill("#reason", "Needs a supervisor: two passports")
    page.click("#decide-button")
    page.wait_for_url(re.compile(rf"/flags/{escalated}\?back=%2Fqueue%3Fseverity%3Dhigh$"))
    assert f"Flag {alias} escalated." in page.inner_text(".flash")
    page.click("#back-link")
    page.wait_for_url(re.compile(r"/queue\?severity=high$"))
    page.check("input[name=mine]")
    page.wait_for_function("() => location.search.includes('mine=1')")
    page.wait_for_function(
        f"() => [...document.querySelectorAll('tr.queue-row')].map(r => r.dataset.flag)"
        f".join() === '{alias}'"
    )
    assert page.errors == []


def test_an_analyst_searches_sorts_and_decides_several_flags_at_once(server, page):
    base, scenario = server
    translit = scenario.flags["translit"]
    sign_in(page, base, "ann", "/queue")
    page.fill("#queue-search", "Жуковский")
    page.press("#queue-search", "Enter")  # htmx swaps the results in place
    page.wait_for_function("() => location.search.includes('q=')")
    page.wait_for_function(
        f"() => [...document.querySelectorAll('tr.queue-row')].map(r => r.dataset.flag)"
        f".join() === '{translit}'"
    )
    page.goto(base + "/queue")
    page.click("#sort-flag_id")
    page.wait_for_url(re.compile(r"sort=flag_id&page=1$"))
    ascending = queue_ids(page)
    assert ascending == sorted(ascending)
    page.click("#sort-flag_id")
    page.wait_for_url(re.compile(r"sort=flag_id%3Adesc&page=1$"))
    assert queue_ids(page) == sorted(ascending, reverse=True)
    shoot(page, "queue-sorted")

    escalated = page.eval_on_selector_all(
        "tr.queue-row:has(.badge.esc)", "rows => rows.map(r => Number(r.dataset.flag))"
    )  # the supervisors' to decide
    chosen = [f for f in ascending if f not in escalated][:2]
    for flag_id in chosen:
        page.check(f"tr.queue-row[data-flag='{flag_id}'] input.pick")
    page.check("#bulk-dismiss")
    page.fill("#bulk-reason", "Same traveller twice: carrier data checked")
    page.click("#bulk-decide")
    page.wait_for_selector(".flash.success")
    assert "dismissed" in page.inner_text(".flash.success")
    assert not set(chosen) & set(queue_ids(page))
    assert page.errors == []
