"""`tracker offenders show`: one offender's whole record from the command line, each section
a table (or one JSON document), as the web's offender page shows it."""

from __future__ import annotations

import json
from typing import Any

import click

from tracker.cli.app import AppContext, pass_app
from tracker.cli.output import emit, listing_output
from tracker.db import transaction
from tracker.services.offenders import OffenderRecord
from tracker.tabular import Column, plain, probability, records, render

#: The register entry's fields anyone who may open the record sees, in the page's order.
REGISTER_KEYS = (
    "offender_id",
    "family_name",
    "given_names",
    "date_of_birth",
    "sex",
    "nationalities",
    "risk_level",
    "status",
    "wanted_since",
    "managing_force",
    "jurisdiction",
    "requirement_start",
    "notification_period",
)
ALIAS_COLUMNS = ("kind", "family_name", "given_names")
DOCUMENT_COLUMNS = ("doc_type", "doc_number", "issuing_country", "expires_on")
NOTIFICATION_COLUMNS = (
    Column("notified_on", "notified"),
    Column("kind"),
    Column("notification_id", "reference"),
    Column("effective_on", "effective"),
    Column("departure_date", "departs"),
    Column("return_date", "returns"),
    Column("destination_countries", "to"),
)
TRAVEL_COLUMNS = (
    Column("departs", shown=lambda v: f"{v:%Y-%m-%d %H:%M}"),
    Column("direction"),
    Column("route"),
    Column("flight"),
    Column("match_probability", "p(match)", ">", probability),
    Column("band"),
    Column("verdict"),
    Column("flags", shown=lambda ids: " ".join(f"#{i}" for i in ids)),
    Column("travel", "record"),
)
FLAG_COLUMNS = (
    Column("flag_id", "flag", ">"),
    Column("escalated", "", shown=lambda escalated: "^" if escalated else ""),
    Column("severity"),
    Column("status"),
    Column("kind"),
    Column("due_on", "due"),
    Column("match_probability", "p(match)", ">", probability),
    Column("assigned_to", "assigned"),
    Column("summary"),
)
DECISION_COLUMNS = (
    Column("flag_id", "flag", ">"),
    Column("decided_at", "when", shown=lambda v: f"{v:%Y-%m-%d %H:%M}"),
    Column("by"),
    Column("decision"),
    Column("reason"),
)
PACKAGE_COLUMNS = (
    Column("sent_at", "sent", shown=lambda v: f"{v:%Y-%m-%d %H:%M}"),
    Column("flag_id", "flag", ">"),
    Column("destination_country", "to"),
    Column("destination_agency", "agency"),
    Column("grading"),
    Column("handling"),
    Column("sent_by", "by"),
    Column("package_id", "package"),
)
PUBLICATION_COLUMNS = (
    Column("at", "when", shown=lambda v: f"{v:%Y-%m-%d %H:%M}"),
    Column("change"),
    Column("by"),
    Column("reason"),
)
AUDIT_COLUMNS = (
    Column("id", "entry", ">"),
    Column("at", "when", shown=lambda v: f"{v:%Y-%m-%d %H:%M}"),
    Column("actor"),
    Column("action"),
    Column("object"),
    Column("justification"),
)


def _register(record: OffenderRecord) -> dict[str, Any]:
    keys = REGISTER_KEYS + tuple(sorted(record.restricted_shown))
    return {key: plain(getattr(record.offender, key)) for key in keys}


def _vars_of(row: object, keys: Any) -> dict[str, Any]:
    return {key: getattr(row, key) for key in keys}


def _sections(record: OffenderRecord) -> dict[str, tuple[list[dict], tuple]]:
    """Each section's rows and columns, in the page's order; a section the reader may not
    see is left out."""
    decisions = [{"flag_id": f["flag_id"], **d} for f in record.flags for d in f["decisions"]]
    sections: dict[str, tuple[list[dict], tuple]] = {
        "aliases": ([_vars_of(a, ALIAS_COLUMNS) for a in record.aliases], ALIAS_COLUMNS),
        "documents": ([_vars_of(d, DOCUMENT_COLUMNS) for d in record.documents], DOCUMENT_COLUMNS),
        "notifications": (
            [_vars_of(n, [c.key for c in NOTIFICATION_COLUMNS]) for n in record.notifications],
            NOTIFICATION_COLUMNS,
        ),
        "linked travel": (record.travel, TRAVEL_COLUMNS),
        "flags": (record.flags, FLAG_COLUMNS),
        "decisions": (decisions, DECISION_COLUMNS),
    }
    if record.publication_history is not None:
        sections["publication history"] = (record.publication_history, PUBLICATION_COLUMNS)
    if record.packages is not None:
        sections["packages sent"] = (record.packages, PACKAGE_COLUMNS)
    if record.audit is not None:
        sections["audit entries"] = (
            [{**e.as_dict(), "at": e.at} for e in record.audit],
            AUDIT_COLUMNS,
        )
    return sections


def _public_feed(record: OffenderRecord) -> str:
    """Whether the person is on the public feed (public, so shown to every reader)."""
    return record.publication.state if record.publication else "never published"


def _json(record: OffenderRecord) -> str:
    document: dict[str, Any] = {"register": _register(record), "public_feed": _public_feed(record)}
    for name, (rows, columns) in _sections(record).items():
        document[name.replace(" ", "_")] = records(rows, columns)
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def _table(record: OffenderRecord) -> str:
    register = _register(record)
    o = record.offender
    width = max(len(key) for key in register)
    lines = [f"Register entry {o.offender_id}: {o.family_name}, {o.given_names}"]
    lines += [f"  {key:<{width}}  {'' if v is None else v}".rstrip() for key, v in register.items()]
    lines.append(f"  {'public feed':<{width}}  {_public_feed(record)}")
    for name, (rows, columns) in _sections(record).items():
        lines += ["", f"{name.capitalize()} ({len(rows)}):"]
        if rows:
            text = render(rows, columns, "table")
            lines += [f"  {line}" for line in str(text).splitlines()]
        else:
            lines.append("  none")
    return "\n".join(lines) + "\n"


@click.group()
def offenders() -> None:
    """One offender's record: register entry, notifications, travel, flags and what was sent."""


@offenders.command("show")
@click.argument("offender_id")
@listing_output("table", "json")
@pass_app
def offenders_show(app: AppContext, offender_id: str, fmt: str, out) -> None:
    """The register entry, aliases, documents, notifications, linked travel with bands and
    probabilities, flags with their decisions, whether they are on the public feed and, for
    the roles that may read them, packages sent, publication history and the record's audit
    entries. Opening it is logged as a consultation. Analysts, supervisors and liaison
    officers."""
    from tracker.services.offenders import OffenderNotFound, show_offender

    with transaction(app.sessions()) as session:
        try:
            record = show_offender(session, app.settings.user, offender_id)
        except OffenderNotFound as exc:
            raise click.ClickException(str(exc)) from exc
        text = _json(record) if fmt == "json" else _table(record)
    emit(text, out)
