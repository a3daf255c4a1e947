"""Travel-document numbers and issuing countries in comparable form."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from tracker.countries import clean_country_code

# OCR reading a machine-readable zone confuses these; folding both sides the same way means a
# misread digit still compares equal.
OCR_CONFUSIONS = {"O": "0", "I": "1", "B": "8", "S": "5", "Z": "2"}
OCR_FOLD = str.maketrans(OCR_CONFUSIONS)
_OCR_FOLD_ASCII = bytes.maketrans(
    "".join(OCR_CONFUSIONS).encode(), "".join(OCR_CONFUSIONS.values()).encode()
)
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


def normalise_document_number(text: str | None) -> str:
    """Upper case, without spaces, hyphens or MRZ filler ``<``."""
    if text is None or (isinstance(text, float) and text != text) or text is pd.NA:
        return ""
    text = str(text)
    if text.isascii() and text.isalnum():  # the usual case, without the regular expression
        return text.upper()
    return _NOT_ALNUM.sub("", text.upper())


def ocr_fold(number: str) -> str:
    if number.isascii():  # every normalised number: a byte table is several times faster
        return number.encode("ascii").translate(_OCR_FOLD_ASCII).decode("ascii")
    return number.translate(OCR_FOLD)


def comparable_country(code: object) -> str:
    """The shared cleaning (``D`` -> ``DEU``, ``GBN`` -> ``GBR``), with "" for no code as the
    matcher's columns hold it."""
    return clean_country_code(code) or ""


def per_distinct(values: pd.Series, function) -> pd.Series:
    """``values.map(function)``, calling ``function`` once per distinct value: a million travel
    records carry a few hundred country codes."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([*(function(u) for u in uniques), function(None)], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def document_columns(numbers: pd.Series, countries: pd.Series) -> pd.DataFrame:
    """Normalised number, its OCR-folded key and the comparable issuing country."""
    # Plain loops over object arrays: a pandas ``map`` on text re-checks every result's type.
    number = np.array(
        [normalise_document_number(n) for n in numbers.to_numpy(object)], dtype=object
    )
    return pd.DataFrame(
        {
            "doc": number,
            "doc_ocr": np.array([ocr_fold(n) for n in number], dtype=object),
            "doc_country": per_distinct(countries, comparable_country).to_numpy(dtype=object),
        },
        index=numbers.index,
    )


DOC_EXACT, DOC_CLOSE, DOC_DIFFERENT, DOC_NULL = 2, 1, 0, -1
DOC_LEVEL_NAMES = {
    DOC_EXACT: "same number",
    DOC_CLOSE: "same number but for a misread character",
    DOC_DIFFERENT: "different document",
    DOC_NULL: "missing",
}


def compare_documents(
    a_doc: np.ndarray,
    a_ocr: np.ndarray,
    a_country: np.ndarray,
    b_doc: np.ndarray,
    b_ocr: np.ndarray,
    b_country: np.ndarray,
    empty: object = "",
) -> np.ndarray:
    """Level per pair: the same number (countries agreeing or unknown), an OCR slip, or not.
    Works on text or on codes shared by both sides; ``empty`` is what stands for no value."""
    level = np.full(a_doc.shape, DOC_DIFFERENT, dtype=np.int8)
    countries_agree = (a_country == b_country) | (a_country == empty) | (b_country == empty)
    level[(a_ocr == b_ocr) & countries_agree] = DOC_CLOSE
    level[(a_doc == b_doc) & countries_agree] = DOC_EXACT
    level[(a_doc == empty) | (b_doc == empty)] = DOC_NULL
    return level
