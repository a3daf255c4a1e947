"""Issue 21, item 11: a bad value is named with its reason, no traceback, no file left
behind by a refused command, and output folders are never made."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tracker.cli import main

# Every command that opens the database, with just enough arguments to get that far.
DATABASE_COMMANDS = [
    ["audit", "checkpoint"],
    ["audit", "log"],
    ["audit", "verify"],
    ["db", "current"],
    ["db", "upgrade"],
    ["feed", "approve", "OFF1", "--reason", "r"],
    ["feed", "list"],
    ["feed", "most-wanted"],
    ["feed", "withdraw", "OFF1", "--reason", "r"],
    ["flags", "export"],
    ["flags", "list"],
    ["ingest", "offenders", "offenders.csv"],
    ["keys", "init"],
    ["links", "export"],
    ["match", "health"],
    ["match", "train"],
    ["offenders", "show", "VR-1"],
    ["nightly", "--inbox", "."],
    ["package", "list"],
    ["report", "daily", "--out", "report.html"],
    ["review", "assign", "1", "--to", "me"],
    ["review", "queue"],
    ["review", "show", "1"],
    ["serve"],
    ["stats"],
    ["users", "list"],
    ["users", "add", "ann", "--role", "analyst"],
    ["users", "deactivate", "ann"],
]

DATE_OPTIONS = [
    ["nightly", "--inbox", ".", "--as-of"],
    ["match", "health", "--as-of"],
    ["generate", "--out", "inbox", "--as-of"],
    ["flags", "list", "--since"],
    ["flags", "export", "--since"],
    ["audit", "log", "--since"],
    ["audit", "log", "--until"],
]


@pytest.fixture
def runner(tmp_path, monkeypatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "offenders.csv").write_text("offender_id\n", encoding="utf-8")
    return CliRunner(env={"TRACKER_DATA_DIR": str(tmp_path / "data")})


def _refused(result, *words: str) -> None:
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)
    for word in words:
        assert word in result.output, result.output


@pytest.mark.parametrize("args", DATABASE_COMMANDS, ids=" ".join)
def test_an_unknown_url_scheme_is_named_not_a_traceback(runner, args):
    result = runner.invoke(main, ["--db", "bogus://x", "--user", "ada", *args])
    _refused(result, "--db", "'bogus'", "sqlite:///PATH")


@pytest.mark.parametrize(
    "url, words",
    [
        ("mysql://u@h/d", ["'mysql'"]),
        ("postgresql+psycopg2://u:secret@h/d", ["'postgresql+psycopg2'", "not installed"]),
        ("not a url", ["cannot use database URL"]),
        ("sqlite:////no/such/folder/x.db", ["folder /no/such/folder does not exist"]),
    ],
)
def test_other_unusable_urls_say_why_and_hide_the_password(runner, url, words):
    result = runner.invoke(main, ["--db", url, "stats"])
    _refused(result, *words)
    assert "secret" not in result.output


def test_the_url_from_the_environment_is_checked_the_same_way(runner, monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", "bogus://x")
    _refused(runner.invoke(main, ["stats"]), "'bogus'")


def test_a_file_that_is_not_a_database_is_named(runner, tmp_path):
    (tmp_path / "notes.db").write_text("not a database, just notes " * 10, encoding="utf-8")
    for args in (["stats"], ["db", "current"]):
        result = runner.invoke(main, ["--db", "sqlite:///notes.db", *args])
        _refused(result, "sqlite:///notes.db", "not a database")


@pytest.mark.parametrize(
    "args", [a for a in DATABASE_COMMANDS if a != ["db", "upgrade"]], ids=" ".join
)
def test_a_refused_command_leaves_no_database_file(runner, tmp_path, args):
    result = runner.invoke(main, ["--db", "sqlite:///new.db", "--user", "nobody", *args])
    assert "Traceback" not in result.output
    assert not list(tmp_path.glob("new.db*")), result.output


def test_a_command_on_a_missing_file_says_how_to_create_it(runner, tmp_path):
    result = runner.invoke(main, ["--db", "sqlite:///new.db", "--user", "ann", "review", "queue"])
    _refused(result, "new.db does not exist", "tracker db upgrade")
    current = runner.invoke(main, ["--db", "sqlite:///new.db", "db", "current"])
    assert current.exit_code == 0 and "no file at new.db" in current.output
    assert not (tmp_path / "new.db").exists()


def test_a_failed_upgrade_removes_the_file_it_created(runner, tmp_path, monkeypatch):
    import tracker.cli.database

    def failing_upgrade(engine):
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE half_done (id INTEGER)")
            connection.commit()
        raise RuntimeError("the migration broke")

    monkeypatch.setattr(tracker.cli.database, "upgrade_to_head", failing_upgrade)
    result = runner.invoke(main, ["--db", "sqlite:///new.db", "db", "upgrade"])
    assert result.exit_code == 1 and isinstance(result.exception, RuntimeError)
    assert not list(tmp_path.glob("new.db*"))


def test_a_refusal_never_removes_a_database_that_was_there(runner, db_url):
    result = runner.invoke(main, ["--db", db_url, "--user", "nobody", "review", "queue"])
    _refused(result, "unknown user 'nobody'")
    assert runner.invoke(main, ["--db", db_url, "stats"]).exit_code == 0


@pytest.mark.parametrize("args", DATE_OPTIONS, ids=" ".join)
@pytest.mark.parametrize(
    "value, reason",
    [
        ("2026-02-30", "impossible date: February 2026 has 28 days"),
        ("2025-02-29", "impossible date: February 2025 has 28 days"),
        ("2026-13-01", "impossible date: there is no month 13"),
        ("2026-04-31", "impossible date: April 2026 has 30 days"),
    ],
)
def test_an_impossible_date_is_called_impossible(runner, args, value, reason):
    result = runner.invoke(main, ["--db", "sqlite:///new.db", *args, value])
    _refused(result, reason, args[-1])
    assert "format" not in result.output


@pytest.mark.parametrize("args", DATE_OPTIONS, ids=" ".join)
def test_a_badly_written_date_names_the_form(runner, args):
    result = runner.invoke(main, ["--db", "sqlite:///new.db", *args, "30/02/2026"])
    _refused(result, "'30/02/2026' is not a date written as YYYY-MM-DD")


def test_a_real_leap_day_is_taken(runner):
    from tracker.cli.options import DATE, impossible_date_reason

    assert DATE.convert("2024-02-29", None, None).day == 29
    assert impossible_date_reason("2024-02-29") is None
    assert impossible_date_reason("2024-02-29T10:00:00+0000") is None
    assert impossible_date_reason("0000-01-01") == "there is no year 0"


WRITERS = [
    ["report", "daily", "--out"],
    ["feed", "most-wanted", "--out"],
    ["flags", "list", "--format", "csv", "--out"],
    ["links", "export", "--out"],
    ["review", "queue", "--out"],
    ["stats", "--out"],
    ["generate", "--out"],
]


@pytest.mark.parametrize("args", WRITERS, ids=" ".join)
def test_an_output_folder_must_exist_and_is_not_made(runner, tmp_path, args):
    target = tmp_path / "missing" / "dir" / "x.out"
    result = runner.invoke(main, ["--db", "sqlite:///new.db", "--user", "ada", *args, target])
    _refused(result, f"cannot write {target}: folder {target.parent} does not exist")
    assert result.exit_code == 1
    assert not (tmp_path / "missing").exists()
    assert not (tmp_path / "new.db").exists()


def test_sqlite_file_names_only_a_real_file():
    from pathlib import Path

    from tracker.db import sqlite_file

    assert sqlite_file("sqlite:///x/tracker.db") == Path("x/tracker.db")
    assert sqlite_file("sqlite://") is None
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("postgresql+psycopg://u@h/d") is None
    assert sqlite_file("not a url") is None
