"""`tracker audit verify | checkpoint | log`: the audit trail, its anchor and its reading."""

from __future__ import annotations

import json
import sys

import click

from tracker.cli.app import acting_person
from tracker.db import (
    transaction,
)
from tracker.models.enums import (
    AUDIT_ACTIONS,
)

NOT_ANCHORED = (
    "the trail is not anchored outside the database: there is no audit anchor "
    "key. Run `tracker audit checkpoint` (or `tracker keys init`, or a nightly run) "
    "to anchor it, or pass --no-anchor-yet to verify the chain alone"
)


def _echo_chain(report) -> None:
    if report.intact:
        click.echo(f"audit trail intact: {report.entries} entries, head {report.head_hash}")
        return
    click.echo(
        f"audit trail BROKEN at entry {report.first_broken_id}: {report.problem} "
        f"({report.entries} entries verified before it)",
        err=True,
    )


def _echo_anchor(anchor, no_anchor_yet: bool) -> bool:
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


def checkpoint_after(app) -> None:
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
@click.pass_obj
def audit_verify_command(app, no_anchor_yet: bool) -> None:
    """Recompute the hash chain and check it against the checkpoints kept outside the
    database; exit 0 only if the trail is complete, unaltered and matches them. An intact,
    anchored trail gets a new checkpoint."""
    from tracker.audit import verify_chain
    from tracker.audit_anchor import AnchorError, checkpoint_now, verify_anchor

    settings = app.settings
    with transaction(app.sessions()) as session:
        chain = verify_chain(session)
        anchor = verify_anchor(session, settings.keys_dir, settings.data_dir)
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
@click.pass_obj
def audit_checkpoint_command(app) -> None:
    """Anchor the trail now: verify it, make the anchor key if there is none (keys/, owner
    only), and append a checkpoint of its newest entry to the data folder's audit/. The
    nightly run does this at its end too."""
    from tracker.audit import verify_chain
    from tracker.audit_anchor import AnchorError, checkpoint_now, verify_anchor

    settings = app.settings
    with transaction(app.sessions()) as session:
        chain = verify_chain(session)
        anchor = verify_anchor(session, settings.keys_dir, settings.data_dir)
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
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S%z"]))
@click.option("--until", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S%z"]))
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
def audit_log_command(app, actor, action, object_ref, since, until, limit, fmt) -> None:
    """The audit trail, newest first, filtered by person, action, object and time (admins and
    supervisors; reading it is itself logged). Addresses, postcodes, dates of birth, document
    numbers and unmatched travellers' details show as [restricted]: which fields changed, never
    their values."""
    from tracker.audit import query_audit_log, record_event
    from tracker.audit_view import shown_entries

    object_type, _, object_id = (object_ref or "").partition(":")
    with transaction(app.sessions()) as session:
        reader = acting_person(app, session, "audit.read")
        entries = query_audit_log(
            session,
            actor=actor,
            action=action,
            object_type=object_type or None,
            object_id=object_id or None,
            since=_aware(since),
            until=_aware(until),
            limit=limit,
        )
        rows = [entry.as_dict() for entry in shown_entries(session, entries)]
        record_event(
            session,
            actor=reader.name,
            action="consultation",
            object_type="audit_log",
            justification="audit log read",
            details={"entries": len(rows)},
        )
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for r in rows:
        click.echo(
            f"{r['id']:>7} {r['at'][:19]} {r['actor']:<16} {r['action']:<13} "
            f"{r['object']:<24} {r['justification'] or ''}"
        )


@click.group()
def audit() -> None:
    """The append-only, hash-chained audit trail."""


audit.add_command(audit_verify_command)


audit.add_command(audit_checkpoint_command)


audit.add_command(audit_log_command)


def _aware(value):
    """Dates typed without an offset are read as UTC."""
    from datetime import UTC

    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
