"""PAXLST files parse as EDIFACT (pydifact), count their passengers right, and follow the
record-identity rule the ingest reader relies on."""

from __future__ import annotations

import re

from tracker.synthetic.paxlst import escape, segment


def test_every_message_lists_as_many_passengers_as_cnt_says(inbox):
    assert inbox.paxlst
    for message in inbox.paxlst:
        assert message["passengers"] == message["cnt"] >= 1, message


def test_several_passengers_per_message_and_several_messages_per_file(inbox):
    sizes = [m["passengers"] for m in inbox.paxlst]
    assert sum(sizes) / len(sizes) >= 3
    per_file: dict[str, int] = {}
    for m in inbox.paxlst:
        per_file[m["file"]] = per_file.get(m["file"], 0) + 1
    assert max(per_file.values()) >= 2


def test_files_come_single_and_multi_line_and_use_the_release_character(inbox):
    lines = {m["file"]: m["one_line"] for m in inbox.paxlst}
    assert any(lines.values()) and not all(lines.values())
    texts = [p.read_text(encoding="utf-8") for p in inbox.path.glob("*.paxlst")]
    assert all(t.startswith("UNA:+.? '") for t in texts)
    assert any("O?'NEILL" in t for t in texts)
    assert any("\nUNG+PAXLST" in t for t in texts)
    assert "O'NEILL" in set(inbox.travel["family_name"])


def test_record_ids_follow_the_shared_rule(inbox):
    pax = inbox.travel[inbox.travel["source"].str.startswith("paxlst-")]
    assert pax["source"].str.fullmatch(r"paxlst-api[a-z0-9]{2}").all()
    assert pax["record_id"].str.fullmatch(r"\d{6}-\d+-\d{4}").all()
    for file, group in pax.groupby("file"):
        control = re.search(r"-(\d{6})\.paxlst$", file).group(1)
        assert group["record_id"].str.startswith(control + "-").all()
    truth = inbox.truth_links
    in_truth = truth[truth["travel_source"].str.startswith("paxlst-")]
    assert set(zip(in_truth["travel_source"], in_truth["travel_record_id"], strict=True)) == set(
        zip(pax["source"], pax["record_id"], strict=True)
    )


def test_every_flight_touches_the_uk(inbox):
    pax = inbox.travel[inbox.travel["source"].str.startswith("paxlst-")]
    assert ((pax["departure_country"] == "GBR") ^ (pax["arrival_country"] == "GBR")).all()


def test_escaping_and_segment_shapes():
    assert escape("O'NEILL") == "O?'NEILL"
    assert escape("A+B:C?D") == "A?+B?:C??D"
    assert segment("NAD", "FL", "", "", ("SMITH", "JOHN", "")) == "NAD+FL+++SMITH:JOHN'"
    assert segment("ATT", "2", "", "M") == "ATT+2++M'"
