"""The fast split of plain PAXLST segments gives exactly what pydifact's parser gives."""

from __future__ import annotations

import warnings

from hypothesis import given, settings
from hypothesis import strategies as st
from pydifact.control import Characters
from pydifact.parser import Parser

from tracker.ingest.formats.paxlst_segments import plain_segment_elements

# Text that may hold separators, spaces, digits and letters from several scripts, but no release
# character or segment terminator (those segments go to pydifact itself).
COMPONENT = st.text(alphabet="AZ09 .-ÄЖ:", max_size=6)
ELEMENT = st.lists(COMPONENT, max_size=4).map(":".join)
TAG = st.sampled_from(
    [
        "NAD",
        "DOC",
        "DTM",
        "LOC",
        "ATT",
        "NAT",
        "TDT",
        "UNH",
        "UNT",
        "BGM",
        "RFF",
        "CNT",
        "GEI",
        "FTX",
        "COM",
        "UNZ",
        "ZZ1",
    ]
)


def _pydifact(body: str, characters: Characters) -> list:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        [segment] = list(Parser(characters=characters).parse(body + characters.segment_terminator))
    return [segment.tag, *segment.elements]


@given(tag=TAG, elements=st.lists(ELEMENT, max_size=8))
@settings(max_examples=400, deadline=None)
def test_plain_segments_split_as_pydifact_splits_them(tag, elements):
    body = "+".join([tag, *elements])
    characters = Characters()
    assert plain_segment_elements(body, characters) == _pydifact(body, characters)


def test_the_paxlst_shapes_carriers_send():
    characters = Characters()
    for body in [
        "NAD+FL+++DOE:JOHN",
        "NAD+FL+++DOE::",
        "NAD+FL+++:JOHN+",
        "DTM+329:800101",
        "ATT+2++M",
        "LOC+178+LHR",
        "DOC+P:110:111+C01X00T47",
        "NAT+2+GBR",
        "TDT+20+BA123+++BA",
        "NAD+FL+++VAN DER BERG:ANNA MARIA",
    ]:
        assert plain_segment_elements(body, characters) == _pydifact(body, characters), body


def test_segments_needing_pydifact_are_left_to_it():
    characters = Characters()
    assert plain_segment_elements("NAD+FL+++O?'BRIEN:SEAN", characters) is None  # release
    assert plain_segment_elements("NAD+FL+++DOE\n:JOHN", characters) is None  # line break
    assert plain_segment_elements("UNB+UNOA:4+SENDER+RECV+261120:0200+1", characters) is None
    assert plain_segment_elements("nad+FL", characters) is None  # pydifact refuses the tag


def test_other_service_characters_are_honoured():
    characters = Characters.from_str("UNA*|.? '")  # component *, data |
    body = "NAD|FL|||DOE*JOHN"
    assert plain_segment_elements(body, characters) == ["NAD", "FL", "", "", ["DOE", "JOHN"]]
