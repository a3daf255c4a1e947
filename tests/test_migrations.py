"""The schema is made only by Alembic, and the migrations agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tracker.db import current_revision, downgrade_to, head_revision, upgrade_to_head
from tracker.models import Base


def test_upgrade_on_an_empty_database_creates_every_table(database_factory, empty_db_url):
    engine = database_factory.engine(empty_db_url)
    before, after = upgrade_to_head(engine)
    assert before is None
    assert after == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_upgrade_twice_changes_nothing(database_factory, empty_db_url):
    engine = database_factory.engine(empty_db_url)
    upgrade_to_head(engine)
    before, after = upgrade_to_head(engine)
    assert before == after == head_revision()


def test_models_and_migrations_agree(database_factory, engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_downgrade_upgrade_round_trip(database_factory, empty_db_url):
    engine = database_factory.engine(empty_db_url)
    upgrade_to_head(engine)
    downgrade_to(engine, "base")
    assert current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
