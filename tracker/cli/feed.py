"""`tracker feed most-wanted | approve | withdraw | list`: the public most-wanted feed."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tracker.cli.app import AppContext, acting_person, pass_app
from tracker.cli.options import PAGE
from tracker.cli.output import emit
from tracker.db import (
    transaction,
)


@click.group()
def feed() -> None:
    """The public most-wanted feed."""


@feed.command("most-wanted")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "atom"]), default="json", show_default=True
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout)."
)
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
    from datetime import UTC, datetime

    from pydantic import ValidationError

    from tracker.reports.feed import (
        FeedSettings,
        build_feed,
        record_disclosure,
        render_atom,
        render_json,
    )

    if page > 1 and page_size is None:
        raise click.UsageError("--page needs --page-size")
    try:
        settings = FeedSettings()
    except ValidationError as exc:
        raise click.ClickException(exc.errors()[0]["msg"].removeprefix("Value error, ")) from exc
    with transaction(app.sessions()) as session:
        doc = build_feed(
            session,
            datetime.now(UTC),
            settings.base_url,
            page=page,
            page_size=page_size,
            settings=settings,
        )
        record_disclosure(session, doc, str(out) if out else "standard output")
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
    from tracker.access.permissions import PermissionDenied
    from tracker.reports.feed import FeedError, approve_publication

    with transaction(app.sessions()) as session:
        actor = acting_person(app, session, "feed.approve")
        try:
            approval = approve_publication(
                session,
                actor,
                offender_id,
                reason,
                public_description=public_description,
                public_area=public_area,
                use_register_text=use_register_text,
            )
        except (FeedError, PermissionDenied) as exc:
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
        f"{offender_id}: publication approved by {actor.name} on {when}; "
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
    from tracker.access.permissions import PermissionDenied
    from tracker.reports.feed import FeedError, withdraw_publication

    with transaction(app.sessions()) as session:
        actor = acting_person(app, session, "feed.withdraw")
        try:
            withdraw_publication(session, actor, offender_id, reason)
        except (FeedError, PermissionDenied) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{offender_id}: publication withdrawn by {actor.name}; off the feed from its next build"
    )


@feed.command("list")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_app
def feed_list(app: AppContext, fmt: str) -> None:
    """Approvals and withdrawals: who, when and why (supervisors only).

    Those in force first. Reading the list is logged; it is internal: never publish it."""
    from dataclasses import asdict

    from tracker.reports.feed import list_publications

    with transaction(app.sessions()) as session:
        actor = acting_person(app, session, "feed.preview")
        rows = list_publications(session, actor)
    if fmt == "json":
        click.echo(json.dumps([asdict(r) for r in rows], indent=2, default=str, ensure_ascii=False))
        return
    if not rows:
        click.echo("no publications approved yet")
        return
    for r in rows:
        if r.in_force:
            state = "on the feed"
        elif r.state == "approved":
            state = f"approved, not in force (status {r.status})"
        else:
            state = (
                f"withdrawn {r.withdrawn_at:%Y-%m-%d} by {r.withdrawn_by}: {r.withdrawal_reason}"
            )
        click.echo(
            f"{r.offender_id:<14} {r.names:<32} {state}\n{'':<14} approved "
            f"{r.approved_at:%Y-%m-%d} by {r.approved_by}: {r.approval_reason}"
        )
