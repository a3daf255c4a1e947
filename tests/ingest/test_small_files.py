"""A batch of small files read half here, half in a forked child: the same readings, in the
same order, and the same load as when one process reads them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.ingest import ingest_files, reading
from tracker.ingest.columnar import ColumnValidator
from tracker.ingest.context import LoadContext
from tracker.ingest.kinds import KINDS
from tracker.ingest.worker import can_fork
from tracker.models import SourceFile, TravelRecord

from .test_service import events, flight_list, rows_of

pytestmark = pytest.mark.skipif(not can_fork(), reason="the second process needs fork")
FILES = 2 * reading.PARALLEL_FROM_FILES


def many_flight_lists(write_file, build_paxlst) -> list:
    """Flight lists; in the second half one is no interchange, one a passenger rejected, one
    with a control count that disagrees (a warning)."""
    paths = []
    for i in range(FILES):
        text = flight_list(build_paxlst, f"{i:06d}", f"FAMILY{i}A", f"FAMILY{i}B")
        if i == FILES - 3:
            text = text.split("UNH+", 1)[1]  # no UNB header: refused whole
        elif i == FILES - 2:
            text = flight_list(build_paxlst, f"{i:06d}", f"FAMILY{i}A", nationality="XXX")
        elif i == FILES - 1:
            text = text.replace("UNZ+1+", "UNZ+7+")
        paths.append(write_file(f"flight-{i:02d}.edi", text))
    return paths


def readings(paths, parallel_from: int, monkeypatch) -> list[reading.FileReading]:
    monkeypatch.setattr(reading, "PARALLEL_FROM_FILES", parallel_from)
    travel = KINDS["travel"]
    context = LoadContext(travel, "system", None, Path("rejects"), "GBR", chunk_rows=3)
    files = [(path, "paxlst") for path in paths]
    return list(reading.read_all(context, files, ColumnValidator(travel.model), None))


def test_files_read_in_two_processes_are_read_as_one_process_reads_them(
    write_file, build_paxlst, monkeypatch
):
    paths = many_flight_lists(write_file, build_paxlst)
    started = []
    real_start = reading.start_in_child
    monkeypatch.setattr(reading, "start_in_child", lambda *a: started.append(1) or real_start(*a))
    alone = readings(paths, parallel_from=len(paths) + 1, monkeypatch=monkeypatch)
    assert started == []
    shared = readings(paths, parallel_from=2, monkeypatch=monkeypatch)
    assert started == [1]

    def facts(read):
        chunks = [
            (
                chunk.lines,
                chunk.columns,
                chunk.checked,
                [(r.line, r.column, r.reason, r.raw, r.count) for r in chunk.rejected],
                chunk.read,
            )
            for chunk in read.chunks
        ]
        return read.sha256, read.size_bytes, chunks, read.warnings, read.refused

    assert [facts(r) for r in shared] == [facts(r) for r in alone]
    assert shared[-3].refused.startswith("is not a UN/EDIFACT interchange")
    assert any("UNZ counts" in warning for warning in shared[-1].warnings)


def test_many_small_files_load_in_order_with_what_the_second_process_read(
    sessions, settings, write_file, build_paxlst
):
    paths = many_flight_lists(write_file, build_paxlst)
    results = ingest_files(sessions, "travel", paths, settings=settings, actor="system")
    assert [r.path for r in results] == paths
    outcomes = [(r.read, r.loaded, r.rejected, r.refused is not None) for r in results]
    assert outcomes == [(2, 2, 0, False)] * (FILES - 3) + [
        (0, 0, 0, True),
        (1, 0, 1, False),
        (2, 2, 0, False),
    ]
    assert any("UNZ counts" in warning for warning in results[-1].warnings)
    stored = {family for (family,) in rows_of(sessions, TravelRecord, "family_name")}
    expected = {f"FAMILY{i}{part}" for i in range(FILES) for part in "AB"}
    assert stored == expected - {
        f"FAMILY{FILES - 3}A",
        f"FAMILY{FILES - 3}B",
        f"FAMILY{FILES - 2}A",
        f"FAMILY{FILES - 2}B",
    }
    by_id = dict(rows_of(sessions, SourceFile, "id", "name"))
    assert [by_id[r.source_file_id] for r in results] == [p.name for p in paths]
    files_in_entries = [e.details["file"] for e in events(sessions, "collection")]
    refused = paths[FILES - 3].name
    assert files_in_entries == [refused] + [p.name for p in paths if p.name != refused]
