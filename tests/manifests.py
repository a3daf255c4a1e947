"""Manifests written for the screening tests, from the synthetic test population."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from tracker.synthetic.travel import TRAVEL_COLUMNS


def manifest_rows(
    travel,
    departure: datetime,
    source: str = "api-screen",
    flight: str = "123",
    prefix: str = "S",
):
    """Contract travel rows for the population's travel frame ``travel``, on one flight."""
    return [
        {
            "record_id": f"{prefix}-{row.travel_key.replace('/', '-')}",
            "source": source,
            "family_name": row.family_name,
            "given_names": row.given_names,
            "date_of_birth": row.date_of_birth or "",
            "sex": row.sex,
            "nationality": row.nationality,
            "doc_type": "P",
            "doc_number": row.doc_number,
            "doc_issuing_country": row.doc_issuing_country,
            "direction": "out",
            "departure_port": "LHR",
            "arrival_port": "BKK",
            "departure_country": "GBR",
            "arrival_country": "THA",
            "departure_time": departure.isoformat(),
            "carrier": "TG",
            "flight_number": flight,
        }
        for row in travel.itertuples()
    ]


def csv_body(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TRAVEL_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def jsonl_body(rows: list[dict]) -> bytes:
    return "".join(
        json.dumps({k: v for k, v in r.items() if v != ""}) + "\n" for r in rows
    ).encode()
