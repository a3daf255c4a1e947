"""`tracker flags list | export`: the compliance flags, filtered."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.app import AppContext, pass_app
from tracker.cli.options import DATE
from tracker.cli.output import emit, listing_output
from tracker.db import transaction
from tracker.models.enums import (
    FLAG_KINDS,
    FLAG_STATUSES,
    SEVERITIES,
)
from tracker.tabular import render


@click.group()
def flags() -> None:
    """Compliance flags raised by the rules."""


#: The repeatable filters: option, parameter, the contract's values, what one value is.
CHOICE_FILTERS = (
    ("--kind", "kinds", FLAG_KINDS, "kind"),
    ("--status", "statuses", FLAG_STATUSES, "status"),
    ("--severity", "severities", SEVERITIES, "severity"),
)


def _flag_filters(func):
    """The filters ``flags list`` and ``flags export`` share."""
    options = [
        *(
            click.option(
                option,
                name,
                multiple=True,
                type=click.Choice(values),
                help=f"Only this {what} (repeatable).",
            )
            for option, name, values, what in CHOICE_FILTERS
        ),
        click.option("--force", metavar="NAME", help="Only offenders this force manages."),
        click.option(
            "--since",
            type=DATE,
            metavar="DATE",
            help="Only flags detected on or after DATE.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _filters(kinds, statuses, severities, force, since):
    from tracker.services.flags import FlagFilters

    return FlagFilters(
        tuple(kinds), tuple(statuses), tuple(severities), force, since.date() if since else None
    )


@flags.command("list")
@listing_output("table", "csv", "json", "xlsx")
@_flag_filters
@pass_app
def flags_list(
    app: AppContext, fmt: str, out: Path | None, kinds, statuses, severities, force, since
) -> None:
    """Flags, most severe and most urgent (oldest deadline) first.

    Filter by kind, status, severity, managing force and detection date; summaries are
    shortened in the table, whole in the files and in `flags export`."""
    from tracker.services.flags import FLAG_LIST_COLUMNS, flag_count, list_flags

    with transaction(app.sessions()) as session:
        rows = list_flags(
            session, app.settings.user, _filters(kinds, statuses, severities, force, since)
        )
    if fmt == "table" and not rows:
        emit(flag_count(rows), out)
        return
    emit(render(rows, FLAG_LIST_COLUMNS, fmt, footer=flag_count(rows), sheet="flags"), out)


@flags.command("export")
@listing_output("csv", "json", default="csv")
@_flag_filters
@pass_app
def flags_export(
    app: AppContext, fmt: str, out: Path | None, kinds, statuses, severities, force, since
) -> None:
    """One row per flag, in the contract's columns: flag_id, kind, severity, status,
    offender_id, travel_source, travel_record_id, notification_id, match_probability, due_on,
    detected_on, run_id, summary."""
    from tracker.services.flags import FLAG_EXPORT_COLUMNS, export_flags

    with transaction(app.sessions()) as session:
        rows = export_flags(
            session, app.settings.user, _filters(kinds, statuses, severities, force, since)
        )
    emit(render(rows, FLAG_EXPORT_COLUMNS, fmt), out)
