"""Match health: analysts' confirmations and dismissals per band, probability bin and model."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from factories import add_flag, add_link, add_model, add_offender, add_run, add_travel, add_user

from tracker.cli import main
from tracker.db import transaction
from tracker.models import AuditEvent, Decision
from tracker.services.match_health import (
    BIN_LABELS,
    HealthWindow,
    match_health,
    probability_bin,
    render_health,
)
from tracker.services.review import decide_flag

AS_OF = date(2026, 3, 10)
NOON = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


class World:
    """A run, a model, an analyst; each call links a new pair and records a verdict on it."""

    def __init__(self, session):
        self.s = session
        self.run = add_run(session, AS_OF)
        self.model = add_model(session, 1, self.run)
        self.user = add_user(session, "ann", "analyst")

    def link(self, probability, band=None, model=None):
        return add_link(
            self.s,
            self.run,
            add_travel(self.s),
            add_offender(self.s),
            probability,
            band,
            model or self.model,
        )

    def flag(self, link, **values):
        values.setdefault(
            "evidence", {"travel": {"band": link.band, "match_probability": link.match_probability}}
        )
        return add_flag(
            self.s,
            link.offender,
            self.run,
            travel_pk=link.travel_pk,
            link_id=link.id,
            match_probability=link.match_probability,
            **values,
        )

    def decide(self, flag, decision, at=NOON):
        self.s.add(
            Decision(
                flag_id=flag.id,
                user_id=self.user.id,
                decision=decision,
                reason="checked",
                decided_at=at,
            )
        )
        self.s.flush()

    def verdict(self, probability, decision, at=NOON, band=None, model=None):
        link = self.link(probability, band, model)
        self.decide(self.flag(link), decision, at)
        return link


def _by(rows, by):
    return {
        (
            r.band
            if by == "band"
            else r.probability
            if by == "probability"
            else (r.model_version, r.band)
        ): r
        for r in rows
        if r.by == by
    }


def _counts(row):
    return row.decided, row.confirmed, row.dismissed


def test_counts_and_share_per_band(sessions):
    with transaction(sessions) as s:
        w = World(s)
        for p, decision in [
            (0.99, "confirm"),
            (0.97, "confirm"),
            (0.999, "confirm"),
            (0.96, "dismiss"),
            (0.7, "confirm"),
            (0.6, "dismiss"),
            (0.55, "dismiss"),
        ]:
            w.verdict(p, decision)
        bands = _by(match_health(s, AS_OF), "band")
    assert list(bands) == ["match", "review", "all"]
    assert _counts(bands["match"]) == (4, 3, 1) and bands["match"].share_confirmed == 0.75
    assert _counts(bands["review"]) == (3, 1, 2)
    assert bands["review"].share_confirmed == pytest.approx(1 / 3)
    assert bands["review"].mean_probability == pytest.approx((0.7 + 0.6 + 0.55) / 3)
    assert _counts(bands["all"]) == (7, 4, 3)


def test_counts_per_probability_bin_edges_included_below(sessions):
    with transaction(sessions) as s:
        w = World(s)
        for p, decision in [
            (0.5, "dismiss"),
            (0.6, "confirm"),
            (0.93, "confirm"),
            (0.95, "confirm"),
            (0.98, "dismiss"),
            (0.99, "confirm"),
            (1.0, "confirm"),
        ]:
            w.verdict(p, decision)
        bins = _by(match_health(s, AS_OF), "probability")
    assert list(bins) == list(BIN_LABELS)  # every bin, empty ones too; none below 0.5
    assert BIN_LABELS == (
        "0.5-0.6",
        "0.6-0.7",
        "0.7-0.8",
        "0.8-0.9",
        "0.9-0.95",
        "0.95-0.99",
        "0.99-1.0",
    )
    assert _counts(bins["0.5-0.6"]) == (1, 0, 1)
    assert _counts(bins["0.6-0.7"]) == (1, 1, 0)
    assert _counts(bins["0.7-0.8"]) == (0, 0, 0) and bins["0.7-0.8"].share_confirmed is None
    assert _counts(bins["0.9-0.95"]) == (1, 1, 0)
    assert _counts(bins["0.95-0.99"]) == (2, 1, 1)
    assert _counts(bins["0.99-1.0"]) == (2, 2, 0)
    assert probability_bin(0.3) == "0.0-0.5"


def test_a_link_below_the_usual_review_threshold_gets_its_own_bin(sessions):
    with transaction(sessions) as s:
        World(s).verdict(0.3, "dismiss", band="review")
        bins = _by(match_health(s, AS_OF), "probability")
    assert list(bins)[0] == "0.0-0.5" and _counts(bins["0.0-0.5"]) == (1, 0, 1)


def test_the_window_is_the_days_ending_with_as_of_by_decision_time(sessions):
    first_day = AS_OF - timedelta(days=29)
    with transaction(sessions) as s:
        w = World(s)
        w.verdict(0.99, "confirm", at=datetime.combine(first_day, datetime.min.time(), UTC))
        w.verdict(0.99, "dismiss", at=datetime(2026, 3, 10, 23, 59, 59, tzinfo=UTC))
        w.verdict(
            0.99,
            "confirm",
            at=datetime.combine(first_day, datetime.min.time(), UTC) - timedelta(microseconds=1),
        )
        w.verdict(0.99, "confirm", at=datetime(2026, 3, 11, tzinfo=UTC))
        # an offset is honoured: 00:30 on the 11th in Paris is 23:30 UTC on the 10th
        w.verdict(0.7, "confirm", at=datetime(2026, 3, 11, 0, 30, tzinfo=ZoneInfo("Europe/Paris")))
        bands = _by(match_health(s, AS_OF), "band")
        week = _by(match_health(s, AS_OF, days=1), "band")
    assert HealthWindow(AS_OF).first_day == date(2026, 2, 9) == first_day
    assert _counts(bands["match"]) == (2, 1, 1)
    assert _counts(bands["review"]) == (1, 1, 0)
    assert _counts(week["all"]) == (2, 1, 1)  # the 10th alone
    with pytest.raises(ValueError, match="at least 1 day"):
        HealthWindow(AS_OF, 0)


def test_each_model_version_is_told_apart(sessions):
    with transaction(sessions) as s:
        w = World(s)
        newer = add_model(s, 2, w.run)
        w.verdict(0.99, "confirm")
        w.verdict(0.97, "dismiss")
        w.verdict(0.99, "confirm", model=newer)
        w.verdict(0.8, "dismiss", model=newer)
        models = _by(match_health(s, AS_OF), "model")
    assert list(models) == [(1, "match"), (2, "match"), (2, "review")]
    assert _counts(models[(1, "match")]) == (2, 1, 1)
    assert _counts(models[(2, "match")]) == (1, 1, 0)
    assert _counts(models[(2, "review")]) == (1, 0, 1)


def test_only_verdicts_on_links_count_once_per_pair_latest_standing(sessions):
    with transaction(sessions) as s:
        w = World(s)
        escalated = w.flag(w.link(0.99))
        w.decide(escalated, "escalate")
        w.decide(add_flag(s, add_offender(s), w.run, kind="late_change"), "confirm")
        pair = w.link(0.97)
        w.decide(w.flag(pair), "confirm", at=NOON)
        w.decide(
            w.flag(pair, kind="travel_details_mismatch"), "dismiss", at=NOON + timedelta(hours=1)
        )
        bands = _by(match_health(s, AS_OF), "band")
    assert _counts(bands["all"]) == (1, 0, 1)


def test_a_link_matched_again_away_falls_back_on_the_flags_evidence(sessions):
    with transaction(sessions) as s:
        w = World(s)
        link = w.link(0.7)
        flag = w.flag(link)
        flag.link_id = None  # its run was matched again and the link replaced
        w.decide(flag, "confirm")
        rows = match_health(s, AS_OF)
    bands, models = _by(rows, "band"), _by(rows, "model")
    assert _counts(bands["review"]) == (1, 1, 0)
    assert list(models) == [(None, "review")]


def test_a_decision_through_review_counts_today(sessions):
    with transaction(sessions) as s:
        w = World(s)
        flag_id = w.flag(w.link(0.98)).id
    with transaction(sessions) as s:
        decide_flag(s, "ann", flag_id, "dismiss", "namesake")
    with transaction(sessions) as s:
        bands = _by(match_health(s, datetime.now(UTC).date()), "band")
    assert _counts(bands["match"]) == (1, 0, 1)


def test_renderings(sessions):
    window = HealthWindow(AS_OF)
    with transaction(sessions) as s:
        assert "no links were confirmed or dismissed" in render_health(
            match_health(s, AS_OF), window, "table"
        )
        World(s).verdict(0.99, "confirm")
        rows = match_health(s, AS_OF)
    table = render_health(rows, window, "table")
    lines = table.splitlines()
    assert lines[:2] == [
        "Matching health: links analysts confirmed or dismissed from 2026-02-09 to 2026-03-10",
        "(30 days, by decision date in UTC)",
    ]
    assert ["match", "1", "1", "0", "100.0%", "0.990"] in [line.split() for line in lines]
    assert ["v1", "match", "1", "1", "0", "100.0%", "0.990"] in [line.split() for line in lines]
    records = list(csv.DictReader(io.StringIO(render_health(rows, window, "csv"))))
    assert records[0]["first_day"] == "2026-02-09" and records[0]["band"] == "match"
    assert records[0]["share_confirmed"] == "1.0"


# --- the command ----------------------------------------------------------------------------


@pytest.fixture
def decided_db(db_url, sessions) -> str:
    with transaction(sessions) as s:
        w = World(s)
        add_user(s, "liz", "liaison")
        w.verdict(0.99, "confirm")
        w.verdict(0.96, "dismiss")
        w.verdict(0.75, "confirm")
    return db_url


def test_command_table_and_json(decided_db, sessions):
    runner = CliRunner()
    base = ["--db", decided_db, "--user", "ann", "match", "health", "--as-of", "2026-03-10"]
    table = runner.invoke(main, base)
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].startswith(
        "Matching health: links analysts confirmed or dismissed from 2026-02-09 to 2026-03-10"
    )
    match_line = next(line for line in lines if line.startswith("match "))
    assert match_line.split() == ["match", "2", "1", "1", "50.0%", "0.975"]
    assert any(line.split()[:2] == ["0.7-0.8", "1"] for line in lines)
    as_json = runner.invoke(main, [*base, "--format", "json", "--days", "7"])
    assert as_json.exit_code == 0, as_json.output
    document = json.loads(as_json.output)
    assert (document["as_of"], document["first_day"], document["days"]) == (
        "2026-03-10",
        "2026-03-04",
        7,
    )
    review = next(r for r in document["rows"] if r["by"] == "band" and r["band"] == "review")
    assert review == {
        "by": "band",
        "band": "review",
        "probability": None,
        "model_version": None,
        "decided": 1,
        "confirmed": 1,
        "dismissed": 0,
        "share_confirmed": 1.0,
        "mean_probability": 0.75,
    }
    earlier = runner.invoke(main, [*base[:-1], "2026-01-01", "--format", "json"])
    assert all(r["decided"] == 0 for r in json.loads(earlier.output)["rows"])
    with transaction(sessions) as s:  # aggregate figures, like `match evaluate`: not logged
        assert s.query(AuditEvent).filter_by(action="consultation").count() == 0


def test_command_needs_an_analyst_supervisor_or_admin(decided_db):
    runner = CliRunner()
    anonymous = runner.invoke(main, ["--db", decided_db, "match", "health"])
    assert anonymous.exit_code == 1 and "needs the acting person" in anonymous.output
    liaison = runner.invoke(main, ["--db", decided_db, "--user", "liz", "match", "health"])
    assert liaison.exit_code == 1 and "may not match.health" in liaison.output
    bad = runner.invoke(
        main, ["--db", decided_db, "--user", "ann", "match", "health", "--days", "0"]
    )
    assert bad.exit_code == 2
