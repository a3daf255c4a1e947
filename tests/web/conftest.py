"""Web fixtures: the scenario built once per backend and copied for each test that writes,
a clock the tests can move, and test clients signed in as each role."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # scenario.py and webtools.py

from scenario import PEOPLE, build_scenario
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from webtools import Clock, client_for, make_app

from tracker.db import make_engine, make_session_factory


def _pg_admin_url() -> str:
    return os.environ.get(
        "TRACKER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )


class ScenarioDatabases:
    """The scenario in a template database of one backend, and private copies of it."""

    def __init__(self, database_factory, population, root: Path):
        self.backend = database_factory.backend
        self.root = root
        self.template_url = database_factory.migrated_url()
        engine = make_engine(self.template_url)
        self.scenario = build_scenario(make_session_factory(engine), population)
        engine.dispose()
        self.made: list[str] = []

    def copy(self) -> str:
        name = f"tracker_web_{uuid.uuid4().hex[:10]}"
        if self.backend == "sqlite":
            path = self.root / f"{name}.db"
            shutil.copyfile(make_url(self.template_url).database, path)
            return f"sqlite:///{path.as_posix()}"
        admin = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            template = make_url(self.template_url).database
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        admin.dispose()
        self.made.append(name)
        return make_url(_pg_admin_url()).set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        """Drop one copy as soon as its test is done (SQLite files go with the tmp folder)."""
        name = make_url(url).database
        if name not in self.made:
            return
        admin = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        self.made.remove(name)

    def cleanup(self) -> None:
        for name in list(self.made):
            self.drop(make_url(_pg_admin_url()).set(database=name).render_as_string(False))


@pytest.fixture(scope="session")
def scenario_databases(database_factory, population, tmp_path_factory):
    databases = ScenarioDatabases(
        database_factory, population, tmp_path_factory.mktemp(f"web-{database_factory.backend}")
    )
    yield databases
    databases.cleanup()


@pytest.fixture(scope="session")
def scenario(scenario_databases):
    return scenario_databases.scenario


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def web_url(scenario_databases) -> str:
    """A private copy of the scenario database, for a test that writes."""
    url = scenario_databases.copy()
    yield url
    scenario_databases.drop(url)


@pytest.fixture
def app(web_url, tmp_path, clock):
    application = make_app(web_url, tmp_path, clock)
    yield application
    application.state.engine.dispose()


@pytest.fixture(scope="module")
def shared_app(scenario_databases, tmp_path_factory):
    """One app per module and backend for tests that only read (pages log consultations,
    which no read-only test looks at)."""
    url = scenario_databases.copy()
    application = make_app(url, tmp_path_factory.mktemp("shared"))
    yield application
    application.state.engine.dispose()
    scenario_databases.drop(url)


@pytest.fixture(scope="module")
def clients(shared_app):
    """A signed-in client per role on the shared app."""
    return {name: client_for(shared_app, name) for name in PEOPLE}
