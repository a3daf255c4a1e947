"""One small generated inbox shared by the synthetic-data tests, read back into DataFrames.

PAXLST files are read here with pydifact (not with the tracker's own reader) so the tests
check the files against the EDIFACT syntax itself.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from tracker.synthetic import generate

AS_OF = date(2026, 11, 20)
SIZE = {"offenders": 400, "travel": 4000}
READ = {"dtype": str, "keep_default_na": False}


@dataclass
class Inbox:
    path: Path
    offenders: pd.DataFrame
    aliases: pd.DataFrame
    documents: pd.DataFrame
    notifications: pd.DataFrame
    travel: pd.DataFrame  # csv + jsonl + paxlst, one row per record, with a ``file`` column
    truth_links: pd.DataFrame
    truth_flags: pd.DataFrame
    manifest: dict
    paxlst: list[dict]  # per message: file, control, ref, cnt, passengers, one_line


def _interchange(text: str):
    from pydifact.segmentcollection import Interchange

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Interchange.from_str(text)


def _century(yymmdd: str, past: bool) -> date:
    yy, rest = int(yymmdd[:2]), yymmdd[2:]
    year = 2000 + yy
    if past and year > AS_OF.year:
        year -= 100
    return date(year, int(rest[:2]), int(rest[2:]))


def read_paxlst(folder: Path) -> tuple[pd.DataFrame, list[dict]]:
    rows, messages = [], []
    for path in sorted(folder.glob("*.paxlst")):
        text = path.read_text(encoding="utf-8")
        ic = _interchange(text)
        sender = ic.sender[0] if isinstance(ic.sender, list) else ic.sender
        control = ic.control_reference
        # walk the segments: pydifact's get_messages() rejects UNG/UNE groups
        info: dict = {}
        flight: dict = {}
        current: dict | None = None
        for seg in ic.segments:
            tag, el = seg.tag, seg.elements
            if tag == "UNH":
                ref = el[0]
                info = {
                    "file": path.name,
                    "control": control,
                    "ref": ref,
                    "passengers": 0,
                    "one_line": "\n" not in text.strip(),
                }
                flight, current = {}, None
            elif tag == "TDT":
                flight["flight_number"], flight["carrier"] = el[1], el[4]
            elif tag == "LOC" and el[0] == "125":
                flight["departure_port"] = el[1]
            elif tag == "LOC" and el[0] == "87":
                flight["arrival_port"] = el[1]
            elif tag == "DTM" and el[0][0] == "189":
                flight["departure_time"] = datetime.strptime(el[0][1], "%Y%m%d%H%M")
            elif tag == "NAD" and el[0] == "FL":
                info["passengers"] += 1
                name = el[3] if isinstance(el[3], list) else [el[3]]
                current = {
                    **flight,
                    "family_name": name[0],
                    "given_names": " ".join(x for x in name[1:] if x),
                    "source": f"paxlst-{sender.lower()}",
                    "record_id": f"{control}-{ref}-{info['passengers']:04d}",
                    "date_of_birth": "",
                    "doc_number": "",
                    "file": path.name,
                }
                rows.append(current)
            elif current is not None and tag == "DTM" and el[0][0] == "329":
                current["date_of_birth"] = _century(el[0][1], past=True).isoformat()
            elif current is not None and tag == "DOC":
                current["doc_number"] = el[1]
            elif tag == "CNT":
                info["cnt"] = int(el[0][1])
            elif tag == "UNT":
                assert int(el[1] if isinstance(el[1], str) else el[1][0]) == int(ref)
                messages.append(info)
    frame = pd.DataFrame(rows)
    frame["departure_date"] = frame["departure_time"].map(lambda t: t.date().isoformat())
    return frame, messages


def load(folder: Path) -> Inbox:
    travel = pd.read_csv(folder / "travel.csv", **READ).assign(file="travel.csv")
    with (folder / "travel-extra.jsonl").open(encoding="utf-8") as f:  # nulls read as ""
        extra = pd.DataFrame([json.loads(line) for line in f]).fillna("")
    extra = extra.assign(file="travel-extra.jsonl")
    pax, messages = read_paxlst(folder)
    both = pd.concat([travel, extra], ignore_index=True)
    both["departure_date"] = both["departure_time"].str[:10]
    from tracker.synthetic.geo import airport

    pax["direction"] = pax["departure_port"].map(
        lambda p: "out" if airport(p).country == "GBR" else "in"
    )
    pax["departure_country"] = pax["departure_port"].map(lambda p: airport(p).country)
    pax["arrival_country"] = pax["arrival_port"].map(lambda p: airport(p).country)
    all_travel = pd.concat([both, pax.drop(columns=["departure_time"])], ignore_index=True)
    return Inbox(
        path=folder,
        offenders=pd.read_csv(folder / "offenders.csv", **READ),
        aliases=pd.read_csv(folder / "aliases.csv", **READ),
        documents=pd.read_csv(folder / "documents.csv", **READ),
        notifications=pd.read_csv(folder / "notifications.csv", **READ),
        travel=all_travel.fillna(""),
        truth_links=pd.read_csv(folder / "truth_links.csv", **READ),
        truth_flags=pd.read_csv(folder / "truth_flags.csv", **READ),
        manifest=json.loads((folder / "manifest.json").read_text()),
        paxlst=messages,
    )


@pytest.fixture(scope="session")
def inbox(tmp_path_factory) -> Inbox:
    folder = tmp_path_factory.mktemp("synthetic-inbox")
    generate(folder, seed=11, as_of=AS_OF, **SIZE)
    return load(folder)
