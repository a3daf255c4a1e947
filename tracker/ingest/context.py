"""What a load needs to know besides its files, typed and fixed for the whole load."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tracker.ingest.columnar import SourceRefusal
from tracker.ingest.formats import open_reader
from tracker.ingest.formats.rows import CHUNK_ROWS, RowReader
from tracker.ingest.kinds import KINDS, KindSpec
from tracker.ingest.rejects import REJECT_SUFFIX
from tracker.settings import Settings


@dataclass(frozen=True)
class LoadContext:
    """The kind being loaded, who loads it and for which run, where rejects go, and how.

    ``home_country`` tells a PAXLST traveller's direction; ``today`` dates two-digit birth
    years (None: the real today); ``chunk_rows`` is how many rows are checked and stored at
    a time; ``progress`` shows a progress bar on stderr; ``source_refusal`` rejects each
    travel row whose source the sender may not write (a border system's token).
    """

    spec: KindSpec
    actor: str
    run_id: int | None
    rejects_dir: Path
    home_country: str
    today: date | None = None
    chunk_rows: int = CHUNK_ROWS
    progress: bool = False
    source_refusal: SourceRefusal | None = None

    @classmethod
    def of(
        cls,
        kind: str,
        settings: Settings,
        *,
        actor: str,
        run_id: int | None = None,
        today: date | None = None,
        chunk_rows: int = CHUNK_ROWS,
        progress: bool = False,
        source_refusal: SourceRefusal | None = None,
    ) -> LoadContext:
        return cls(
            KINDS[kind],
            actor,
            run_id,
            settings.rejects_dir,
            settings.home_country,
            today,
            chunk_rows,
            progress,
            source_refusal,
        )

    @property
    def kind(self) -> str:
        return self.spec.kind

    def reader(self, path: Path, fmt: str) -> RowReader:
        return open_reader(path, fmt, self.spec.model, self.home_country, self.today)

    def reject_path(self, source_file_id: int, input_name: str) -> Path:
        """``run-<id>/`` for a nightly run (all its files together), else ``load-<id>/`` per
        file."""
        folder = f"run-{self.run_id}" if self.run_id is not None else f"load-{source_file_id}"
        return self.rejects_dir / folder / f"{input_name}{REJECT_SUFFIX}"
