"""EDIFACT segments of a PAXLST interchange: the service characters UNA names, the split into
segments on unreleased terminators, and each segment's tag and elements (plain segments split
directly, the rest by pydifact, one at a time)."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

from pydifact.control import Characters
from pydifact.exceptions import EDISyntaxError
from pydifact.parser import Parser

from tracker.ingest.formats.rows import FileRefused


@dataclass(slots=True)
class Segment:
    tag: str
    elements: list
    line: int
    start: int
    end: int

    def element(self, index: int, component: int = 0) -> str:
        """One component of one element ('' when absent), whether or not it is composite."""
        if index >= len(self.elements):
            return ""
        value = self.elements[index]
        if isinstance(value, list):
            return value[component] if component < len(value) else ""
        return value if component == 0 else ""

    def components(self, index: int) -> list[str]:
        if index >= len(self.elements):
            return []
        value = self.elements[index]
        return value if isinstance(value, list) else [value]


def service_characters(text: str) -> tuple[Characters, int]:
    """The delimiters (from UNA, else the defaults) and where the segments begin."""
    stripped = len(text) - len(text.lstrip())
    if text.startswith("UNA", stripped):
        advice = text[stripped : stripped + 9]
        if len(advice) < 9:
            raise FileRefused("has a UNA service string advice that is cut short")
        return Characters.from_str(advice), stripped + 9
    return Characters(), stripped


def _segment_pattern(characters: Characters) -> re.Pattern[str]:
    release = re.escape(characters.escape_character)
    terminator = re.escape(characters.segment_terminator)
    plain = rf"[^{release}{terminator}]*"  # runs of plain text between released characters
    return re.compile(rf"{plain}(?:{release}.{plain})*{terminator}", re.DOTALL)


def split_segments(text: str, begin: int, characters: Characters) -> tuple[list, str | None]:
    """(start, end, line) of each segment's text, and any unterminated text left at the end."""
    pattern = _segment_pattern(characters)
    spans: list[tuple[int, int, int]] = []
    line = 1 + text.count("\n", 0, begin)
    position = begin
    size = len(text)
    while True:
        while position < size and text[position] in " \t\r\n":
            if text[position] == "\n":
                line += 1
            position += 1
        if position >= size:
            return spans, None
        match = pattern.match(text, position)
        if match is None or match.end() == position:
            return spans, text[position:]
        spans.append((position, match.end(), line))
        line += text.count("\n", position, match.end())
        position = match.end()


def plain_segment_elements(body: str, characters: Characters) -> list | None:
    """A segment's tag and elements, split as pydifact splits them, for the common segment
    that holds no release character and no line break; None for any other (and for a tag
    pydifact would refuse), which then goes to pydifact itself.

    pydifact reads a segment a character at a time in Python: on a national day's PAXLST
    (a million segments) that alone took most of the load. A plain segment needs no
    tokenising: elements are split on the data separator, components on the component
    separator, trailing empty components dropped, and a single component kept as text.
    ``tests/ingest/test_paxlst_split.py`` checks the equivalence against pydifact.
    """
    if characters.escape_character in body or "\n" in body or "\r" in body:
        return None
    parts = body.split(characters.data_separator)
    tag = parts[0]
    if len(tag) != 3 or not tag.isalnum() or not tag.isupper() or tag in ("UNA", "UNB"):
        return None
    separator = characters.component_separator
    elements: list = [tag]
    for part in parts[1:]:
        if separator not in part:
            elements.append(part)
            continue
        components = part.split(separator)
        while components and components[-1] == "":
            components.pop()
        elements.append(
            "" if not components else components[0] if len(components) == 1 else components
        )
    return elements


class SegmentParser:
    """Segments of one interchange's text: plain ones split directly, the rest (release
    characters, line breaks, the UNB header) by pydifact's parser, one segment at a time."""

    def __init__(self, text: str, characters: Characters):
        self.text = text
        self.characters = characters
        self.last_error: str | None = None
        self._terminator_length = len(characters.segment_terminator)

    def parse(self, span: tuple[int, int, int]) -> Segment | None:
        start, end, line = span
        whole = self._tidy_tag(self.text[start:end])
        plain = plain_segment_elements(
            whole[: len(whole) - self._terminator_length], self.characters
        )
        if plain is not None:
            return Segment(plain[0], plain[1:], line, start, end)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                parsed = list(Parser(characters=self.characters).parse(whole))
        except (EDISyntaxError, IndexError, ValueError) as exc:
            self.last_error = f"segment on line {line} cannot be parsed: {exc}"
            return None
        if len(parsed) != 1:
            self.last_error = f"segment on line {line} cannot be parsed"
            return None
        return Segment(parsed[0].tag, list(parsed[0].elements), line, start, end)

    def _tidy_tag(self, segment: str) -> str:
        """The segment with spaces around its tag dropped (``NAD +FL``, a habit of some
        senders' software): the tag is three letters, the spaces carry nothing."""
        separator = self.characters.data_separator
        if segment[3:4] == separator and not segment[:1].isspace():
            return segment  # nearly every segment: a three-letter tag, then the separator
        cut = segment.find(separator)
        if cut <= 0 or not (segment[0].isspace() or segment[cut - 1].isspace()):
            return segment
        return segment[:cut].strip() + segment[cut:]


def raw_tag(text: str, span: tuple[int, int, int]) -> str:
    return text[span[0] : span[0] + 3]
