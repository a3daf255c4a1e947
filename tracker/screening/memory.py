"""What screening keeps in memory between manifests, per database: the register index and
the travel name counts, each with a cheap fingerprint of the tables it was built from, so a
change by anyone (the nightly, an erasure, another process) is seen and the copy rebuilt.

A manifest's own travellers move the counts in place (``TravelStatistics.put``) and the
fingerprint is taken again after they are stored. The lock keeps one thread at a time on a
database's copies: a screening takes milliseconds once they are built.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass
class _Held:
    register: RegisterIndex | None = None
    register_print: tuple | None = None
    travel: TravelStatistics | None = None
    travel_print: tuple | None = None
    model: tuple[int, MatchParameters] | None = None


_held: dict[str, _Held] = {}
_lock = threading.RLock()


def database_lock() -> threading.RLock:
    """Held while a screening reads or moves the copies (one screening at a time)."""
    return _lock


def _key(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def _held_for(session: Session) -> _Held:
    return _held.setdefault(_key(session), _Held())


def register_fingerprint(session: Session) -> tuple:
    """Counts and highest ids of the register's tables, their last change, and the last
    register file loaded: any addition, erasure or edit moves one of them."""
    offenders = session.execute(
        select(func.count(), func.max(Offender.id), func.max(Offender.updated_at))
    ).one()
    aliases = session.execute(select(func.count(), func.max(Alias.id))).one()
    documents = session.execute(select(func.count(), func.max(Document.id))).one()
    files = session.scalar(
        select(func.max(SourceFile.id)).where(SourceFile.kind.in_(REGISTER_KINDS))
    )
    return (*offenders, *aliases, *documents, files)


def travel_fingerprint(session: Session) -> tuple:
    """Count and highest id of travel, and the last travel file loaded (an update by a later
    file names it)."""
    travel = session.execute(select(func.count(), func.max(TravelRecord.id))).one()
    files = session.scalar(select(func.max(SourceFile.id)).where(SourceFile.kind == "travel"))
    return (*travel, files)


def held_register(
    session: Session, settings: LinkSettings, load: Callable[[], RegisterFrames]
) -> RegisterIndex:
    """The register index of this database as it stands, built from ``load()`` (register,
    aliases, documents) again when it changed."""
    held = _held_for(session)
    fingerprint = (register_fingerprint(session), settings.max_block, settings.blocking_passes)
    if held.register is None or held.register_print != fingerprint:
        held.register = build_register_index(*load(), settings)
        held.register_print = fingerprint
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
    """The caller's travellers are counted: the counts now stand at the table's fingerprint."""
    _held_for(session).travel_print = travel_fingerprint(session)


def forget_travel(session: Session) -> None:
    """The counts hold travellers that were never committed: count again next time."""
    held = _held_for(session)
    held.travel, held.travel_print = None, None


def held_model(session: Session, model: MatchModel) -> MatchParameters:
    """The stored model's parameters, read once per stored version."""
    held = _held_for(session)
    if held.model is None or held.model[0] != model.id:
        held.model = (model.id, MatchParameters.from_dict(model.parameters))
    return held.model[1]
