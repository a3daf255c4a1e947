"""The comparable forms matching makes of names and document numbers (names.py, documents.py)."""

from __future__ import annotations

import pytest

from tracker.matching.documents import normalise_document_number
from tracker.matching.names import fold_name


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("O'Brien", "OBRIEN"),
        ("Mary-Jane  Smith", "MARY JANE SMITH"),
        ("Müller", "MULLER"),
        ("Ó Súilleabháin", "O SUILLEABHAIN"),
        ("Иванов", "IVANOV"),
        ("王小明", "WANG XIAO MING"),
        ("Smith, Jr.", "SMITH JR"),
        ("Robert'); DROP TABLE x;--", "ROBERT DROP TABLE X"),
        ("D’Arcy", "DARCY"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_name_gives_upper_case_ascii_words(raw, folded):
    assert fold_name(raw) == folded


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("ab-12 34<<", "AB1234"),
        ("P1234567", "P1234567"),
        (" 123 456-789 ", "123456789"),
        ("", ""),
        (None, ""),
    ],
)
def test_document_numbers_lose_spaces_hyphens_and_filler(raw, normalised):
    assert normalise_document_number(raw) == normalised
