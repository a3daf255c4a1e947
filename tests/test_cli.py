"""The command line: global options, help for every command, and honest refusals."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tracker.cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _all_commands(group, prefix=()):
    for name, command in group.commands.items():
        path = (*prefix, name)
        yield path
        if hasattr(command, "commands"):
            yield from _all_commands(command, path)


@pytest.mark.parametrize("path", list(_all_commands(main)), ids=" ".join)
def test_every_command_has_real_help(runner, path):
    result = runner.invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: main" in result.output or "Usage:" in result.output
    body = result.output.split("\n\n", 2)
    assert len(body) >= 2 and body[1].strip(), f"{' '.join(path)} has no help text"


def test_db_upgrade_then_again_changes_nothing(runner, empty_db_url):
    first = runner.invoke(main, ["--db", empty_db_url, "db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert "migrated from empty" in first.output
    second = runner.invoke(main, ["--db", empty_db_url, "db", "upgrade"])
    assert second.exit_code == 0
    assert "nothing to do" in second.output


def test_database_url_from_the_environment(runner, db_url, monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    result = runner.invoke(main, ["stats", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["offenders"] == 0


def test_default_database_is_tracker_db_in_the_working_directory(runner, tmp_path, monkeypatch):
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "tracker.db").exists()


def test_stats_json_has_the_contract_fields(runner, db_url):
    result = runner.invoke(main, ["--db", db_url, "stats", "--format", "json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    for key in ("offenders", "aliases", "documents", "notifications", "travel_records", "links"):
        assert figures[key] == 0
    assert set(figures["flags"]["by_kind"]) >= {"unnotified_travel", "whereabouts_unknown"}
    assert set(figures["flags"]["by_status"]) == {
        "open",
        "confirmed",
        "dismissed",
        "actioned",
        "resolved",
    }
    assert figures["latest_run"] == {"id": None, "as_of": None, "status": None}


def test_stats_table(runner, db_url):
    result = runner.invoke(main, ["--db", db_url, "stats"])
    assert result.exit_code == 0
    assert "travel_records" in result.output


def test_commands_refuse_a_database_without_schema(runner, empty_db_url):
    result = runner.invoke(main, ["--db", empty_db_url, "stats"])
    assert result.exit_code == 1
    assert "tracker db upgrade" in result.output


def test_a_malformed_database_url_is_a_usage_error(runner):
    result = runner.invoke(main, ["--db", "not a url", "stats"])
    assert result.exit_code == 2
    assert "not a url" in result.output


def test_unreachable_database_is_named(runner):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    result = runner.invoke(main, ["--db", url, "stats"])
    assert result.exit_code == 1
    assert "cannot reach database" in result.output


def test_usage_errors_exit_2(runner):
    result = runner.invoke(main, ["ingest", "nonsense", "x.csv"])
    assert result.exit_code == 2


def test_nightly_refuses_a_review_threshold_above_the_match_threshold(runner, db_url, tmp_path):
    arguments = [
        "--db",
        db_url,
        "nightly",
        "--inbox",
        str(tmp_path),
        "--match-threshold",
        "0.8",
        "--review-threshold",
        "0.9",
    ]
    result = runner.invoke(main, arguments)
    assert result.exit_code == 2
    assert "--review-threshold" in result.output and "0.9 is above" in result.output


@pytest.mark.parametrize("value", ["0", "1", "1.5", "x"])
def test_nightly_thresholds_must_be_probabilities(runner, db_url, tmp_path, value):
    result = runner.invoke(
        main, ["--db", db_url, "nightly", "--inbox", str(tmp_path), "--match-threshold", value]
    )
    assert result.exit_code == 2 and "--match-threshold" in result.output


TOO_BIG = str(2**63)


@pytest.mark.parametrize(
    "arguments",
    [
        ["review", "show", TOO_BIG],  # an id argument
        ["links", "export", "--run", TOO_BIG],  # an id option
        ["review", "queue", "--page", "10000000000000000000"],  # a count
        ["match", "health", "--days", "10000000000"],  # a length of time
    ],
    ids=["id-argument", "id-option", "page", "days"],
)
def test_numbers_no_column_or_date_can_hold_are_refused_as_usage_errors(runner, db_url, arguments):
    result = runner.invoke(main, ["--db", db_url, "--user", "nobody", *arguments])
    assert result.exit_code == 2, (result.output, result.exception)
    assert "is not in the range" in result.output
    assert not isinstance(result.exception, OverflowError)
