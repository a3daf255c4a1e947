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


def test_migrations_keep_the_data_of_a_database_in_use(database_factory, tmp_path):
    # Changing a table on SQLite copies it and drops the old one: with foreign keys on, that
    # drop failed or cascaded and emptied the links. A night's data survives down and up.
    from datetime import UTC, date, datetime

    from sqlalchemy import func, select

    from tracker.db import downgrade_to, make_session_factory, transaction, upgrade_to_head
    from tracker.models import Flag, Link
    from tracker.pipeline import NightlyOptions, run_nightly
    from tracker.settings import DatabaseSettings, Settings
    from tracker.synthetic import generate

    url = database_factory.migrated_url()
    engine = database_factory.engine(url)
    sessions = make_session_factory(engine)
    generate(tmp_path / "inbox", offenders=60, travel=600, seed=8, as_of=date(2026, 11, 20))
    result = run_nightly(
        sessions,
        NightlyOptions(
            inbox=tmp_path / "inbox",
            as_of=date(2026, 11, 20),
            outbox=tmp_path / "out",
            settings=Settings(database=DatabaseSettings(url=url), data_dir=tmp_path / "data"),
            now=datetime(2026, 11, 20, 2, tzinfo=UTC),
        ),
    )
    assert result.status == "succeeded", result.error

    def counts():
        with transaction(sessions) as s:
            return (
                s.scalar(select(func.count()).select_from(Link)),
                s.scalar(select(func.count(Flag.travel_pk))),
            )

    before = counts()
    assert before[0] > 0 and before[1] > 0
    engine.dispose()
    downgrade_to(engine, "0002")
    upgrade_to_head(engine)
    assert counts() == before


NORM_COLUMNS = {
    "offenders": {"family_name_norm", "given_names_norm"},
    "aliases": {"family_name_norm", "given_names_norm"},
    "documents": {"doc_number_norm"},
    "travel_records": {"family_name_norm", "given_names_norm", "doc_number_norm"},
}
NORM_INDEXES = {
    "offenders": {"ix_offenders_family_name_norm"},
    "aliases": {"ix_aliases_family_name_norm"},
    "documents": {"ix_documents_doc_number_norm"},
    "travel_records": set(),
}


def test_0008_drops_the_unread_norm_columns_and_a_downgrade_brings_them_back_filled(
    database_factory, engine
):
    from datetime import UTC, date, datetime

    from sqlalchemy import text

    from tracker.db import make_session_factory, transaction
    from tracker.models import Document, Offender, TravelRecord

    def columns_and_indexes():
        found = inspect(engine)
        return {
            table: (
                {c["name"] for c in found.get_columns(table)} & NORM_COLUMNS[table],
                {i["name"] for i in found.get_indexes(table)} & NORM_INDEXES[table],
            )
            for table in NORM_COLUMNS
        }

    assert columns_and_indexes() == {table: (set(), set()) for table in NORM_COLUMNS}
    with transaction(make_session_factory(engine)) as s:
        offender = Offender(
            offender_id="VR-1",
            family_name="Müller",
            given_names="Jürgen Karl",
            date_of_birth=date(1970, 1, 1),
            requirement_start=date(2020, 1, 1),
            notification_period="P10Y",
            managing_force="Kent",
            public_id="p1",
        )
        s.add(offender)
        s.flush()
        s.add(
            Document(
                offender_pk=offender.id,
                doc_type="P",
                doc_number="ab-12 34<<",
                issuing_country="DEU",
            )
        )
        departure = datetime(2026, 3, 1, 6, 40, tzinfo=UTC)
        s.add(
            TravelRecord(
                source="api-lhr",
                record_id="R1",
                family_name="Иванов",
                direction="out",
                departure_country="GBR",
                arrival_country="THA",
                departure_time=departure,
                departure_local_date=departure.date(),
            )
        )
    engine.dispose()
    downgrade_to(engine, "0007")
    assert columns_and_indexes() == {
        table: (NORM_COLUMNS[table], NORM_INDEXES[table]) for table in NORM_COLUMNS
    }
    with engine.connect() as connection:
        assert connection.execute(
            text("SELECT family_name_norm, given_names_norm FROM offenders")
        ).all() == [("MULLER", "JURGEN KARL")]
        assert connection.execute(text("SELECT doc_number_norm FROM documents")).all() == [
            ("AB1234",)
        ]
        assert connection.execute(
            text("SELECT family_name_norm, given_names_norm, doc_number_norm FROM travel_records")
        ).all() == [("IVANOV", "", None)]
    engine.dispose()
    upgrade_to_head(engine)
    assert columns_and_indexes() == {table: (set(), set()) for table in NORM_COLUMNS}


def test_0011_gives_the_tokens_made_before_no_source_and_a_downgrade_drops_the_column(
    database_factory, engine
):
    from sqlalchemy import text

    engine.dispose()
    downgrade_to(engine, "0010")
    assert "sources" not in {c["name"] for c in inspect(engine).get_columns("api_tokens")}
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO api_tokens (name, token_hash, scopes, created_at, created_by) "
                "VALUES ('old-feed', :hash, '[\"manifests:write\"]', CURRENT_TIMESTAMP, 'ada')"
            ),
            {"hash": "0" * 64},
        )
    engine.dispose()
    upgrade_to_head(engine)
    with engine.connect() as connection:
        [(sources,)] = connection.execute(text("SELECT sources FROM api_tokens")).all()
    assert sources in ([], "[]")  # JSON read back (PostgreSQL) or as stored text (SQLite)
