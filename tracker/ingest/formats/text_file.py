"""A UTF-8 text file read as a stream whose byte position is known, and the refusal that names
the first byte that is not UTF-8."""

from __future__ import annotations

import codecs
from io import BufferedReader, TextIOWrapper
from pathlib import Path

from tracker.ingest.formats.rows import FileRefused


def not_utf8(path: Path) -> FileRefused:
    """The refusal naming the first byte that is not UTF-8, and its line."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, offset = 1, 0
    with open(path, "rb") as stream:
        while block := stream.read(1 << 16):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                # The decoder may hold back up to 3 bytes of an unfinished character.
                start = max(0, exc.start - len(exc.object) + len(block))
                bad = offset + start
                line += block[:start].count(b"\n")
                byte = exc.object[exc.start : exc.start + 1].hex().upper()
                return FileRefused(
                    f"is not UTF-8 text: byte 0x{byte} at offset {bad} (line {line}) is not "
                    "UTF-8; save the file as UTF-8 and load it again"
                )
            line += block.count(b"\n")
            offset += len(block)
    return FileRefused("is not UTF-8 text; save it as UTF-8 and load it again")


class TextFile:
    """A UTF-8 text file (a leading byte-order mark is dropped) whose byte position is known."""

    def __init__(self, path: Path):
        self.path = path
        self.stream: TextIOWrapper[BufferedReader] | None = None

    def open(self) -> TextIOWrapper[BufferedReader]:
        """The text stream over its own byte buffer, whose position ``position`` reports."""
        binary = open(self.path, "rb")  # noqa: SIM115
        self.stream = TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        return self.stream

    def position(self) -> int:
        if self.stream is None or self.stream.closed:
            return 0
        return self.stream.buffer.tell()
