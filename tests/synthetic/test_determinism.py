"""Same seed and arguments give byte-identical files; another seed gives other data."""

from __future__ import annotations

from pathlib import Path

from tracker.synthetic import generate

SMALL = {"offenders": 120, "travel": 1500}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_and_a_rerun_leaves_no_stale_files(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    generate(first, seed=3, **SMALL)
    generate(second, seed=3, **SMALL)
    assert _snapshot(first) == _snapshot(second)
    generate(second, seed=3, **SMALL)  # again into the same folder
    assert _snapshot(first) == _snapshot(second)


def test_another_seed_gives_other_data(tmp_path):
    generate(tmp_path / "a", seed=3, **SMALL)
    summary = generate(tmp_path / "b", seed=4, **SMALL)
    for name in ("offenders.csv", "notifications.csv", "travel.csv", "truth_links.csv"):
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "b" / name).read_bytes()
    assert summary.counts["truth_links.csv"] == SMALL["travel"]
    assert summary.counts["offenders.csv"] == SMALL["offenders"]
    assert len(summary.files) > 9 and all(p.is_file() for p in summary.files)
    assert sum(summary.flags.values()) == summary.counts["truth_flags.csv"]


def test_without_paxlst_or_jsonl_everything_is_in_travel_csv(tmp_path):
    summary = generate(tmp_path, seed=5, paxlst_share=0.0, jsonl_share=0.0, **SMALL)
    assert summary.counts["travel.csv"] == SMALL["travel"]
    assert summary.counts["travel-extra.jsonl"] == 0
    assert not list(tmp_path.glob("*.paxlst"))
