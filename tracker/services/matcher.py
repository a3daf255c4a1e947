"""What people do with the matcher itself: fit its model, and measure a run against a truth file.

Both read or change no one's record, so only the model's training is logged (an alteration,
by ``train_model``); the permission table still decides who may.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from tracker.access.people import require_actor
from tracker.matching.evaluate import Evaluation
from tracker.models import MatchModel
from tracker.services.linking import evaluate_run_against_truth, train_model


def train_matching_model(
    session: Session, who: str | None, retrain: bool = False
) -> tuple[MatchModel, bool]:
    """`tracker match train`: the model in force and whether it was fitted now."""
    actor = require_actor(session, who, "match.train")
    return train_model(session, actor.name, retrain=retrain)


def evaluate_run(
    session: Session, who: str | None, truth: Path, run_id: int | None = None
) -> Evaluation:
    """`tracker match evaluate`: a run's links (default: the latest) against ``truth``."""
    require_actor(session, who, "match.evaluate")
    return evaluate_run_against_truth(session, truth, run_id)
