"""Permission-matrix rows for screening a manifest and reading a screening."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from service_matrix import ServiceCase, World
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.matching.compare import FIELD_LEVELS
from tracker.matching.model import MatchParameters
from tracker.matching.name_levels import NULL
from tracker.models import MatchModel, Screening
from tracker.services import screening
from tracker.settings import DatabaseSettings, Settings

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
MANIFEST = (
    b"record_id,source,family_name,given_names,date_of_birth,direction,departure_country,"
    b"arrival_country,departure_time\n"
    b"M1,api-matrix,NOBODY,Alex,1980-01-01,out,GBR,THA,2026-03-11T06:40:00+00:00\n"
)


def flat_model() -> MatchParameters:
    """A stored model whose every level weighs nothing: enough to screen with."""
    levels = {
        name: {level: 1.0 / (len(labels) - 1) for level in labels if level != NULL}
        for name, labels in FIELD_LEVELS.items()
    }
    return MatchParameters(prior=0.001, m=levels, u=levels)


def _with_model(session: Session) -> None:
    if session.scalar(select(MatchModel.id).limit(1)) is None:
        session.add(MatchModel(version=1, parameters=flat_model().to_dict(), training={}))
        session.flush()


def _screened(session: Session, who: str | None, w: World, tmp: Path):
    _with_model(session)
    settings = Settings(database=DatabaseSettings(url="sqlite://"), data_dir=tmp / "data")
    return screening.screen_manifest(
        session, who or "", MANIFEST, "text/csv", None, now=NOW, settings=settings
    )


def _shown(session: Session, who: str | None, w: World, tmp: Path):
    made = Screening(sender="token:border", content_type="text/csv", body_sha256="0" * 64)
    session.add(made)
    session.flush()
    return screening.show_screening(session, who or "", made.id)


CASES = [
    ServiceCase("screening.screen", _screened, audit="combination"),
    ServiceCase("screening.show", _shown, audit="consultation"),
]
