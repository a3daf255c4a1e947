"""A manifest's travellers stored as the nightly's are: through the ingest readers, the
contract's checks and the keyed upsert (a re-sent manifest updates its rows, never repeats
them), recorded as a source file with its rejects, in the caller's transaction."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.ingest.columnar import SourceRefusal
from tracker.ingest.context import LoadContext
from tracker.ingest.keyed_lookup import batches, one_of_values
from tracker.ingest.load import load_file_here
from tracker.ingest.results import FileResult
from tracker.matching.prepare import TRAVEL_COLUMNS
from tracker.models import TravelRecord
from tracker.screening.manifest import manifest_file
from tracker.settings import Settings


@dataclass
class Intake:
    """What the manifest brought: the load's result and its travellers as stored."""

    result: FileResult
    travel_pks: list[int]


def store_travellers(
    session: Session,
    body: bytes,
    fmt: str,
    *,
    settings: Settings,
    actor: str,
    name: str,
    today: date | None = None,
    source_refusal: SourceRefusal | None = None,
) -> Intake:
    """Load the manifest as a travel file named ``name``; the stored travellers it holds, in
    the order of their keys. A row whose source ``source_refusal`` refuses (a token writing
    another's source) is rejected before anything is stored."""
    context = LoadContext.of(
        "travel",
        settings,
        actor=actor,
        today=today,
        chunk_rows=1 << 20,
        source_refusal=source_refusal,
    )
    with manifest_file(body, fmt, name) as path:
        result, keys = load_file_here(session, context, path, fmt)
    return Intake(result, travel_pks_of(session, keys))


def travel_pks_of(session: Session, keys: list[tuple]) -> list[int]:
    """Primary keys of the travel records with these (source, record_id) keys, in key order."""
    by_source: defaultdict[str, set[str]] = defaultdict(set)
    for source, record_id in keys:
        by_source[source].add(record_id)
    postgres = session.get_bind().dialect.name == "postgresql"
    found: dict[tuple[str, str], int] = {}
    for source, record_ids in by_source.items():
        for batch in batches(sorted(record_ids)):
            query = select(TravelRecord.id, TravelRecord.source, TravelRecord.record_id).where(
                TravelRecord.source == source,
                one_of_values(postgres, TravelRecord.record_id, batch),
            )
            for pk, src, record_id in session.execute(query):
                found[(src, record_id)] = pk
    return [found[key] for key in dict.fromkeys(keys) if key in found]


def travellers_frame(session: Session, travel_pks: list[int]) -> pd.DataFrame:
    """The matcher's travel columns for these records (``travel_key`` their primary key)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    columns = [getattr(TravelRecord, name) for name in TRAVEL_COLUMNS[1:]]
    rows: list[tuple] = []
    for batch in batches(sorted(travel_pks)):
        query = select(TravelRecord.id.label("travel_key"), *columns).where(
            one_of_values(postgres, TravelRecord.id, batch)
        )
        rows.extend(tuple(row) for row in session.execute(query))
    return pd.DataFrame.from_records(rows, columns=list(TRAVEL_COLUMNS))
