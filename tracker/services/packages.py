"""Intelligence packages as people ask for them: a liaison officer builds one from a confirmed
travel flag and downloads its zip; liaison, supervisors and admins list what was sent. Each
checks the person against the permission table; listing and downloading are logged here (the
build's disclosure entry is written with the package record, ``tracker.reports.packages``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.access.people import require_actor
from tracker.audit import record_event
from tracker.models import Flag, Package, TravelRecord
from tracker.reports import packages
from tracker.reports.package_facts import PackageRequest
from tracker.reports.package_folder import BuiltPackage, tighten_own_folder
from tracker.reports.signing import current_key_id
from tracker.review.queue import QueueFilter, review_queue
from tracker.settings import Settings

PACKAGE_COLUMNS = (
    "package_id",
    "flag_id",
    "country",
    "agency",
    "grading",
    "handling",
    "created_by",
    "created_at",
    "path",
)


class NoSuchPackage(LookupError):
    """No package of that id on this server (or its zip is gone)."""


@dataclass(frozen=True)
class PackageDesk:
    """The liaison officer's page: confirmed flags with travel to build from (each with its
    trip's ``route`` and ``arrival_country``), what was built already, and whether the server
    has a signing key to build with (``signing_key_id`` is None when it has none)."""

    candidates: list[dict]
    packages: list[dict]
    signing_key_id: str | None


def build_package(
    session: Session,
    who: str | None,
    request: PackageRequest,
    settings: Settings,
    *,
    own_folder: bool = False,
) -> BuiltPackage:
    """Check, assemble, sign, write and record one package in the caller's transaction (the
    caller calls ``discard_package`` on the result if its commit then fails).
    ``own_folder``: the out folder is the server's own, made owner-only first."""
    actor = require_actor(session, who, "package.build")
    if own_folder:
        tighten_own_folder(request.out_dir)
    return packages.build_package(session, actor, request, settings)


def _rows(session: Session, flag_id: int | None = None, country: str | None = None) -> list[dict]:
    found = packages.list_packages(session, flag_id=flag_id, country=country)
    return [asdict(row) for row in found]


def list_packages(
    session: Session, who: str | None, flag_id: int | None = None, country: str | None = None
) -> list[dict]:
    """Packages built, newest first (``PACKAGE_COLUMNS``); the listing is logged."""
    actor = require_actor(session, who, "package.list")
    rows = _rows(session, flag_id, country)
    record_event(
        session,
        actor=actor.name,
        action="consultation",
        object_type="packages",
        justification="packages listed",
        details={"rows": len(rows), "flag_id": flag_id, "country": country},
    )
    return rows


def _trips(session: Session, flag_ids: list[int]) -> dict[int, TravelRecord]:
    """Each flag's travel record, so the officer sees the trip, not the carrier's record id."""
    if not flag_ids:
        return {}
    found = session.execute(
        select(Flag.id, TravelRecord)
        .join(TravelRecord, TravelRecord.id == Flag.travel_pk)
        .where(Flag.id.in_(flag_ids))
    )
    return {flag_id: trip for flag_id, trip in found}


def trip_route(trip: TravelRecord) -> str:
    """``LHR → BKK, 2026-03-01``: ports where the carrier gave them, else countries."""
    origin = trip.departure_port or trip.departure_country
    destination = trip.arrival_port or trip.arrival_country
    return f"{origin} → {destination}, {trip.departure_local_date.isoformat()}"


def package_desk(session: Session, who: str | None, keys_dir: Path) -> PackageDesk:
    """The liaison officer's packages page: what can be built (with the trip's route and the
    arrival country to suggest), what was, and the unit's key id if ``keys_dir`` holds one."""
    require_actor(session, who, "package.build")
    confirmed = review_queue(session, QueueFilter(statuses=("confirmed",)), page_size=200)
    candidates = [dict(r) for r in confirmed.rows if r["travel"]]
    trips = _trips(session, [r["flag_id"] for r in candidates])
    for row in candidates:
        trip = trips.get(row["flag_id"])
        row["route"] = trip_route(trip) if trip else row["travel"]
        row["arrival_country"] = trip.arrival_country if trip else ""
    return PackageDesk(candidates, _rows(session), current_key_id(keys_dir))


def download_package(session: Session, who: str | None, package_id: str) -> bytes:
    """The zip to send to the partner; each download is logged as a consultation."""
    actor = require_actor(session, who, "package.build")
    package = session.scalars(
        select(Package).where(Package.package_uid == package_id)
    ).one_or_none()
    path = Path(package.path + ".zip") if package else None
    if package is None or path is None or not path.is_file():
        raise NoSuchPackage(f"no package {package_id!r} on this server")
    record_event(
        session,
        actor=actor.name,
        action="consultation",
        object_type="package",
        object_id=package_id,
        justification="package zip downloaded",
        details={"flag_id": package.flag_id},
    )
    return path.read_bytes()
