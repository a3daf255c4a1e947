"""`tracker flags list | export`: the compliance flags, filtered."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.app import AppContext, acting_person, pass_app
from tracker.cli.output import emit
from tracker.db import (
    transaction,
)
from tracker.models.enums import (
    FLAG_KINDS,
    FLAG_STATUSES,
    SEVERITIES,
)


@click.group()
def flags() -> None:
    """Compliance flags raised by the rules."""


def _flag_filters(func):
    """The filters ``flags list`` and ``flags export`` share."""
    options = [
        click.option(
            "--kind",
            "kinds",
            multiple=True,
            type=click.Choice(FLAG_KINDS),
            help="Only this kind (repeatable).",
        ),
        click.option(
            "--status",
            "statuses",
            multiple=True,
            type=click.Choice(FLAG_STATUSES),
            help="Only this status (repeatable).",
        ),
        click.option(
            "--severity",
            "severities",
            multiple=True,
            type=click.Choice(SEVERITIES),
            help="Only this severity (repeatable).",
        ),
        click.option("--force", metavar="NAME", help="Only offenders this force manages."),
        click.option(
            "--since",
            type=click.DateTime(["%Y-%m-%d"]),
            metavar="DATE",
            help="Only flags detected on or after DATE.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _selected_flags(app: AppContext, order: str, kinds, statuses, severities, force, since):
    """Flags for the filters, read by a permitted person and logged as a consultation."""
    from tracker.audit import record_event
    from tracker.services.compliance import FlagFilters, flag_rows

    filters = FlagFilters(
        tuple(kinds), tuple(statuses), tuple(severities), force, since.date() if since else None
    )
    with transaction(app.sessions()) as session:
        actor = acting_person(app, session, "flags.read")
        rows = flag_rows(session, filters, order=order)
        record_event(
            session,
            actor=actor.name,
            action="consultation",
            object_type="flags",
            justification=f"flags {'listed' if order == 'queue' else 'exported'}",
            details={
                "rows": len(rows),
                "kinds": list(kinds),
                "statuses": list(statuses),
                "severities": list(severities),
                "force": force,
            },
        )
        return rows


@flags.command("list")
@_flag_filters
@pass_app
def flags_list(app: AppContext, kinds, statuses, severities, force, since) -> None:
    """Flags as a table, most severe and most urgent (oldest deadline) first.

    Filter by kind, status, severity, managing force and detection date; summaries are
    shortened here, `flags export` has them whole."""
    from tracker.services.compliance import render_flag_table

    rows = _selected_flags(app, "queue", kinds, statuses, severities, force, since)
    click.echo(render_flag_table(rows), nl=False)


@flags.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout)."
)
@_flag_filters
@pass_app
def flags_export(
    app: AppContext, fmt: str, out: Path | None, kinds, statuses, severities, force, since
) -> None:
    """One row per flag, in the contract's columns: flag_id, kind, severity, status,
    offender_id, travel_source, travel_record_id, notification_id, match_probability, due_on,
    detected_on, run_id, summary."""
    from tracker.services.compliance import render_flags

    rows = _selected_flags(app, "id", kinds, statuses, severities, force, since)
    emit(render_flags(rows, fmt), out)
