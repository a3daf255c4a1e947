"""`tracker review queue | show | decide`: the analysts' queue from the command line."""

from __future__ import annotations

import click

from tracker.cli.app import AppContext, pass_app
from tracker.cli.options import PAGE, ROW_ID
from tracker.cli.output import emit, listing_output
from tracker.db import transaction
from tracker.models.enums import (
    FLAG_KINDS,
    FLAG_STATUSES,
    SEVERITIES,
)
from tracker.tabular import render


@click.group()
def review() -> None:
    """The analysts' queue: look at the evidence, then confirm, dismiss or escalate."""


@review.command("queue")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(FLAG_KINDS), help="Repeatable.")
@click.option("--severity", "severities", multiple=True, type=click.Choice(SEVERITIES))
@click.option(
    "--status", "statuses", multiple=True, type=click.Choice(FLAG_STATUSES), help="Default: open."
)
@click.option("--force", help="Managing force, exactly as in the register.")
@click.option("--assigned", metavar="NAME", help="Only flags assigned to this person.")
@click.option("--escalated", is_flag=True, help="Only the supervisors' queue of escalations.")
@click.option(
    "--search",
    default="",
    metavar="TEXT",
    help="A name (any script), register reference, travel record id or flag id.",
)
@click.option(
    "--sort",
    metavar="COLUMN[:desc]",
    help="Order by a column instead of severity and due date: flag_id, severity, kind, "
    "offender_id, name, managing_force, due_on, detected_on, match_probability, assigned_to.",
)
@click.option("--page", default=1, show_default=True, type=PAGE)
@click.option("--page-size", default=50, show_default=True, type=click.IntRange(1, 10_000))
@listing_output("table", "csv", "json", "xlsx")
@pass_app
def review_queue(
    app: AppContext,
    kinds,
    severities,
    statuses,
    force,
    assigned,
    escalated,
    search,
    sort,
    page,
    page_size,
    fmt,
    out,
) -> None:
    """Open flags, most severe first and then the most urgent (earliest due), with filters
    and paging. Analysts and supervisors; --escalated is the supervisors' queue."""
    from tracker.review.queue import QUEUE_COLUMNS, QUEUE_TABLE_COLUMNS, QueueFilter
    from tracker.review.queue_order import SortError, parse_sort
    from tracker.services.review import list_queue

    try:
        order = parse_sort(sort)
    except SortError as exc:
        raise click.BadParameter(str(exc), param_hint="--sort") from exc
    filters = QueueFilter(
        kinds=kinds,
        severities=severities,
        statuses=statuses or ("open",),
        force=force,
        assigned_to=assigned,
        escalated_only=escalated,
        search=search,
        sort=order,
    )
    with transaction(app.sessions()) as session:
        result = list_queue(session, app.settings.user, filters, page=page, page_size=page_size)
    columns = QUEUE_TABLE_COLUMNS if fmt == "table" else QUEUE_COLUMNS
    emit(
        render(
            result.rows,
            columns,
            fmt,
            footer=result.footer,
            envelope=result.envelope,
            sheet="review queue",
        ),
        out,
    )


@review.command("show")
@click.argument("flag_id", type=ROW_ID)
@pass_app
def review_show(app: AppContext, flag_id: int) -> None:
    """The register entry and the travel record side by side, each field's comparison level
    and weight with the total and the probability, the notification timeline, the rule that
    fired and its deadline, and earlier decisions. Opening it is logged as a consultation."""
    from tracker.review.evidence import FlagNotFound, render_evidence
    from tracker.services.review import show_flag

    with transaction(app.sessions()) as session:
        try:
            view = show_flag(session, app.settings.user, flag_id)
        except FlagNotFound as exc:
            raise click.ClickException(str(exc)) from exc
        text = render_evidence(view.evidence)
    click.echo(text)


@review.command("decide")
@click.argument("flag_ids", nargs=-1, required=True, type=ROW_ID)
@click.option("--decision", type=click.Choice(["confirm", "dismiss", "escalate"]), required=True)
@click.option("--reason", required=True, help="Why: required, kept in the audit trail.")
@pass_app
def review_decide(app: AppContext, flag_ids: tuple[int, ...], decision: str, reason: str) -> None:
    """Record a decision on open flags (analysts and supervisors): several flags take the same
    decision and reason, all or none. Escalate puts them on the supervisors' queue; dismissing
    a travel flag means that travel record is never linked to that offender again."""
    from tracker.review.decisions import DecisionError
    from tracker.review.evidence import FlagNotFound
    from tracker.services.review import decide_flags

    who = app.settings.user
    with transaction(app.sessions()) as session:
        try:
            made = decide_flags(session, who, flag_ids, decision, reason)
        except (DecisionError, FlagNotFound) as exc:
            raise click.ClickException(str(exc)) from exc
    ids = ", ".join(str(d.flag_id) for d in made)
    click.echo(f"flag{'s' if len(made) > 1 else ''} {ids}: {decision} recorded by {who}")


@review.command("assign")
@click.argument("flag_ids", nargs=-1, required=True, type=ROW_ID)
@click.option("--to", "assignee", metavar="NAME", help="An analyst or supervisor; `me` for you.")
@click.option("--unassign", is_flag=True, help="Take the flags back from whoever has them.")
@pass_app
def review_assign(app: AppContext, flag_ids: tuple[int, ...], assignee, unassign) -> None:
    """Give flags to a person so two analysts do not work the same one (analysts and
    supervisors); each flag's change is an audit entry."""
    from tracker.review.assignment import AssignmentError
    from tracker.review.evidence import FlagNotFound
    from tracker.services.review import assign_flags

    if unassign == (assignee is not None):
        raise click.UsageError("give either --to NAME (or --to me) or --unassign")
    with transaction(app.sessions()) as session:
        try:
            flags = assign_flags(session, app.settings.user, flag_ids, assignee)
        except (AssignmentError, FlagNotFound) as exc:
            raise click.ClickException(str(exc)) from exc
    ids = ", ".join(str(f.id) for f in flags)
    given = app.settings.user if assignee == "me" else assignee
    click.echo(
        f"flag{'s' if len(flags) > 1 else ''} {ids}: "
        + (f"assigned to {given}" if given else "unassigned")
    )
