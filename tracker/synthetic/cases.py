"""Each offender's legal situation, and which compliance failure (if any) is planted on them.

Everything not planted must be comfortably compliant, so every date chosen here keeps at
least three days (usually weeks) away from the rule boundaries in domain.md sections 1-2.
One offender carries at most one planted failure; offenders whose requirement no longer
applies (period ended, in custody, deceased, removed) get 'bad-looking' histories that must
raise nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import islice

import numpy as np

from tracker.synthetic.rand import Draw, add_months, cumulative, days, period_months

TRAVEL_KINDS = (
    "unnotified_travel",
    "late_travel_notification",
    "travel_details_mismatch",
    "missing_return_notification",
)
OFFENDER_KINDS = ("late_initial", "late_change", "overdue_periodic", "overdue_weekly")
PLANT_RATE = 0.02  # share of the register planted with each kind

UK_PERIODS = ("indefinite", "P10Y", "P7Y", "P5Y", "P2Y", "P2Y6M")
UK_PERIOD_CUM = cumulative((35, 22, 15, 15, 10, 3))
SORNA_PERIOD = {1: "P15Y", 2: "P25Y", 3: "indefinite"}
#: Days between notifications: uk-ew must notify within a year; SORNA verifies in person
#: every 12, 6 or 3 months by tier. Ranges stay well inside the limits.
UK_GAP = (290, 330)
SORNA_GAP = {1: (290, 330), 2: (150, 165), 3: (70, 80)}
STATUSES = ("active", "in_custody", "wanted", "deceased", "removed")
STATUS_CUM = cumulative((90.5, 4, 2, 1.5, 2))
RISK = ("low", "medium", "high", "very_high")
RISK_CUM = cumulative((35, 40, 20, 5))
HISTORY_YEARS = 20


@dataclass
class Case:
    index: int
    offender_id: str
    jurisdiction: str = "uk-ew"
    tier: int | None = None
    period: str = "indefinite"
    requirement_start: date = date(2020, 1, 1)
    status: str = "active"
    wanted_since: date | None = None
    fixed_abode: bool = True
    risk_level: str = "medium"
    period_end: date | None = None  # set only when the period ended before as_of
    planted: str | None = None
    stop: date | None = None  # notifications stop after this day (custody, overdue...)
    nfa_since: date | None = None  # became of no fixed abode (weekly notification)
    weekly_stop: date | None = None  # last weekly notification (overdue_weekly)
    late_change_on: date | None = None  # effective date of the late change
    trips: int = 0  # compliant trips while the requirement applies
    trips_after_end: int = 0  # unnotified trips after the period ended (no flag)
    initial_delay: int | None = None  # days late of a planted late initial notification

    @property
    def gap(self) -> tuple[int, int]:
        return SORNA_GAP[self.tier or 1] if self.jurisdiction == "us-sorna" else UK_GAP

    def notify_until(self, as_of: date) -> date:
        """Last day the s.83-85 notification chain runs to (the day before a stop)."""
        if self.period_end is not None:
            return self.period_end - days(1)
        if self.stop is not None:
            return self.stop
        if self.nfa_since is not None:
            return self.nfa_since - days(1)
        return as_of - days(1)

    @property
    def applies(self) -> bool:
        """The requirement is running and the offender can be held to it today."""
        return self.period_end is None and self.status in ("active", "wanted")


def offender_ids(n: int, rng: np.random.Generator) -> list[str]:
    """``VR-`` plus seven digits, increasing with random gaps so they look issued."""
    steps = rng.integers(1, max(2, min(60, 9_000_000 // max(n, 1))), n)
    numbers = 1000 + np.cumsum(steps)
    return [f"VR-{int(x):07d}" for x in numbers]


def _start_range(case: Case, as_of: date) -> tuple[date, date]:
    """Earliest and latest requirement start keeping the period running 60+ days past as_of."""
    low = add_months(as_of, -12 * HISTORY_YEARS)
    months = period_months(case.period)
    if months is not None:
        low = max(low, add_months(as_of, -months) + days(60))
    return low, as_of - days(30)


def _uniform_day(draw: Draw, low: date, high: date) -> date:
    if high <= low:
        return low
    return low + days(draw.between(0, (high - low).days))


def _profile(case: Case, as_of: date, draw: Draw) -> None:
    """Jurisdiction, period, status, abode and requirement start of a fresh case."""
    case.status = draw.weighted(STATUSES, STATUS_CUM)
    case.risk_level = draw.weighted(RISK, RISK_CUM)
    if case.status != "wanted" and draw.chance(0.05):
        case.jurisdiction = "us-sorna"
        case.tier = draw.weighted((1, 2, 3), cumulative((40, 35, 25)))
        case.period = SORNA_PERIOD[case.tier]
        if case.status not in ("active", "in_custody"):
            case.status = "active"
    else:
        case.period = draw.weighted(UK_PERIODS, UK_PERIOD_CUM)
    months = period_months(case.period)
    ended = (
        case.jurisdiction == "uk-ew"
        and case.status == "active"
        and months is not None
        and draw.chance(0.09)
    )
    if ended:
        assert months is not None
        latest = add_months(as_of - days(60), -months)
        earliest = add_months(as_of, -12 * HISTORY_YEARS)
        case.requirement_start = _uniform_day(draw, earliest, latest)
        case.period_end = add_months(case.requirement_start, months)
        if draw.chance(0.35):
            case.trips_after_end = 1
    else:
        low, high = _start_range(case, as_of)
        case.requirement_start = _uniform_day(draw, low, high)
    if case.jurisdiction == "uk-ew" and case.status == "active" and not ended and draw.chance(0.03):
        case.fixed_abode = False
    if case.status in ("in_custody", "deceased", "removed"):
        gone = as_of - days(draw.between(150, 2000))
        case.stop = max(gone, case.requirement_start + days(10))
    if case.status == "wanted":
        _make_wanted(case, as_of, draw)


def _make_wanted(case: Case, as_of: date, draw: Draw) -> None:
    case.status = "wanted"
    case.jurisdiction, case.tier, case.fixed_abode = "uk-ew", None, True
    case.wanted_since = as_of - days(draw.between(20, 250))
    low, _ = _start_range(case, as_of)
    case.requirement_start = _uniform_day(draw, low, case.wanted_since - days(60))
    case.stop = case.wanted_since - days(1)


def _set_nfa(case: Case, as_of: date, draw: Draw, overdue: bool) -> None:
    case.fixed_abode = False
    if overdue:
        case.nfa_since = as_of - days(draw.between(90, 300))
        case.weekly_stop = as_of - days(draw.between(14, 45))
    else:
        case.nfa_since = as_of - days(draw.between(60, 300))
    low, _ = _start_range(case, as_of)
    if case.requirement_start > case.nfa_since - days(30):
        case.requirement_start = _uniform_day(draw, low, case.nfa_since - days(30))


def _plant(case: Case, kind: str, as_of: date, draw: Draw) -> None:
    """Shape the case so that exactly ``kind`` is due as of ``as_of``."""
    case.planted = kind
    low, high = _start_range(case, as_of)
    if kind == "late_initial":
        case.requirement_start = _uniform_day(draw, max(low, as_of - days(900)), high)
        case.initial_delay = draw.between(8, 20)
    elif kind == "late_change":
        case.requirement_start = _uniform_day(draw, low, min(high, as_of - days(120)))
        earliest = max(case.requirement_start + days(20), as_of - days(700))
        case.late_change_on = _uniform_day(draw, earliest, as_of - days(45))
    elif kind == "overdue_periodic":
        case.stop = as_of - days(draw.between(400, 600))
        case.requirement_start = _uniform_day(draw, low, case.stop - days(30))
    elif kind == "overdue_weekly":
        _set_nfa(case, as_of, draw, overdue=True)
    elif kind == "whereabouts_unknown":
        _make_wanted(case, as_of, draw)
    elif kind in TRAVEL_KINDS:
        # room for a trip: departure at least 75 days after the start and 20 before as_of
        case.requirement_start = _uniform_day(draw, low, min(high, as_of - days(200)))


def plan_cases(n: int, as_of: date, draw: Draw, trip_budget: int) -> list[Case]:
    ids = offender_ids(n, draw.rng)
    cases = [Case(i, ids[i]) for i in range(n)]
    for case in cases:
        _profile(case, as_of, draw)
    order = [int(i) for i in draw.rng.permutation(n)]

    def eligible(case: Case) -> bool:
        return (
            case.planted is None
            and case.applies
            and case.status == "active"
            and case.jurisdiction == "uk-ew"
            and case.fixed_abode
        )

    quota = max(1, round(PLANT_RATE * n))
    for kind in (*OFFENDER_KINDS, *TRAVEL_KINDS):
        candidates = (cases[i] for i in order if eligible(cases[i]))
        for case in islice(candidates, quota):
            _plant(case, kind, as_of, draw)
    wanted = [c for c in cases if c.status == "wanted"]
    if not wanted:
        for case in (cases[i] for i in order):
            if eligible(case):
                _plant(case, "whereabouts_unknown", as_of, draw)
                break
    for case in cases:
        if case.status == "wanted":
            case.planted = "whereabouts_unknown"
        elif not case.fixed_abode and case.nfa_since is None:
            _set_nfa(case, as_of, draw, overdue=False)
    _allot_trips(cases, order, trip_budget, draw)
    return cases


def _allot_trips(cases: list[Case], order: list[int], budget: int, draw: Draw) -> None:
    """Compliant trips for active offenders with nothing else planted, up to ``budget``."""
    used = sum(1 for c in cases if c.planted in TRAVEL_KINDS) * 2
    used += sum(c.trips_after_end for c in cases)
    for i in order:
        if used >= budget:
            return
        case = cases[i]
        if not (case.applies and case.status == "active" and case.fixed_abode):
            continue
        if case.planted not in (None, *TRAVEL_KINDS):
            continue
        if case.planted is None and not draw.chance(0.45):
            continue
        case.trips = draw.weighted((1, 2, 3), cumulative((60, 28, 12)))
        if case.planted:
            case.trips = draw.between(0, 1)
        used += case.trips
