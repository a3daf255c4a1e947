"""The queue's CSV and workbook downloads in a real Chromium: what is saved holds the rows the
screen shows, in its order (same server and browser as test_browser.py)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from test_browser import chromium, page, queue_ids, server, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def _download(tab, link: str) -> tuple[str, bytes]:
    with tab.expect_download() as info:
        tab.click(link)
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_an_analyst_downloads_the_sorted_filtered_view(server, page):  # noqa: F811
    base, _ = server
    sign_in(page, base, "ann", "/queue?status=open&sort=flag_id%3Adesc")
    shown = queue_ids(page)
    assert len(shown) >= 2

    name, body = _download(page, "#export-csv")
    assert re.fullmatch(r"review-queue-\d{4}-\d{2}-\d{2}\.csv", name)
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert [int(r["flag_id"]) for r in rows] == shown

    name, body = _download(page, "#export-xlsx")
    assert name.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == shown
    on_screen = page.eval_on_selector_all(
        "tr.queue-row td:nth-child(4)", "cells => cells.map(c => c.innerText.split('\\n')[0])"
    )
    assert [r["name"] for r in rows] == on_screen
    assert page.errors == []
