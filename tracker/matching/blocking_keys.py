"""Blocking keys: per row a position and a 64-bit key, built from hashed parts in C.

Every pass builds its keys with these; joining millions of rows on integers is many times
faster than on concatenated strings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracker.matching.codes import SharedCodes, sorted_unique
from tracker.matching.prepare import PreparedRegister

_MIX = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class Keys:
    """Blocking keys: per row a position (t or o) and a 64-bit key."""

    pos: np.ndarray
    key: np.ndarray

    def __len__(self) -> int:
        return len(self.pos)


def hash_part(part: np.ndarray) -> np.ndarray:
    if part.dtype == object:
        return pd.util.hash_array(part, categorize=True)
    return pd.util.hash_array(part.astype(np.int64))


def mix(*hashes: np.ndarray) -> np.ndarray:
    """One 64-bit key from the hashes of several parts, order mattering."""
    key = hashes[0]
    with np.errstate(over="ignore"):
        for hashed in hashes[1:]:
            key = (key * _MIX) ^ hashed
    return key


def combine(*parts: np.ndarray) -> np.ndarray:
    """One 64-bit key from several columns (strings or integers), computed in C: joining
    millions of rows on integers is many times faster than on concatenated strings."""
    return mix(*(hash_part(np.asarray(part)) for part in parts))


def name_text_hash(codes: SharedCodes, name_codes: np.ndarray) -> np.ndarray:
    """The hash of the text behind name codes: the very hash ``combine`` gives the text."""
    return codes.text_hash[name_codes]


def keys_where(position: np.ndarray, key: np.ndarray, valid: np.ndarray | None = None) -> Keys:
    if valid is not None:
        position, key = position[valid], key[valid]
    return Keys(position, key)


def concat_keys(parts: list[Keys]) -> Keys:
    """The keys of every part, each (position, key) once: keys are numbered densely so a
    position and a key pack into one integer, deduplicated by sorting."""
    pos = np.concatenate([part.pos for part in parts]).astype(np.int64)
    key = np.concatenate([part.key for part in parts])
    if len(key) == 0:
        return Keys(pos, key)
    key_number, distinct_keys = pd.factorize(key)
    span = len(distinct_keys)
    packed = sorted_unique(pos * span + key_number)
    return Keys(packed // span, np.asarray(distinct_keys)[packed % span])


def variant_dob(register: PreparedRegister) -> np.ndarray:
    return register.people["dob"].to_numpy()[register.variants["o"].to_numpy()]


def exploded(
    position: np.ndarray,
    name_codes: np.ndarray,
    items: Callable[[str], Sequence[str]],
    codes: SharedCodes,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row once per item of its text (``items(text)``, in order): the rows' positions,
    the items' hashes and whether each item is non-empty. ``items`` runs once per distinct
    text, not once per row."""
    row_text, distinct = pd.factorize(name_codes)
    per_text = [items(text) for text in codes.text[distinct]]
    counts = np.fromiter(map(len, per_text), dtype=np.int64, count=len(per_text))
    flat = np.array([item for text_items in per_text for item in text_items], dtype=object)
    flat_hash = hash_part(flat) if len(flat) else np.zeros(0, dtype=np.uint64)
    first_item = np.cumsum(counts) - counts
    row_counts = counts[row_text]
    rows = np.repeat(np.arange(len(name_codes)), row_counts)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(row_counts) - row_counts, row_counts)
    item = first_item[row_text[rows]] + within
    return position[rows], flat_hash[item], flat[item] != ""


def split_words(text: str) -> list[str]:
    return text.split(" ")
