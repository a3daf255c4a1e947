"""Comparable forms of names and document numbers, kept beside the raw text, never instead of it.

Ingest stores these in the ``*_norm`` columns; they are the same functions the matcher uses
(`names.py`, `documents.py`), gathered here as the one entry point for storage.
"""

from tracker.matching.documents import normalise_document_number
from tracker.matching.names import fold_name

__all__ = ["fold_name", "normalise_document_number"]
