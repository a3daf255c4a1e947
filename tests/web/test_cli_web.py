"""`tracker users set-password` and `tracker serve` (without starting a real server)."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from tracker.cli import main
from tracker.db import transaction
from tracker.models import User
from tracker.services.people import add_user


def _people(sessions) -> None:
    with transaction(sessions) as s:
        add_user(s, None, "ada", "admin")
        add_user(s, "ada", "ann", "analyst")


def test_set_password_from_standard_input(db_url, sessions):
    _people(sessions)
    result = CliRunner().invoke(
        main,
        ["--db", db_url, "--user", "ada", "users", "set-password", "ann", "--password-stdin"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "password set for ann" in result.output
    with transaction(sessions) as s:
        assert (
            s.scalars(select(User).filter_by(name="ann")).one().password_hash.startswith("$argon2")
        )


def test_set_password_prompts_twice(db_url, sessions):
    _people(sessions)
    runner = CliRunner()
    args = ["--db", db_url, "--user", "ada", "users", "set-password", "ann"]
    mismatch = runner.invoke(
        main, args, input="first passphrase\nother passphrase\nfirst passphrase\nfirst passphrase\n"
    )
    assert mismatch.exit_code == 0, mismatch.output
    assert "first passphrase" not in mismatch.output  # hidden input


def test_set_password_is_for_admins_and_checks_the_rules(db_url, sessions):
    _people(sessions)
    runner = CliRunner()
    refused = runner.invoke(
        main,
        ["--db", db_url, "--user", "ann", "users", "set-password", "ann", "--password-stdin"],
        input="a long passphrase\n",
    )
    assert refused.exit_code == 1 and "users.set_password" in refused.output
    short = runner.invoke(
        main,
        ["--db", db_url, "--user", "ada", "users", "set-password", "ann", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code == 1 and "at least 12" in short.output


def test_serve_starts_uvicorn_with_the_app(db_url, monkeypatch, tmp_path):
    import uvicorn

    started = {}
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app, **kw))
    result = CliRunner().invoke(main, ["--db", db_url, "serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert started["host"] == "127.0.0.1" and started["port"] == 8123
    assert started["app"].state.settings.database_url == db_url
    key = tmp_path / "web-secret.key"
    assert key.exists() and key.stat().st_mode & 0o777 == 0o600


def test_serve_refuses_an_unmigrated_database(empty_db_url, monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    result = CliRunner().invoke(main, ["--db", empty_db_url, "serve"])
    assert result.exit_code == 1 and "tracker db upgrade" in result.output


def test_serve_refuses_a_secret_readable_by_others(db_url, monkeypatch, tmp_path):
    import uvicorn

    key = tmp_path / "web-secret.key"
    key.write_text("x" * 64)
    key.chmod(0o644)
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    result = CliRunner().invoke(main, ["--db", db_url, "serve"])
    assert result.exit_code == 1 and "chmod 600" in result.output
