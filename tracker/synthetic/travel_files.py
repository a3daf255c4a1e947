"""travel.csv and travel-extra.jsonl written as streams: the known travellers at random
positions, the public everywhere else, chunk by chunk, with truth_links.csv alongside."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from tracker.synthetic.travel import TRAVEL_COLUMNS, PublicFactory
from tracker.synthetic.writer import TRUTH_EXTRA, CsvSink, JsonlSink

CHUNK = 100_000


def _ids(sources: pd.Series, positions: np.ndarray) -> pd.Series:
    prefix = sources.str[4:].str.upper()
    numbers = pd.Series(positions + 1, index=sources.index).astype(str).str.zfill(9)
    return prefix + numbers


def place(rows: list[dict], start: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Random, sorted stream positions for ``rows`` (in a random order); sets their ids."""
    order = rng.permutation(len(rows))
    rows[:] = [rows[int(k)] for k in order]
    positions = np.sort(rng.choice(length, len(rows), replace=False)) + start
    for row, pos in zip(rows, positions, strict=True):
        row["record_id"] = f"{row['source'][4:].upper()}{int(pos) + 1:09d}"
    return positions


def stream(
    sink: CsvSink | JsonlSink,
    truth: CsvSink,
    special: list[dict],
    positions: np.ndarray,
    start: int,
    length: int,
    factory: PublicFactory,
    lap: Callable[[str], None],
    name: str,
) -> None:
    """Write ``length`` rows (stream positions start..start+length-1): known people at their
    positions, the public everywhere else, chunk by chunk."""
    cols = [*TRAVEL_COLUMNS, *TRUTH_EXTRA]
    for a in range(start, start + length, CHUNK):
        b = min(a + CHUNK, start + length)
        lo, hi = np.searchsorted(positions, [a, b])
        spec_pos = positions[lo:hi]
        spec = pd.DataFrame([special[k] for k in range(lo, hi)], columns=cols)
        pub_n = (b - a) - len(spec_pos)
        pub = factory.rows(pub_n) if pub_n else pd.DataFrame(columns=cols)
        pub = pub.assign(offender_id="", category="public", corruptions="", hard_negative_of="")
        mask = np.ones(b - a, dtype=bool)
        mask[spec_pos - a] = False
        pub_pos = np.flatnonzero(mask) + a
        pub["record_id"] = _ids(pub["source"], pub_pos).to_numpy() if pub_n else []
        frame = pd.concat([pub[cols], spec[cols]], ignore_index=True)
        frame = frame.iloc[np.argsort(np.concatenate([pub_pos, spec_pos]), kind="stable")]
        if isinstance(sink, JsonlSink):
            zulu = (np.arange(a, b) % 3 == 0) & frame["departure_time"].str.endswith("+00:00")
            frame.loc[zulu.to_numpy(), "departure_time"] = (
                frame.loc[zulu.to_numpy(), "departure_time"].str[:-6] + "Z"
            )
        sink.frame(frame)
        truth.frame(
            frame.rename(columns={"source": "travel_source", "record_id": "travel_record_id"})
        )
        lap(f"{name} rows {b - start:,}/{length:,}")
