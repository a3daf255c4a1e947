"""Engine, sessions and the schema's migration entry points.

SQLite is the embedded default and PostgreSQL the real server; both are reached through the
same functions so every caller (CLI, nightly job, tests) gets the same connection settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

if TYPE_CHECKING:  # alembic loads only when migrating
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class DatabaseURLError(ValueError):
    """The database URL given cannot be used; the message names it."""


SQLITE_CACHE_KIB = 64 * 1024
SQLITE_BUSY_MS = 30_000  # how long a writer waits for another's lock
SQLITE_MMAP_BYTES = 1024 * 1024 * 1024


def _set_sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    """Foreign keys are off by default in SQLite; WAL lets readers work during the batch."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    # A national register is gigabytes: a 64 MiB page cache (SQLite's default is 2 MiB) and
    # reads through a memory map keep the nightly's big scans and index look-ups off the
    # system-call path. Both are per connection and cost nothing on a small database.
    # (Temporary storage stays on disk: rebuilding a million-row index sorts in it.)
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


SUPPORTED_BACKENDS = ("sqlite", "postgresql")
URL_FORMS = "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DBNAME"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the project's connection settings applied; a URL the
    tracker cannot use is refused with a ``DatabaseURLError`` that says why."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseURLError(f"cannot use database URL {url!r}: {exc}") from exc
    shown = parsed.render_as_string()  # the password hidden
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise DatabaseURLError(
            f"cannot use database URL {shown!r}: the tracker does not work with scheme "
            f"{parsed.drivername!r}; {URL_FORMS}"
        )
    if backend == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            parent = Path(database).parent
            if not parent.exists():
                raise DatabaseURLError(
                    f"cannot use database URL {shown!r}: folder {parent} does not exist"
                )
        engine = _create_engine(parsed.render_as_string(hide_password=False), shown, kwargs)
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    if parsed.drivername == "postgresql":
        # The plain scheme would pick psycopg2, which the project does not install.
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs.setdefault("pool_pre_ping", True)
    return _create_engine(parsed.render_as_string(hide_password=False), shown, kwargs)


def _create_engine(url: str, shown: str, kwargs: dict[str, Any]) -> Engine:
    """``create_engine``, its refusals of a driver it cannot load named as the URL's."""
    try:
        return create_engine(url, **kwargs)
    except NoSuchModuleError as exc:
        scheme = make_url(url).drivername
        raise DatabaseURLError(
            f"cannot use database URL {shown!r}: unknown driver in scheme {scheme!r}; {URL_FORMS}"
        ) from exc
    except ImportError as exc:
        scheme = make_url(url).drivername
        raise DatabaseURLError(
            f"cannot use database URL {shown!r}: the driver for scheme {scheme!r} "
            f"is not installed ({exc.name or exc}); {URL_FORMS}"
        ) from exc
    except ArgumentError as exc:
        raise DatabaseURLError(f"cannot use database URL {shown!r}: {exc}") from exc


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None for other databases and in-memory ones)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):  # a URI filename: SQLite resolves it itself
        return None
    return Path(database)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep ``offenders.search_names`` folded as they write names."""
    import tracker.search_names  # noqa: F401 (registers the flush hook)

    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def changed_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed. ``Session.execute`` is typed to return a
    plain Result, but for those statements it is a CursorResult, the one that counts rows."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"no row count on {type(result).__name__}: not an UPDATE or DELETE")
    return result.rowcount


def driver_connection(connection: Connection) -> Any:
    """The driver's own connection under ``connection`` (sqlite3's or psycopg's), for the few
    bulk paths that talk to it directly; it is gone only once the connection is closed."""
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the connection is closed: it has no driver connection")
    return driver


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def upgrade_to_head(engine: Engine) -> tuple[str | None, str | None]:
    """Bring the schema to the newest migration; returns (revision before, revision after)."""
    from alembic import command

    before = current_revision(engine)
    config = alembic_config(engine)
    with _migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before, current_revision(engine)


def downgrade_to(engine: Engine, revision: str = "base") -> None:
    from alembic import command

    config = alembic_config(engine)
    with _migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection for migrations, in one transaction. On SQLite, foreign keys are off while
    it runs: changing a table there means copying it into a new one and dropping the old, and
    with the keys on that drop would fail, or cascade and empty every table that refers to it.
    The keys are checked whole before the transaction commits."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction
            connection.commit()
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(
                            f"the migration left {len(broken)} row(s) whose "
                            f"foreign key points nowhere, e.g. {broken[0]}"
                        )
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    config = alembic_config(make_engine("sqlite://"))
    return ScriptDirectory.from_config(config).get_current_head()


def schema_is_current(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()
