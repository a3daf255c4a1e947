"""The queue's downloads: the view on the screen (filters, search, sort) as the CLI's CSV and
workbook, named, logged as a consultation, formula-like text marked as text."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
from sqlalchemy import select, update
from webtools import client_for

from tracker.db import make_engine, make_session_factory, transaction
from tracker.models import AuditEvent, Flag, Offender
from tracker.review.queue import QUEUE_COLUMNS, QueueFilter, review_queue
from tracker.tabular import render

FLAG_LINK = re.compile(r'<a class="open" href="/flags/(\d+)')
EXPORT_LINK = re.compile(r'id="export-(csv|xlsx)" href="([^"]+)"')


def _screen(client, address: str) -> tuple[list[int], dict[str, str]]:
    html = client.get(address).text
    links = {fmt: link.replace("&amp;", "&") for fmt, link in EXPORT_LINK.findall(html)}
    return [int(i) for i in FLAG_LINK.findall(html)], links


def _csv_ids(body: str) -> list[int]:
    return [int(row["flag_id"]) for row in csv.DictReader(io.StringIO(body))]


def test_the_links_carry_the_view_and_the_csv_holds_its_rows(clients):
    ann = clients["ann"]
    shown, links = _screen(ann, "/queue?severity=high&q=a&sort=flag_id%3Adesc&page=1")
    assert links["csv"] == "/queue/export.csv?severity=high&status=open&q=a&sort=flag_id%3Adesc"
    assert links["xlsx"].startswith("/queue/export.xlsx?severity=high&")
    response = ann.get(links["csv"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert re.fullmatch(
        r'attachment; filename="review-queue-\d{4}-\d{2}-\d{2}\.csv"',
        response.headers["content-disposition"],
    )
    assert response.text.splitlines()[0] == ",".join(QUEUE_COLUMNS)
    assert _csv_ids(response.text) == shown and shown


def test_the_download_is_the_clis_rendering(clients, shared_app):
    body = clients["ann"].get("/queue/export.csv?sort=due_on").text
    with transaction(shared_app.state.sessions) as session:
        rows = review_queue(session, QueueFilter(sort=("due_on", False)), page_size=10_000).rows
    assert body == render(rows, QUEUE_COLUMNS, "csv")
    assert all(len(p.split(".")[-1]) <= 4 for p in re.findall(r",(0\.\d+),", body))


def test_the_workbook_holds_the_same_rows_as_the_screen(clients):
    ann = clients["ann"]
    shown, links = _screen(ann, "/queue?sort=flag_id")
    response = ann.get(links["xlsx"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert response.headers["content-disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "review queue" and sheet.freeze_panes == "A2"
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(QUEUE_COLUMNS)
    assert [row[0] for row in values[1:]] == shown


def test_escalations_download_for_supervisors_only(clients):
    shown, links = _screen(clients["sam"], "/escalations")
    assert links["csv"].startswith("/escalations/export.csv?")
    assert _csv_ids(clients["sam"].get(links["csv"]).text) == shown
    assert clients["ann"].get("/escalations/export.csv").status_code == 403
    assert clients["liz"].get("/queue/export.csv").status_code == 403


def test_unknown_values_and_formats_are_refused(clients):
    ann = clients["ann"]
    refused = ann.get("/queue/export.csv?kind=bogus")
    assert refused.status_code == 400 and "kind=bogus" in refused.text
    assert ann.get("/queue/export.pdf").status_code == 404


def test_an_export_is_logged_as_a_consultation_with_its_format(app, web_url):
    client_for(app, "ann").get("/queue/export.xlsx?severity=high")
    engine = make_engine(web_url)
    with transaction(make_session_factory(engine)) as session:
        entry = session.scalars(
            select(AuditEvent).filter_by(object_type="review_queue").order_by(AuditEvent.id)
        ).all()[-1]
    engine.dispose()
    assert (entry.actor, entry.action) == ("ann", "consultation")
    assert entry.justification == "review queue exported"
    assert entry.details["format"] == "xlsx" and entry.details["rows"] == 2


def test_formula_like_text_is_marked_as_text(app, web_url):
    engine = make_engine(web_url)
    with transaction(make_session_factory(engine)) as session:
        first = session.scalars(select(Flag).where(Flag.status == "open")).first()
        session.execute(
            update(Offender)
            .where(Offender.id == first.offender_pk)
            .values(family_name='=HYPERLINK("http://x")')
        )
    engine.dispose()
    ann = client_for(app, "ann")
    body = ann.get("/queue/export.csv").text
    assert "'=HYPERLINK" in body
    workbook = openpyxl.load_workbook(io.BytesIO(ann.get("/queue/export.xlsx").content))
    names = [row[6] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert any(name.startswith("'=HYPERLINK") for name in names)
