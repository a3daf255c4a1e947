"""What every UN/EDIFACT reader shares: the interchange's envelope (UNA, UNB, UNG/UNE,
UNH..UNT messages, UNZ) walked the same way for PAXLST and PNRGOV, with the same tolerance
(control counts that disagree are warned about, a message without its UNT is flagged, text
after UNZ ignored), and the message type an interchange carries, read from its UNH."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from tracker.ingest.formats.paxlst_segments import (
    Segment,
    SegmentParser,
    raw_tag,
    service_characters,
    split_segments,
)
from tracker.ingest.formats.paxlst_text import decode_interchange
from tracker.ingest.formats.rows import CHUNK_ROWS, FileRefused, SourceRow

MessageType = Literal["PAXLST", "PNRGOV"]
MESSAGE_TYPES: tuple[MessageType, ...] = ("PAXLST", "PNRGOV")
SNIFF_BYTES = 64 * 1024  # a UNH follows UNB (and UNG) within the first few hundred bytes


@dataclass
class Message:
    reference: str
    start: int
    line: int
    segments: list[Segment]
    end: int | None = None
    problem: str | None = None


def detect_edifact_message_type(content: str | bytes) -> MessageType | None:
    """``PAXLST`` or ``PNRGOV`` when ``content`` is a UN/EDIFACT interchange whose first UNH
    names that message type; None for anything else (CSV, JSON, another message type). Only
    the beginning is read, so a body of any size is told cheaply (the API routes by it)."""
    head = content[:SNIFF_BYTES]
    text = decode_interchange(head)[0] if isinstance(head, bytes) else head
    try:
        characters, begin = service_characters(text)
    except FileRefused:
        return None
    spans, _ = split_segments(text, begin, characters)
    parser = SegmentParser(text, characters)
    for position, span in enumerate(spans[:4]):
        tag = raw_tag(text, span)
        if position == 0 and tag != "UNB":
            return None
        if tag == "UNH":
            segment = parser.parse(span)
            found = segment.element(1).strip().upper() if segment else ""
            return next((kind for kind in MESSAGE_TYPES if kind == found), None)
    return None


def file_message_type(path: Path) -> MessageType | None:
    """The message type of the interchange in a file (None if it holds none or cannot be
    read: the reader chosen by the file's name then says why)."""
    try:
        with open(path, "rb") as stream:
            return detect_edifact_message_type(stream.read(SNIFF_BYTES))
    except OSError:
        return None


class EdifactReader:
    """Rows from one EDIFACT interchange: the envelope walked here, each message's rows made
    by the subclass's ``message_rows``; read whole, handed on in chunks."""

    format = "edifact"
    source_prefix = "edifact"
    quotes_parse_errors = True
    """Whether a segment's parse error is given with the parser's words, which may quote the
    segment's text (a PNR's may hold contact or payment details: PNRGOV says less)."""

    def __init__(self, path: Path, home_country: str = "GBR", today: date | None = None):
        self.path = path
        self.home_country = home_country.upper()
        self.today = today or date.today()
        self.warnings: list[str] = []
        self._position = 0

    def position(self) -> int:
        return self._position

    def message_rows(
        self, text: str, message: Message, source: str, control: str
    ) -> list[SourceRow]:
        raise NotImplementedError

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
        chunk: list[SourceRow] = []
        for message, interchange in self._messages(header, spans[1:], parser, leftover):
            chunk.extend(self.message_rows(text, message, *interchange))
            self._position = len(text) if message.end is None else message.end
            if len(chunk) >= size:
                yield chunk
                chunk = []
        self._position = len(text)
        if chunk:
            yield chunk

    def _interchange(self, unb: Segment) -> tuple[str, str]:
        """(source, control reference) that every record id of this interchange carries."""
        sender, control = unb.element(1).strip(), unb.element(4).strip()
        if not sender or not control:
            raise FileRefused(
                f"has a UNB header (line {unb.line}) without a sender or an interchange reference"
            )
        return f"{self.source_prefix}-{sender.lower()}", control

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
                error = self._parse_error(parser.last_error)
                if current is None:
                    self.warnings.append(f"{error} (outside any message): ignored")
                elif current.problem is None:
                    current.problem = error
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

    def _parse_error(self, error: str | None) -> str:
        text = error or "a segment cannot be parsed"
        return text if self.quotes_parse_errors else text.split(": ", 1)[0]

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


def _is_count(text: str) -> bool:
    return 0 < len(text) <= 12 and text.isascii() and text.isdecimal()


def shown_count(written: str) -> str:
    """A count as written, for a warning: only a plain number is echoed (a trailer's text is
    the sender's, and may hold anything)."""
    text = written.strip()
    return text if _is_count(text) else "no count" if not text else "something that is no count"


def shown_reference(written: str) -> str:
    text = written.strip()
    return (
        repr(text)
        if 0 < len(text) <= 14 and text.isascii() and text.isalnum()
        else ("an unreadable reference")
    )


def same_count(written: str, counted: int) -> bool:
    """A control count as written (zero-padded or not) equals what was counted. Only plain
    ASCII digits, at most 12 of them, are a count (``²`` or 5,000 digits are not)."""
    text = written.strip()
    return _is_count(text) and int(text) == counted


def trailer_mismatches(message: Message) -> list[str]:
    """What a message's UNT gets wrong (its reference, its segment count): warned about."""
    segments = message.segments
    unt = segments[-1]
    found = []
    if unt.element(1) != message.reference:
        found.append(
            f"UNT reference {shown_reference(unt.element(1))} differs from the UNH "
            f"reference {message.reference!r}"
        )
    if not same_count(unt.element(0), len(segments)):
        found.append(
            f"UNT counts {shown_count(unt.element(0))} segments but the message has {len(segments)}"
        )
    return found
