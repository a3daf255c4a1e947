"""The command line's shared parts: the context every command gets, the root group, output."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tracker import __version__
from tracker.access.permissions import PermissionDenied
from tracker.db import (
    DatabaseURLError,
    current_revision,
    head_revision,
    make_engine,
    make_session_factory,
    schema_is_current,
)
from tracker.settings import Settings, SettingsError, read_settings

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class AppContext:
    """What every command needs: the settings read once at the root command, and a database
    opened only when first asked for."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            try:
                self._engine = make_engine(self.settings.database.url)
            except DatabaseURLError as exc:
                raise click.BadParameter(str(exc), param_hint="--db") from exc
        return self._engine

    @property
    def opened_database(self) -> bool:
        return self._engine is not None

    def close(self) -> None:
        """Return the database connections when the command ends."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def sessions(self, require_schema: bool = True) -> sessionmaker[Session]:
        """A session factory; refuses plainly when the schema is missing or out of date."""
        if require_schema:
            try:
                current = schema_is_current(self.engine)
            except OperationalError as exc:
                raise click.ClickException(
                    f"cannot reach database {self.engine.url.render_as_string()}: {exc.orig or exc}"
                ) from exc
            if not current:
                raise click.ClickException(
                    f"database {self.engine.url.render_as_string()} is not at the newest schema "
                    f"(it is at {current_revision(self.engine) or 'none'}, newest is "
                    f"{head_revision()}); run `tracker db upgrade` first"
                )
        return make_session_factory(self.engine)


pass_app = click.make_pass_decorator(AppContext)


class TrackerGroup(click.Group):
    """The root command: a refusal by the permission table (raised by a service) ends the
    command with its reason, like any other command error."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PermissionDenied as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=TrackerGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Database URL (default: $TRACKER_DATABASE_URL, else sqlite:///tracker.db here). "
    "PostgreSQL: postgresql+psycopg://user@host/dbname.",
)
@click.option(
    "--user",
    metavar="NAME",
    help="The person acting (default: $TRACKER_USER). Unknown names are refused.",
)
@click.version_option(__version__, prog_name="tracker")
@click.pass_context
def main(ctx: click.Context, db_url: str | None, user: str | None) -> None:
    """Offender notification-compliance tracker.

    Loads the register, notifications and travel records, links travel to the register
    despite messy names, raises compliance flags for analysts to review, and produces
    intelligence packages, the public most-wanted feed and the daily report.

    Start with `tracker demo`, or `tracker db upgrade` then `tracker nightly --inbox DIR`.
    """
    try:
        settings = read_settings(database={"url": db_url} if db_url else None, user=user or None)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    ctx.obj = AppContext(settings)
    ctx.call_on_close(ctx.obj.close)


@main.result_callback()
@pass_app
def _after_command(app: AppContext, *_results, **_options) -> None:
    """A command that used the database and succeeded: checkpoint the audit entries it wrote."""
    from tracker.cli.audit import checkpoint_after

    checkpoint_after(app)
