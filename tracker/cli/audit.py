"""`tracker audit verify | checkpoint | log`: the audit trail, its anchor and its reading."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.cli.app import AppContext, pass_app
from tracker.cli.options import DATE_OR_INSTANT
from tracker.cli.output import emit, listing_output
from tracker.db import transaction
from tracker.models.enums import AUDIT_ACTIONS
from tracker.tabular import Column, render

if TYPE_CHECKING:  # the verification modules load only when a command needs them
    from tracker.audit import ChainReport
    from tracker.audit_anchor import AnchorReport

LOG_TABLE = (
    Column("id", align=">"),
    Column("at", shown=lambda at: at[:19]),
    Column("actor"),
    Column("action"),
    Column("object"),
    Column("justification"),
)
LOG_JSON = (*LOG_TABLE, Column("details"))
NOT_ANCHORED = (
    "the trail is not anchored outside the database: there is no audit anchor "
    "key. Run `tracker audit checkpoint` (or `tracker keys init`, or a nightly run) "
    "to anchor it, or pass --no-anchor-yet to verify the chain alone"
)


def _echo_chain(report: ChainReport) -> None:
    if report.intact:
        click.echo(f"audit trail intact: {report.entries} entries, head {report.head_hash}")
        return
    click.echo(
        f"audit trail BROKEN at entry {report.first_broken_id}: {report.problem} "
        f"({report.entries} entries verified before it)",
        err=True,
    )


def _echo_anchor(anchor: AnchorReport, no_anchor_yet: bool) -> bool:
    """Print what the checkpoints say; True when that is acceptable."""
    if anchor.problems:
        click.echo(f"audit anchor BROKEN: {anchor.describe()}", err=True)
        return False
    if not anchor.anchored:
        if no_anchor_yet:
            click.echo("audit anchor: none yet (--no-anchor-yet): only the chain was checked")
            return True
        click.echo(f"audit anchor MISSING: {NOT_ANCHORED}", err=True)
        return False
    click.echo(f"audit anchor: {anchor.describe()}")
    return True


def checkpoint_after(app: AppContext) -> None:
    """After a command that used the database: checkpoint what it wrote to the trail (only
    when the trail moved, the installation is anchored and the trail since the latest
    checkpoint verifies); a problem is a warning, the command's outcome stands."""
    from tracker.audit_checkpointing import checkpoint_after_command

    if not app.opened_database:
        return
    warning = checkpoint_after_command(
        app.sessions(require_schema=False), app.settings.keys_dir, app.settings.data_dir
    )
    if warning:
        click.echo(warning, err=True)


@click.command("verify")
@click.option(
    "--no-anchor-yet",
    is_flag=True,
    help="State that this installation has no anchor key yet: verify the chain alone "
    "instead of failing. A key that is gone while checkpoints need it still "
    "fails.",
)
@pass_app
def audit_verify_command(app: AppContext, no_anchor_yet: bool) -> None:
    """Recompute the hash chain and check it against the checkpoints kept outside the
    database; exit 0 only if the trail is complete, unaltered and matches them. An intact,
    anchored trail gets a new checkpoint."""
    from tracker.audit_anchor import checkpoint_now
    from tracker.audit_anchor_key import AnchorError
    from tracker.services.audit_trail import check_audit_trail

    settings = app.settings
    with transaction(app.sessions()) as session:
        check = check_audit_trail(session, settings.keys_dir, settings.data_dir)
    chain, anchor = check.chain, check.anchor
    _echo_chain(chain)
    anchored_ok = _echo_anchor(anchor, no_anchor_yet)
    if not (chain.intact and anchored_ok):
        sys.exit(1)
    if anchor.anchored:
        with transaction(app.sessions()) as session:
            try:
                checkpoint = checkpoint_now(
                    session, settings.keys_dir, settings.data_dir, create=False
                )
            except AnchorError as exc:
                raise click.ClickException(str(exc)) from exc
        if checkpoint:
            click.echo(f"checkpoint written: entry {checkpoint.event_id} at {checkpoint.at}")


@click.command("checkpoint")
@pass_app
def audit_checkpoint_command(app: AppContext) -> None:
    """Anchor the trail now: verify it, make the anchor key if there is none (keys/, owner
    only), and append a checkpoint of its newest entry to the data folder's audit/. The
    nightly run does this at its end too."""
    from tracker.audit_anchor import checkpoint_now
    from tracker.audit_anchor_key import AnchorError
    from tracker.services.audit_trail import check_audit_trail

    settings = app.settings
    with transaction(app.sessions()) as session:
        check = check_audit_trail(session, settings.keys_dir, settings.data_dir)
    chain, anchor = check.chain, check.anchor
    _echo_chain(chain)
    if not chain.intact or anchor.problems:
        if anchor.problems:
            click.echo(f"audit anchor BROKEN: {anchor.describe()}", err=True)
        click.echo("no checkpoint written: a damaged trail is not vouched for", err=True)
        sys.exit(1)
    with transaction(app.sessions()) as session:
        try:
            checkpoint = checkpoint_now(session, settings.keys_dir, settings.data_dir)
        except AnchorError as exc:
            raise click.ClickException(str(exc)) from exc
    if checkpoint is None:
        click.echo("the trail is empty: nothing to checkpoint yet (the anchor key is ready)")
        return
    click.echo(f"checkpoint written: entry {checkpoint.event_id} at {checkpoint.at}")


@click.command("log")
@click.option("--user", "actor", metavar="NAME", help="Only entries by this person.")
@click.option("--action", type=click.Choice(AUDIT_ACTIONS))
@click.option("--object", "object_ref", metavar="TYPE[:ID]", help="e.g. flag:12 or user.")
@click.option("--since", type=DATE_OR_INSTANT)
@click.option("--until", type=DATE_OR_INSTANT)
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 100_000))
@listing_output("table", "json")
@pass_app
def audit_log_command(
    app: AppContext,
    actor: str | None,
    action: str | None,
    object_ref: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    fmt: str,
    out: Path | None,
) -> None:
    """The audit trail, newest first, filtered by person, action, object and time (admins and
    supervisors; reading it is itself logged). Addresses, postcodes, dates of birth, document
    numbers and unmatched travellers' details show as [restricted]: which fields changed, never
    their values."""
    from tracker.services.audit_trail import read_audit_log

    object_type, _, object_id = (object_ref or "").partition(":")
    with transaction(app.sessions()) as session:
        entries = read_audit_log(
            session,
            app.settings.user,
            actor=actor,
            action=action,
            object_type=object_type or None,
            object_id=object_id or None,
            since=since,
            until=until,
            limit=limit,
        )
    rows = [entry.as_dict() for entry in entries]
    emit(render(rows, LOG_JSON if fmt == "json" else LOG_TABLE, fmt), out)


@click.group()
def audit() -> None:
    """The append-only, hash-chained audit trail."""


audit.add_command(audit_verify_command)
audit.add_command(audit_checkpoint_command)
audit.add_command(audit_log_command)
