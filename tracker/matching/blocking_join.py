"""Joining travel keys to register keys: the register's keys sorted into runs of one key once,
each travel key looked up among them, and every pass's pairs unioned."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracker.matching.blocking_keys import Keys
from tracker.matching.codes import sorted_unique


@dataclass(frozen=True)
class RegisterRuns:
    """A pass's register keys sorted into runs of one key, the runs of more than the pass's
    ``max_block`` people left out: what a travel key is looked up among (kept in memory by
    screening, so a manifest's few hundred keys are looked up without sorting the register)."""

    index: pd.Index  # run key -> run number (a hash table)
    start: np.ndarray
    size: np.ndarray
    pos: np.ndarray  # register positions in key order


def register_runs(register_keys: Keys, max_block: int) -> RegisterRuns | None:
    """The runs of ``register_keys`` (None when there are none to join with)."""
    if len(register_keys) == 0:
        return None
    order = np.argsort(register_keys.key, kind="stable")
    key, pos = register_keys.key[order], register_keys.pos[order]
    run_start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    run_size = np.diff(np.r_[run_start, len(key)])
    small = run_size <= max_block
    run_key, run_start, run_size = key[run_start][small], run_start[small], run_size[small]
    if len(run_key) == 0:
        return None
    return RegisterRuns(pd.Index(run_key), run_start, run_size, pos)


def join_runs(travel_keys: Keys, runs: RegisterRuns | None) -> np.ndarray:
    """(t, o) pairs of each travel key with every register person of its run."""
    if runs is None or len(travel_keys) == 0:
        return np.zeros((2, 0), dtype=np.int64)
    run = runs.index.get_indexer(travel_keys.key)  # a hash table: no binary search
    hit = np.flatnonzero(run >= 0)
    size = runs.size[run[hit]]
    within = np.arange(int(size.sum())) - np.repeat(np.cumsum(size) - size, size)
    t = np.repeat(travel_keys.pos[hit], size)
    o = runs.pos[np.repeat(runs.start[run[hit]], size) + within]
    return np.stack([t.astype(np.int64), o.astype(np.int64)])


def join_keys(travel_keys: Keys, register_keys: Keys, max_block: int) -> np.ndarray:
    """(t, o) pairs sharing a key, skipping keys so common on the register side that they say
    nothing (more than ``max_block`` people): the register's keys sorted into runs, each
    travel key looked up among them."""
    if len(travel_keys) == 0:
        return np.zeros((2, 0), dtype=np.int64)
    return join_runs(travel_keys, register_runs(register_keys, max_block))


def unique_pairs(collected: list[np.ndarray], n_register: int) -> tuple[np.ndarray, np.ndarray]:
    """(t, o) of every pass's pairs, each pair once, in (t, o) order."""
    packed = [pairs[0] * n_register + pairs[1] for pairs in collected]
    combined = sorted_unique(np.concatenate(packed)) if packed else np.array([], np.int64)
    return combined // n_register, combined % n_register
