"""The screening tests' world: the test population loaded, people, a trained model, and the
helpers that screen one of its manifests."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from factories import add_user, load_population
from manifests import manifest_rows
from sqlalchemy import func, select

from tracker.db import transaction
from tracker.matching.settings import LinkSettings
from tracker.models import TravelRecord
from tracker.services.linking import train_model
from tracker.services.screening import screen_manifest
from tracker.settings import Settings

TRAINING = LinkSettings(u_sample_pairs=20_000)
NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
DEPARTURE = datetime(2026, 3, 11, 6, 40, tzinfo=UTC)
SCREENED_TRAVEL = (
    select(func.count()).select_from(TravelRecord).where(TravelRecord.source == "api-screen")
)


@pytest.fixture
def world(sessions, population, tmp_path):
    with transaction(sessions) as s:
        load_population(s, population)
        add_user(s, "ann", "analyst")
        add_user(s, "lee", "liaison")
        train_model(s, "system", settings=TRAINING)
    return Settings(data_dir=tmp_path / "data")


def manifest_of(population, count: int = 60):
    travel = population["travel"]
    offenders = travel[travel["travel_key"].str.startswith("api/")].head(count // 2)
    public = travel[travel["travel_key"].str.startswith("pub/")].head(count - len(offenders))
    return manifest_rows(pd.concat([offenders, public]), DEPARTURE)


def screen(sessions, world, body, key="k1", sender="ann", content_type="text/csv"):
    with transaction(sessions) as s:
        return screen_manifest(s, sender, body, content_type, key, now=NOW, settings=world)
