"""Fixtures for ingest tests: settings with a private data folder, files the tests write, and a
PAXLST builder so every EDIFACT case is made here, in the open."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tracker.settings import DatabaseSettings, Settings

OFFENDER_HEADER = (
    "offender_id,family_name,given_names,date_of_birth,requirement_start,"
    "notification_period,managing_force"
)
TRAVEL_HEADER = (
    "record_id,source,family_name,given_names,date_of_birth,sex,nationality,doc_type,"
    "doc_number,doc_issuing_country,direction,departure_port,arrival_port,departure_country,"
    "arrival_country,departure_time,carrier,flight_number"
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "tracker-data"


@pytest.fixture
def settings(db_url: str, data_dir: Path) -> Settings:
    return Settings(database=DatabaseSettings(url=db_url), data_dir=data_dir, home_country="GBR")


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """write_file(name, text, encoding="utf-8") -> path, byte for byte as given."""

    def write(name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / "inbox" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text if isinstance(text, bytes) else text.encode(encoding)
        path.write_bytes(data)
        return path

    return write


def passenger(
    family: str = "SMITH",
    given: str = "JOHN",
    sex: str = "M",
    born: str = "850412",
    nationality: str = "GBR",
    document: str = "P1234567",
    issuer: str = "GBR",
    qualifier: str = "FL",
) -> list[str]:
    """One passenger group's segments (without terminators)."""
    segments = [f"NAD+{qualifier}+++{family}:{given}" if given else f"NAD+{qualifier}+++{family}"]
    if sex:
        segments.append(f"ATT+2++{sex}")
    if born:
        segments.append(f"DTM+329:{born}")
    if nationality:
        segments.append(f"NAT+2+{nationality}")
    if document:
        segments += [f"DOC+P:110:111+{document}", "DTM+36:300101", f"LOC+91+{issuer}"]
    return segments


def paxlst_message(
    passengers: list[list[str]],
    reference: str = "1",
    departure: str = "LHR",
    departs: str = "2603011040",
    arrival: str = "BKK",
    document_code: str = "745",
    flight: str = "BA9",
    carrier: str = "BA",
    unt_count: int | None = None,
) -> list[str]:
    body = [
        f"BGM+{document_code}",
        "NAD+MS+++REPORTING OFFICER",
        f"TDT+20+{flight}+++{carrier}",
        f"LOC+125+{departure}",
        f"DTM+189:{departs}:201",
        f"LOC+87+{arrival}",
        "DTM+232:2603020630:201",
    ]
    for group in passengers:
        body += group
    body.append(f"CNT+42:{len(passengers)}")
    count = unt_count if unt_count is not None else len(body) + 2
    return [f"UNH+{reference}+PAXLST:D:05B:UN:IATA", *body, f"UNT+{count}+{reference}"]


def paxlst_interchange(
    messages: list[list[str]],
    sender: str = "APIBA",
    control: str = "000123",
    una: bool = True,
    one_line: bool = False,
    syntax: str = "UNOA",
) -> str:
    segments = [f"UNB+{syntax}:4+{sender}:ZZ+UKBF:ZZ+260301:0640+{control}++APIS"]
    for message in messages:
        segments += message
    segments.append(f"UNZ+{len(messages)}+{control}")
    separator = "'" if one_line else "'\n"
    text = separator.join(segments) + "'" + ("" if one_line else "\n")
    return ("UNA:+.? '" + ("" if one_line else "\n") if una else "") + text


@pytest.fixture
def build_paxlst():
    """The builders as one object: build_paxlst.passenger(...), .message(...), .interchange(...)."""

    class Builder:
        passenger = staticmethod(passenger)
        message = staticmethod(paxlst_message)
        interchange = staticmethod(paxlst_interchange)

    return Builder
