"""The same inbox, date and settings give the same links and flags: run twice on one database,
and once more on a copy restored from the first night (issue 17), on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from factories import copy_inbox
from sqlalchemy import select

from tracker.db import make_session_factory, transaction
from tracker.models import Flag, MatchModel
from tracker.pipeline import NightlyOptions, run_nightly
from tracker.services.link_export import link_export_rows
from tracker.services.linking import train_model
from tracker.settings import DatabaseSettings, Settings
from tracker.synthetic import generate

AS_OF = date(2026, 11, 20)


@pytest.fixture(scope="module")
def inbox_source(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("same-answer-inbox")
    generate(folder, offenders=150, travel=1500, seed=33, as_of=AS_OF)
    return folder


def _night(sessions, db_url: str, source: Path, folder: Path, data_dir: Path | None = None):
    """One night; ``data_dir`` is the installation's (its keys and audit checkpoints belong
    with its database), by default one of the night's own."""
    inbox = copy_inbox(source, folder / "inbox")
    options = NightlyOptions(
        inbox=inbox,
        as_of=AS_OF,
        outbox=folder / "outbox",
        settings=Settings(
            database=DatabaseSettings(url=db_url), data_dir=data_dir or folder / "data"
        ),
        now=datetime(2026, 11, 20, 2, tzinfo=UTC),
    )
    result = run_nightly(sessions, options)
    assert result.status == "succeeded", result.error
    return result


def _exports(sessions, run_id: int) -> tuple[list[tuple], list[tuple]]:
    with transaction(sessions) as s:
        links = [
            (
                r["travel_source"],
                r["travel_record_id"],
                r["offender_id"],
                r["band"],
                round(r["match_probability"], 6),
                round(r["match_weight"], 6),
            )
            for r in link_export_rows(s, run_id)
        ]
        flags = sorted(
            (
                f.flag_key,
                f.kind,
                f.severity,
                f.status,
                None if f.match_probability is None else round(f.match_probability, 6),
            )
            for f in s.scalars(select(Flag))
        )
    return links, flags


def test_a_night_run_twice_and_on_a_restored_copy_gives_identical_links_and_flags(
    database_factory, engine, sessions, db_url, tmp_path, inbox_source
):
    data_dir = tmp_path / "data"
    first = _night(sessions, db_url, inbox_source, tmp_path / "first", data_dir)
    links, flags = _exports(sessions, first.run_id)
    assert links and flags

    engine.dispose()  # PostgreSQL copies a database only while no one is connected to it
    restored_url = database_factory.copy_of(db_url)
    # A backup is the database with its data folder of the same moment (keys, checkpoints).
    restored_data = shutil.copytree(data_dir, tmp_path / "restored-data")

    second = _night(sessions, db_url, inbox_source, tmp_path / "second", data_dir)
    assert _exports(sessions, second.run_id) == (links, flags)
    assert second.counts["match"]["model_version"] == first.counts["match"]["model_version"]
    assert second.counts["match"]["model_trained"] is False

    restored = make_session_factory(database_factory.engine(restored_url))
    third = _night(restored, restored_url, inbox_source, tmp_path / "restored", restored_data)
    assert _exports(restored, third.run_id) == (links, flags)


def test_retraining_on_the_same_data_gives_the_same_model(sessions, db_url, tmp_path, inbox_source):
    first = _night(sessions, db_url, inbox_source, tmp_path / "first")
    assert first.counts["match"]["model_trained"] is True
    for _ in range(2):
        with transaction(sessions) as s:
            model, fitted = train_model(s, "ada", retrain=True)
            assert fitted
    with transaction(sessions) as s:
        models = s.scalars(select(MatchModel).order_by(MatchModel.version)).all()
        assert [m.version for m in models] == [1, 2, 3]
        assert models[1].parameters == models[2].parameters
        assert models[2].training["reason"] == "retraining was asked for"
        # without --retrain an active model is left in place
        assert train_model(s, "ada") == (models[2], False)
