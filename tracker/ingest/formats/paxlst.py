"""UN/EDIFACT PAXLST passenger and crew lists to travel rows (domain reference, section 5).

The interchange is cut into segments here (respecting the release character, on one line or
many) so each segment keeps its line and exact text; ``pydifact`` parses each segment's
elements. Each passenger becomes the same row a travel CSV would hold, so one schema carries
every rule (``paxlst_messages``).

A PAXLST file holds one interchange (one flight's list, rarely more than a few hundred
kilobytes), so it is read whole; its rows still leave in chunks like every other reader's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from tracker.ingest.formats.paxlst_messages import (
    Message,
    TravellerRows,
    same_count,
    shown_count,
)
from tracker.ingest.formats.paxlst_segments import (
    Segment,
    SegmentParser,
    raw_tag,
    service_characters,
    split_segments,
)
from tracker.ingest.formats.paxlst_text import decode_interchange
from tracker.ingest.formats.rows import CHUNK_ROWS, FileRefused, SourceRow


class PaxlstReader:
    """Travel rows from one PAXLST interchange, in chunks like the tabular readers."""

    format = "paxlst"

    def __init__(self, path: Path, home_country: str = "GBR", today: date | None = None):
        self.path = path
        self.home_country = home_country.upper()
        self.today = today or date.today()
        self.warnings: list[str] = []
        self._position = 0

    def position(self) -> int:
        return self._position

    # --- reading ------------------------------------------------------------------------------

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[list[SourceRow]]:
        text, repairs = decode_interchange(self.path.read_bytes())
        self.warnings.extend(repairs)
        characters, begin = service_characters(text)
        spans, leftover = split_segments(text, begin, characters)
        parser = SegmentParser(text, characters)
        if not spans:
            raise FileRefused("is not a UN/EDIFACT interchange: it holds no complete segment")
        header = parser.parse(spans[0])
        if header is None or header.tag != "UNB":
            raise FileRefused(
                "is not a UN/EDIFACT interchange: it does not begin with a UNA or UNB segment"
            )
        travellers = TravellerRows(self.home_country, self.today, self.warnings)
        chunk: list[SourceRow] = []
        for message, interchange in self._messages(header, spans[1:], parser, leftover):
            chunk.extend(travellers.rows(text, message, *interchange))
            self._position = len(text) if message.end is None else message.end
            if len(chunk) >= size:
                yield chunk
                chunk = []
        self._position = len(text)
        if chunk:
            yield chunk

    @staticmethod
    def _interchange(unb: Segment) -> tuple[str, str]:
        """(source, control reference) that every record id of this interchange carries."""
        sender, control = unb.element(1).strip(), unb.element(4).strip()
        if not sender or not control:
            raise FileRefused(
                f"has a UNB header (line {unb.line}) without a sender or an interchange reference"
            )
        return f"paxlst-{sender.lower()}", control

    def _messages(
        self, header: Segment, spans: list, parser: SegmentParser, leftover: str | None
    ) -> Iterator[tuple[Message, tuple[str, str]]]:
        """UNH..UNT messages in order, each with its interchange's (source, control reference);
        a message without its UNT is flagged, never silently loaded."""
        interchange = self._interchange(header)
        current: Message | None = None
        closed, messages, groups, group_start = False, 0, 0, 0
        for span in spans:
            segment = parser.parse(span)
            tag = segment.tag if segment else raw_tag(parser.text, span)
            if segment is None:
                if current is None:
                    self.warnings.append(f"{parser.last_error} (outside any message): ignored")
                elif current.problem is None:
                    current.problem = parser.last_error
            if tag == "UNH":
                if current is not None:
                    current.problem = current.problem or "has no UNT trailer before the next UNH"
                    current.end = span[0]
                    yield current, interchange
                reference = segment.element(0) if segment else ""
                current = Message(reference, span[0], span[2], [segment] if segment else [])
                messages += 1
            elif current is not None:
                if segment is not None:
                    current.segments.append(segment)
                if tag == "UNT":
                    current.end = span[1]
                    yield current, interchange
                    current = None
            elif tag == "UNB" and segment is not None:
                interchange = self._interchange(segment)  # a second interchange in the file
                closed, messages, groups = False, 0, 0
            elif tag == "UNG":
                groups, group_start = groups + 1, messages
            elif tag == "UNE":
                self._check_count("UNE", segment, messages - group_start, "messages", "group")
            elif tag == "UNZ":
                closed = True
                # UNZ counts functional groups when the interchange has them, else messages
                counted, what = (groups, "groups") if groups else (messages, "messages")
                self._check_count("UNZ", segment, counted, what, "interchange")
        if current is not None:
            if leftover and leftover.strip():
                current.problem = current.problem or (
                    "ends in the middle of a segment: the file is truncated"
                )
            else:
                current.problem = current.problem or (
                    "has no UNT trailer: the file ends inside it (truncated?)"
                )
            yield current, interchange
        elif leftover and leftover.strip():
            self.warnings.append("text after the last complete segment was ignored")
        if not closed:
            self.warnings.append("no UNZ trailer: the interchange may be truncated")

    def _check_count(
        self, tag: str, segment: Segment | None, counted: int, what: str, where: str
    ) -> None:
        """A trailer's control count against what was read: a mismatch is warned about."""
        written = segment.element(0) if segment else ""
        if not same_count(written, counted):
            self.warnings.append(
                f"{tag} counts {shown_count(written)} {what} but the {where} has "
                f"{counted}; loaded all the same"
            )
