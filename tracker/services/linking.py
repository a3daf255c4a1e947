"""The matching stage against the database: load frames, link, persist links and the model.

`tracker.matching` does the thinking on DataFrames; this module only moves data in and out,
so the matcher stays testable and benchmarkable without a database.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from tracker.audit import record_event
from tracker.matching.link import LinkResult, link_travel_to_register
from tracker.matching.model import MODEL_FORMAT, MatchParameters
from tracker.matching.settings import LinkSettings
from tracker.models import (
    Alias,
    Document,
    Link,
    MatchModel,
    Offender,
    PairLabel,
    Run,
    TravelRecord,
)
from tracker.settings import MatchingSettings


def _frame(session: Session, statement) -> pd.DataFrame:
    """The rows of a parameterless SELECT as a DataFrame, read through the driver alone.

    SQLAlchemy's result processing turns every stored date into a Python ``date`` one value
    at a time, which doubles the read; the matcher parses dates itself, from text or from
    the driver's own date objects, so the rows go straight from the driver's cursor into pandas.
    """
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    if compiled.params:
        raise ValueError("_frame reads parameterless statements only")
    result = connection.exec_driver_sql(str(compiled))
    try:
        columns = list(result.keys())
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return pd.DataFrame.from_records(rows, columns=columns)


def load_register(session: Session) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    register = _frame(
        session,
        select(
            Offender.id.label("offender_key"),
            Offender.family_name,
            Offender.given_names,
            Offender.date_of_birth,
            Offender.sex,
            Offender.nationalities,
        ).order_by(Offender.id),
    )
    aliases = _frame(
        session,
        select(
            Alias.offender_pk.label("offender_key"),
            Alias.family_name,
            Alias.given_names,
            Alias.kind,
        ).order_by(Alias.id),
    )
    documents = _frame(
        session,
        select(
            Document.offender_pk.label("offender_key"),
            Document.doc_number,
            Document.issuing_country,
        ).order_by(Document.id),
    )
    return register, aliases, documents


def load_travel(session: Session) -> pd.DataFrame:
    return _frame(
        session,
        select(
            TravelRecord.id.label("travel_key"),
            TravelRecord.family_name,
            TravelRecord.given_names,
            TravelRecord.date_of_birth,
            TravelRecord.sex,
            TravelRecord.nationality,
            TravelRecord.doc_number,
            TravelRecord.doc_issuing_country,
        ).order_by(TravelRecord.id),  # the same order, so the same sample of u, on any backend
    )


def load_labels(session: Session) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Analysts' verdicts as training labels, and the dismissed pairs that must stay unlinked."""
    labels = _frame(
        session,
        select(
            PairLabel.travel_pk.label("travel_key"),
            PairLabel.offender_pk.label("offender_key"),
            PairLabel.label,
        ).order_by(PairLabel.id),
    )
    labels["is_match"] = labels["label"] == "match"
    suppressed = labels.loc[~labels["is_match"], ["travel_key", "offender_key"]]
    return labels[["travel_key", "offender_key", "is_match"]], suppressed


def latest_model(session: Session) -> MatchModel | None:
    return session.scalars(select(MatchModel).order_by(MatchModel.version.desc()).limit(1)).first()


def active_model(session: Session) -> MatchModel | None:
    """The newest stored model of the current format: what the nightly scores with."""
    model = latest_model(session)
    if model is None or model.parameters.get("format") != MODEL_FORMAT:
        return None  # a model of another format compared on other levels
    return model


def retrain_reason(session: Session, retrain: bool, labels_now: int, threshold: int) -> str | None:
    """Why a new model must be fitted now, or None to score with the active one
    (``threshold``: new analysts' decisions that call for one; 0: never by itself)."""
    active = active_model(session)
    if active is None:
        return "no model of the current format is stored"
    if retrain:
        return "retraining was asked for"
    grown = labels_now - int(active.training.get("labels", 0))
    if threshold and grown >= threshold:
        return f"{grown} new analysts' decisions since model {active.version} (policy {threshold})"
    return None


@dataclass
class MatchingOutcome:
    run_id: int
    model_version: int
    links_by_band: dict[str, int]
    candidate_pairs: int
    timings: dict[str, float]
    result: LinkResult
    trained: bool = False
    retrain_reason: str | None = None


def _store_model(
    session: Session,
    result: LinkResult,
    run_id: int | None,
    labels: int,
    reason: str,
    settings: LinkSettings,
) -> MatchModel:
    by_band = result.links["band"].value_counts().to_dict() if len(result.links) else {}
    version = (session.scalar(select(func.max(MatchModel.version))) or 0) + 1
    model = MatchModel(
        version=version,
        run_id=run_id,
        parameters=result.parameters.to_dict(),
        training={
            "reason": reason,
            "seed": settings.seed,
            "settings": settings.describe(),
            "labels": labels,
            "labelled_pairs": result.parameters.labelled_pairs,
            "candidate_pairs": result.candidate_pairs,
            "per_pass": result.per_pass,
            "em_iterations": result.parameters.em_iterations,
            "links_by_band": {k: int(v) for k, v in by_band.items()},
            "anchors": result.parameters.notes.get("anchors", {}),
        },
    )
    session.add(model)
    session.flush()
    return model


def _link_with_model(
    session: Session,
    settings: LinkSettings | None,
    retrain: bool,
    force_train: bool = False,
    retrain_after_labels: int = 0,
):
    """Frames in, links out: scored with the active model, or with one fitted now."""
    register, aliases, documents = load_register(session)
    travel = load_travel(session)
    labels, suppressed = load_labels(session)
    reason = (
        "retraining was asked for"
        if force_train
        else retrain_reason(session, retrain, len(labels), retrain_after_labels)
    )
    active = None if reason else active_model(session)
    model = MatchParameters.from_dict(active.parameters) if active is not None else None
    result = link_travel_to_register(
        register,
        travel,
        aliases,
        documents,
        labels=labels,
        suppressed=suppressed,
        model=model,
        settings=settings,
    )
    return result, active, reason, len(labels)


def train_model(
    session: Session, actor: str, retrain: bool = False, settings: LinkSettings | None = None
) -> tuple[MatchModel, bool]:
    """``tracker match train``: fit and store a model when none is active (or ``retrain``).
    Returns the model in force and whether it was fitted now."""
    active = active_model(session)
    if active is not None and not retrain:
        return active, False
    settings = settings or LinkSettings()
    result, _, reason, labels = _link_with_model(session, settings, retrain, force_train=True)
    model = _store_model(session, result, None, labels, reason or "first model", settings)
    record_event(
        session,
        actor=actor,
        action="alteration",
        object_type="match_model",
        object_id=model.version,
        justification="matching model trained",
        details={
            "version": model.version,
            "reason": reason,
            "labelled_pairs": result.parameters.labelled_pairs,
        },
    )
    return model, True


def run_matching(
    session: Session,
    run: Run,
    settings: LinkSettings | None = None,
    retrain: bool = False,
    retrain_after_labels: int = MatchingSettings().retrain_after_labels,
) -> MatchingOutcome:
    """Link every travel record held, replacing this run's links (re-running converges).

    Scores with the active model; fits (and stores) a new one only when there is none, when
    ``retrain`` asks, or when analysts' decisions have grown past the policy."""
    settings = settings or LinkSettings()
    result, active, reason, labels = _link_with_model(
        session, settings, retrain, retrain_after_labels=retrain_after_labels
    )
    model = (
        active
        if active is not None
        else _store_model(session, result, run.id, labels, reason or "", settings)
    )
    version = model.version

    session.execute(delete(Link).where(Link.run_id == run.id))
    rows = [
        {
            "run_id": run.id,
            "travel_pk": int(r.travel_key),
            "offender_pk": int(r.offender_key),
            "model_id": model.id,
            "match_probability": float(r.match_probability),
            "match_weight": float(r.match_weight),
            "band": r.band,
            "explanation": r.explanation,
        }
        for r in result.links.itertuples(index=False)
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(Link), rows[start : start + 5000])
    by_band = result.links["band"].value_counts().to_dict() if len(result.links) else {}
    record_event(
        session,
        actor=run.actor,
        action="combination",
        object_type="run",
        object_id=run.id,
        justification="nightly matching of travel records to the register",
        details={
            "links": by_band,
            "model_version": version,
            "model_trained": result.trained,
            "retrain_reason": reason,
            "candidate_pairs": result.candidate_pairs,
        },
        run_id=run.id,
    )
    return MatchingOutcome(
        run.id,
        version,
        {k: int(v) for k, v in by_band.items()},
        result.candidate_pairs,
        result.timings,
        result,
        result.trained,
        reason,
    )


def evaluate_run_against_truth(session: Session, truth_path, run_id: int | None = None):
    """Score a run's links against a truth CSV (travel_source, travel_record_id, offender_id),
    with the blocking recall of the data held now under the active model's settings."""
    from tracker.matching.evaluate import evaluate_links
    from tracker.services.link_export import (
        LINK_EXPORT_COLUMNS,
        latest_run_with_links,
        link_export_rows,
    )

    try:
        truth = pd.read_csv(truth_path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ValueError(f"cannot read truth file {truth_path}: {exc}") from exc
    required = {"travel_source", "travel_record_id", "offender_id"}
    missing = required - set(truth.columns)
    if missing:
        raise ValueError(f"truth file {truth_path} lacks column(s) {', '.join(sorted(missing))}")
    chosen = run_id if run_id is not None else latest_run_with_links(session)
    if chosen is None:
        raise ValueError("no run has links yet: run the nightly job first")
    rows = link_export_rows(session, chosen)
    links = pd.DataFrame(rows, columns=list(LINK_EXPORT_COLUMNS))
    links["travel_key"] = links["travel_source"] + "/" + links["travel_record_id"]
    links = links.rename(columns={"offender_id": "offender_key"})
    truth["travel_key"] = truth["travel_source"] + "/" + truth["travel_record_id"]
    truth = truth.rename(columns={"offender_id": "offender_key"})
    travel_ids = pd.DataFrame(
        session.execute(select(TravelRecord.id, TravelRecord.source, TravelRecord.record_id)).all(),
        columns=["id", "source", "record_id"],
    )
    travel_ids["travel_key"] = travel_ids["source"] + "/" + travel_ids["record_id"]
    truth = truth[truth["travel_key"].isin(travel_ids["travel_key"])]
    evaluation = evaluate_links(links, truth)
    evaluation.blocking = _blocking_of_held_data(session, truth, travel_ids)
    return evaluation


def _blocking_of_held_data(session: Session, truth: pd.DataFrame, travel_ids: pd.DataFrame):
    """Blocking recall over the register and travel held, truth keyed by database ids."""
    from tracker.matching.evaluate import blocking_figures

    offender_ids = dict(session.execute(select(Offender.offender_id, Offender.id)).all())
    by_key = dict(zip(travel_ids["travel_key"], travel_ids["id"], strict=True))
    keyed = pd.DataFrame(
        {
            "travel_key": truth["travel_key"].map(by_key),
            "offender_key": truth["offender_key"].map(offender_ids),
        }
    )
    register, aliases, documents = load_register(session)
    active = active_model(session)
    settings = (active.training or {}).get("settings", {}) if active is not None else {}
    return blocking_figures(
        register,
        load_travel(session),
        aliases,
        documents,
        keyed,
        tuple(settings["blocking_passes"]) if settings else None,
        settings.get("max_block", 500),
    )
