"""`tracker ingest KIND PATH...` as other systems script it: summary lines and exit codes."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tracker.cli import main
from tracker.db import make_engine, make_session_factory, transaction
from tracker.models import AuditEvent, Offender

from .conftest import OFFENDER_HEADER

GOOD = (
    OFFENDER_HEADER + "\nVR-1,Smith,John,1980-01-31,2020-05-01,P10Y,Kent\n"
    "VR-2,Jones,Ann,1981-02-28,2020-05-01,P10Y,Kent\n"
)


@pytest.fixture
def runner(monkeypatch, data_dir, db_url) -> CliRunner:
    """Loading by hand needs an admin: ada, and ann.analyst who may not."""
    monkeypatch.setenv("TRACKER_DATA_DIR", str(data_dir))
    monkeypatch.delenv("TRACKER_USER", raising=False)
    runner = CliRunner()
    for name, role in (("ada", "admin"), ("ann.analyst", "analyst")):
        args = ["--db", db_url, "--user", "ada", "users", "add", name, "--role", role]
        assert runner.invoke(main, args).exit_code == 0
    return runner


def ingest(runner, db_url, *args, user: str | None = "ada"):
    prefix = ["--db", db_url] + (["--user", user] if user else [])
    return runner.invoke(main, [*prefix, "ingest", *map(str, args)])


def test_every_row_loaded_exits_0_with_one_summary_line(runner, db_url, write_file):
    path = write_file("offenders.csv", GOOD)
    result = ingest(runner, db_url, "offenders", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{path}: read 2, loaded 2 (new 2, updated 0, unchanged 0), rejected 0\n"
    )
    again = ingest(runner, db_url, "offenders", path)
    assert again.stdout == f"{path}: read 2, loaded 2 (new 0, updated 0, unchanged 2), rejected 0\n"


def test_some_rows_rejected_exits_3_and_names_the_reject_file(runner, db_url, write_file, data_dir):
    path = write_file("offenders.csv", GOOD + "VR-3,Brown,Bob,1985-13-01,2020-05-01,P10Y,Kent\n")
    result = ingest(runner, db_url, "offenders", path)
    assert result.exit_code == 3, result.output
    reject_file = next(data_dir.glob("rejects/load-*/offenders.csv.rejects.csv"))
    assert result.stdout == (
        f"{path}: read 3, loaded 2 (new 2, updated 0, unchanged 0), rejected 1; "
        f"rejects in {reject_file}\n"
    )
    assert "1985-13-01' is not a date (expected YYYY-MM-DD)" in reject_file.read_text()


def test_nothing_loaded_exits_1(runner, db_url, write_file):
    path = write_file("offenders.csv", OFFENDER_HEADER + "\nVR-3,Brown,Bob,x,2020-05-01,P10Y,K\n")
    result = ingest(runner, db_url, "offenders", path)
    assert result.exit_code == 1
    assert "read 1, loaded 0 (new 0, updated 0, unchanged 0), rejected 1" in result.stdout


def test_an_unreadable_file_is_refused_with_a_message_not_a_traceback(runner, db_url, write_file):
    text = GOOD.replace("Smith", "Schröder")
    path = write_file("offenders.csv", text, "latin-1")
    offset = text.encode("latin-1").index(b"\xf6")
    result = ingest(runner, db_url, "offenders", path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}: refused, nothing loaded: is not UTF-8 text: byte 0xF6 at offset {offset} "
        "(line 2) is not UTF-8; save the file as UTF-8 and load it again\n"
    )
    assert "Traceback" not in result.output


def test_a_good_file_and_a_refused_one_exit_3(runner, db_url, write_file):
    good = write_file("offenders.csv", GOOD)
    bad = write_file("offenders-2.csv", "nothing,useful\n1,2\n")
    result = ingest(runner, db_url, "offenders", good, bad)
    assert result.exit_code == 3
    assert f"{bad}: refused, nothing loaded: has no offender_id, family_name" in result.stderr


def test_unknown_columns_give_one_warning_per_file(runner, db_url, write_file):
    text = GOOD.replace("managing_force\n", "managing_force,shoe_size\n").replace(
        "Kent\n", "Kent,9\n"
    )
    path = write_file("offenders.csv", text)
    result = ingest(runner, db_url, "offenders", path)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"warning: {path}: ignored unknown column(s): shoe_size\n"


def test_bom_quoted_commas_and_scripts_load_as_given(runner, db_url, write_file):
    text = (
        "\ufeff" + OFFENDER_HEADER + '\nVR-1,"Ó Súilleabháin, Jr",Áine,1980-01-31,'
        "2020-05-01,P10Y,Kent\nVR-2,Иванов,Иван,1980-01-31,2020-05-01,P10Y,Kent\n"
    )
    result = ingest(runner, db_url, "offenders", write_file("offenders.csv", text))
    assert result.exit_code == 0, result.output
    engine = make_engine(db_url)
    with transaction(make_session_factory(engine)) as s:
        names = s.execute(select(Offender.family_name).order_by(Offender.offender_id)).all()
    engine.dispose()
    assert names == [("Ó Súilleabháin, Jr",), ("Иванов",)]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.csv", "missing.csv: no such file; nothing was loaded"),
        ("offenders.xlsx", "offenders.xlsx: unknown format .xlsx"),
    ],
)
def test_a_path_that_cannot_be_loaded_exits_1_naming_it(
    runner, db_url, write_file, tmp_path, name, message
):
    if name != "missing.csv":
        write_file(name, "x")
    result = ingest(runner, db_url, "offenders", tmp_path / "inbox" / name)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_a_folder_or_an_unknown_kind_is_a_usage_error(runner, db_url, tmp_path):
    assert ingest(runner, db_url, "offenders", tmp_path).exit_code == 2
    assert ingest(runner, db_url, "passengers", tmp_path / "x.csv").exit_code == 2


def test_loading_by_hand_needs_an_admin_who_is_audited(runner, db_url, write_file):
    path = write_file("offenders.csv", GOOD)
    nobody = ingest(runner, db_url, "offenders", path, user=None)
    assert nobody.exit_code == 1 and "`ingest.run` needs the acting person" in nobody.output
    analyst = ingest(runner, db_url, "offenders", path, user="ann.analyst")
    assert analyst.exit_code == 1
    assert "user 'ann.analyst' (role analyst) may not ingest.run" in analyst.output
    assert ingest(runner, db_url, "offenders", path).exit_code == 0
    engine = make_engine(db_url)
    with transaction(make_session_factory(engine)) as s:
        actors = s.scalars(
            select(AuditEvent.actor)
            .where(AuditEvent.action == "collection")
            .order_by(AuditEvent.id)
        ).all()
        offenders = s.scalars(select(Offender.offender_id).order_by(Offender.offender_id)).all()
    engine.dispose()
    assert actors == ["ada"]
    assert offenders == ["VR-1", "VR-2"]


def test_a_travel_paxlst_file_loads_from_the_command_line(runner, db_url, write_file, build_paxlst):
    b = build_paxlst
    path = write_file("flight.edi", b.interchange([b.message([b.passenger()])]))
    result = ingest(runner, db_url, "travel", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("read 1, loaded 1 (new 1, updated 0, unchanged 0), rejected 0\n")
