"""What a pushed manifest is: its format from the content type (EDIFACT sniffed for PAXLST
or PNRGOV), its size limit, and the file the ingest readers read it from."""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MAX_MANIFEST_BYTES = 8 << 20
"""A flight's manifest is kilobytes; a PNRGOV push of a full A380 well under a megabyte."""

CONTENT_TYPES = {
    "text/csv": "csv",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/edifact": "edifact",
}
SUFFIXES = {"csv": ".csv", "jsonl": ".jsonl", "paxlst": ".edi", "pnrgov": ".pnr"}
_MESSAGE_TYPE = re.compile(rb"UNH\+[^+']*\+(PAXLST|PNRGOV)", re.IGNORECASE)
SNIFF_BYTES = 4096


class ManifestRefused(ValueError):
    """The manifest cannot be screened at all: the message says why, ``code`` which rule
    (``content_type``, ``message_type``, ``empty``, ``too_large``: what an API answers by)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def manifest_format(content_type: str, body: bytes) -> str:
    """``csv``, ``jsonl``, ``paxlst`` or ``pnrgov`` for a body of this content type."""
    media = content_type.split(";", 1)[0].strip().lower()
    kind = CONTENT_TYPES.get(media)
    if kind is None:
        raise ManifestRefused(
            f"content type {content_type[:100]!r} is not a manifest; expected one of "
            f"{', '.join(CONTENT_TYPES)}",
            "content_type",
        )
    if kind != "edifact":
        return kind
    found = _MESSAGE_TYPE.search(body[:SNIFF_BYTES])
    if found is None:
        raise ManifestRefused(
            "the EDIFACT interchange holds no PAXLST or PNRGOV message (UNH)", "message_type"
        )
    return found.group(1).decode("ascii").lower()


def checked_body(body: bytes) -> bytes:
    """The body, refused when empty or beyond ``MAX_MANIFEST_BYTES``."""
    if not body:
        raise ManifestRefused("the manifest is empty", "empty")
    if len(body) > MAX_MANIFEST_BYTES:
        raise ManifestRefused(
            f"the manifest is {len(body):,} bytes; the limit is {MAX_MANIFEST_BYTES:,}",
            "too_large",
        )
    return body


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@contextmanager
def manifest_file(body: bytes, fmt: str, name: str) -> Iterator[Path]:
    """The body as a file named ``name`` with its format's ending, for the ingest readers;
    removed afterwards (the travellers are kept in the database, the body's digest with the
    screening: no second copy of the passengers lies about on disk)."""
    with tempfile.TemporaryDirectory(prefix="tracker-screening-") as folder:
        path = Path(folder) / f"{name}{SUFFIXES[fmt]}"
        path.write_bytes(body)
        yield path
