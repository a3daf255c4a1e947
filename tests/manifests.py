"""Manifests written for the screening tests, from the synthetic test population."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

TRAVEL_HEADER = (
    "record_id",
    "source",
    "family_name",
    "given_names",
    "date_of_birth",
    "sex",
    "nationality",
    "doc_type",
    "doc_number",
    "doc_issuing_country",
    "direction",
    "departure_port",
    "arrival_port",
    "departure_country",
    "arrival_country",
    "departure_time",
    "carrier",
    "flight_number",
)


def manifest_rows(travel, departure: datetime, source: str = "api-screen", flight: str = "123"):
    """Contract travel rows for the population's travel frame ``travel``, on one flight."""
    return [
        {
            "record_id": f"S-{row.travel_key.replace('/', '-')}",
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
    writer = csv.DictWriter(out, fieldnames=TRAVEL_HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def jsonl_body(rows: list[dict]) -> bytes:
    return "".join(
        json.dumps({k: v for k, v in r.items() if v != ""}) + "\n" for r in rows
    ).encode()
