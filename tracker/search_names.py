"""Every name of an offender folded for search, in any script: ``offenders.search_names``.

SQLite's ``upper()`` knows ASCII only and neither database transliterates, so a Latin query
could not find a register name written in Cyrillic, Greek or Arabic (nor the other way).
Each name (the register's and every alias) is kept a second time as upper-case ASCII words,
transliterated (anyascii) and in the passport spelling (ICAO 9303: Ю -> IU, Ü -> UE), so the
search compares words with ``LIKE`` on both sides alike. Names whose script writes few or
other vowels (Arabic ``محمد`` -> MHMD, Greek ``ου`` -> OY) also keep their consonants
(``~MHMD``), and every name keeps them as ``^MHMD``: a Latin query is compared by consonants
only with names stored in another script, a query in another script with every name.

The column is NULL until folded: the ORM fills it on every flush that adds or changes an
offender or an alias, and bulk writers (ingest, benchmarks) call ``refresh_search_names``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, and_, bindparam, event, inspect, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tracker.models import Alias, Offender

#: Marks of a consonant skeleton word: of a name stored in a non-Latin script, of any name.
FOREIGN_SKELETON, ANY_SKELETON = "~", "^"
_VOWELS = re.compile(r"[AEIOUY]")
_REPEATS = re.compile(r"(.)\1+")
#: Offenders folded per statement when refreshing.
REFRESH_BATCH = 2_000


def name_forms(text: str | None) -> list[str]:
    """``text`` as upper-case ASCII words, transliterated and in the passport spelling."""
    from tracker.matching.names import fold_name, icao_fold  # pandas: only when folding

    forms = [fold_name(text), icao_fold(text)] if text else []
    return list(dict.fromkeys(form for form in forms if form))


def skeleton(word: str) -> str:
    """A folded word's consonants, doubled letters once: MOHAMMED and محمد (MHMD) -> MHMD."""
    return _VOWELS.sub("", _REPEATS.sub(r"\1", word)) or word


def is_latin(text: str) -> bool:
    """Whether every letter of ``text`` is Latin (accents allowed): its vowels are written."""
    return all(ord(c) < 0x250 or not c.isalpha() for c in text)


def folded_names(names: Iterable[str | None]) -> str:
    """The search column's text for one offender: each word once, space-separated and
    space-bounded (so ``% ^MHMD %`` matches a whole word)."""
    words: dict[str, None] = {}
    for name in names:
        if not name:
            continue
        mark = ANY_SKELETON if is_latin(name) else FOREIGN_SKELETON
        for form in name_forms(name):
            for word in form.split():
                words[word] = None
                words[ANY_SKELETON + skeleton(word)] = None
                if mark == FOREIGN_SKELETON:
                    words[FOREIGN_SKELETON + skeleton(word)] = None
    return " " + " ".join(words) + " "


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _whole_word(column, word: str, marks: Sequence[str]):
    """The word's consonants, as a whole word under one of ``marks``."""
    bare = _escaped(skeleton(word))
    return or_(*(column.like(f"% {mark}{bare} %", "\\") for mark in marks))


def search_names_holding(column, text: str):
    """``column`` (``Offender.search_names``) holds every word of ``text``: in one of its
    spellings anywhere in a name, or by consonants where one side's script is not Latin."""
    forms = name_forms(text)
    if not forms:
        return None
    spelled = [
        and_(*(column.like(f"%{_escaped(w)}%", "\\") for w in form.split())) for form in forms
    ]
    marks = (FOREIGN_SKELETON,) if is_latin(text) else (FOREIGN_SKELETON, ANY_SKELETON)
    by_consonants = [and_(*(_whole_word(column, w, marks) for w in form.split())) for form in forms]
    return or_(*spelled, *by_consonants)


def _names_of(connection: Connection, offender_pks: Sequence[int]) -> dict[int, list[str]]:
    """Each offender's register and alias names, for a batch of offenders."""
    names: dict[int, list[str]] = {pk: [] for pk in offender_pks}
    people = select(Offender.id, Offender.family_name, Offender.given_names).where(
        Offender.id.in_(offender_pks)
    )
    others = select(Alias.offender_pk, Alias.family_name, Alias.given_names).where(
        Alias.offender_pk.in_(offender_pks)
    )
    for statement in (people, others):
        for pk, family, given in connection.execute(statement):
            names[pk] += [family, given]
    return names


def refresh_search_names(connection: Connection, source_file_ids: Sequence[int] = ()) -> int:
    """Fold the names of offenders never folded (NULL) and of those whose register row or an
    alias came from ``source_file_ids`` (a load that inserted or changed them); how many."""
    stale = [Offender.search_names.is_(None)]
    if source_file_ids:
        stale.append(Offender.source_file_id.in_(source_file_ids))
        touched = select(Alias.offender_pk).where(Alias.source_file_id.in_(source_file_ids))
        stale.append(Offender.id.in_(touched))
    pks = list(connection.scalars(select(Offender.id).where(or_(*stale)).order_by(Offender.id)))
    refold(connection, pks)
    return len(pks)


def refold(connection: Connection, offender_pks: Sequence[int]) -> dict[int, str]:
    """Write the search column of these offenders from their names as stored now."""
    written: dict[int, str] = {}
    change = (
        update(Offender.__table__)
        .where(Offender.__table__.c.id == bindparam("pk"))
        .values(search_names=bindparam("folded"))
    )
    for start in range(0, len(offender_pks), REFRESH_BATCH):
        names = _names_of(connection, offender_pks[start : start + REFRESH_BATCH])
        folded = {pk: folded_names(found) for pk, found in names.items()}
        if folded:
            connection.execute(change, [{"pk": pk, "folded": f} for pk, f in folded.items()])
        written.update(folded)
    return written


def _renamed(offender: Offender) -> bool:
    """New, or a name changed (a status change alone leaves the search column alone)."""
    state = inspect(offender)
    if state.pending:
        return True
    return any(state.attrs[n].history.has_changes() for n in ("family_name", "given_names"))


TOUCHED = "search_names_touched"


@event.listens_for(Session, "before_flush")
def _note_changed_names(session: Session, _context, _instances) -> None:
    """An offender added or renamed, or an alias added, changed or removed, through the ORM
    (the tests' scenarios, the web's forms): noted, to be folded once the flush wrote it."""
    touched = session.info.setdefault(TOUCHED, [])
    for item in (*session.new, *session.dirty, *session.deleted):
        if isinstance(item, Offender) and _renamed(item):
            touched.append(item)
        elif isinstance(item, Alias):
            touched.append(item.offender if item.offender_pk is None else item.offender_pk)


@event.listens_for(Session, "after_flush")
def _fold_changed_names(session: Session, _context) -> None:
    touched = session.info.pop(TOUCHED, [])
    pks = {item if isinstance(item, int) else getattr(item, "id", None) for item in touched}
    alive = sorted(pk for pk in pks if pk is not None)
    if alive:
        written = refold(session.connection(), alive)
        for offender in list(session.identity_map.values()):
            if isinstance(offender, Offender) and offender.id in written:
                set_committed_value(offender, "search_names", written[offender.id])
