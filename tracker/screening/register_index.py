"""The register held in memory for screening: prepared once, its blocking keys sorted into
runs per pass, so a manifest's travellers are blocked by looking their keys up, and compared
with the few register people they meet (a register subset, coded afresh in milliseconds).

Blocking keys are hashes of text, never of a vocabulary's codes, and document numbers are
coded against the register's own values, so the keys built here are the very keys the
nightly builds with both sides' codes: the same travellers meet the same people.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracker.matching.blocking import PASSES, BlockingPass, CandidatePairs, pass_block
from tracker.matching.blocking_join import RegisterRuns, join_runs, register_runs, unique_pairs
from tracker.matching.codes import DOCUMENT_CODE_COLUMNS, SharedCodes, shared_codes
from tracker.matching.link import prepare_register_in_key_order
from tracker.matching.prepare import (
    TRAVEL_COLUMNS,
    PreparedRegister,
    PreparedTravel,
    prepare_travel,
)
from tracker.matching.settings import LinkSettings


@dataclass
class RegisterIndex:
    """The prepared register, each pass's key runs, and its document vocabularies."""

    register: PreparedRegister
    passes: tuple[BlockingPass, ...]
    runs: dict[str, RegisterRuns | None]
    documents: dict[str, pd.Index]  # column -> the register's values, "" first (their codes)

    def __len__(self) -> int:
        return len(self.register)

    def candidates(self, travel: PreparedTravel) -> CandidatePairs:
        """Every pass's (t, o) pairs for these travellers, each once, in (t, o) order."""
        codes = self.travel_codes(travel)
        collected, per_pass = [], {}
        for blocking_pass in self.passes:
            pairs = join_runs(
                blocking_pass.travel_keys(travel, codes), self.runs[blocking_pass.name]
            )
            per_pass[blocking_pass.name] = pairs.shape[1]
            collected.append(pairs)
        t, o = unique_pairs(collected, max(len(self.register), 1))
        return CandidatePairs(t, o, per_pass)

    def travel_codes(self, travel: PreparedTravel) -> SharedCodes:
        """The codes a pass's travel keys read: names by their own sorted vocabulary (keys
        hash the text), documents against the register's values."""
        empty = np.zeros(0, dtype=np.int32)
        records = travel.records
        return SharedCodes(
            travel.vocabulary,
            {name: codes.to_numpy() for name, codes in travel.name_codes.items()},
            {},
            {
                column: self.documents[column]
                .get_indexer(records[column].to_numpy(object))
                .astype(np.int32)
                for column in DOCUMENT_CODE_COLUMNS
            },
            {},
            empty,
            empty,
            empty.astype(np.int8),
            empty.astype(np.int8),
        )


def build_register_index(
    register: pd.DataFrame,
    aliases: pd.DataFrame | None,
    documents: pd.DataFrame | None,
    settings: LinkSettings,
) -> RegisterIndex:
    """Prepare the register (as the nightly does) and sort each pass's keys into runs."""
    prepared = prepare_register_in_key_order(register, aliases, documents)
    no_travel = prepare_travel(pd.DataFrame({column: [] for column in TRAVEL_COLUMNS}))
    codes = shared_codes(no_travel, prepared)
    passes = tuple(p for p in PASSES if p.name in settings.blocking_passes)
    runs = {
        p.name: register_runs(p.register_keys(prepared, codes), pass_block(p, settings.max_block))
        for p in passes
    }
    vocabularies = {
        column: pd.Index(_register_vocabulary(prepared.documents[column].to_numpy(object)))
        for column in DOCUMENT_CODE_COLUMNS
    }
    return RegisterIndex(prepared, passes, runs, vocabularies)


def _register_vocabulary(values: np.ndarray) -> np.ndarray:
    """As ``codes._register_coded`` numbers a column: "" first, then values as they come."""
    return np.array(["", *pd.unique(values[values != ""])], dtype=object)


def _rows_of(o: np.ndarray, people: np.ndarray) -> np.ndarray:
    """Positions of the rows of a table sorted by ``o`` that belong to ``people`` (sorted),
    in table order: each person's run found by binary search, never a scan of the table."""
    start = np.searchsorted(o, people, side="left")
    end = np.searchsorted(o, people, side="right")
    sizes = end - start
    offsets = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.repeat(start, sizes) + offsets


def register_subset(register: PreparedRegister, people: np.ndarray) -> PreparedRegister:
    """The register restricted to ``people`` (sorted positions), renumbered 0.. in the same
    order, with variants and documents kept in their order: comparing a traveller with a
    subset gives the levels, and ties, comparing with the whole register gives."""
    renumbered = np.full(len(register), -1, dtype=np.int64)
    renumbered[people] = np.arange(len(people))

    def kept(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        o = frame["o"].to_numpy().astype(np.int64)
        rows = _rows_of(o, people)
        out = frame.take(rows).reset_index(drop=True)
        out["o"] = renumbered[o[rows]]
        return out, rows

    variants, variant_rows = kept(register.variants)
    codes = register.variant_codes.take(variant_rows).reset_index(drop=True)
    used = np.unique(np.r_[0, codes.to_numpy().ravel()])
    recoded = pd.DataFrame(
        {name: np.searchsorted(used, codes[name].to_numpy()).astype(np.int32) for name in codes}
    )
    return PreparedRegister(
        register.people.take(people).reset_index(drop=True),
        variants,
        kept(register.documents)[0],
        kept(register.nationalities)[0],
        recoded,
        register.vocabulary[used],
    )
