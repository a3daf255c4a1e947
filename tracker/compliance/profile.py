"""A jurisdiction profile: every period, deadline, counting convention and the severity policy
of one jurisdiction's notification rules, as data with the section each comes from.

Profiles live in ``profiles/<id>.json`` and are validated here; the evaluator reads nothing
else, so adding a jurisdiction is adding a file. A fact domain.md marks *(to confirm)* is a
setting with ``to_confirm: true``, to be changed in the file, not in code.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tracker.compliance.calendar import BusinessDays, Counting, Overflow, Period, PeriodError
from tracker.models.enums import (
    FLAG_KINDS,
    TIERS,
    FlagKind,
    LinkBand,
    NotificationKind,
    OffenderStatus,
    RiskLevel,
    Severity,
)

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"

DayKind = Literal["calendar", "business"]


class ProfileError(ValueError):
    """A profile file is missing, unreadable or breaks the profile schema; names the file."""


def _period(text: str) -> str:
    try:
        Period.parse(text)
    except PeriodError as exc:
        raise ValueError(str(exc)) from exc
    return text


class Rule(BaseModel):
    """What every setting carries: where it comes from, and whether it is still to confirm."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    basis: str = Field(min_length=1, description="the section it comes from")
    to_confirm: bool = Field(False, description="domain.md marks the fact *(to confirm)*")
    note: str | None = None


class CalendarRules(Rule):
    """How dates are added: months/years onto a day the target month lacks (29 February)."""

    overflow: Overflow
    weekend: tuple[int, ...] = (5, 6)
    holiday_country: str | None = Field(None, description="public holidays for business days")

    @cached_property
    def business_days(self) -> BusinessDays:
        return BusinessDays(self.weekend, self.holiday_country)


class AbsenceRules(Rule):
    """Which days count as away (not counted towards N-day periods, extending periodic ones)."""

    custody: bool
    abroad: bool
    abroad_link_bands: tuple[LinkBand, ...] = ("match",)


class StatusRule(Rule):
    statuses: tuple[OffenderStatus, ...]


class NotificationPeriodRule(Rule):
    """How long the requirement lasts (s.82 style): the register's period or one per tier."""

    by_tier: dict[int, str] = Field(default_factory=dict)
    juvenile_age: int | None = Field(18, description="under this age at the start...")
    halve_fixed_for_juveniles: bool = False

    @field_validator("by_tier")
    @classmethod
    def _tiers(cls, value: dict[int, str]) -> dict[int, str]:
        for tier, text in value.items():
            if tier not in TIERS:
                raise ValueError(f"unknown tier {tier}; expected one of {TIERS}")
            _period(text)
        return value


class DeadlineRule(Rule):
    """N days from an event; ``counting`` says whether the event day is day 1."""

    days: int = Field(ge=1)
    day_kind: DayKind = "calendar"
    counting: Counting
    disregard_absence: bool = True


class ChangeRule(DeadlineRule):
    kinds: tuple[NotificationKind, ...]


class ClockRule(Rule):
    """A notification due within ``interval`` after the last one that restarts the clock."""

    interval: str | None = None
    interval_by_tier: dict[int, str] = Field(default_factory=dict)
    counting: Counting = "after"
    restarted_by: tuple[NotificationKind, ...]
    extension: DeadlineRule | None = Field(
        None, description="if the deadline falls while away: runs on until this after return"
    )

    @model_validator(mode="after")
    def _intervals(self) -> ClockRule:
        if self.interval is None and not self.interval_by_tier:
            raise ValueError("a clock needs an interval or interval_by_tier")
        for text in [self.interval, *self.interval_by_tier.values()]:
            if text is not None and Period.parse(_period(text)) is None:
                raise ValueError("a clock interval cannot be indefinite")
        return self

    def interval_for(self, tier: int | None) -> Period:
        text = self.interval_by_tier.get(tier) if tier is not None else None
        text = text or self.interval or next(iter(self.interval_by_tier.values()))
        period = Period.parse(text)
        assert period is not None
        return period


class ShortNoticeRule(Rule):
    """Notice shorter than required but given at least ``hours`` before departure."""

    hours: int = Field(ge=0)
    accepted: bool = Field(
        False,
        description="treat such notice as compliant (the data cannot show the details "
        "were unknown earlier, so by default it is flagged and the summary says so)",
    )


class ForeignTravelRule(Rule):
    notice_days: int = Field(ge=0)
    applies_from: date | None = None
    departure_window_days: int = Field(
        3,
        ge=0,
        description="a notice within this many days of the actual departure is about that trip",
    )
    short_notice: ShortNoticeRule | None = None


class ReturnRule(DeadlineRule):
    """The return: fine if notified in advance, else a return notice within the deadline."""

    return_date_tolerance_days: int = Field(0, ge=0)
    arrival_allowance_days: int = Field(0, ge=0)


class WhereaboutsRule(Rule):
    wanted_status: bool = True
    grace_after_overdue: dict[Literal["initial", "periodic", "weekly"], str]

    @field_validator("grace_after_overdue")
    @classmethod
    def _graces(cls, value: dict[str, str]) -> dict[str, str]:
        for text in value.values():
            if Period.parse(_period(text)) is None:
                raise ValueError("a grace period cannot be indefinite")
        return value


class SeverityPolicy(Rule):
    """Severity per flag kind, by the offender's risk level, with a default per kind."""

    default: dict[FlagKind, Severity]
    by_risk: dict[FlagKind, dict[RiskLevel, Severity]] = Field(default_factory=dict)

    @field_validator("default")
    @classmethod
    def _every_kind(cls, value: dict[str, str]) -> dict[str, str]:
        missing = set(FLAG_KINDS) - set(value)
        if missing:
            raise ValueError(f"no default severity for {', '.join(sorted(missing))}")
        return value

    def of(self, kind: FlagKind, risk_level: str | None) -> Severity:
        for level, severity in self.by_risk.get(kind, {}).items():
            if level == risk_level:
                return severity
        return self.default[kind]


class LevelOneRule(Rule):
    """What makes a screening hit "level one" (domain.md s.5): a hit in ``bands`` on an
    offender whose status is one of ``statuses``, or whose risk level is one of
    ``risk_levels`` when departing within ``within_hours`` with no compliant notification."""

    bands: tuple[LinkBand, ...] = Field(("match",), min_length=1)
    statuses: tuple[OffenderStatus, ...] = ("wanted",)
    risk_levels: tuple[RiskLevel, ...] = ("high", "very_high")
    within_hours: int = Field(72, ge=0, le=24 * 30)


class UnevaluatedRule(Rule):
    """A legal rule the contract's data cannot show; listed so nobody assumes it is checked."""

    name: str
    why: str


class Profile(BaseModel):
    """One jurisdiction's rules. Each section's ``basis`` names where it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    reference: str
    calendar: CalendarRules
    absences: AbsenceRules
    no_flags: StatusRule
    notification_period: NotificationPeriodRule
    initial: DeadlineRule
    change: ChangeRule
    periodic: ClockRule
    weekly: ClockRule | None = None
    foreign_travel: ForeignTravelRule
    travel_return: ReturnRule | None = None
    whereabouts: WhereaboutsRule
    severity: SeverityPolicy
    level_one: LevelOneRule | None = Field(None, description="None: screening raises no alerts")
    not_evaluated: tuple[UnevaluatedRule, ...] = ()

    def business_days_for(self, rule: DeadlineRule) -> BusinessDays | None:
        return self.calendar.business_days if rule.day_kind == "business" else None

    def cite(self, rule: Rule, name: str) -> str:
        """``uk-ew initial: s.83(1)`` - what a flag stores as its rule."""
        suffix = " (to confirm)" if rule.to_confirm else ""
        return f"{self.id} {name}: {rule.basis}{suffix}"


def load_profile(path: Path) -> Profile:
    """Read and validate one profile file; its ``id`` must be its file name."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ProfileError(f"cannot read profile {path}: {exc}") from exc
    try:
        profile = Profile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'profile'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ProfileError(f"profile {path} is not valid: {problems}") from exc
    if profile.id != path.stem:
        raise ProfileError(f"profile {path} has id {profile.id!r}; it must be {path.stem!r}")
    return profile


def load_profiles(folder: Path = PROFILES_DIR) -> dict[str, Profile]:
    """Every ``*.json`` profile of ``folder``, by id."""
    profiles = {p.id: p for p in map(load_profile, sorted(folder.glob("*.json")))}
    if not profiles:
        raise ProfileError(f"no jurisdiction profile found in {folder}")
    return profiles
