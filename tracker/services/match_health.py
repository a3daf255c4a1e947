"""The matcher's health as analysts see it: of the links they decided on, how many they confirmed.

`match evaluate` needs a ground-truth file, which a live unit never has; analysts' confirmations
and dismissals are the truth it does have. Counted per band (precision as analysts see it), per
probability bin (calibration: the share confirmed should track the probability) and per model
version (so a new model's health is told apart from the old one's).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.access.people import require_actor
from tracker.models import Decision, Flag, Link, MatchModel
from tracker.models.enums import LINK_BANDS
from tracker.tabular import Column, plain, render, table_text
from tracker.tabular import probability as probability_text

DEFAULT_DAYS = 30
#: Probability bins for calibration, [low, high); the last one includes 1.0. A bin below 0.5
#: is shown only when the review threshold was lowered and a link there was decided.
BIN_EDGES = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)
BELOW_BINS = f"0.0-{BIN_EDGES[0]}"
VERDICTS = {"confirm": True, "dismiss": False}
CSV_COLUMNS = (
    "first_day",
    "last_day",
    "by",
    "band",
    "probability",
    "model_version",
    "decided",
    "confirmed",
    "dismissed",
    "share_confirmed",
    "mean_probability",
)


def _edge(value: float) -> str:
    text = f"{value:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text  # 0.5, 0.95, 1.0


BIN_LABELS = tuple(
    f"{_edge(low)}-{_edge(high)}" for low, high in zip(BIN_EDGES, BIN_EDGES[1:], strict=False)
)


@dataclass(frozen=True)
class HealthWindow:
    """The ``days`` calendar days (UTC) ending with ``as_of``, both ends included."""

    as_of: date
    days: int = DEFAULT_DAYS

    def __post_init__(self):
        if self.days < 1:
            raise ValueError(f"the window needs at least 1 day, not {self.days}")

    @property
    def first_day(self) -> date:
        return self.as_of - timedelta(days=self.days - 1)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the window."""
        return datetime.combine(self.as_of + timedelta(days=1), time(), tzinfo=UTC)


@dataclass(frozen=True)
class HealthRow:
    """One group's counts. ``by`` says which: ``band`` (all models; band ``all`` is the total),
    ``probability`` (a bin, all bands and models) or ``model`` (a version and a band)."""

    by: str
    band: str
    probability: str | None
    model_version: int | None
    decided: int
    confirmed: int
    mean_probability: float | None

    @property
    def dismissed(self) -> int:
        return self.decided - self.confirmed

    @property
    def share_confirmed(self) -> float | None:
        """Precision as analysts see it; None when nothing was decided."""
        return self.confirmed / self.decided if self.decided else None

    def as_dict(self) -> dict:
        """The row in the columns of ``CSV_COLUMNS`` (less the window's two)."""
        record = asdict(self) | {
            "dismissed": self.dismissed,
            "share_confirmed": _rounded(self.share_confirmed),
            "mean_probability": _rounded(self.mean_probability),
        }
        return {name: record[name] for name in CSV_COLUMNS[2:]}


@dataclass(frozen=True)
class _Verdict:
    band: str
    probability: float
    model_version: int | None
    confirmed: bool


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def probability_bin(probability: float) -> str:
    if probability < BIN_EDGES[0]:
        return BELOW_BINS
    for high, label in zip(BIN_EDGES[1:], BIN_LABELS, strict=True):
        if probability < high:
            return label
    return BIN_LABELS[-1]


def decided_links(session: Session, window: HealthWindow) -> list[_Verdict]:
    """Each travel-to-offender pair confirmed or dismissed in the window, once: the latest
    decision in the window stands (as for the pair's training label), with the band,
    probability and model of the link the flag showed the analyst when it was decided."""
    statement = (
        select(
            Decision.decision,
            Flag.travel_pk,
            Flag.offender_pk,
            Flag.match_probability,
            Flag.evidence,
            Link.band,
            Link.match_probability,
            MatchModel.version,
        )
        .join(Flag, Flag.id == Decision.flag_id)
        .outerjoin(Link, Link.id == Flag.link_id)
        .outerjoin(MatchModel, MatchModel.id == Link.model_id)
        .where(
            Decision.decision.in_(tuple(VERDICTS)),
            Flag.travel_pk.is_not(None),
            Decision.decided_at >= window.start,
            Decision.decided_at < window.end,
        )
        .order_by(Decision.decided_at, Decision.id)
    )
    latest: dict[tuple[int, int], _Verdict] = {}
    for (
        decision,
        travel_pk,
        offender_pk,
        flag_probability,
        evidence,
        band,
        probability,
        version,
    ) in session.execute(statement):
        if band is None:
            # The link is gone (its run was matched again): the flag's evidence kept its band.
            travel = (evidence or {}).get("travel") or {}
            band = travel.get("band")
            probability = (
                flag_probability
                if flag_probability is not None
                else travel.get("match_probability")
            )
        if band not in LINK_BANDS or probability is None:
            continue  # not a matcher's link: nothing to say about the model
        latest[(travel_pk, offender_pk)] = _Verdict(
            band, float(probability), version, VERDICTS[decision]
        )
    return list(latest.values())


def _row(
    by: str,
    band: str,
    verdicts: list[_Verdict],
    probability: str | None = None,
    model_version: int | None = None,
) -> HealthRow:
    mean = sum(v.probability for v in verdicts) / len(verdicts) if verdicts else None
    return HealthRow(
        by,
        band,
        probability,
        model_version,
        len(verdicts),
        sum(v.confirmed for v in verdicts),
        mean,
    )


def match_health(session: Session, as_of: date, days: int = DEFAULT_DAYS) -> list[HealthRow]:
    """Rows per band (match, review, all), per probability bin (every standard bin, even
    empty) and per model version and band (only those with decisions, oldest model first)."""
    verdicts = decided_links(session, HealthWindow(as_of, days))
    rows = [_row("band", band, [v for v in verdicts if v.band == band]) for band in LINK_BANDS]
    rows.append(_row("band", "all", verdicts))
    by_bin: dict[str, list[_Verdict]] = {}
    for verdict in verdicts:
        by_bin.setdefault(probability_bin(verdict.probability), []).append(verdict)
    labels = ((BELOW_BINS,) if BELOW_BINS in by_bin else ()) + BIN_LABELS
    rows += [
        _row("probability", "all", by_bin.get(label, []), probability=label) for label in labels
    ]
    versions = sorted({v.model_version for v in verdicts}, key=lambda n: (n is None, n or 0))
    for version in versions:
        for band in LINK_BANDS:
            chosen = [v for v in verdicts if v.model_version == version and v.band == band]
            if chosen:
                rows.append(_row("model", band, chosen, model_version=version))
    return rows


def read_match_health(session: Session, who: str | None, window: HealthWindow) -> list[HealthRow]:
    """`tracker match health`: counts of analysts' verdicts, not logged (no one's record)."""
    require_actor(session, who, "match.health")
    return match_health(session, window.as_of, window.days)


# --- rendering ------------------------------------------------------------------------------


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


COUNT_COLUMNS = (
    Column("decided", align=">"),
    Column("confirmed", align=">"),
    Column("dismissed", align=">"),
    Column("share_confirmed", "confirmed share", ">", _percent),
    Column("mean_probability", "mean p", ">", probability_text),
)
#: The three tables: a title, the columns that name each group, and which rows it holds.
SECTIONS = (
    ("By band", (Column("band"),), "band"),
    (
        "By probability (calibration: the confirmed share should track mean p)",
        (Column("probability"),),
        "probability",
    ),
    ("By model version", (Column("model"), Column("band")), "model"),
)


def _table_record(row: HealthRow) -> dict:
    """A row for the tables: unrounded shares (the table rounds them once), the model named."""
    model = "none" if row.model_version is None else f"v{row.model_version}"
    return asdict(row) | {
        "dismissed": row.dismissed,
        "share_confirmed": row.share_confirmed,
        "model": model,
    }


def health_table(rows: list[HealthRow], window: HealthWindow) -> str:
    """Three small tables under the window: by band, by probability bin, by model and band."""
    head = (
        f"Matching health: links analysts confirmed or dismissed from {window.first_day} to "
        f"{window.as_of}\n({window.days} day{'s' if window.days != 1 else ''}, by decision "
        "date in UTC)"
    )
    total = next(r for r in rows if r.by == "band" and r.band == "all")
    if not total.decided:
        return f"{head}\nno links were confirmed or dismissed in this window\n"
    parts = [head]
    for title, names, by in SECTIONS:
        chosen = [_table_record(r) for r in rows if r.by == by]
        parts.append(f"{title}\n{table_text(chosen, (*names, *COUNT_COLUMNS))}")
    return "\n\n".join(parts) + "\n"


def render_health(rows: list[HealthRow], window: HealthWindow, fmt: str) -> str | bytes:
    """``table`` for people; ``json`` (the window and the rows) and ``csv`` for machines."""
    if fmt == "table":
        return health_table(rows, window)
    period = {"first_day": window.first_day, "last_day": window.as_of}
    envelope = {"as_of": window.as_of, "first_day": window.first_day, "days": window.days}
    return render(
        [period | r.as_dict() for r in rows],
        CSV_COLUMNS if fmt == "csv" else CSV_COLUMNS[2:],
        fmt,
        envelope={k: plain(v) for k, v in envelope.items()},
        items_key="rows",
        sheet="match health",
    )
