"""The command line's shared parts: the context every command gets, the root group, output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
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
    sqlite_file,
)
from tracker.settings import Settings, SettingsError, read_settings

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class AppContext:
    """What every command needs: the settings read once at the root command, and a database
    opened only when first asked for."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._engine: Engine | None = None
        file = sqlite_file(settings.database.url)
        # A SQLite file this command would create by connecting: removed if the command fails.
        self.new_sqlite_file = file if file is not None and not file.exists() else None

    @property
    def database_file_missing(self) -> bool:
        """Whether the database is a SQLite file that does not exist (yet)."""
        return self.new_sqlite_file is not None and not self.new_sqlite_file.exists()

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

    def discard_new_database(self) -> None:
        """After a failed command: remove the SQLite file it created, so a refusal leaves
        nothing behind (a file that was there before is never touched)."""
        if self.new_sqlite_file is None or not self.new_sqlite_file.exists():
            return
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.new_sqlite_file}{suffix}").unlink(missing_ok=True)

    def sessions(self, require_schema: bool = True) -> sessionmaker[Session]:
        """A session factory; refuses plainly when the schema is missing or out of date."""
        engine = self.engine  # a URL that cannot be used is refused first
        if require_schema:
            if self.database_file_missing:
                raise click.ClickException(
                    f"database file {self.new_sqlite_file} does not exist; run "
                    "`tracker db upgrade` (same --db) to create it, or try `tracker demo`"
                )
            try:
                current = schema_is_current(engine)
            except OperationalError as exc:
                raise click.ClickException(
                    f"cannot reach database {engine.url.render_as_string()}: {exc.orig or exc}"
                ) from exc
            if not current:
                raise click.ClickException(
                    f"database {engine.url.render_as_string()} is not at the newest schema "
                    f"(it is at {current_revision(engine) or 'none'}, newest is "
                    f"{head_revision()}); run `tracker db upgrade` first"
                )
        return make_session_factory(engine)


pass_app = click.make_pass_decorator(AppContext)


class TrackerGroup(click.Group):
    """The root command: a refusal by the permission table (raised by a service) ends the
    command with its reason, like any other command error."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PermissionDenied as exc:
            _discard_new_database(ctx)
            raise click.ClickException(str(exc)) from exc
        except DatabaseError as exc:
            _discard_new_database(ctx)
            if not _unusable_database(exc):
                raise
            where = f"database {ctx.obj.engine.url.render_as_string()}" if ctx.obj else "database"
            raise click.ClickException(f"cannot use {where}: {exc.orig or exc}") from exc
        except BaseException as exc:
            if not _ended_well(exc):
                _discard_new_database(ctx)
            raise


def _unusable_database(exc: DatabaseError) -> bool:
    """A server that cannot be reached, or a file that is not a database (not a refused
    statement, whose traceback a developer needs)."""
    return isinstance(exc, OperationalError) or type(exc) is DatabaseError


def _ended_well(exc: BaseException) -> bool:
    """Whether ``exc`` is only how a successful command ends (exit status 0)."""
    if isinstance(exc, click.exceptions.Exit):
        return exc.exit_code == 0
    if isinstance(exc, SystemExit):
        return exc.code in (0, None)
    return False


def _discard_new_database(ctx: click.Context) -> None:
    if isinstance(ctx.obj, AppContext):
        ctx.obj.discard_new_database()


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
