"""Matching benchmark: accuracy, candidate pairs, stage timings and peak memory, with Splink
beside it when Splink is installed (`pip install -e ".[bench]"`).

    python bench/matching.py --offenders 10000 --travel 100000
    python bench/matching.py --offenders 100000 --travel 1000000 --no-splink
    python bench/matching.py --profiles all --no-splink     # every generator profile in turn

Works on the synthetic generator's files directly (no database), as the matcher does.
``--profile NAME`` generates with one of the generator's stress profiles (`tracker generate
--help`); ``--profiles all`` (or a comma-separated list) runs each, then a summary table.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from tracker.matching.blocking import CandidatePairs, blocking_recall, generate_candidates
from tracker.matching.evaluate import evaluate_links
from tracker.matching.link import link_travel_to_register
from tracker.matching.prepare import prepare_register, prepare_travel
from tracker.matching.settings import LinkSettings
from tracker.synthetic import generate
from tracker.synthetic.profiles import PROFILES


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_inbox(folder: Path) -> dict[str, pd.DataFrame]:
    read = {"dtype": str, "keep_default_na": False, "na_values": [""]}
    register = pd.read_csv(folder / "offenders.csv", **read)
    aliases = pd.read_csv(folder / "aliases.csv", **read)
    documents = pd.read_csv(folder / "documents.csv", **read)
    travel = pd.read_csv(folder / "travel.csv", **read)
    truth = pd.read_csv(folder / "truth_links.csv", **read)
    travel["travel_key"] = travel["source"] + "/" + travel["record_id"]
    truth["travel_key"] = truth["travel_source"] + "/" + truth["travel_record_id"]
    truth = truth[truth["travel_key"].isin(travel["travel_key"])]
    return {
        "register": register.rename(columns={"offender_id": "offender_key"}),
        "aliases": aliases.rename(columns={"offender_id": "offender_key"}).assign(
            kind=lambda f: f["kind"].fillna("alias")
        ),
        "documents": documents.rename(columns={"offender_id": "offender_key"}),
        "travel": travel,
        "truth": truth.rename(columns={"offender_id": "offender_key"}),
    }


def run_tracker(data: dict[str, pd.DataFrame], settings: LinkSettings) -> tuple[pd.DataFrame, dict]:
    started = time.perf_counter()
    result = link_travel_to_register(
        data["register"], data["travel"], data["aliases"], data["documents"], settings=settings
    )
    seconds = time.perf_counter() - started
    return result.links, {
        "seconds": seconds,
        "candidate_pairs": result.candidate_pairs,
        "per_pass": result.per_pass,
        "timings": result.timings,
        "em_iterations": result.parameters.em_iterations,
    }


def measure_blocking(data: dict[str, pd.DataFrame]) -> tuple[float, int, float]:
    """Blocking recall on the labelled pairs, candidate pairs, and seconds taken."""
    candidates, recall, seconds = block_labelled(data)
    return recall, len(candidates), seconds


def block_labelled(data: dict[str, pd.DataFrame]) -> tuple[CandidatePairs, float, float]:
    """The candidate pairs themselves (travel positions ``t`` follow ``data["travel"]``'s row
    order), blocking recall on the labelled pairs, and seconds taken."""
    started = time.perf_counter()
    register = prepare_register(data["register"], data["aliases"], data["documents"])
    travel = prepare_travel(data["travel"])
    candidates = generate_candidates(travel, register)
    seconds = time.perf_counter() - started
    truth = data["truth"][data["truth"]["offender_key"].notna()]
    t_pos = pd.Series(np.arange(len(travel)), index=travel.records["travel_key"].to_numpy())
    o_pos = pd.Series(np.arange(len(register)), index=register.people["offender_key"].to_numpy())
    known = truth["offender_key"].isin(o_pos.index)
    recall = blocking_recall(
        candidates,
        t_pos.loc[truth.loc[known, "travel_key"]].to_numpy(),
        o_pos.loc[truth.loc[known, "offender_key"]].to_numpy(),
        len(register),
    )
    return candidates, recall, seconds


SPLINK_FIELDS = ("first_name", "surname", "dob", "sex")


def run_splink(
    data: dict[str, pd.DataFrame],
    fields: tuple[str, ...] = SPLINK_FIELDS,
    predict_threshold: float = 0.01,
) -> tuple[pd.DataFrame, dict] | None:
    """Splink (DuckDB) with a conventional person-linkage configuration: each travel record's
    best-scoring register entry at or above ``predict_threshold``, or None without Splink.

    ``fields``: which of first name, surname, birth date and sex are compared (the blocking
    rules use the first three either way)."""
    try:
        import splink.comparison_library as cl
        from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    except ImportError:
        return None

    def shape(frame: pd.DataFrame, id_column: str) -> pd.DataFrame:
        out = pd.DataFrame(
            {
                "unique_id": frame[id_column].astype(str),
                "first_name": frame["given_names"].fillna("").str.upper().str.split(" ").str[0],
                "surname": frame["family_name"].fillna("").str.upper(),
                "dob": frame["date_of_birth"],
                "sex": frame["sex"],
            }
        )
        blocked_on = ["unique_id", "first_name", "surname", "dob"]
        out = out[blocked_on + [name for name in fields if name not in blocked_on]]
        return out.replace({"": None})

    left = shape(data["register"], "offender_key")
    right = shape(data["travel"], "travel_key")
    started = time.perf_counter()
    comparisons = {
        "first_name": cl.NameComparison("first_name"),
        "surname": cl.NameComparison("surname"),
        "dob": cl.DateOfBirthComparison("dob", input_is_string=True),
        "sex": cl.ExactMatch("sex"),
    }
    api = DuckDBAPI()
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[comparisons[name] for name in fields],
        blocking_rules_to_generate_predictions=[
            block_on("dob"),
            block_on("surname", "substr(dob, 1, 4)"),
            block_on("first_name", "substr(dob, 1, 4)"),
            block_on("surname", "first_name"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker([api.register(left), api.register(right)], settings, log_level=40)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("surname", "first_name")
    )
    predictions = linker.inference.predict(
        threshold_match_probability=predict_threshold
    ).as_pandas_dataframe()
    seconds = time.perf_counter() - started
    # Orient each pair as (offender, travel) whichever side Splink put them on.
    register_ids = set(left["unique_id"])
    l_is_reg = predictions["unique_id_l"].isin(register_ids)
    pairs = pd.DataFrame(
        {
            "offender_key": np.where(
                l_is_reg, predictions["unique_id_l"], predictions["unique_id_r"]
            ),
            "travel_key": np.where(
                l_is_reg, predictions["unique_id_r"], predictions["unique_id_l"]
            ),
            "match_probability": predictions["match_probability"],
        }
    )
    best = pairs.sort_values("match_probability", ascending=False).drop_duplicates("travel_key")
    return best, {"seconds": seconds, "candidate_pairs": len(predictions)}


def best_threshold_f1(
    links: pd.DataFrame, truth: pd.DataFrame
) -> tuple[float, float, float, float]:
    """F1 at the threshold that maximises it: (threshold, precision, recall, f1)."""
    true_map = truth.set_index("travel_key")["offender_key"]
    n_true = int(truth["offender_key"].notna().sum())
    correct = (
        links["offender_key"].astype(str).to_numpy()
        == links["travel_key"].map(true_map).astype(str).to_numpy()
    )
    order = np.argsort(-links["match_probability"].to_numpy())
    hits = np.cumsum(correct[order])
    k = np.arange(1, len(order) + 1)
    precision, recall = hits / k, hits / max(n_true, 1)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0)
    if len(f1) == 0:
        return (1.0, 1.0, 0.0, 0.0)
    i = int(np.argmax(f1))
    return (
        float(links["match_probability"].to_numpy()[order][i]),
        float(precision[i]),
        float(recall[i]),
        float(f1[i]),
    )


#: the issue's goals as (match F1, match + review recall): stress profiles, and the default
STRESS_GOAL, DEFAULT_GOAL = (0.97, 0.98), (0.99, 0.99)


def habit_recall(
    links: pd.DataFrame, truth: pd.DataFrame, labels: tuple[str, ...]
) -> tuple[int, float]:
    """Records showing any of a profile's habit labels, and the share linked right (match +
    review)."""
    true = truth[truth["offender_key"].notna()]
    shows = true["corruptions"].fillna("").str.split("|").map(lambda ls: bool(set(ls) & {*labels}))
    got = true["travel_key"].map(links.set_index("travel_key")["offender_key"])
    hit = (got == true["offender_key"])[shows]
    return len(hit), float(hit.mean()) if len(hit) else 1.0


def profile_run(args: argparse.Namespace, name: str) -> dict:
    """One profile: generate, block, link and score; prints its block, returns its table row."""
    profile = PROFILES[name]
    print(f"\n==== {name}: {profile.summary}")
    with tempfile.TemporaryDirectory(prefix=f"tracker-bench-{name}-") as tmp:
        _generate(Path(tmp), args, name)
        data = load_inbox(Path(tmp))
    blocking, pairs, _ = measure_blocking(data)
    links, info = run_tracker(data, LinkSettings())
    with warnings.catch_warnings():  # pandas' notice about evaluate's fillna, once per profile
        warnings.simplefilter("ignore", FutureWarning)
        evaluation = evaluate_links(links, data["truth"])
    print(
        f"true links {evaluation.true_links:,}; blocking recall {blocking:.4f} ({pairs:,} "
        f"pairs); tracker {info['seconds']:.1f}s, peak {peak_memory_mib():,.0f} MiB"
    )
    for band, sc in evaluation.bands.items():
        print(
            f"  {band:<15} precision {sc.precision:.4f}  recall {sc.recall:.4f}  "
            f"F1 {sc.f1:.4f}  ({sc.links:,} links)"
        )
    print(
        "  recall (match + review) by corruption, worst first"
        + ("; * marks this profile's habit" if profile.labels else "")
        + ":"
    )
    ranked = sorted(evaluation.recall_by_corruption.items(), key=lambda kv: (kv[1][1], kv[0]))
    for label, (n, recall) in ranked:
        mark = "*" if label in profile.labels else " "
        print(f"   {mark}{label:<22}{n:>7,}  {recall:.4f}")
    row = {
        "profile": name,
        "blocking": blocking,
        "bands": evaluation.bands,
        "habit": habit_recall(links, data["truth"], profile.labels),
        "splink": None,
    }
    if not args.no_splink and (splink := run_splink(data)) is not None:
        row["splink"] = best_threshold_f1(splink[0], data["truth"])[3]
        print(f"  Splink best-threshold F1 {row['splink']:.4f}")
    return row


def run_profiles(args: argparse.Namespace, names: list[str]) -> int:
    """Each profile in turn, then one row per profile against the issue's goals."""
    rows = [profile_run(args, name) for name in names]
    print(
        f"\n== summary: {args.offenders:,} x {args.travel:,}, seed {args.seed}; goal: match "
        f"F1 >= {STRESS_GOAL[0]}, match + review recall >= {STRESS_GOAL[1]} "
        f"(default: both >= {DEFAULT_GOAL[0]})"
    )
    head = (
        f"{'profile':<19}{'block R':>8}{'match P':>9}{'R':>7}{'F1':>7}{'m+r P':>8}{'R':>7}"
        f"{'F1':>7}{'habit R':>9}{'habit n':>8}  goal"
    )
    print(head + ("  Splink F1" if not args.no_splink else ""))
    for row in rows:
        match, both = row["bands"]["match"], row["bands"]["match + review"]
        f1_goal, recall_goal = DEFAULT_GOAL if row["profile"] == "default" else STRESS_GOAL
        met = "met" if match.f1 >= f1_goal and both.recall >= recall_goal else "MISSED"
        n, habit = row["habit"]
        shown = f"{habit:.4f}" if n else "-"
        line = (
            f"{row['profile']:<19}{row['blocking']:>8.4f}{match.precision:>9.4f}"
            f"{match.recall:>7.4f}{match.f1:>7.4f}{both.precision:>8.4f}{both.recall:>7.4f}"
            f"{both.f1:>7.4f}{shown:>9}{n:>8,}  {met:<6}"
        )
        print(line + (f"  {row['splink']:.4f}" if row["splink"] is not None else ""))
    return 0


def _generate(folder: Path, args: argparse.Namespace, profile: str) -> None:
    started = time.perf_counter()
    generate(
        folder,
        offenders=args.offenders,
        travel=args.travel,
        seed=args.seed,
        as_of=date(2026, 11, 20),
        paxlst_share=0.0,
        jsonl_share=0.0,
        profile=profile,
    )
    shown = "" if profile == "default" else f" (profile {profile})"
    print(
        f"generated {args.offenders:,} x {args.travel:,}{shown} in "
        f"{time.perf_counter() - started:.1f}s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offenders", type=int, default=10_000)
    parser.add_argument("--travel", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--inbox", type=Path, help="reuse a generated folder instead")
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument(
        "--profile",
        choices=tuple(PROFILES),
        default="default",
        help="the generator profile (tracker generate --profile)",
    )
    parser.add_argument(
        "--profiles",
        metavar="all|NAME,NAME...",
        help="run each profile in turn, then a summary table",
    )
    args = parser.parse_args(argv)
    if args.profiles:
        names = list(PROFILES) if args.profiles == "all" else args.profiles.split(",")
        unknown = [n for n in names if n not in PROFILES]
        if unknown or args.inbox:
            parser.error(
                f"unknown profile(s) {', '.join(unknown)}; known: {', '.join(PROFILES)}"
                if unknown
                else "--profiles generates its own data: drop --inbox"
            )
        return run_profiles(args, names)

    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        folder = args.inbox or Path(tmp)
        if not args.inbox:
            _generate(folder, args, args.profile)
        data = load_inbox(folder)
        print(
            f"register {len(data['register']):,}  aliases {len(data['aliases']):,}  "
            f"documents {len(data['documents']):,}  travel {len(data['travel']):,}  "
            f"true links {int(data['truth']['offender_key'].notna().sum()):,}"
        )
        recall, pairs, seconds = measure_blocking(data)
        print(
            f"blocking: recall {recall:.4f} on the labelled pairs, {pairs:,} candidate pairs "
            f"({pairs / max(len(data['travel']), 1):.2f} per travel record), {seconds:.1f}s"
        )
        links, info = run_tracker(data, LinkSettings())
        print(
            f"\n== tracker: {info['seconds']:.1f}s, {info['candidate_pairs']:,} candidate pairs, "
            f"peak memory {peak_memory_mib():,.0f} MiB, EM iterations {info['em_iterations']}"
        )
        print("stage timings (s): " + ", ".join(f"{k} {v}" for k, v in info["timings"].items()))
        print(
            "pairs per blocking pass: "
            + ", ".join(f"{k} {v:,}" for k, v in info["per_pass"].items())
        )
        print(evaluate_links(links, data["truth"]).as_text())
        threshold, p, r, f1 = best_threshold_f1(links, data["truth"])
        print(
            f"best-threshold F1 {f1:.4f} (precision {p:.4f}, recall {r:.4f} "
            f"at p >= {threshold:.3f})"
        )

        if not args.no_splink:
            splink = run_splink(data)
            if splink is None:
                print("\nSplink is not installed: pip install -e '.[bench]' to compare")
            else:
                s_links, s_info = splink
                st, sp, sr, sf1 = best_threshold_f1(s_links, data["truth"])
                print(
                    f"\n== Splink: {s_info['seconds']:.1f}s, {s_info['candidate_pairs']:,} "
                    f"scored pairs"
                )
                print(
                    f"best-threshold F1 {sf1:.4f} (precision {sp:.4f}, recall {sr:.4f} at "
                    f"p >= {st:.3f})"
                )
                print(
                    f"\nside by side (best-threshold F1): tracker {f1:.4f}  Splink {sf1:.4f}  "
                    f"difference {f1 - sf1:+.4f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
