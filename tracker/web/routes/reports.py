"""The latest run: the daily report's figures and charts, and rejects by reason.

The page itself holds tables; each chart is a separate ``image/svg+xml`` response, because
matplotlib's SVG carries inline style attributes that the pages' policy forbids. Those images
and the printable report (the very page `tracker report daily` writes) are script-free
documents sent with their own policy that allows inline styles and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from tracker.models.enums import FLAG_KINDS, SEVERITIES
from tracker.reports.daily import (
    CHART_NAMES,
    DailyFigures,
    ReportError,
    draw_chart,
    render_daily_report,
)
from tracker.services.reports import read_run_figures
from tracker.web.charts import fingerprint
from tracker.web.ids import RowId
from tracker.web.pages import signed_in

router = APIRouter()

DOCUMENT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; sandbox"
)


@router.get("/reports/latest")
def latest(request: Request) -> Response:
    return _report(request, None)


@router.get("/reports/runs/{run_id}")
def run_report(request: Request, run_id: RowId) -> Response:
    return _report(request, run_id)


def _report(request: Request, run_id: int | None) -> Response:
    with signed_in(request) as p:
        try:
            figures = read_run_figures(p.db, p.actor.name, run_id)
        except ReportError as exc:
            return p.render("report.html", figures=None, problem=str(exc))
        return p.render(
            "report.html",
            figures=figures,
            problem=None,
            kinds=FLAG_KINDS,
            severities=SEVERITIES,
            charts=CHART_NAMES,
        )


def _run_document(
    request: Request, run_id: int, name: str, draw: Callable[[DailyFigures], str]
) -> str | Response:
    """A run's chart or printable report, drawn once for the same figures (cached); a plain
    404 naming why when there is no such run."""
    with signed_in(request) as p:
        try:
            figures = read_run_figures(p.db, p.actor.name, run_id)
        except ReportError as exc:
            return Response(str(exc), status_code=404, media_type="text/plain")
        return request.app.state.charts.get((fingerprint(figures), name), lambda: draw(figures))


@router.get("/reports/runs/{run_id}/charts/{name}.svg")
def chart(request: Request, run_id: RowId, name: str) -> Response:
    if name not in CHART_NAMES:
        return Response("no such chart", status_code=404, media_type="text/plain")
    svg = _run_document(request, run_id, name, lambda figures: draw_chart(figures, name))
    if isinstance(svg, Response):
        return svg
    return Response(
        svg, media_type="image/svg+xml", headers={"content-security-policy": DOCUMENT_POLICY}
    )


@router.get("/reports/runs/{run_id}/daily.html")
def printable(request: Request, run_id: RowId) -> Response:
    html = _run_document(request, run_id, "daily.html", render_daily_report)
    if isinstance(html, Response):
        return html
    return HTMLResponse(html, headers={"content-security-policy": DOCUMENT_POLICY})
