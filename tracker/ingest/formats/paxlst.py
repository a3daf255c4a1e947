"""UN/EDIFACT PAXLST passenger and crew lists to travel rows (domain reference, section 5).

The interchange is cut into segments (respecting the release character, on one line or
many) so each segment keeps its line and exact text; ``pydifact`` parses each segment's
elements; the envelope is walked as every EDIFACT reader walks it (``edifact``). Each
passenger becomes the same row a travel CSV would hold, so one schema carries every rule
(``paxlst_messages``).

A PAXLST file holds one interchange (one flight's list, rarely more than a few hundred
kilobytes), so it is read whole; its rows still leave in chunks like every other reader's.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tracker.ingest.formats.edifact import EdifactReader, Message
from tracker.ingest.formats.paxlst_messages import TravellerRows
from tracker.ingest.formats.rows import SourceRow


class PaxlstReader(EdifactReader):
    """Travel rows from one PAXLST interchange, in chunks like the tabular readers."""

    format = "paxlst"
    source_prefix = "paxlst"

    def __init__(self, path: Path, home_country: str = "GBR", today: date | None = None):
        super().__init__(path, home_country, today)
        self._travellers = TravellerRows(self.home_country, self.today, self.warnings)

    def message_rows(
        self, text: str, message: Message, source: str, control: str
    ) -> list[SourceRow]:
        return self._travellers.rows(text, message, source, control)
