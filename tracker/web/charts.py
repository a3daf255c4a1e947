"""The daily report's charts as separate SVG images: how a drawing is cached.

Drawing with matplotlib takes a noticeable fraction of a second per chart, so the routes keep
each drawing for a while (``tracker.web.cache``), keyed by the run and its figures. The charts
themselves are the printable report's (``tracker.reports.daily.DAILY_CHARTS``).
"""

from __future__ import annotations

from tracker.reports.daily import DailyFigures


def fingerprint(figures: DailyFigures) -> tuple:
    """Changes when the figures do (a decision closes a flag; a new run arrives)."""
    return (figures.run.id, figures.total_open, figures.total_new, figures.run.status)
