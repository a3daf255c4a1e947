"""Streaming writers for the inbox files, with the data contract's exact column lists.

Rows go straight to disk as they are made, so memory stays flat however large the run.
CSV is UTF-8 without BOM, ``\\n`` line ends and minimal RFC 4180 quoting (the csv module
and pandas quote identically); JSON Lines write unknown optional values as ``null``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self, TextIO

import pandas as pd

OFFENDER_COLUMNS = (
    "offender_id",
    "family_name",
    "given_names",
    "date_of_birth",
    "sex",
    "nationalities",
    "requirement_start",
    "notification_period",
    "jurisdiction",
    "tier",
    "risk_level",
    "managing_force",
    "status",
    "wanted_since",
    "fixed_abode",
    "address_line",
    "postcode",
    "last_known_area",
    "offence_category",
    "height_cm",
    "description",
)
ALIAS_COLUMNS = ("offender_id", "family_name", "given_names", "kind")
DOCUMENT_COLUMNS = ("offender_id", "doc_type", "doc_number", "issuing_country", "expires_on")
NOTIFICATION_COLUMNS = (
    "notification_id",
    "offender_id",
    "kind",
    "notified_on",
    "effective_on",
    "departure_date",
    "return_date",
    "destination_countries",
    "departure_port",
    "arrival_port",
    "carrier",
)
TRUTH_LINK_COLUMNS = (
    "travel_source",
    "travel_record_id",
    "offender_id",
    "category",
    "corruptions",
    "hard_negative_of",
)
#: the truth columns every travel record carries through the run
TRUTH_EXTRA = TRUTH_LINK_COLUMNS[2:]
TRUTH_FLAG_COLUMNS = (
    "offender_id",
    "kind",
    "travel_source",
    "travel_record_id",
    "notification_id",
    "note",
)


class _Sink:
    """An output file opened for the run, closed when the ``with`` block ends."""

    _file: TextIO

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class CsvSink(_Sink):
    """A CSV file written row by row or frame by frame; counts its data rows."""

    def __init__(self, path: Path, columns: Sequence[str]):
        self.path, self.columns, self.rows = path, tuple(columns), 0
        self._file = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file, lineterminator="\n")
        self._writer.writerow(self.columns)

    def row(self, values: Mapping[str, object]) -> None:
        self._writer.writerow([values.get(c, "") for c in self.columns])
        self.rows += 1

    def rows_from(self, rows: Iterable[Mapping[str, object]]) -> None:
        for values in rows:
            self.row(values)

    def frame(self, frame: pd.DataFrame) -> None:
        frame.to_csv(
            self._file, header=False, index=False, columns=list(self.columns), lineterminator="\n"
        )
        self.rows += len(frame)


class JsonlSink(_Sink):
    """JSON Lines with the CSV's field names; ``required`` fields are always strings."""

    def __init__(self, path: Path, columns: Sequence[str], required: Sequence[str]):
        self.path, self.columns, self.required, self.rows = path, tuple(columns), set(required), 0
        self._file = path.open("w", encoding="utf-8", newline="\n")

    def row(self, values: Mapping[str, object]) -> None:
        record = {}
        for c in self.columns:
            value = values.get(c, "")
            record[c] = value if (value != "" or c in self.required) else None
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.rows += 1

    def frame(self, frame: pd.DataFrame, batch: int = 20_000) -> None:
        for start in range(0, len(frame), batch):
            self._batch(frame.iloc[start : start + batch])

    def _batch(self, frame: pd.DataFrame) -> None:
        columns = [frame[c].to_numpy(dtype=object) for c in self.columns]
        keep = [c in self.required for c in self.columns]
        dumps, names = json.dumps, self.columns
        lines = [
            dumps(
                {
                    n: (v if v != "" or k else None)
                    for n, v, k in zip(names, values, keep, strict=True)
                },
                ensure_ascii=False,
            )
            for values in zip(*columns, strict=True)
        ]
        if lines:
            self._file.write("\n".join(lines) + "\n")
        self.rows += len(lines)
