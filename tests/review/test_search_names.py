"""Search in any script: each side transliterated, upper-cased and accent-folded, so a Latin
query finds a register name kept in Cyrillic, Greek or Arabic and the other way round; the
folded names are kept in ``offenders.search_names`` by the ORM and by ingest."""

from __future__ import annotations

from factories import add_alias, add_flag, add_offender, add_run
from sqlalchemy import select

from tracker.db import transaction
from tracker.ingest import ingest_files
from tracker.models import Offender
from tracker.review.queue import QueueFilter, review_queue
from tracker.search_names import folded_names, refresh_search_names
from tracker.settings import DatabaseSettings, Settings

PEOPLE = {
    "cyrillic": ("Жуковский", "Юрий"),
    "greek": ("Παπαδόπουλος", "Γιώργος"),
    "arabic": ("حسن", "محمد"),
    "latin": ("ZHUKOVSKII", "IURII"),
    "accented": ("MÜLLER", "Jörg"),
    "smith": ("SMITH", "JOHN"),
}


def _found(session, text: str, ids: dict[str, int]) -> set[str]:
    rows = review_queue(session, QueueFilter(search=text), page_size=100).rows
    names = {flag: name for name, flag in ids.items()}
    return {names[row["flag_id"]] for row in rows}


def _people(session) -> dict[str, int]:
    run = add_run(session)
    flags = {}
    for name, (family, given) in PEOPLE.items():
        flags[name] = add_flag(
            session, add_offender(session, family_name=family, given_names=given), run
        ).id
    return flags


def test_the_folded_names_hold_each_spelling_and_the_consonants():
    folded = folded_names(["Жуковский", "Юрий"])
    words = folded.split()
    assert {"ZHUKOVSKIY", "ZHUKOVSKII", "YURIY", "IURII", "~ZHKVSK", "^ZHKVSK"} <= set(words)
    assert folded.startswith(" ") and folded.endswith(" ")
    latin = folded_names(["SMITH", "JOHN"]).split()
    assert "^SMTH" in latin and not any(w.startswith("~") for w in latin)
    assert "MUELLER" in folded_names(["Müller"]) and "MULLER" in folded_names(["Müller"])


def test_a_latin_query_finds_names_in_other_scripts_and_back(sessions):
    with transaction(sessions) as s:
        ids = _people(s)
        assert _found(s, "Zhukovskiy", ids) == {"cyrillic"}
        assert _found(s, "zhukovskii iurii", ids) == {"cyrillic", "latin"}  # passport spelling
        assert _found(s, "Жуковский", ids) == {"cyrillic", "latin"}
        assert _found(s, "Юрий Жуковский", ids) == {"cyrillic", "latin"}
        assert _found(s, "Papadopoulos", ids) == {"greek"}  # ου, not the OY anyascii writes
        assert _found(s, "Georgios Papadopoulos", ids) == {"greek"}
        assert _found(s, "Παπαδόπουλος", ids) == {"greek"}
        assert _found(s, "Mohammed Hassan", ids) == {"arabic"}  # by consonants: MHMD HSN
        assert _found(s, "muhammad", ids) == {"arabic"}
        assert _found(s, "حسن", ids) == {"arabic"}
        assert _found(s, "Muller", ids) == {"accented"}
        assert _found(s, "mueller jorg", ids) == {"accented"}
        assert _found(s, "Smyth", ids) == set()  # Latin names are not matched by consonants
        assert _found(s, "smith", ids) == {"smith"}


def test_an_alias_added_or_a_name_changed_is_searchable_at_once(sessions):
    with transaction(sessions) as s:
        ids = _people(s)
        smith = s.scalars(select(Offender).where(Offender.family_name == "SMITH")).one()
        add_alias(s, smith, "Иванов", "Иван")
        assert _found(s, "Ivanov", ids) == {"smith"}
        smith.family_name = "Σμιθ"
        s.flush()
        assert "~SMTH" in smith.search_names.split()  # now kept in Greek letters
        assert _found(s, "Smith", ids) == {"smith"}  # still: Σμιθ is SMITH in Latin letters


def test_ingest_folds_the_register_and_the_aliases_it_loads(sessions, db_url, tmp_path):
    settings = Settings(database=DatabaseSettings(url=db_url), data_dir=tmp_path / "data")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    register = inbox / "register.csv"
    register.write_text(
        "offender_id,family_name,given_names,date_of_birth,requirement_start,"
        "notification_period,managing_force\n"
        "VR-1,Жуковский,Юрий,1979-06-17,2020-01-01,indefinite,Met\n"
        "VR-2,SMITH,JOHN,1980-01-01,2020-01-01,indefinite,Met\n",
        encoding="utf-8",
    )
    aliases = inbox / "aliases.csv"
    aliases.write_text(
        "offender_id,family_name,given_names,kind\nVR-2,Παπαδόπουλος,Γιώργος,alias\n",
        encoding="utf-8",
    )
    ingest_files(sessions, "offenders", [register], settings=settings, actor="system")
    ingest_files(sessions, "aliases", [aliases], settings=settings, actor="system")

    def folded(offender_id: str) -> list[str]:
        with transaction(sessions) as s:
            found = s.scalar(select(Offender.search_names).filter_by(offender_id=offender_id))
            return found.split()

    assert "ZHUKOVSKIY" in folded("VR-1")
    assert {"SMITH", "PAPADOPOYLOS", "~PPDPLS"} <= set(folded("VR-2"))
    renamed = inbox / "register-2.csv"
    renamed.write_text(register.read_text().replace("SMITH,JOHN", "JONES,JOHN"))
    ingest_files(sessions, "offenders", [renamed], settings=settings, actor="system")
    assert "JONES" in folded("VR-2") and "SMITH" not in folded("VR-2")
    assert "PAPADOPOYLOS" in folded("VR-2")  # the alias kept


def test_a_refresh_fills_rows_a_bulk_insert_left_unfolded(sessions):
    with transaction(sessions) as s:
        offender = add_offender(s, family_name="Жуковский", given_names="Юрий")
        s.execute(
            Offender.__table__.update()
            .where(Offender.__table__.c.id == offender.id)
            .values(search_names=None)
        )
        assert refresh_search_names(s.connection()) == 1
        again = s.scalar(select(Offender.search_names).where(Offender.id == offender.id))
        assert "ZHUKOVSKIY" in again.split()
