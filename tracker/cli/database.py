"""`tracker db`: bring the schema to the newest revision, or say which one it is at."""

from __future__ import annotations

import click
from sqlalchemy.exc import OperationalError

from tracker.cli.app import AppContext, pass_app
from tracker.db import (
    current_revision,
    head_revision,
    upgrade_to_head,
)


@click.group()
def db() -> None:
    """Create, migrate and inspect the database schema."""


@db.command("upgrade")
@pass_app
def db_upgrade(app: AppContext) -> None:
    """Create the schema, or migrate it to the newest version. Safe to run again."""
    try:
        before, after = upgrade_to_head(app.engine)
    except OperationalError as exc:
        raise click.ClickException(
            f"cannot migrate {app.engine.url.render_as_string()}: {exc.orig or exc}"
        ) from exc
    target = app.engine.url.render_as_string()
    if before == after:
        click.echo(f"{target}: schema already at {after}; nothing to do")
    else:
        click.echo(f"{target}: schema migrated from {before or 'empty'} to {after}")


@db.command("current")
@pass_app
def db_current(app: AppContext) -> None:
    """Print the schema version of the database and the newest one this tracker knows."""
    if app.database_file_missing:  # looking must not create the file
        click.echo(f"database: no file at {app.new_sqlite_file}  newest: {head_revision()}")
        return
    click.echo(f"database: {current_revision(app.engine) or 'empty'}  newest: {head_revision()}")
