"""The one settings object: every documented variable lands in its section, bad values are
refused by name, options beat the environment, and it is read once per entry point."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import main
from tracker.settings import DatabaseSettings, Settings, SettingsError, read_settings
from tracker.web import create_app

with warnings.catch_warnings():  # Starlette's notice that it prefers httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SECRET = "settings-test-secret-" + "s" * 32

# README "Configuration": variable, a value, where it lands, what is read.
DOCUMENTED = [
    ("TRACKER_DATABASE_URL", "sqlite:///elsewhere.db", "database.url", "sqlite:///elsewhere.db"),
    ("TRACKER_USER", "ann", "user", "ann"),
    ("TRACKER_HOME_COUNTRY", "IRL", "home_country", "IRL"),
    ("TRACKER_DATA_DIR", "/srv/tracker", "data_dir", Path("/srv/tracker")),
    ("TRACKER_UNIT_NAME", "Testshire PPU", "unit_name", "Testshire PPU"),
    ("TRACKER_UNIT_CONTACT", "desk@testshire.example", "unit_contact", "desk@testshire.example"),
    ("TRACKER_RETENTION_DAYS", "7", "matching.retention_days", 7),
    ("TRACKER_MATCH_THRESHOLD", "0.9", "matching.match_threshold", 0.9),
    ("TRACKER_REVIEW_THRESHOLD", "0.4", "matching.review_threshold", 0.4),
    ("TRACKER_RETRAIN_AFTER_LABELS", "0", "matching.retrain_after_labels", 0),
    (
        "TRACKER_FEED_BASE_URL",
        "https://police.example/wanted/",
        "feed.base_url",
        "https://police.example/wanted",
    ),
    ("TRACKER_FEED_PUBLISHER", "Testshire Police", "feed.publisher", "Testshire Police"),
    ("TRACKER_FEED_POLICE_LINE", "Call 112", "feed.police_line", "Call 112"),
    ("TRACKER_FEED_ANONYMOUS_LINE", "Call 0800", "feed.anonymous_line", "Call 0800"),
    ("TRACKER_IDLE_MINUTES", "5", "web.idle_minutes", 5),
    ("TRACKER_SESSION_HOURS", "2", "web.session_hours", 2),
    ("TRACKER_TRUSTED_PROXIES", "10.0.0.1", "web.trusted_proxies", "10.0.0.1"),
    ("TRACKER_SIGNIN_MAX_FAILURES", "3", "sign_in.max_failures", 3),
    ("TRACKER_SIGNIN_MAX_DELAY_MINUTES", "20", "sign_in.max_delay_minutes", 20),
    ("TRACKER_SIGNIN_LOCK_MINUTES", "25", "sign_in.max_delay_minutes", 25),
    ("TRACKER_SIGNIN_CLIENT_LIMIT", "9", "sign_in.client_limit", 9),
    (
        "TRACKER_SMTP_URL",
        "smtp://mail.ppu.example:25",
        "alerts.smtp_url",
        "smtp://mail.ppu.example:25",
    ),
    ("TRACKER_SMTP_URL", "smtps://mail.ppu.example", "alerts.smtp_url", "smtps://mail.ppu.example"),
    ("TRACKER_DUTY_EMAIL", "duty@ppu.example", "alerts.duty_email", "duty@ppu.example"),
    ("TRACKER_ALERT_FROM", "tracker@ppu.example", "alerts.alert_from", "tracker@ppu.example"),
    (
        "TRACKER_ESCALATION_EMAIL",
        "a@ppu.example, b@ppu.example",
        "alerts.escalation_email",
        "a@ppu.example, b@ppu.example",
    ),
    ("TRACKER_ESCALATE_AFTER_MINUTES", "5", "alerts.escalate_after_minutes", 5),
    ("TRACKER_ALERT_TIMEOUT_SECONDS", "2.5", "alerts.timeout_seconds", 2.5),
    ("TRACKER_API_MAX_BODY_BYTES", "65536", "api.max_body_bytes", 65536),
    ("TRACKER_API_RATE_PER_MINUTE", "60", "api.rate_per_minute", 60),
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No TRACKER_* setting from the shell running the tests (the test databases' stay)."""
    for name in list(os.environ):
        if name.startswith("TRACKER_") and not name.endswith("_PG_URL"):
            monkeypatch.delenv(name)


def _at(settings: Settings, path: str):
    value = settings
    for part in path.split("."):
        value = getattr(value, part)
    return value


@pytest.mark.parametrize(("variable", "raw", "path", "expected"), DOCUMENTED)
def test_every_documented_variable_is_read_into_its_section(
    monkeypatch, variable, raw, path, expected
):
    before = _at(read_settings(), path)
    monkeypatch.setenv(variable, raw)
    assert before != expected
    assert _at(read_settings(), path) == expected


def test_the_webhook_is_read_with_its_secret_which_is_never_shown(monkeypatch):
    webhook_secret = "w" * 32
    monkeypatch.setenv("TRACKER_WEBHOOK_URL", "https://control-room.example/hooks")
    with pytest.raises(SettingsError, match="needed with TRACKER_WEBHOOK_URL"):
        read_settings()
    monkeypatch.setenv("TRACKER_WEBHOOK_SECRET", webhook_secret)
    alerts = read_settings().alerts
    assert alerts.webhook_url == "https://control-room.example/hooks"
    assert alerts.webhook_secret.get_secret_value() == webhook_secret
    assert webhook_secret not in repr(alerts)


def test_the_secret_key_is_read_and_never_shown(monkeypatch):
    monkeypatch.setenv("TRACKER_SECRET_KEY", SECRET)
    settings = read_settings()
    assert settings.web.secret_key.get_secret_value() == SECRET
    assert SECRET not in repr(settings)


def test_defaults_are_the_documented_ones(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    settings = read_settings()
    assert settings.database.url == f"sqlite:///{(tmp_path / 'tracker.db').as_posix()}"
    assert (settings.user, settings.home_country, settings.data_dir) == (
        None,
        "GBR",
        Path("tracker-data"),
    )
    matching = settings.matching
    assert (matching.match_threshold, matching.review_threshold) == (0.95, 0.5)
    assert (matching.retention_days, matching.retrain_after_labels) == (30, 50)
    assert (settings.web.idle_minutes, settings.web.session_hours) == (30, 12)
    assert settings.web.trusted_proxies == "" and settings.web.secret_key is None
    sign_in = settings.sign_in
    assert (sign_in.max_failures, sign_in.max_delay_minutes, sign_in.client_limit) == (5, 15, 30)
    assert settings.feed.publisher == settings.unit_name == "Public Protection Unit"
    alerts = settings.alerts
    assert (alerts.smtp_url, alerts.duty_email, alerts.escalation_email) == (None, None, None)
    assert (alerts.alert_from, alerts.escalate_after_minutes) == ("tracker@localhost", 15)
    assert (alerts.webhook_url, alerts.webhook_secret, alerts.timeout_seconds) == (None, None, 5)


def test_the_feed_is_published_by_the_unit_unless_named(monkeypatch):
    monkeypatch.setenv("TRACKER_UNIT_NAME", "Testshire PPU")
    assert read_settings().feed.publisher == "Testshire PPU"
    monkeypatch.setenv("TRACKER_FEED_PUBLISHER", "Testshire Police")
    assert read_settings().feed.publisher == "Testshire Police"


def test_the_new_name_beats_its_old_alias(monkeypatch):
    monkeypatch.setenv("TRACKER_SIGNIN_LOCK_MINUTES", "25")
    monkeypatch.setenv("TRACKER_SIGNIN_MAX_DELAY_MINUTES", "20")
    assert read_settings().sign_in.max_delay_minutes == 20


def test_nested_names_work_too(monkeypatch):
    monkeypatch.setenv("TRACKER_FEED__BASE_URL", "https://police.example/nested")
    monkeypatch.setenv("TRACKER_SIGN_IN__CLIENT_LIMIT", "4")
    settings = read_settings()
    assert settings.feed.base_url == "https://police.example/nested"
    assert settings.sign_in.client_limit == 4


def test_an_empty_variable_means_unset(monkeypatch):
    monkeypatch.setenv("TRACKER_USER", "")
    monkeypatch.setenv("TRACKER_IDLE_MINUTES", "")
    settings = read_settings()
    assert settings.user is None and settings.web.idle_minutes == 30


def test_an_option_beats_the_environment(monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", "sqlite:///from-env.db")
    monkeypatch.setenv("TRACKER_USER", "ann")
    given = read_settings(database={"url": "sqlite:///given.db"}, user="sue")
    assert (given.database.url, given.user) == ("sqlite:///given.db", "sue")
    unset = read_settings(database=None, user=None)
    assert (unset.database.url, unset.user) == ("sqlite:///from-env.db", "ann")
    built = Settings(database=DatabaseSettings(url="sqlite://"))
    assert built.database.url == "sqlite://" and built.user == "ann"


@pytest.mark.parametrize(
    ("variable", "raw", "why"),
    [
        ("TRACKER_IDLE_MINUTES", "abc", "valid integer"),
        ("TRACKER_SESSION_HOURS", "0", "greater than or equal to 1"),
        ("TRACKER_MATCH_THRESHOLD", "1.5", "less than 1"),
        ("TRACKER_RETENTION_DAYS", "-1", "greater than or equal to 0"),
        ("TRACKER_RETRAIN_AFTER_LABELS", "some", "valid integer"),
        ("TRACKER_SIGNIN_LOCK_MINUTES", "soon", "valid integer"),
        ("TRACKER_FEED_BASE_URL", "police.example/x", "must be an absolute"),
        ("TRACKER_WEB__IDLE_MINUTES", "x", "valid integer"),
        ("TRACKER_SMTP_URL", "mail.ppu.example:25", "must be smtp://HOST:PORT or smtps://"),
        ("TRACKER_SMTP_URL", "http://mail.ppu.example", "must be smtp://HOST:PORT or smtps://"),
        ("TRACKER_SMTP_URL", "smtp://mail.ppu.example:99999", "Port out of range"),
        ("TRACKER_DUTY_EMAIL", "duty officer", "is not an e-mail address"),
        ("TRACKER_ESCALATION_EMAIL", "a@ppu.example, Sup <b@x>", "is not an e-mail address"),
        ("TRACKER_ESCALATE_AFTER_MINUTES", "0", "greater than or equal to 1"),
        ("TRACKER_ALERT_TIMEOUT_SECONDS", "0", "greater than 0"),
        ("TRACKER_WEBHOOK_URL", "ftp://control-room.example", "must be an absolute http"),
    ],
)
def test_an_invalid_value_is_refused_with_its_name(monkeypatch, variable, raw, why):
    monkeypatch.setenv(variable, raw)
    with pytest.raises(SettingsError, match=why) as refused:
        read_settings()
    assert f"{variable}={raw!r}" in str(refused.value)


def test_the_cli_prints_a_refused_setting_plainly(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_IDLE_MINUTES", "abc")
    result = CliRunner().invoke(main, ["--db", f"sqlite:///{tmp_path / 't.db'}", "stats"])
    assert result.exit_code == 1
    assert "Error: invalid setting: TRACKER_IDLE_MINUTES='abc'" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_nightly_options_beat_the_settings_which_beat_the_defaults(monkeypatch, tmp_path):
    import tracker.pipeline
    from tracker.services.locks import LockHeld

    seen = {}

    def run_nightly(sessions, options):
        seen["options"] = options
        raise LockHeld("stopped before any work")

    monkeypatch.setenv("TRACKER_MATCH_THRESHOLD", "0.9")
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", "7")
    monkeypatch.setattr(tracker.pipeline, "run_nightly", run_nightly)
    monkeypatch.setattr("tracker.cli.app.AppContext.sessions", lambda self: None)
    result = CliRunner().invoke(
        main, ["nightly", "--inbox", str(tmp_path), "--review-threshold", "0.6"]
    )
    assert result.exit_code == 1 and "stopped before any work" in result.output
    options = seen["options"]
    assert options.retention_days == 7
    assert options.link_settings.match_threshold == 0.9
    assert options.link_settings.review_threshold == 0.6
    assert options.settings.matching.retention_days == 7


def test_the_app_reads_the_environment_once(monkeypatch, db_url, tmp_path):
    monkeypatch.setenv("TRACKER_FEED_BASE_URL", "https://police.example/first")
    monkeypatch.setenv("TRACKER_IDLE_MINUTES", "7")
    app = create_app(db_url, secret_key=SECRET, data_dir=tmp_path)
    monkeypatch.setenv("TRACKER_FEED_BASE_URL", "https://police.example/changed")
    monkeypatch.setenv("TRACKER_IDLE_MINUTES", "8")
    monkeypatch.setenv("TRACKER_SIGNIN_MAX_FAILURES", "1")
    try:
        feed = TestClient(app).get("/public/most-wanted.json").json()
        assert feed["_links"]["self"]["href"].startswith("https://police.example/first/")
        assert app.state.settings.idle_minutes == 7
        assert app.state.settings.throttle.free_failures == 5
    finally:
        app.state.engine.dispose()
