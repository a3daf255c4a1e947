"""The inbox: files recognised by name, loaded offenders first and travel last."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.ingest.inbox import kind_of, scan_inbox


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("offenders.csv", "offenders"),
        ("Offenders-2026-11-20.CSV", "offenders"),
        ("aliases.jsonl", "aliases"),
        ("documents_v2.csv", "documents"),
        ("notifications.csv", "notifications"),
        ("travel.csv", "travel"),
        ("travel-extra.jsonl", "travel"),
        ("apiba-000182.paxlst", "travel"),
        ("lhr.edi", "travel"),
        ("ba9-20261127-gate.pnr", "travel"),
        ("BA9.PNR", "travel"),
        ("truth_links.csv", None),
        ("offenders.txt", None),
        ("manifest.json", None),
    ],
)
def test_a_file_name_says_which_kind_it_holds(name, kind):
    assert kind_of(Path(name)) == kind


def test_the_inbox_is_loaded_in_dependency_order(tmp_path):
    for name in [
        "travel.csv",
        "zz.paxlst",
        "aliases.csv",
        "notifications.csv",
        "offenders-b.csv",
        "offenders-a.csv",
        "documents.csv",
        "truth_flags.csv",
        ".hidden.csv",
    ]:
        (tmp_path / name).write_text("x")
    (tmp_path / "travel-old").mkdir()
    scan = scan_inbox(tmp_path)
    assert [(kind, path.name) for kind, path in scan.files] == [
        ("offenders", "offenders-a.csv"),
        ("offenders", "offenders-b.csv"),
        ("aliases", "aliases.csv"),
        ("documents", "documents.csv"),
        ("notifications", "notifications.csv"),
        ("travel", "travel.csv"),
        ("travel", "zz.paxlst"),
    ]
    assert [p.name for p in scan.ignored] == ["truth_flags.csv"]


def test_entries_that_are_not_regular_files_are_skipped_with_the_reason(tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}-outside.csv"
    outside.write_text("offender_id\n")
    (tmp_path / "offenders.csv").symlink_to(outside)
    (tmp_path / "travel.csv").mkdir()
    (tmp_path / "notes-link.txt").symlink_to(outside)  # not an inbox name: not even reported
    scan = scan_inbox(tmp_path)
    assert scan.files == []
    reasons = {path.name: reason for path, reason in scan.skipped}
    assert set(reasons) == {"offenders.csv", "travel.csv"}
    assert "symbolic link" in reasons["offenders.csv"]
    assert "folder" in reasons["travel.csv"]
