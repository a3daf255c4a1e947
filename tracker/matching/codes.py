"""Text as integer codes that the travel and register sides share, so blocking and comparison
index, compare and deduplicate small integers instead of Python strings.

Each prepared side keeps its name forms as codes into a sorted vocabulary of its own;
``shared_codes`` merges the two into one sorted vocabulary, so equal codes mean equal text
and a smaller code means a string that sorts first. Document numbers, countries and
nationalities are coded against the register's values alone: the comparisons only ever ask
whether a travel value equals a register one, and a travel value the register does not hold
(code ``ABSENT``) equals none of them. The empty string is code ``EMPTY`` everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from tracker.matching.prepare import PreparedRegister, PreparedTravel

EMPTY = 0  # the code of "" in every vocabulary
ABSENT = -1  # a travel value that the register's vocabulary does not hold

SEX_CODES = {"": EMPTY, "F": 1, "M": 2}
DOCUMENT_CODE_COLUMNS = ("doc", "doc_ocr", "doc_country")


def sorted_vocabulary(*texts: np.ndarray) -> np.ndarray:
    """The distinct strings of ``texts`` and "", sorted: "" is first, so its code is EMPTY.

    Python's own sort of a list of strings is several times faster than numpy's on an object
    array, and orders strings exactly as ``<=`` between them does."""
    distinct = {""}
    for text in texts:
        distinct.update(text.tolist())
    return np.array(sorted(distinct), dtype=object)


def codes_in(vocabulary: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each value's position in ``vocabulary`` (ABSENT where it has none), as int32."""
    return pd.Index(vocabulary).get_indexer(values).astype(np.int32)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of an integer array by sorting: numpy 2.4's hash-table path is many times
    slower on millions of distinct 64-bit values."""
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _register_coded(values: np.ndarray, travel_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(register codes, travel codes) of one column, against the register's values."""
    vocabulary = np.array(["", *pd.unique(values[values != ""])], dtype=object)
    index = pd.Index(vocabulary)
    return (
        index.get_indexer(values).astype(np.int32),
        index.get_indexer(travel_values).astype(np.int32),
    )


@dataclass(frozen=True)
class SharedCodes:
    """Every text column the matcher compares, coded once for both sides."""

    text: np.ndarray  # object: name code -> text (sorted, text[EMPTY] == "")
    travel_names: dict[str, np.ndarray]  # name form -> int32 code per travel record (t)
    variant_names: dict[str, np.ndarray]  # name form -> int32 code per register variant
    travel_documents: dict[str, np.ndarray]  # doc, doc_ocr, doc_country per travel record
    register_documents: dict[str, np.ndarray]  # the same per register document row
    travel_nationality: np.ndarray  # per travel record, against the register's nationalities
    register_nationality: np.ndarray  # per row of register.nationalities
    travel_sex: np.ndarray  # SEX_CODES per travel record
    register_sex: np.ndarray  # SEX_CODES per register person

    @cached_property
    def text_hash(self) -> np.ndarray:
        """pandas' 64-bit hash of each name text: what ``pd.util.hash_array`` gives the
        strings themselves, so blocking keys built from codes are the keys built from text."""
        return pd.util.hash_array(self.text, categorize=False)

    @cached_property
    def whole_names(self):
        """``whole_name_codes`` of both sides, worked out once per run."""
        return whole_name_codes(self)

    @cached_property
    def text_length(self) -> np.ndarray:
        return np.fromiter(map(len, self.text), dtype=np.int64, count=len(self.text))


def _sex_codes(values: np.ndarray) -> np.ndarray:
    codes = np.full(len(values), EMPTY, dtype=np.int8)
    for text, code in SEX_CODES.items():
        codes[values == text] = code
    return codes


def shared_codes(travel: PreparedTravel, register: PreparedRegister) -> SharedCodes:
    """One coding of both sides' text, computed once per run (comparison and blocking reuse
    it for the candidate pairs and both samples of u)."""
    text = sorted_vocabulary(travel.vocabulary, register.vocabulary)
    travel_to_shared = codes_in(text, travel.vocabulary)
    register_to_shared = codes_in(text, register.vocabulary)
    travel_names = {
        name: travel_to_shared[codes.to_numpy()] for name, codes in travel.name_codes.items()
    }
    variant_names = {
        name: register_to_shared[codes.to_numpy()] for name, codes in register.variant_codes.items()
    }

    travel_documents, register_documents = {}, {}
    for column in DOCUMENT_CODE_COLUMNS:
        register_documents[column], travel_documents[column] = _register_coded(
            register.documents[column].to_numpy(object), travel.records[column].to_numpy(object)
        )
    register_nationality, travel_nationality = _register_coded(
        register.nationalities["nationality"].to_numpy(object),
        travel.records["nationality"].to_numpy(object),
    )
    return SharedCodes(
        text,
        travel_names,
        variant_names,
        travel_documents,
        register_documents,
        travel_nationality,
        register_nationality,
        _sex_codes(travel.records["sex"].to_numpy(object)),
        _sex_codes(register.people["sex"].to_numpy(object)),
    )


def contains(haystack: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``np.isin(values, haystack)`` for integers, through pandas' hash table: numpy sorts
    (or binary-searches), which costs several times more on millions of values."""
    return pd.Series(values).isin(haystack).to_numpy()


def whole_name_codes(
    codes: SharedCodes,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The compact whole name, family then given and given then family, coded once for both
    sides: (travel (fg, gf), variants (fg, gf)); a name with no letters is EMPTY."""
    sides = (codes.travel_names, codes.variant_names)
    pairs = [np.stack([side["family_compact"], side["given_compact"]]) for side in sides]
    span = len(codes.text) + 1
    keyed = [pair[0].astype(np.int64) * span + pair[1] for pair in pairs]
    row, distinct = pd.factorize(np.concatenate(keyed))  # hashed: no sort of a million keys
    family, given = codes.text[distinct // span], codes.text[distinct % span]
    fg = [f + g for f, g in zip(family, given, strict=True)]
    gf = [g + f for f, g in zip(family, given, strict=True)]
    coded, vocabulary = pd.factorize(np.array(fg + gf, dtype=object))
    coded = np.where(np.asarray(vocabulary, dtype=object)[coded] == "", EMPTY, coded + 1)
    fg_code, gf_code = coded[: len(distinct)], coded[len(distinct) :]
    split = len(keyed[0])
    travel_rows, variant_rows = row[:split], row[split:]
    return (
        (fg_code[travel_rows], gf_code[travel_rows]),
        (fg_code[variant_rows], gf_code[variant_rows]),
    )
