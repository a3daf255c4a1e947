"""`tracker screen FILE...` and `tracker watch --inbox DIR --once` on a trained register."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from factories import load_population
from manifests import csv_body, manifest_rows
from screening_dates import DEPARTURE
from sqlalchemy import func, select

from tracker.db import make_engine, make_session_factory, transaction
from tracker.matching.settings import LinkSettings
from tracker.models import Screening
from tracker.services.linking import train_model


@pytest.fixture
def register(cli, db_url, population):
    """The test population loaded and a model trained; ann the analyst screens."""
    engine = make_engine(db_url)
    with transaction(make_session_factory(engine)) as s:
        load_population(s, population)
        train_model(s, "system", settings=LinkSettings(u_sample_pairs=20_000))
    engine.dispose()
    assert cli("users", "add", "ann", "--role", "analyst", user="ada").exit_code == 0
    travel = population["travel"]
    return manifest_rows(pd.concat([travel.head(6), travel.tail(4)]), DEPARTURE)


def _screenings(db_url) -> int:
    engine = make_engine(db_url)
    with make_session_factory(engine)() as s:
        count = s.scalar(select(func.count()).select_from(Screening))
    engine.dispose()
    return count


def test_screen_prints_hits_and_exits_0(cli, register, tmp_path, db_url):
    manifest = tmp_path / "flight.csv"
    manifest.write_bytes(csv_body(register))
    result = cli("screen", manifest, "--as", "ann", "--format", "json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    rows = hits["items"] if isinstance(hits, dict) else hits
    assert len(rows) >= 5 and {row["band"] for row in rows} <= {"match", "review"}
    assert all(row["flag_id"] for row in rows)  # departing tomorrow, no notice
    assert "screening 1 screened: read 10, rejected 0" in result.stderr
    assert _screenings(db_url) == 1


def test_screen_exits_3_when_a_traveller_is_rejected_or_a_file_refused(cli, register, tmp_path):
    register[2]["direction"] = "sideways"
    manifest = tmp_path / "flight.csv"
    manifest.write_bytes(csv_body(register))
    result = cli("screen", manifest, "--as", "ann", "--format", "csv")
    assert result.exit_code == 3, result.output
    assert "rejected 1" in result.stderr
    odd = tmp_path / "notes.txt"
    odd.write_text("hello")
    assert cli("screen", odd, "--as", "ann").exit_code == 1


def test_screen_refuses_a_person_who_may_not(cli, register, tmp_path):
    assert cli("users", "add", "liz", "--role", "liaison", user="ada").exit_code == 0
    manifest = tmp_path / "flight.csv"
    manifest.write_bytes(csv_body(register))
    result = cli("screen", manifest, "--as", "liz")
    assert result.exit_code == 1 and "may not screening.screen" in result.stderr


def test_watch_once_screens_what_arrived_whole_and_moves_it(cli, register, tmp_path, db_url):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "flight.csv").write_bytes(csv_body(register))
    (inbox / "broken.edi").write_bytes(b"UNH+1+PAXLST:D:02B:UN:IATA'garbage")
    (inbox / "elsewhere.csv").write_bytes(b"x")
    os.symlink(inbox / "elsewhere.csv", inbox / "link.csv")
    (inbox / "elsewhere.csv").unlink()
    (inbox / ".partial.csv").write_bytes(b"still coming")
    result = cli("watch", "--inbox", inbox, "--as", "ann", "--once", "--interval", "0.1")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (inbox / "screened").iterdir()] == ["s2-flight.csv"]
    failed = sorted(p.name for p in (inbox / "failed").iterdir())
    assert failed == ["s1-broken.edi", "s1-broken.edi.reason.txt"]
    assert "not a UN/EDIFACT interchange" in (inbox / "failed" / failed[1]).read_text()
    assert (inbox / "link.csv").is_symlink() and (inbox / ".partial.csv").exists()
    assert "hit:" in result.stdout
    # a second watch finds nothing new
    again = cli("watch", "--inbox", inbox, "--as", "ann", "--once", "--interval", "0.1")
    assert again.exit_code == 0 and _screenings(db_url) == 2


def test_watch_keeps_no_screened_pnrgov_file_only_a_note(cli, register, tmp_path):
    guide = (
        Path(__file__).resolve().parents[1] / "data" / "pnrgov" / "01-guide-example-codeshare.pnr"
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "push.pnr").write_bytes(guide.read_bytes())
    result = cli("watch", "--inbox", inbox, "--as", "ann", "--once", "--interval", "0.1")
    assert result.exit_code == 0, result.output
    [note] = (inbox / "screened").iterdir()
    assert note.name == "s1-push.pnr.screened.txt" and "not kept" in note.read_text()
    kept = "".join(p.read_text(errors="replace") for p in inbox.rglob("*") if p.is_file())
    assert "4111111111111111" not in kept and "EXAMPLE.INVALID" not in kept
