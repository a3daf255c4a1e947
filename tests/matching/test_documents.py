"""Document numbers: normalised, OCR slips forgiven, German and British codes understood."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.matching.documents import (
    DOC_CLOSE,
    DOC_DIFFERENT,
    DOC_EXACT,
    DOC_NULL,
    comparable_country,
    compare_documents,
    document_columns,
    normalise_document_number,
    ocr_fold,
)


def test_numbers_lose_spaces_hyphens_and_filler():
    assert normalise_document_number(" ab-12 34<<") == "AB1234"
    assert normalise_document_number(None) == ""


def test_ocr_confusions_fold_together():
    assert ocr_fold("B0I1") == ocr_fold("8O11")


def test_document_country_codes():
    assert comparable_country("D") == "DEU"
    assert comparable_country("gbn") == "GBR"
    assert comparable_country("THA") == "THA"
    assert comparable_country(None) == ""


def _level(a: tuple[str, str], b: tuple[str, str]) -> int:
    left = document_columns(pd.Series([a[0]]), pd.Series([a[1]]))
    right = document_columns(pd.Series([b[0]]), pd.Series([b[1]]))
    arrays = [np.asarray(left[c]) for c in ("doc", "doc_ocr", "doc_country")]
    arrays += [np.asarray(right[c]) for c in ("doc", "doc_ocr", "doc_country")]
    return int(compare_documents(*arrays)[0])


def test_levels():
    assert _level(("C01X00T47", "D"), ("C01X00T47", "DEU")) == DOC_EXACT
    assert _level(("C01X00T47", "DEU"), ("CO1XOOT47", "DEU")) == DOC_CLOSE
    assert _level(("123456789", "GBR"), ("987654321", "GBR")) == DOC_DIFFERENT
    assert _level(("123456789", "GBR"), ("123456789", "FRA")) == DOC_DIFFERENT
    assert _level(("123456789", "GBR"), (None, None)) == DOC_NULL


def test_per_distinct_maps_like_map_with_missing_values():
    import pandas as pd

    from tracker.matching.documents import comparable_country, per_distinct

    values = pd.Series(["D", "gbn", None, "FRA", "D", float("nan")], index=[5, 6, 7, 8, 9, 10])
    mapped = per_distinct(values, comparable_country)
    assert mapped.tolist() == ["DEU", "GBR", "", "FRA", "DEU", ""]
    assert mapped.index.tolist() == [5, 6, 7, 8, 9, 10]
    assert per_distinct(pd.Series([], dtype=object), comparable_country).tolist() == []
