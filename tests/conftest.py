"""Database fixtures: every database test runs on SQLite and on PostgreSQL.

A migrated template is made once per worker; each test gets its own copy (a file copy on
SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL), so tests never see each other's rows.
When ``CI`` is set, an unreachable PostgreSQL fails the suite instead of skipping.
Passwords are hashed at argon2's lowest cost in the test processes (thousands of sign-ins);
tests/access/test_passwords.py pins the production cost the application itself uses.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from tracker.access.passwords import use_hash_cost
from tracker.db import make_engine, make_session_factory, upgrade_to_head

PG_ADMIN_URL = os.environ.get(
    "TRACKER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")
TEST_HASH_COST = {"time_cost": 1, "memory_kib": 8}  # argon2's minimum: one pass over 8 KiB


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> None:
    """Sign-ins cost microseconds instead of a fifth of a second each; what is hashed and
    checked is unchanged (subprocesses the tests start keep the production cost)."""
    use_hash_cost(**TEST_HASH_COST)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _pg_admin() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def _pg_reachable() -> str | None:
    try:
        engine = _pg_admin()
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return str(exc).splitlines()[0]


def _require_postgres() -> None:
    problem = _pg_reachable()
    if problem is None:
        return
    message = f"PostgreSQL at {PG_ADMIN_URL} is not reachable: {problem}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _pg_url(database: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=database).render_as_string(hide_password=False)


class DatabaseFactory:
    """Makes empty or migrated databases of one backend and cleans them up afterwards."""

    def __init__(self, backend: str, tmp_root: Path):
        self.backend = backend
        self.tmp_root = tmp_root
        self._template: str | None = None
        self._made: list[str] = []
        self._engines: list[Engine] = []

    def _name(self, prefix: str) -> str:
        return f"tracker_{prefix}_{_worker()}_{uuid.uuid4().hex[:10]}"

    def _pg_create(self, name: str, template: str | None = None) -> str:
        """A new PostgreSQL database, empty or a copy of ``template``'s."""
        admin = _pg_admin()
        with admin.connect() as conn:
            copied = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{copied}'))
        admin.dispose()
        self._made.append(name)
        return _pg_url(name)

    def empty_url(self) -> str:
        name = self._name("t")
        if self.backend == "sqlite":
            return f"sqlite:///{(self.tmp_root / f'{name}.db').as_posix()}"
        return self._pg_create(name)

    def _template_url(self) -> str:
        if self._template is None:
            url = self.empty_url()
            engine = make_engine(url)
            upgrade_to_head(engine)
            engine.dispose()
            self._template = url
        return self._template

    def migrated_url(self) -> str:
        template = self._template_url()
        name = self._name("m")
        if self.backend == "sqlite":
            path = self.tmp_root / f"{name}.db"
            source = make_url(template).database
            shutil.copyfile(source, path)
            return f"sqlite:///{path.as_posix()}"
        return self._pg_create(name, make_url(template).database)

    def copy_of(self, url: str) -> str:
        """A new database holding what ``url`` holds now, as a restore from backup would (no
        connection to ``url`` may be open on PostgreSQL)."""
        name = self._name("c")
        if self.backend == "sqlite":
            import sqlite3

            path = self.tmp_root / f"{name}.db"
            with sqlite3.connect(make_url(url).database) as source, sqlite3.connect(path) as copy:
                source.backup(copy)
            return f"sqlite:///{path.as_posix()}"
        return self._pg_create(name, make_url(url).database)

    def engine(self, url: str) -> Engine:
        engine = make_engine(url)
        self._engines.append(engine)
        return engine

    def cleanup(self) -> None:
        for engine in self._engines:
            engine.dispose()
        if self.backend == "postgresql" and self._made:
            _drop_after_exit(self._made)


DROP_SCRIPT = """
import sys
from sqlalchemy import create_engine, text
admin = create_engine(sys.argv[1], isolation_level="AUTOCOMMIT")
with admin.connect() as conn:
    for name in sys.argv[2:]:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
"""


def _drop_after_exit(names: list[str]) -> None:
    """Drop the test databases in a process of their own that outlives the test run: each
    DROP waits for a checkpoint (seconds each on a busy server), and nothing waits for them."""
    subprocess.Popen(
        [sys.executable, "-c", DROP_SCRIPT, PG_ADMIN_URL, *names],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@pytest.fixture(scope="session")
def population():
    """400 register entries, 400 of their trips and 3,000 public travellers (DataFrames)."""
    from population import build_population

    return build_population()


@pytest.fixture(scope="session", params=BACKENDS)
def database_factory(request, tmp_path_factory) -> Iterator[DatabaseFactory]:
    if request.param == "postgresql":
        _require_postgres()
    factory = DatabaseFactory(request.param, tmp_path_factory.mktemp(f"db-{request.param}"))
    yield factory
    factory.cleanup()


@pytest.fixture
def backend(database_factory: DatabaseFactory) -> str:
    return database_factory.backend


@pytest.fixture
def db_url(database_factory: DatabaseFactory) -> str:
    """A freshly migrated database of the current backend, private to this test."""
    return database_factory.migrated_url()


@pytest.fixture
def empty_db_url(database_factory: DatabaseFactory) -> str:
    """An empty database (no schema) of the current backend, private to this test."""
    return database_factory.empty_url()


@pytest.fixture
def engine(database_factory: DatabaseFactory, db_url: str) -> Iterator[Engine]:
    engine = database_factory.engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as s:
        yield s
