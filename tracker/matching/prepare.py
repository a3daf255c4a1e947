"""Raw register and travel DataFrames to the comparable forms blocking and comparison use.

The register is turned into three tables indexed by a dense offender position ``o``: people
(one row each), name variants (the register name, every alias, and their ICAO spellings) and
documents. Travel records get a dense position ``t``. Everything downstream works on these
integer positions and numpy arrays, never on the database.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracker.matching.dates import date_codes, swapped_day_month
from tracker.matching.documents import comparable_country, document_columns, per_distinct
from tracker.matching.names import coded_name_frame

# Where a register name variant comes from (aliases carry their own kind).
REGISTER_NAME_SOURCE = "register name"
LATER_GIVEN_SOURCE = "later given names"  # the register name without its first given name

REGISTER_COLUMNS = (
    "offender_key",
    "family_name",
    "given_names",
    "date_of_birth",
    "sex",
    "nationalities",
)
ALIAS_COLUMNS = ("offender_key", "family_name", "given_names", "kind")
DOCUMENT_COLUMNS = ("offender_key", "doc_number", "issuing_country")
TRAVEL_COLUMNS = (
    "travel_key",
    "family_name",
    "given_names",
    "date_of_birth",
    "sex",
    "nationality",
    "doc_number",
    "doc_issuing_country",
)


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} frame lacks column(s) {', '.join(missing)}")


def _sex(values: pd.Series) -> np.ndarray:
    """M or F; anything else (X, U, unknown) cannot agree or disagree."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)  # worked out once per value
    upper = [str(value).upper() for value in uniques]
    sex = np.array([*(u if u in ("M", "F") else "" for u in upper), ""], dtype=object)
    return sex[codes]  # missing (-1) takes the last, ""


@dataclass
class PreparedRegister:
    people: pd.DataFrame  # index o: offender_key, dob, dob_swapped, sex, nationalities
    variants: pd.DataFrame  # o, source, name forms
    documents: pd.DataFrame  # o, doc, doc_ocr, doc_country
    nationalities: pd.DataFrame  # o, nationality (one row per listed nationality)
    variant_codes: pd.DataFrame  # the variants' name forms as codes into ``vocabulary``
    vocabulary: np.ndarray  # object, sorted: every name form's text, "" first

    def __len__(self) -> int:
        return len(self.people)


@dataclass
class PreparedTravel:
    records: pd.DataFrame  # index t: travel_key, name forms, dob, sex, nationality, documents
    name_codes: pd.DataFrame  # index t: the name forms as codes into ``vocabulary``
    vocabulary: np.ndarray  # object, sorted: every name form's text, "" first

    def __len__(self) -> int:
        return len(self.records)


def prepare_register(
    register: pd.DataFrame,
    aliases: pd.DataFrame | None = None,
    documents: pd.DataFrame | None = None,
) -> PreparedRegister:
    _require(register, REGISTER_COLUMNS, "register")
    register = register.reset_index(drop=True)
    position = pd.Series(np.arange(len(register)), index=register["offender_key"].to_numpy())
    if position.index.has_duplicates:
        raise ValueError("register frame has duplicate offender_key values")
    dob = date_codes(register["date_of_birth"])
    people = pd.DataFrame(
        {
            "offender_key": register["offender_key"].to_numpy(),
            "dob": dob,
            "dob_swapped": swapped_day_month(dob),
            "sex": _sex(register["sex"]),
        }
    )

    own_names = register[["family_name", "given_names"]]
    names = [own_names.assign(o=np.arange(len(register)), source=REGISTER_NAME_SOURCE)]
    if aliases is not None and len(aliases):
        _require(aliases, ALIAS_COLUMNS, "aliases")
        known = aliases[aliases["offender_key"].isin(position.index)]
        names.append(
            pd.DataFrame(
                {
                    "family_name": known["family_name"].to_numpy(),
                    "given_names": known["given_names"].to_numpy(),
                    "o": position.loc[known["offender_key"].to_numpy()].to_numpy(),
                    "source": known["kind"].fillna("alias").to_numpy(),
                }
            )
        )
    names.append(_later_given_names(names[0]))
    variants = pd.concat(names, ignore_index=True)
    forms = coded_name_frame(variants["family_name"], variants["given_names"])
    variants = pd.concat([variants[["o", "source"]], forms.frame], axis=1)
    variants = variants.drop_duplicates(subset=["o", "family", "given"]).sort_values(
        "o", kind="stable"
    )
    variant_codes = forms.codes.loc[variants.index].reset_index(drop=True)

    if documents is not None and len(documents):
        _require(documents, DOCUMENT_COLUMNS, "documents")
        known = documents[documents["offender_key"].isin(position.index)]
        docs = document_columns(known["doc_number"], known["issuing_country"])
        docs.insert(0, "o", position.loc[known["offender_key"].to_numpy()].to_numpy())
        docs = docs[docs["doc"] != ""].sort_values("o", kind="stable").reset_index(drop=True)
    else:
        docs = pd.DataFrame({"o": [], "doc": [], "doc_ocr": [], "doc_country": []})
        docs = docs.astype({"o": np.int64})

    nat = register["nationalities"].astype(object).where(register["nationalities"].notna(), "")
    exploded = (
        pd.DataFrame({"o": np.arange(len(register)), "nationality": nat.astype(str).str.split("|")})
        .explode("nationality")
        .assign(nationality=lambda f: per_distinct(f["nationality"], comparable_country))
    )
    nationalities = exploded[exploded["nationality"] != ""].reset_index(drop=True)
    return PreparedRegister(
        _as_objects(people),
        _as_objects(variants.reset_index(drop=True)),
        _as_objects(docs),
        _as_objects(nationalities),
        variant_codes,
        forms.vocabulary,
    )


def _later_given_names(register_names: pd.DataFrame) -> pd.DataFrame:
    """A variant without the first given name, for people who go by a later one: carriers
    write Văn Hùng as HUNG, and Robert James may travel as JAMES."""
    given = (
        register_names["given_names"]
        .astype(object)
        .where(register_names["given_names"].notna(), "")
        .astype(str)
        .str.strip()
    )
    parts = given.str.split(r"\s+", n=1, regex=True)
    has_more = parts.str.len() > 1
    later = register_names[has_more.to_numpy()].copy()
    later["given_names"] = parts[has_more].str[1].to_numpy()
    later["source"] = LATER_GIVEN_SOURCE
    return later


def _as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain Python strings: the comparisons index them millions of times, and
    reading Arrow-backed strings back out costs a conversion each time. Object columns stay
    as they are (asking whether one holds only strings would read every value)."""
    text = [
        c
        for c in frame.columns
        if frame[c].dtype != object and pd.api.types.is_string_dtype(frame[c].dtype)
    ]
    if text:
        frame = frame.astype({c: object for c in text})
    return frame


def prepare_travel(travel: pd.DataFrame) -> PreparedTravel:
    _require(travel, TRAVEL_COLUMNS, "travel")
    travel = travel.reset_index(drop=True)
    forms = coded_name_frame(travel["family_name"], travel["given_names"])
    dob = date_codes(travel["date_of_birth"])
    docs = document_columns(travel["doc_number"], travel["doc_issuing_country"])
    records = pd.concat(
        [
            pd.DataFrame({"travel_key": travel["travel_key"].to_numpy()}),
            forms.frame.reset_index(drop=True),
            pd.DataFrame(
                {
                    "dob": dob,
                    "dob_swapped": swapped_day_month(dob),
                    "sex": _sex(travel["sex"]),
                    "nationality": per_distinct(
                        travel["nationality"], comparable_country
                    ).to_numpy(),
                }
            ),
            docs.reset_index(drop=True),
        ],
        axis=1,
    )
    return PreparedTravel(
        _as_objects(records), forms.codes.reset_index(drop=True), forms.vocabulary
    )


def _positions(keys: pd.Series, values: np.ndarray) -> pd.Series:
    return pd.Series(np.arange(len(keys)), index=keys.to_numpy()).reindex(values)


def pair_positions(
    pairs: pd.DataFrame | None, travel: PreparedTravel, register: PreparedRegister
) -> pd.DataFrame:
    """(travel_key, offender_key, ...) rows as (t, o, ...) positions, unknown keys dropped."""
    if pairs is None or len(pairs) == 0:
        return pd.DataFrame({"t": np.array([], np.int64), "o": np.array([], np.int64)})
    t = _positions(travel.records["travel_key"], pairs["travel_key"].to_numpy())
    o = _positions(register.people["offender_key"], pairs["offender_key"].to_numpy())
    out = pairs.drop(columns=["travel_key", "offender_key"]).assign(t=t.to_numpy(), o=o.to_numpy())
    out = out.dropna(subset=["t", "o"])
    return out.astype({"t": np.int64, "o": np.int64})
