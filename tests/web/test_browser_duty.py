"""The duty page in a real Chromium while `tracker serve`'s app runs under uvicorn with its
lifespan (so the alert dispatcher runs) and a real SMTP server listens: an alert raised while
the page is open appears without a reload, the tab's title counts it, the tone is played,
the duty officer's e-mail arrives, and Acknowledge moves it down. Also at 390 px."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from scenario import build_scenario
from test_browser import FLAGS, VIEWPORT, _free_port, _unavailable, shoot, sign_in
from webtools import SECRET

from tracker.db import make_engine, make_session_factory, transaction, upgrade_to_head
from tracker.models import Flag
from tracker.services.alerts import raise_level_one
from tracker.settings import DatabaseSettings, Settings
from tracker.settings_alerts import AlertSettings

pytestmark = pytest.mark.browser

DUTY = "duty.officer@ppu.example"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def mailbox():
    from aiosmtpd.controller import Controller

    received: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 accepted"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield f"smtp://127.0.0.1:{port}", received
    controller.stop()


@pytest.fixture(scope="module")
def duty_server(tmp_path_factory, population, mailbox):
    """uvicorn serving the scenario with the app's lifespan on (the dispatcher starts)."""
    import uvicorn

    from tracker.web import create_app

    folder = tmp_path_factory.mktemp("duty-browser")
    url = f"sqlite:///{(folder / 'tracker.db').as_posix()}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    scenario = build_scenario(make_session_factory(engine), population)
    engine.dispose()
    settings = Settings(
        database=DatabaseSettings(url=url),
        alerts=AlertSettings(smtp_url=mailbox[0], duty_email=DUTY, timeout_seconds=2),
    )
    app = create_app(
        settings, secret_key=SECRET, data_dir=folder, clock=time.time, alert_sweep_seconds=3600
    )
    port = _free_port()
    instance = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
        )
    )
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", scenario, app
    instance.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def tab(tmp_path_factory):
    from pathlib import Path

    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        _unavailable(f"{chromium} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    driver = sync_playwright().start()
    try:
        context = driver.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("duty-profile")),
            executable_path=str(chromium),
            headless=True,
            args=[*FLAGS, "--autoplay-policy=no-user-gesture-required"],
            viewport=VIEWPORT,
            timeout=30_000,
        )
    except Exception as exc:
        driver.stop()
        _unavailable(f"Chromium could not start: {str(exc).splitlines()[0]}")
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()
    driver.stop()


def _raise(app, flag_id: int, flight: str) -> int:
    with transaction(app.state.sessions) as session:
        alert = raise_level_one(
            session,
            session.get(Flag, flag_id),
            screening_id=None,
            reason="wanted offender, match band",
            flight=flight,
            departure_time=datetime.now(UTC) + timedelta(hours=5),
            now=datetime.now(UTC),
        )
        return alert.id


def test_an_alert_raised_while_the_page_is_open_appears_live(duty_server, tab, mailbox):
    base, scenario, app = duty_server
    sign_in(tab, base, "ann", "/duty")
    assert tab.title() == "Duty · Tracker"
    assert tab.locator("#duty-none").is_visible()

    started = time.monotonic()
    alert_id = _raise(app, scenario.flags["escalated"], "BA0123")
    card = tab.locator(f"#alert-{alert_id}")
    card.wait_for(state="visible", timeout=6_000)
    seen_after = time.monotonic() - started
    tab.wait_for_function("document.title.startsWith('(1) Level one')", timeout=3_000)
    assert tab.title() == "(1) Level one — Duty · Tracker"
    assert "BA0123" in card.inner_text()
    assert tab.evaluate("document.body.dataset.tones") == "1"
    assert seen_after < 4.5, seen_after
    deadline = time.monotonic() + 5
    while not mailbox[1] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mailbox[1] and mailbox[1][0].rcpt_tos == [DUTY]
    shoot(tab, "duty-live")

    tab.click(f"#ack-{alert_id}")
    tab.wait_for_url(base + "/duty")
    assert f"Alert {alert_id} acknowledged" in tab.inner_text("main")
    assert tab.locator(f"#done-{alert_id}").is_visible()
    assert tab.title() == "Duty · Tracker"
    assert tab.errors == []


def test_the_duty_page_fits_a_390_px_screen(duty_server, tab):
    base, scenario, app = duty_server
    tab.set_viewport_size(PHONE)
    try:
        alert_id = _raise(app, scenario.flags["markup"], "LH0901")
        tab.goto(base + "/duty")
        tab.locator(f"#alert-{alert_id}").wait_for(state="visible")
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert tab.locator(f"#ack-{alert_id}").is_visible()
        shoot(tab, "duty-390", full_page=True)
    finally:
        tab.set_viewport_size(VIEWPORT)
    assert tab.errors == []
