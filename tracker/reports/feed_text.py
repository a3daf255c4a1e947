"""The words of a feed entry: what a supervisor wrote for the public, and the person's names.

The feed's free text comes only from ``publications.public_description`` and ``public_area``,
written or approved by a supervisor with the approval, never from the register's internal
``description`` or ``last_known_area`` (domain.md s.4: publication must be necessary and
proportionate, and no conviction details). The screen (``feed_screen``) stays as a second
line: a refused text is refused at approval with the field and the reason, and withheld at
build time, logged without the text, if the register changed since.
"""

from __future__ import annotations

import logging
import unicodedata

from tracker.models import Alias, Offender
from tracker.reports.feed_screen import Finding, RestrictedFacts, screen

log = logging.getLogger("tracker.reports.feed")

PUBLIC_DESCRIPTION_LIMIT = 500
PUBLIC_AREA_LIMIT = 100
DESCRIPTION = "public description"
AREA = "public area"
LIMITS = {DESCRIPTION: PUBLIC_DESCRIPTION_LIMIT, AREA: PUBLIC_AREA_LIMIT}
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def facts_of(offender: Offender) -> RestrictedFacts:
    """What about this offender must never reach the public."""
    return RestrictedFacts(
        register_reference=offender.offender_id,
        date_of_birth=offender.date_of_birth,
        address_line=offender.address_line,
        postcode=offender.postcode,
        document_numbers=tuple(sorted(d.doc_number for d in offender.documents)),
        offence_category=offender.offence_category,
        risk_level=offender.risk_level,
    )


def heading(person: Offender | Alias) -> str:
    return " ".join(part for part in (person.given_names, person.family_name) if part)


def cleaned(value: str | None) -> str | None:
    """Public text as it will be stored: trimmed; blank means none."""
    value = (value or "").strip()
    return value or None


def _hidden_characters(value: str) -> bool:
    """Control, format (bidirectional overrides, zero-width) and private-use characters."""
    return any(
        unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") and ch not in _ALLOWED_CONTROLS
        for ch in value
    )


def refusal(field: str, value: str | None, facts: RestrictedFacts) -> str | None:
    """Why a supervisor's public text cannot be approved, or None when it can."""
    if value is None:
        return None
    if len(value) > LIMITS[field]:
        return f"{field} refused: {len(value)} characters, at most {LIMITS[field]}"
    if _hidden_characters(value):
        return f"{field} refused: it contains control or invisible characters"
    finding = screen(value, facts)
    return finding.refusal(field) if finding else None


def name_refusal(offender: Offender) -> str | None:
    """Why the person's name cannot head a public entry, or None when it can."""
    finding = screen(heading(offender), facts_of(offender))
    return finding.refusal("the name") if finding else None


def _withheld(offender: Offender, field: str, finding: Finding) -> None:
    log.warning(
        "most-wanted feed: %s of %s withheld: it contains %s",
        field,
        offender.public_id,
        finding.fact,
    )


def published(offender: Offender, field: str, value: str | None) -> str | None:
    """The text as approved, or None when it now gives away a restricted fact (logged)."""
    if not value:
        return None
    finding = screen(value, facts_of(offender))
    if finding is not None:
        _withheld(offender, field, finding)
        return None
    return value


def publishable_name(offender: Offender) -> bool:
    """A person whose own name gives something away is not published at all (logged)."""
    finding = screen(heading(offender), facts_of(offender))
    if finding is not None:
        _withheld(offender, "the entry", finding)
    return finding is None


def published_aliases(offender: Offender) -> list[str]:
    """Alias names only, screened: kinds are internal bookkeeping, repeats help no one."""
    own = heading(offender)
    facts = facts_of(offender)
    names = sorted({heading(alias) for alias in offender.aliases} - {own, ""})
    kept = []
    for name in names:
        finding = screen(name, facts)
        if finding is None:
            kept.append(name)
        else:
            _withheld(offender, "an alias", finding)
    return kept
