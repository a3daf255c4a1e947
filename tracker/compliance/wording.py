"""How a flag's summary words a number of days, a link, a route and a deadline."""

from __future__ import annotations

from tracker.compliance.facts import TravelFacts
from tracker.compliance.profile import DeadlineRule


def days_text(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def link_text(record: TravelFacts) -> str:
    if record.match_probability is None:
        return "link strength unknown"
    return f"link probability {record.match_probability:.2f} ({record.band} band)"


def route_text(record: TravelFacts) -> str:
    start = record.departure_port or record.departure_country or "?"
    end = record.arrival_port or record.arrival_country or "?"
    country = record.arrival_country if record.arrival_port else None
    return f"{start} to {end} ({country})" if country else f"{start} to {end}"


def deadline_text(rule: DeadlineRule, event: str) -> str:
    unit = "business days" if rule.day_kind == "business" else "days"
    how = "beginning with" if rule.counting == "beginning_with" else "after"
    return f"{rule.days} {unit} {how} {event}"
