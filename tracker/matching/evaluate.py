"""How good the links are, against ground truth: precision, recall and F1 per band, recall
per corruption type, whether the probabilities mean what they say (calibration), and how many
true pairs blocking kept (the ceiling on recall)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tracker.matching.blocking import PASSES, blocking_recall, generate_candidates
from tracker.matching.prepare import prepare_register, prepare_travel


@dataclass
class BandScores:
    links: int
    correct: int
    precision: float
    recall: float
    f1: float


@dataclass
class BlockingFigures:
    """How many true pairs blocking kept, and at what cost in pairs per travel record."""

    recall: float
    true_pairs: int
    candidate_pairs: int
    travel_records: int
    max_per_record: int
    per_pass: dict[str, int]

    @property
    def mean_per_record(self) -> float:
        return self.candidate_pairs / max(self.travel_records, 1)

    def as_text(self) -> str:
        return (
            f"blocking: recall {self.recall:.4f} of {self.true_pairs:,} true pairs; "
            f"{self.candidate_pairs:,} candidate pairs, per travel record mean "
            f"{self.mean_per_record:.2f} max {self.max_per_record:,}"
        )


def blocking_figures(
    register: pd.DataFrame,
    travel: pd.DataFrame,
    aliases: pd.DataFrame | None,
    documents: pd.DataFrame | None,
    truth: pd.DataFrame,
    pass_names: tuple[str, ...] | None = None,
    max_block: int = 500,
) -> BlockingFigures:
    """Blocking recall on ``truth``'s pairs (travel_key, offender_key; empty: not on the
    register) with the passes named (default: all)."""
    prepared_register = prepare_register(register, aliases, documents)
    prepared_travel = prepare_travel(travel)
    passes = tuple(p for p in PASSES if pass_names is None or p.name in pass_names)
    candidates = generate_candidates(
        prepared_travel, prepared_register, passes, max_block=max_block
    )
    t_pos = pd.Series(
        np.arange(len(prepared_travel)), index=prepared_travel.records["travel_key"].to_numpy()
    )
    o_pos = pd.Series(
        np.arange(len(prepared_register)), index=prepared_register.people["offender_key"].to_numpy()
    )
    pairs = truth[truth["offender_key"].notna()]
    pairs = pairs[pairs["offender_key"].isin(o_pos.index) & pairs["travel_key"].isin(t_pos.index)]
    recall = blocking_recall(
        candidates,
        t_pos.loc[pairs["travel_key"]].to_numpy(),
        o_pos.loc[pairs["offender_key"]].to_numpy(),
        len(prepared_register),
    )
    per_record = np.bincount(candidates.t, minlength=len(prepared_travel))
    return BlockingFigures(
        recall,
        len(pairs),
        len(candidates),
        len(prepared_travel),
        int(per_record.max(initial=0)),
        dict(candidates.per_pass),
    )


@dataclass
class Evaluation:
    true_links: int
    bands: dict[str, BandScores]
    recall_by_corruption: dict[str, tuple[int, float]] = field(default_factory=dict)
    # (bin low, bin high, links, mean predicted probability, share correct)
    calibration: list[tuple[float, float, int, float, float]] = field(default_factory=list)
    false_links_by_category: dict[str, int] = field(default_factory=dict)
    blocking: BlockingFigures | None = None

    @property
    def calibration_error(self) -> float:
        """Links-weighted mean gap between predicted probability and share correct per bin:
        0 when the probabilities mean exactly what they say."""
        total = sum(n for _, _, n, _, _ in self.calibration)
        gaps = sum(n * abs(predicted - share) for _, _, n, predicted, share in self.calibration)
        return gaps / total if total else 0.0

    def as_text(self) -> str:
        lines = [f"true links in truth file: {self.true_links}"]
        lines.append(
            f"{'band':<16}{'links':>8}{'correct':>9}{'precision':>11}{'recall':>8}{'F1':>8}"
        )
        for name, s in self.bands.items():
            lines.append(
                f"{name:<16}{s.links:>8}{s.correct:>9}{s.precision:>11.4f}{s.recall:>8.4f}"
                f"{s.f1:>8.4f}"
            )
        if self.blocking is not None:
            lines.append(self.blocking.as_text())
        if self.recall_by_corruption:
            lines.append("recall (match + review) by corruption:")
            for name, (n, recall) in sorted(self.recall_by_corruption.items()):
                lines.append(f"  {name:<18}{n:>7}  {recall:.4f}")
        if self.false_links_by_category:
            lines.append("wrong links by who the traveller really was:")
            for name, n in sorted(self.false_links_by_category.items()):
                lines.append(f"  {name:<18}{n:>7}")
        if self.calibration:
            lines.append("calibration (predicted probability bin -> share correct):")
            for low, high, n, predicted, share in self.calibration:
                lines.append(
                    f"  {low:.2f}-{high:.2f}  {n:>7} links  predicted {predicted:.3f}  "
                    f"{share:.3f} correct"
                )
            lines.append(f"expected calibration error: {self.calibration_error:.4f}")
        return "\n".join(lines)


def _scores(linked: pd.DataFrame, true_links: int) -> BandScores:
    correct = int(linked["correct"].sum())
    precision = correct / len(linked) if len(linked) else 1.0
    recall = correct / true_links if true_links else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BandScores(len(linked), correct, precision, recall, f1)


def evaluate_links(
    links: pd.DataFrame, truth: pd.DataFrame, calibration_bins: int = 10
) -> Evaluation:
    """``links``: travel_key, offender_key, band, match_probability. ``truth``: travel_key,
    offender_key (empty where the traveller is not on the register), optionally ``corruptions``
    (``|``-separated) and ``category``."""
    truth = truth.copy()
    truth["offender_key"] = truth["offender_key"].replace("", np.nan)
    true_pairs = truth[truth["offender_key"].notna()]
    merged = links.merge(
        truth.rename(columns={"offender_key": "true_offender"}), on="travel_key", how="left"
    )
    merged["correct"] = merged["offender_key"].astype(str) == merged["true_offender"].astype(str)
    n_true = len(true_pairs)
    bands = {
        "match": _scores(merged[merged["band"] == "match"], n_true),
        "match + review": _scores(merged, n_true),
    }
    result = Evaluation(n_true, bands)

    if "corruptions" in truth.columns:
        found = true_pairs.merge(
            merged.loc[merged["correct"], ["travel_key"]].assign(found=True),
            on="travel_key",
            how="left",
        )
        found["found"] = found["found"].notna()
        exploded = found.assign(corruption=found["corruptions"].fillna("").str.split("|"))
        exploded = exploded.explode("corruption")
        exploded = exploded[exploded["corruption"] != ""]
        for name, group in exploded.groupby("corruption"):
            result.recall_by_corruption[str(name)] = (len(group), float(group["found"].mean()))

    if "category" in truth.columns:
        wrong = merged[~merged["correct"]]
        result.false_links_by_category = {
            str(k): int(v) for k, v in wrong["category"].fillna("unknown").value_counts().items()
        }

    edges = np.linspace(0, 1, calibration_bins + 1)
    probability = merged["match_probability"].to_numpy()
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (probability >= low) & (
            (probability < high) if high < 1 else (probability <= high)
        )
        if inside.any():
            share = float(merged.loc[inside, "correct"].mean())
            predicted = float(probability[inside].mean())
            result.calibration.append(
                (float(low), float(high), int(inside.sum()), predicted, share)
            )
    return result
