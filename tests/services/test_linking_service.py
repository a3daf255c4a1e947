"""The matching stage against the database: links persisted, dismissals respected, exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from click.testing import CliRunner
from factories import add_offender, add_run, add_travel, add_user, load_population
from sqlalchemy import func, select

from tracker.cli import main
from tracker.db import make_engine, make_session_factory, transaction
from tracker.matching.settings import LinkSettings
from tracker.models import Link, MatchModel, PairLabel, Run, TravelRecord
from tracker.services.linking import run_matching

SETTINGS = LinkSettings(u_sample_pairs=20_000)


@pytest.fixture(scope="module")
def matched_database(database_factory, population):
    """The population loaded and matched once per backend (the slow part); a test using
    ``matched`` gets its own copy of it as its ``db_url``."""
    url = database_factory.migrated_url()
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as s:
            load_population(s, population)
            add_user(s, "ann", "analyst")
            run = Run(as_of=date(2026, 3, 10))
            s.add(run)
            s.flush()
            outcome = run_matching(s, run, SETTINGS)
            matched_run = run.id, outcome
    finally:
        engine.dispose()
    return url, matched_run


@pytest.fixture
def db_url(request, database_factory):
    """A copy of the matched database for a test that asks for ``matched``, otherwise a
    freshly migrated one, private to the test either way."""
    if "matched" in request.fixturenames:
        url = database_factory.copy_of(request.getfixturevalue("matched_database")[0])
    else:
        url = database_factory.migrated_url()
    return url


@pytest.fixture
def matched(db_url, matched_database):
    """The matching run's id and outcome, already in this test's database."""
    return matched_database[1]


def test_links_and_a_versioned_model_are_stored(sessions, matched):
    run_id, outcome = matched
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(Link)) == sum(
            outcome.links_by_band.values()
        )
        model = s.scalars(select(MatchModel)).one()
        assert model.version == 1 and model.run_id == run_id
        link = s.scalars(select(Link).limit(1)).one()
        assert {f.field for f in link.explanation.fields} >= {"family_name", "document"}


def test_rerunning_a_run_replaces_its_links_scored_with_the_active_model(sessions, matched):
    run_id, outcome = matched
    with transaction(sessions) as s:
        again = run_matching(s, s.get(Run, run_id), SETTINGS)
    assert again.trained is False and again.model_version == 1
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(Link)) == sum(
            outcome.links_by_band.values()
        )
        assert s.scalar(select(func.max(MatchModel.version))) == 1


def test_retrain_fits_a_new_model(sessions, matched):
    run_id, _ = matched
    with transaction(sessions) as s:
        again = run_matching(s, s.get(Run, run_id), SETTINGS, retrain=True)
    assert again.trained is True and again.model_version == 2
    assert again.retrain_reason == "retraining was asked for"


def test_analysts_decisions_past_the_policy_fit_a_new_model(sessions, matched):
    run_id, _ = matched
    with transaction(sessions) as s:
        link = s.scalars(select(Link).where(Link.band == "match").limit(1)).one()
        s.add(PairLabel(travel_pk=link.travel_pk, offender_pk=link.offender_pk, label="match"))
    with transaction(sessions) as s:
        again = run_matching(s, s.get(Run, run_id), SETTINGS, retrain_after_labels=1)
    assert again.trained is True and "1 new analysts' decisions" in again.retrain_reason
    with transaction(sessions) as s:
        never = run_matching(s, s.get(Run, run_id), SETTINGS, retrain_after_labels=0)
    assert never.trained is False


def test_match_train_fits_once_and_refits_only_when_asked(db_url, sessions, population):
    with transaction(sessions) as s:
        load_population(s, population)
        add_user(s, "ada", "admin")
        add_user(s, "ann", "analyst")
    runner = CliRunner()
    first = runner.invoke(main, ["--db", db_url, "--user", "ada", "match", "train"])
    assert first.exit_code == 0, first.output
    assert "model 1 fitted and active" in first.output
    again = runner.invoke(main, ["--db", db_url, "--user", "ada", "match", "train"])
    assert again.exit_code == 0 and "model 1 is active" in again.output
    refit = runner.invoke(main, ["--db", db_url, "--user", "ada", "match", "train", "--retrain"])
    assert refit.exit_code == 0 and "model 2 fitted" in refit.output
    refused = runner.invoke(main, ["--db", db_url, "--user", "ann", "match", "train"])
    assert refused.exit_code == 1 and "match.train" in refused.output
    with transaction(sessions) as s:
        models = s.scalars(select(MatchModel).order_by(MatchModel.version)).all()
        assert models[0].parameters == models[1].parameters  # the same data, the same model
        assert models[1].training["settings"]["blocking_passes"]


def test_a_dismissed_pair_is_not_linked_on_the_next_run(sessions, matched):
    run_id, _ = matched
    with transaction(sessions) as s:
        link = s.scalars(select(Link).where(Link.band == "match").limit(1)).one()
        s.add(PairLabel(travel_pk=link.travel_pk, offender_pk=link.offender_pk, label="non_match"))
        pair = (link.travel_pk, link.offender_pk)
    with transaction(sessions) as s:
        run = Run(as_of=date(2026, 3, 11))
        s.add(run)
        s.flush()
        run_matching(s, run, SETTINGS)
        relinked = s.scalars(
            select(Link).where(
                Link.run_id == run.id, Link.travel_pk == pair[0], Link.offender_pk == pair[1]
            )
        ).all()
    assert relinked == []


def test_links_export_csv_and_json_follow_the_contract(db_url, matched):
    runner = CliRunner()
    as_csv = runner.invoke(main, ["--db", db_url, "--user", "ann", "links", "export"])
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert list(rows[0]) == [
        "travel_source",
        "travel_record_id",
        "offender_id",
        "match_probability",
        "match_weight",
        "band",
        "run_id",
    ]
    assert {r["band"] for r in rows} <= {"match", "review"}
    as_json = runner.invoke(
        main, ["--db", db_url, "--user", "ann", "links", "export", "--format", "json"]
    )
    assert len(json.loads(as_json.output)) == len(rows)
    refused = runner.invoke(main, ["--db", db_url, "links", "export"])
    assert refused.exit_code == 1 and "needs the acting person" in refused.output


def test_links_export_csv_marks_formula_ids_and_keeps_negative_weights_numbers(db_url, sessions):
    with transaction(sessions) as s:
        add_user(s, "ann", "analyst")
        run = add_run(s)
        offender = add_offender(s, offender_id="=cmd|' /C calc'!A0")
        record = add_travel(s, record_id="-1+1", source="@api")
        s.add(
            Link(
                run_id=run.id,
                travel_pk=record.id,
                offender_pk=offender.id,
                match_probability=0.5,
                match_weight=-1.5,
                band="review",
                explanation={},
            )
        )
    result = CliRunner().invoke(main, ["--db", db_url, "--user", "ann", "links", "export"])
    assert result.exit_code == 0, result.output
    [row] = list(csv.DictReader(io.StringIO(result.output)))
    assert (row["offender_id"], row["travel_record_id"], row["travel_source"]) == (
        "'=cmd|' /C calc'!A0",
        "'-1+1",
        "'@api",
    )
    assert row["match_weight"] == "-1.5"


def test_match_evaluate_prints_precision_and_recall(
    db_url, sessions, matched, population, tmp_path
):
    truth = tmp_path / "truth.csv"
    travel = population["travel"]
    with truth.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["travel_source", "travel_record_id", "offender_id"])
        for key, offender in zip(travel["travel_key"], travel["true_offender"], strict=True):
            writer.writerow(["api-test", key, offender or ""])
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(TravelRecord)) == len(travel)
    result = CliRunner().invoke(
        main, ["--db", db_url, "--user", "ann", "match", "evaluate", "--truth", str(truth)]
    )
    assert result.exit_code == 0, result.output
    assert "match + review" in result.output
    recall_line = next(line for line in result.output.splitlines() if line.startswith("match  "))
    assert float(recall_line.split()[-2]) > 0.95  # recall of the match band
    blocking = next(line for line in result.output.splitlines() if line.startswith("blocking:"))
    assert float(blocking.split()[2]) > 0.99
    assert "candidate pairs, per travel record mean" in blocking
