"""`tracker feed most-wanted | approve | withdraw | list`: the public most-wanted feed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.cli.app import AppContext, pass_app
from tracker.cli.options import OUTPUT_FILE, PAGE
from tracker.cli.output import emit, listing_output
from tracker.db import transaction
from tracker.tabular import Column, render

if TYPE_CHECKING:  # the feed's modules load only when a feed command runs
    from tracker.reports.feed_approvals import PublicationRow

LIST_TABLE = (
    Column("offender_id", "offender"),
    Column("names"),
    Column("shown_state", "state"),
    Column("approved_at", "approved", shown=lambda at: f"{at:%Y-%m-%d}"),
    Column("approved_by", "by"),
    Column("approval_reason", "why"),
)
LIST_COLUMNS = (
    "offender_id",
    "public_id",
    "names",
    "status",
    "state",
    "in_force",
    "approved_by",
    "approved_at",
    "approval_reason",
    "withdrawn_by",
    "withdrawn_at",
    "withdrawal_reason",
    "public_description",
    "public_area",
)


@click.group()
def feed() -> None:
    """The public most-wanted feed."""


@feed.command("most-wanted")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "atom"]), default="json", show_default=True
)
@click.option("--out", type=OUTPUT_FILE, help="File (default: stdout).")
@click.option("--page", default=1, show_default=True, type=PAGE)
@click.option(
    "--page-size",
    type=click.IntRange(1, 10_000),
    help="People per page (default: everyone on one page).",
)
@pass_app
def feed_most_wanted(
    app: AppContext, fmt: str, out: Path | None, page: int, page_size: int | None
) -> None:
    """The feed: approved wanted offenders, safe fields only (JSON or Atom 1.0).

    Only offenders whose status is `wanted` and whose publication a supervisor approved, with
    only the fields that are safe to publish; Atom has one entry per person. The nightly job
    writes both formats to its outbox. Each run is logged as a disclosure to the public.

    Set the public site with TRACKER_FEED_BASE_URL and the reporting lines with
    TRACKER_FEED_POLICE_LINE and TRACKER_FEED_ANONYMOUS_LINE."""
    from tracker.reports.feed import render_json
    from tracker.reports.feed_atom import render_atom
    from tracker.services.feed import most_wanted

    if page > 1 and page_size is None:
        raise click.UsageError("--page needs --page-size")
    settings = app.settings.feed
    with transaction(app.sessions()) as session:
        doc = most_wanted(
            session,
            settings,
            page=page,
            page_size=page_size,
            written_to=str(out) if out else "standard output",
        )
    text = render_json(doc) if fmt == "json" else render_atom(doc, settings.publisher)
    emit(text, out)


@feed.command("approve")
@click.argument("offender_id")
@click.option(
    "--reason",
    required=True,
    help="Why publishing is necessary and proportionate: kept in the audit trail.",
)
@click.option(
    "--public-description",
    help="The description the public will read (at most "
    "500 characters); the register's own description is never published.",
)
@click.option(
    "--public-area",
    help="The town or district the public will read (at most 100 characters), never an address.",
)
@click.option(
    "--use-register-text",
    is_flag=True,
    help="Approve the register's description and last known area as the public text "
    "where the options above give none (screened like any text; printed).",
)
@pass_app
def feed_approve(
    app: AppContext,
    offender_id: str,
    reason: str,
    public_description: str | None,
    public_area: str | None,
    use_register_text: bool,
) -> None:
    """Approve publication of a wanted offender (supervisors only). OFFENDER_ID is the
    register reference, e.g. VR-0001234. The person leaves the feed by themselves when their
    status stops being `wanted`; a new disappearance needs a new approval. Text that gives
    away a restricted fact (address, date of birth, offence, risk, ...) is refused."""
    from tracker.reports.feed_approvals import FeedError
    from tracker.services.feed import approve_publication

    with transaction(app.sessions()) as session:
        try:
            approval = approve_publication(
                session,
                app.settings.user,
                offender_id,
                reason,
                public_description=public_description,
                public_area=public_area,
                use_register_text=use_register_text,
            )
        except FeedError as exc:
            raise click.ClickException(str(exc)) from exc
        published = (approval.publication.public_description, approval.publication.public_area)
    when = f"{approval.publication.approved_at:%Y-%m-%d %H:%M} UTC"
    if not approval.changed:
        click.echo(
            f"{offender_id} is already on the feed (approved by {approval.approved_by} "
            f"on {when}); nothing changed"
        )
        return
    click.echo(
        f"{offender_id}: publication approved by {approval.approved_by} on {when}; "
        "on the feed from its next build"
    )
    for label, value in zip(("description", "area"), published, strict=True):
        click.echo(f"  public {label}: {value if value else '(none)'}")


@feed.command("withdraw")
@click.argument("offender_id")
@click.option("--reason", required=True, help="Why: kept in the audit trail.")
@pass_app
def feed_withdraw(app: AppContext, offender_id: str, reason: str) -> None:
    """Take an offender off the feed (supervisors only).

    The person is off the feed from its next build. OFFENDER_ID is the register reference."""
    from tracker.reports.feed_approvals import FeedError
    from tracker.services.feed import withdraw_publication

    with transaction(app.sessions()) as session:
        try:
            withdraw_publication(session, app.settings.user, offender_id, reason)
        except FeedError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{offender_id}: publication withdrawn by {app.settings.user}; "
        "off the feed from its next build"
    )


def _shown_state(row: PublicationRow) -> str:
    if row.in_force:
        return "on the feed"
    if row.state == "approved":
        return f"approved, not in force (status {row.status})"
    return f"withdrawn {row.withdrawn_at:%Y-%m-%d} by {row.withdrawn_by}: {row.withdrawal_reason}"


@feed.command("list")
@listing_output("table", "csv", "json")
@pass_app
def feed_list(app: AppContext, fmt: str, out: Path | None) -> None:
    """Approvals and withdrawals: who, when and why (supervisors only).

    Those in force first. Reading the list is logged; it is internal: never publish it."""
    from dataclasses import asdict

    from tracker.services.feed import list_publications

    with transaction(app.sessions()) as session:
        listed = list_publications(session, app.settings.user)
    if fmt == "table" and not listed:
        emit("no publications approved yet", out)
        return
    rows = [{**asdict(r), "shown_state": _shown_state(r)} for r in listed]
    emit(render(rows, LIST_TABLE if fmt == "table" else LIST_COLUMNS, fmt), out)
