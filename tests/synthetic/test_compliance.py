"""The planted compliance failures are real, and nothing else in the data is one.

An independent, deliberately plain reading of domain.md s.1-2 is run over the generated
files with plain date arithmetic; it must find exactly the flags in truth_flags.csv, and
every verdict must sit several days away from its deadline.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

S83_85 = {"initial", "periodic", "change_name", "change_address", "change_other", "weekly"}
VERIFY_DAYS = {"1": 365, "2": 182, "3": 91}  # SORNA in-person verification by tier
MARGIN = 3
AS_OF = date(2026, 11, 20)  # the conftest inbox is generated as of this day


def _d(text: str) -> date:
    return date.fromisoformat(text[:10])


def _period_end(start: date, period: str) -> date | None:
    if period == "indefinite":
        return None
    body = period[1:]
    years, _, rest = body.partition("Y") if "Y" in body else ("0", "", body)
    months = int(years) * 12 + int(rest.rstrip("M") or 0)
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    day = min(start.day, 28) if month == 2 else min(start.day, 30)
    return date(year, month, day)


def _applies(row) -> bool:
    if row["status"] not in ("active", "wanted"):
        return False
    end = _period_end(_d(row["requirement_start"]), row["notification_period"])
    return end is None or end > AS_OF


def _evaluate(inbox):
    """(offender, kind, travel_source, travel_record_id) of every breach, and the closest
    distance of a compliant verdict to its deadline (must be >= MARGIN)."""
    notes = defaultdict(list)
    for n in inbox.notifications.to_dict("records"):
        notes[n["offender_id"]].append(n)
    trips = defaultdict(list)
    links = inbox.truth_links[inbox.truth_links["category"] == "offender"]
    travel = inbox.travel.set_index(["source", "record_id"])
    for link in links.to_dict("records"):
        rec = travel.loc[(link["travel_source"], link["travel_record_id"])]
        trips[link["offender_id"]].append((link["travel_source"], link["travel_record_id"], rec))
    found, closest = set(), {}

    def keep(kind: str, slack: int) -> None:
        closest[kind] = min(closest.get(kind, 10**6), slack)

    for row in inbox.offenders.to_dict("records"):
        oid = row["offender_id"]
        if not _applies(row):
            continue
        sorna = row["jurisdiction"] == "us-sorna"
        mine = sorted(notes[oid], key=lambda n: n["notified_on"][:10])
        if row["status"] == "wanted":
            found.add((oid, "whereabouts_unknown", "", ""))
        initial = next(n for n in mine if n["kind"] == "initial")
        late = (_d(initial["notified_on"]) - _d(initial["effective_on"])).days
        if late > 2:
            found.add((oid, "late_initial", "", ""))
        else:
            keep("initial", 2 - late)
        for n in mine:
            if n["kind"].startswith("change_"):
                late = (_d(n["notified_on"]) - _d(n["effective_on"])).days
                if late > 2:
                    found.add((oid, "late_change", "", ""))
                    assert late >= 6
                else:
                    keep("change", 2 - late)
        chain = [_d(n["notified_on"]) for n in mine if n["kind"] in S83_85]
        year = VERIFY_DAYS[row["tier"]] if sorna else 365
        for a, b in zip(chain, chain[1:], strict=False):
            keep("periodic gap", year - (b - a).days)
        since_last = (AS_OF - chain[-1]).days
        if since_last > year:
            found.add((oid, "overdue_periodic", "", ""))
            assert since_last > year + 10
        else:
            keep("periodic", year - since_last)
        if row["fixed_abode"] == "no":
            weekly = [_d(n["notified_on"]) for n in mine if n["kind"] == "weekly"]
            since = (AS_OF - weekly[-1]).days
            if since > 7:
                found.add((oid, "overdue_weekly", "", ""))
                assert since > 10
            else:
                keep("weekly", 7 - since)
            for a, b in zip(weekly, weekly[1:], strict=False):
                keep("weekly gap", 7 - (b - a).days)
        _travel(oid, sorna, mine, trips[oid], found, keep)
    return found, closest


def _travel(oid, sorna, mine, legs, found, keep) -> None:
    notice_days = 21 if sorna else 7
    ft = [n for n in mine if n["kind"] == "foreign_travel"]
    returns = [_d(n["notified_on"]) for n in mine if n["kind"] == "travel_return"]
    for source, rid, rec in legs:
        day = _d(rec["departure_date"])
        if rec["direction"] == "out":
            notice = [n for n in ft if n["departure_date"] == day.isoformat()]
            if not notice:
                found.add((oid, "unnotified_travel", source, rid))
                near = [n for n in ft if abs((_d(n["departure_date"]) - day).days) < 60]
                assert not near
                continue
            n = notice[0]
            ahead = (day - _d(n["notified_on"])).days
            if ahead < notice_days:
                found.add((oid, "late_travel_notification", source, rid))
                assert 1 <= ahead <= 4
            else:
                keep("travel notice", ahead - notice_days)
            if n["destination_countries"].split("|")[0] != rec["arrival_country"]:
                found.add((oid, "travel_details_mismatch", source, rid))
        else:
            before = [n for n in ft if _d(n["departure_date"]) <= day]
            told = before and before[-1]["return_date"] == day.isoformat()
            notified = [r for r in returns if 0 <= (r - day).days <= 2]
            if told or notified:
                continue
            if (AS_OF - day).days > 6:
                found.add((oid, "missing_return_notification", source, rid))
                assert (AS_OF - day).days >= 10


def test_exactly_the_planted_flags_are_due(inbox):
    assert inbox.manifest["args"]["as_of"] == AS_OF.isoformat()
    found, _ = _evaluate(inbox)
    flags = inbox.truth_flags
    planted = set(
        zip(
            flags["offender_id"],
            flags["kind"],
            flags["travel_source"],
            flags["travel_record_id"],
            strict=True,
        )
    )
    assert found == planted


def test_compliant_behaviour_keeps_clear_of_every_deadline(inbox):
    _, closest = _evaluate(inbox)
    assert closest["initial"] >= 1  # notified on the day or the day after (deadline: day 3)
    assert closest["change"] >= 1
    for kind in ("periodic", "periodic gap", "weekly", "weekly gap", "travel notice"):
        assert closest[kind] >= MARGIN, (kind, closest[kind])


def test_every_flag_kind_is_planted(inbox):
    kinds = inbox.truth_flags["kind"].value_counts()
    assert len(kinds) == 9
    assert (kinds >= 2).all()


def test_planted_violations_by_direct_date_arithmetic(inbox):
    notes = inbox.notifications.set_index("notification_id")
    offenders = inbox.offenders.set_index("offender_id")
    travel = inbox.travel.set_index(["source", "record_id"])
    for f in inbox.truth_flags.to_dict("records"):
        kind = f["kind"]
        note = notes.loc[f["notification_id"]] if f["notification_id"] else None
        ref = (f["travel_source"], f["travel_record_id"])
        rec = travel.loc[ref] if f["travel_source"] else None
        person = offenders.loc[f["offender_id"]]
        if kind == "late_initial":
            assert (_d(note["notified_on"]) - _d(person["requirement_start"])).days >= 8
        elif kind == "late_change":
            assert (_d(note["notified_on"]) - _d(note["effective_on"])).days >= 6
        elif kind == "overdue_periodic":
            assert AS_OF - _d(note["notified_on"]) > timedelta(days=375)
        elif kind == "overdue_weekly":
            assert person["fixed_abode"] == "no"
            assert AS_OF - _d(note["notified_on"]) > timedelta(days=10)
        elif kind == "whereabouts_unknown":
            assert person["status"] == "wanted" and person["wanted_since"]
        elif kind == "late_travel_notification":
            assert rec["direction"] == "out"
            assert 1 <= (_d(rec["departure_date"]) - _d(note["notified_on"])).days <= 4
        elif kind == "travel_details_mismatch":
            assert note["destination_countries"].split("|")[0] != rec["arrival_country"]
        elif kind == "missing_return_notification":
            assert rec["direction"] == "in" and note["return_date"] == ""
            assert (AS_OF - _d(rec["departure_date"])).days > 6
        elif kind == "unnotified_travel":
            assert rec["direction"] == "out" and note is None


def test_no_flags_where_the_requirement_does_not_apply(inbox):
    o = inbox.offenders
    idle = o[~o.apply(_applies, axis=1)]
    assert set(idle["status"]) >= {"in_custody", "deceased", "removed", "active"}
    assert not set(idle["offender_id"]) & set(inbox.truth_flags["offender_id"])
    # ... though their histories would be flagged if it did: lapsed notices, unnotified trips
    last = inbox.notifications.groupby("offender_id")["notified_on"].max().str[:10]
    lapsed = [oid for oid in idle["offender_id"] if (AS_OF - _d(last[oid])).days > 380]
    assert len(lapsed) >= 3
    linked = inbox.truth_links[inbox.truth_links["offender_id"].isin(idle["offender_id"])]
    assert len(linked) >= 1
