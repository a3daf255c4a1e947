"""What screening keeps in memory between manifests, per database: the register index and
the travel name counts, each with a cheap fingerprint of the tables it was built from, so a
change by anyone (the nightly, an erasure, another process) is seen and the copy rebuilt.

A manifest's own travellers move the counts in place (``TravelStatistics.put``) and the
fingerprint is taken again after they are stored. The lock keeps one thread at a time on a
database's copies: a screening takes milliseconds once they are built.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.matching.model import MatchParameters
from tracker.matching.prepare import prepare_travel
from tracker.matching.settings import LinkSettings
from tracker.models import Alias, Document, MatchModel, Offender, SourceFile, TravelRecord
from tracker.screening.register_index import RegisterIndex, build_register_index
from tracker.screening.travel_stats import TravelStatistics

RegisterFrames = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
REGISTER_KINDS = ("offenders", "aliases", "documents")
RECHECK_SECONDS = 30.0
"""How often the full scans (counts, last edit) that catch an erasure or an edit by hand are
taken again; every load is seen at once by the ids."""


@dataclass
class _Held:
    register: RegisterIndex | None = None
    register_print: tuple | None = None
    travel: TravelStatistics | None = None
    travel_print: tuple | None = None
    model: tuple[int, MatchParameters] | None = None
    register_census: tuple | None = None
    checked: dict[str, float] = field(default_factory=dict)  # slow check -> when taken


_held: dict[str, _Held] = {}
_lock = threading.RLock()


def database_lock() -> threading.RLock:
    """Held while a screening reads or moves the copies (one screening at a time)."""
    return _lock


SCREENING_LOCK_KEY = 0x5C2EE22  # the PostgreSQL advisory lock screenings take in turn


def screenings_in_turn(session: Session) -> None:
    """Wait until no other transaction is screening this database (until it commits).

    Each screening reads the travel fingerprint before it stores its travellers and finds
    the counts held for it; two at once on PostgreSQL would each see the table without the
    other's travellers, miss the fingerprint the other left and count 200,000 rows again
    (seconds). SQLite has them in turn already: the screening's first write takes its lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(SCREENING_LOCK_KEY)))


def _key(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def _held_for(session: Session) -> _Held:
    return _held.setdefault(_key(session), _Held())


def register_fingerprint(session: Session) -> tuple:
    """The highest ids of the register's tables and the last register file loaded: every
    load moves one (each is one index look-up, cheap at any size)."""
    return (
        session.scalar(select(func.max(Offender.id))),
        session.scalar(select(func.max(Alias.id))),
        session.scalar(select(func.max(Document.id))),
        session.scalar(select(func.max(SourceFile.id)).where(SourceFile.kind.in_(REGISTER_KINDS))),
    )


def register_census(session: Session) -> tuple:
    """Counts of the register's tables and its last edit: what an erasure or an edit by
    hand moves (full scans, so taken every ``RECHECK_SECONDS`` rather than per manifest)."""
    offenders = session.execute(select(func.count(), func.max(Offender.updated_at))).one()
    aliases = session.scalar(select(func.count()).select_from(Alias))
    documents = session.scalar(select(func.count()).select_from(Document))
    return (*offenders, aliases, documents)


def travel_fingerprint(session: Session) -> tuple:
    """The highest travel id and the last travel file loaded (an update by a later file
    names it)."""
    return (
        session.scalar(select(func.max(TravelRecord.id))),
        session.scalar(select(func.max(SourceFile.id)).where(SourceFile.kind == "travel")),
    )


def _due(held: _Held, what: str) -> bool:
    """Whether the slow check of ``what`` is due (and, if so, it is now taken)."""
    now = time.monotonic()
    if now - held.checked.get(what, 0.0) < RECHECK_SECONDS:
        return False
    held.checked[what] = now
    return True


def held_register(
    session: Session, settings: LinkSettings, load: Callable[[], RegisterFrames]
) -> RegisterIndex:
    """The register index of this database as it stands, built from ``load()`` (register,
    aliases, documents) again when it changed."""
    held = _held_for(session)
    fingerprint = (register_fingerprint(session), settings.max_block, settings.blocking_passes)
    stale = held.register is None or held.register_print != fingerprint
    if not stale and _due(held, "register"):
        stale = register_census(session) != held.register_census
    if stale:
        held.register_census = register_census(session)
        held.register = build_register_index(*load(), settings)
        held.register_print = fingerprint
        held.checked["register"] = time.monotonic()
    assert held.register is not None
    return held.register


def held_travel(
    session: Session, before: tuple, load: Callable[[], pd.DataFrame]
) -> TravelStatistics:
    """The travel name counts as they stood at fingerprint ``before`` (rebuilt from every
    record ``load()`` gives when they did not: the records a caller stored since are then in
    them)."""
    held = _held_for(session)
    if held.travel is None or held.travel_print != before:
        statistics = TravelStatistics()
        statistics.put(prepare_travel(load()).records)
        held.travel = statistics
    return held.travel


def travel_moved(session: Session) -> None:
    """The caller's travellers are counted: the counts now stand at the table's fingerprint
    (and, now and then, are checked against the table's size: an erasure since, such as the
    nightly's retention, has them counted afresh next time)."""
    held = _held_for(session)
    held.travel_print = travel_fingerprint(session)
    if held.travel is not None and _due(held, "travel"):
        counted = session.scalar(select(func.count()).select_from(TravelRecord))
        if counted != held.travel.records:
            held.travel, held.travel_print = None, None


def forget_travel(session: Session) -> None:
    """The counts hold travellers that were never committed: count again next time."""
    held = _held_for(session)
    held.travel, held.travel_print = None, None


def is_warm(session: Session) -> bool:
    """Whether this database's register index, travel counts and model are all held."""
    held = _held.get(_key(session))
    return held is not None and None not in (held.register, held.travel, held.model)


def held_model(session: Session, model: MatchModel) -> MatchParameters:
    """The stored model's parameters, read once per stored version."""
    held = _held_for(session)
    if held.model is None or held.model[0] != model.id:
        held.model = (model.id, MatchParameters.from_dict(model.parameters))
    return held.model[1]
