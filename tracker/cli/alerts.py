"""`tracker alerts list | ack | escalate`: level-one alerts from the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from tracker.cli.app import AppContext, pass_app
from tracker.cli.options import ROW_ID
from tracker.cli.output import emit, listing_output
from tracker.db import transaction
from tracker.models.enums import ALERT_STATES
from tracker.tabular import render


@click.group()
def alerts() -> None:
    """Level-one alerts: what waits for the duty officer, acknowledging, escalating."""


@alerts.command("list")
@listing_output("table", "csv", "json")
@click.option("--state", type=click.Choice(ALERT_STATES), help="Only alerts in this state.")
@pass_app
def alerts_list(app: AppContext, fmt: str, out: Path | None, state: str | None) -> None:
    """Alerts, unacknowledged first, newest first: state, flight, departure, when raised, who
    acknowledged and when, the channels that reached someone and the flag's link."""
    from tracker.alerts.listing import ALERT_LIST_COLUMNS, alert_count
    from tracker.services.alerts import list_alerts

    with transaction(app.sessions()) as session:
        rows = list_alerts(session, app.settings.user, state, base_url=app.settings.web.base_url)
    if fmt == "table" and not rows:
        emit(alert_count(rows), out)
        return
    emit(render(rows, ALERT_LIST_COLUMNS, fmt, footer=alert_count(rows), sheet="alerts"), out)


@alerts.command("ack")
@click.argument("alert_id", type=ROW_ID)
@click.option(
    "--as",
    "person",
    metavar="NAME",
    help="Who takes the alert on (default: --user or $TRACKER_USER).",
)
@pass_app
def alerts_ack(app: AppContext, alert_id: int, person: str | None) -> None:
    """Take an alert on (analysts, supervisors, admins): it stops escalating, and a second
    acknowledgement is refused with the name of who has it."""
    from tracker.services.alerts import AlertError, acknowledge

    who = person or app.settings.user
    with transaction(app.sessions()) as session:
        try:
            alert = acknowledge(session, who, alert_id, datetime.now(UTC))
        except AlertError as exc:
            raise click.ClickException(str(exc)) from exc
        waited = alert.acknowledged_at - alert.raised_at if alert.acknowledged_at else None
    minutes = f" after {int(waited.total_seconds() // 60)} min" if waited else ""
    click.echo(f"alert {alert_id} acknowledged by {alert.acknowledged_by}{minutes}")


@alerts.command("escalate")
@pass_app
def alerts_escalate(app: AppContext) -> None:
    """Escalate alerts unacknowledged for TRACKER_ESCALATE_AFTER_MINUTES to the supervisors
    (TRACKER_ESCALATION_EMAIL) and retry failed deliveries: what `tracker serve` does every
    30 seconds, for a site that runs it from cron. Acts as the system, or as --user NAME (a
    supervisor or admin) when given."""
    from tracker.alerts.dispatch import run_sweep
    from tracker.settings import SYSTEM_ACTOR

    report = run_sweep(app.sessions(), app.settings, who=app.settings.user or SYSTEM_ACTOR)
    escalated = ", ".join(map(str, report.escalated)) or "none"
    click.echo(
        f"escalated: {escalated}; deliveries retried for {len(report.retried)} alert(s); "
        f"{report.failed} failed"
    )
    if report.failed:
        raise SystemExit(3)
