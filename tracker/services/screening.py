"""Screening a manifest now (issue 22), for the API (a border system's token) and the
command line (a person): the travellers stored through the ingest path, scored against the
register with the stored model, hits written with their explanations, and the rules run for
the offenders hit. The same manifest sent twice with one Idempotency-Key is one screening."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tracker.access import api_tokens
from tracker.access.people import require_actor
from tracker.audit import record_event
from tracker.ingest.keyed_lookup import batches, one_of_values
from tracker.matching.prepare import prepare_travel
from tracker.matching.settings import LinkSettings
from tracker.models import PairLabel, Screening
from tracker.schemas.limits import IDENTIFIER_LIMIT
from tracker.schemas.screening import ScreeningOutcome
from tracker.screening import memory
from tracker.screening.intake import Intake, store_travellers, travellers_frame
from tracker.screening.manifest import (
    ManifestRefused,
    body_digest,
    checked_body,
    manifest_format,
)
from tracker.screening.records import MAX_WARNINGS_KEPT, read_outcome, write_hits
from tracker.screening.scoring import score_travellers
from tracker.services.linking import active_model, load_register, load_travel
from tracker.services.screening_rules import run_hit_rules
from tracker.settings import Settings, read_settings

TOKEN_PREFIX = "token:"
PERSON_PREFIX = "cli:"
IDEMPOTENCY_KEY_LIMIT = 200
MAX_MANIFEST_TRAVELLERS = 5_000
"""Travel rows one manifest may bring (a full A380 is some 850 travellers, each a row per
leg). Screening holds the memory's lock: a manifest of 30,000 rows held it for half a minute,
and every other border system's level-one alert with it."""


class ScreeningRefused(ValueError):
    """The manifest cannot be screened (its type, size or key, or no model): nothing was
    stored, and the message says why. ``code``: ``content_type``, ``message_type``,
    ``empty``, ``too_large``, ``idempotency_key``, ``key_reused``, ``no_model`` or
    ``too_many_travellers`` (what the API answers by: 415, 422, 400, 413, 400, 409, 503, 413)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


class ScreeningNotFound(LookupError):
    """No screening with this id that the caller may read."""


def screen_manifest(
    session: Session,
    sender: str,
    body: bytes,
    content_type: str,
    idempotency_key: str | None,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> ScreeningOutcome:
    """Screen one manifest for ``sender``: ``token:NAME`` (a system the API authenticated
    with scope manifests:write) or a person's name (checked here)."""
    stored_as, actor = _sender(session, sender, "screening.screen")
    now = now or datetime.now(UTC)
    settings = settings or read_settings()
    key = _checked_key(idempotency_key)
    digest = body_digest(body)
    earlier = _earlier(session, stored_as, key, digest)
    if earlier is not None and earlier.status != "received":
        return read_outcome(session, earlier, duplicate=True, for_system=_system(stored_as))
    try:
        fmt = manifest_format(content_type, checked_body(body))
    except ManifestRefused as exc:
        raise ScreeningRefused(str(exc), exc.code) from None
    if fmt in ("csv", "jsonl"):  # a line per traveller: refused before a line is read
        _check_travellers(body.count(b"\n") - (fmt == "csv"))
    model = active_model(session)
    if model is None:
        raise ScreeningRefused(
            "no matching model is stored: an admin or supervisor runs `tracker match train` "
            "once before manifests can be screened",
            "no_model",
        )
    # A "received" screening seen here was never screened: on SQLite its savepoint committed
    # it before a failure rolled the rest back. It is screened now, never answered as empty.
    screening = earlier or _received(session, stored_as, key, content_type, digest, now)
    if screening.status != "received":  # the same key, stored meanwhile by another request
        return read_outcome(session, screening, duplicate=True, for_system=_system(stored_as))
    started = time.perf_counter()
    try:
        _screen(session, screening, body, fmt, model, actor, settings, now)
    except BaseException:
        memory.forget_travel(session)
        raise
    screening.screened_at = now + timedelta(seconds=time.perf_counter() - started)
    session.flush()
    return read_outcome(session, screening, duplicate=False, for_system=_system(stored_as))


def warm_screening(session: Session, settings: Settings | None = None) -> bool:
    """Build what screening keeps in memory (the register index, the travel name counts,
    the model) before the first manifest arrives: `tracker serve` and `tracker watch` call
    it at start, so the first border system's push does not wait the seconds it takes.
    False when no model is stored yet: nothing can be screened, so nothing is built."""
    settings = settings or read_settings()
    model = active_model(session)
    if model is None:
        return False
    with memory.database_lock():
        memory.held_register(session, _link_settings(settings), lambda: load_register(session))
        memory.held_travel(
            session, memory.travel_fingerprint(session), lambda: load_travel(session)
        )
        memory.travel_moved(session)
        memory.held_model(session, model)
    return True


def show_screening(session: Session, sender: str, screening_id: int) -> ScreeningOutcome:
    """One screening's outcome: a token that pushes manifests reads the screenings it sent,
    a control room's (screenings:read alone) and a person any (logged as a consultation)."""
    stored_as, actor = _sender(session, sender, "screening.show")
    screening = session.get(Screening, screening_id)
    if screening is None or not _may_read(session, stored_as, screening):
        raise ScreeningNotFound(f"no screening {screening_id}")
    record_event(
        session,
        actor=actor,
        action="consultation",
        object_type="screening",
        object_id=screening.id,
        justification="screening outcome read",
    )
    return read_outcome(session, screening, duplicate=False, for_system=_system(stored_as))


# --- the steps ----------------------------------------------------------------------------


def _sender(session: Session, sender: str, action: str) -> tuple[str, str]:
    """(the screening's sender, the audit's actor): a token as the API authenticated it, or
    a person allowed ``action``."""
    if sender.startswith(TOKEN_PREFIX) and len(sender) > len(TOKEN_PREFIX):
        return sender, sender
    person = require_actor(session, sender, action)
    return f"{PERSON_PREFIX}{person.name}", person.name


def _system(stored_as: str) -> bool:
    """Whether the reader is a border system's token: it is told an alert was raised, not
    why (the why names the offender's status or risk level, register details for people)."""
    return stored_as.startswith(TOKEN_PREFIX)


def _may_read(session: Session, reader: str, screening: Screening) -> bool:
    """A person reads any screening, a token its own, a control room's token any."""
    if not _system(reader) or screening.sender == reader:
        return True
    return api_tokens.reads_every_screening(api_tokens.token_of_sender(session, reader))


def _source_gate(session: Session, sender: str) -> api_tokens.SourceGate | None:
    """A token writes only the travel sources it was made for (rows are kept by source and
    record id: another's source would overwrite another's travellers). A person is not
    restricted: people act under their own permissions."""
    if not _system(sender):
        return None
    token = api_tokens.token_of_sender(session, sender)
    return api_tokens.source_refusal(list(token.sources or []) if token is not None else [])


def _check_travellers(count: int) -> None:
    """Refuse a manifest of more than ``MAX_MANIFEST_TRAVELLERS`` rows (nothing is kept: the
    caller's transaction is rolled back)."""
    if count > MAX_MANIFEST_TRAVELLERS:
        raise ScreeningRefused(
            f"the manifest holds {count:,} travel rows or lines; one manifest may hold at most "
            f"{MAX_MANIFEST_TRAVELLERS:,} (send a flight per manifest)",
            "too_many_travellers",
        )


def _checked_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_LIMIT or not key.isprintable():
        raise ScreeningRefused(
            f"the Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_LIMIT} printable characters",
            "idempotency_key",
        )
    return key


def _earlier(session: Session, sender: str, key: str | None, digest: str) -> Screening | None:
    """The screening this sender already made under ``key``; refused if it was of another
    manifest (a key names one manifest)."""
    if key is None:
        return None
    found = session.scalars(
        select(Screening).where(Screening.sender == sender, Screening.idempotency_key == key)
    ).one_or_none()
    if found is not None and found.body_sha256 != digest:
        raise ScreeningRefused(
            f"Idempotency-Key {key[:IDENTIFIER_LIMIT]!r} was used for another manifest "
            f"(screening {found.id}); send a new key",
            "key_reused",
        )
    return found


def _received(
    session: Session, sender: str, key: str | None, content_type: str, digest: str, now: datetime
) -> Screening:
    """The new screening, or the one another request stored under the same key meanwhile.

    The row is claimed by one INSERT that does nothing on a conflict: a second request with
    the same key waits there for the first one's transaction (PostgreSQL's row lock, SQLite's
    write lock) and then reads the first screening, committed. No savepoint: pysqlite would
    commit a released one's row at once, before the screening is done."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    new_id = session.scalar(
        insert(Screening)
        .values(
            sender=sender,
            idempotency_key=key,
            content_type=content_type[:100],
            body_sha256=digest,
            status="received",
            received_at=now,
            summary={},
        )
        .on_conflict_do_nothing(index_elements=[Screening.sender, Screening.idempotency_key])
        .returning(Screening.id)
    )
    if new_id is not None:
        screening = session.get(Screening, new_id)
    else:
        screening = _earlier(session, sender, key, digest)
    if screening is None:  # the conflicting row is gone again: cannot happen in one key
        raise RuntimeError(f"screening under key {key!r} neither stored nor found")
    return screening


def _screen(
    session: Session,
    screening: Screening,
    body: bytes,
    fmt: str,
    model,
    actor: str,
    settings: Settings,
    now: datetime,
) -> None:
    memory.screenings_in_turn(session)
    before = memory.travel_fingerprint(session)
    gate = _source_gate(session, screening.sender)
    intake = store_travellers(
        session,
        body,
        fmt,
        settings=settings,
        actor=actor,
        name=f"screening-{screening.id}",
        today=now.date(),
        source_refusal=gate,
    )
    _check_travellers(max(len(intake.travel_pks), intake.result.read))  # any format, unscored
    _record_intake(screening, intake, model.version)
    if gate is not None and gate.refused:
        _warn_refused_sources(screening, gate)
    if intake.result.refused:
        return
    link_settings = _link_settings(settings)
    with memory.database_lock():
        index = memory.held_register(session, link_settings, lambda: load_register(session))
        statistics = memory.held_travel(session, before, lambda: load_travel(session))
        travel = prepare_travel(travellers_frame(session, intake.travel_pks))
        statistics.put(travel.records)
        memory.travel_moved(session)
        links = score_travellers(
            travel,
            index,
            statistics,
            memory.held_model(session, model),
            link_settings,
            _dismissed(session, intake.travel_pks),
        )
    hits = write_hits(session, screening, links)
    # The combination is written before the rules act on it: the trail reads in the order
    # things happened (the hits, then the alerts raised for them); what the rules raised is
    # in the screening's summary and in the alerts' own entries.
    record_event(
        session,
        actor=actor,
        action="combination",
        object_type="screening",
        object_id=screening.id,
        justification="manifest screened against the register",
        details={
            "source_file_id": screening.source_file_id,
            "travellers": len(intake.travel_pks),
            "hits": _by_band(hits),
            "model_version": model.version,
        },
    )
    rules = run_hit_rules(session, screening, hits, now)
    screening.summary = {
        **screening.summary,
        "hits": _by_band(hits),
        "flags": rules.flags,
        "level_one": [flag_id for flag_id, _ in rules.level_one],
        "level_one_unflagged": [hit_id for hit_id, _ in rules.unflagged],
        "alerts": rules.alerts,
    }


def _link_settings(settings: Settings) -> LinkSettings:
    """The nightly's bands (its thresholds), blocking and comparison as the matcher's own."""
    return LinkSettings(
        match_threshold=settings.matching.match_threshold,
        review_threshold=settings.matching.review_threshold,
    )


def _record_intake(screening: Screening, intake: Intake, model_version: int) -> None:
    result = intake.result
    screening.source_file_id = result.source_file_id
    screening.travellers_read = result.read
    screening.travellers_rejected = result.rejected
    screening.model_version = model_version
    screening.status = "failed" if result.refused else "screened"
    screening.error = result.refused
    screening.summary = {
        "warnings": result.warnings[:MAX_WARNINGS_KEPT],
        "new": result.new,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


def _warn_refused_sources(screening: Screening, gate: api_tokens.SourceGate) -> None:
    """Tell the border system why rows were rejected: the sources it may write."""
    warning = (
        f"{gate.refused:,} travel row(s) rejected: their source is not one this token may "
        f"write (allowed: {gate.allowed})"
    )
    warnings = [warning, *screening.summary.get("warnings", [])][:MAX_WARNINGS_KEPT]
    screening.summary = {**screening.summary, "warnings": warnings}


def _dismissed(session: Session, travel_pks: list[int]) -> pd.DataFrame:
    """Pairs of these travellers an analyst dismissed: never linked again."""
    postgres = session.get_bind().dialect.name == "postgresql"
    rows: list[tuple] = []
    for batch in batches(travel_pks):
        rows.extend(
            session.execute(
                select(PairLabel.travel_pk, PairLabel.offender_pk).where(
                    PairLabel.label != "match",
                    one_of_values(postgres, PairLabel.travel_pk, batch),
                )
            ).all()
        )
    return pd.DataFrame(rows, columns=["travel_key", "offender_key"])


def _by_band(hits) -> dict[str, int]:
    counts: dict[str, int] = {}
    for hit in hits:
        counts[hit.band] = counts.get(hit.band, 0) + 1
    return counts
