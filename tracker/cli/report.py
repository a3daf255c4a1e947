"""`tracker stats` and `tracker report daily`: figures for managers."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tracker.cli.app import AppContext, pass_app
from tracker.cli.options import OUTPUT_FILE, ROW_ID
from tracker.cli.output import emit, listing_output
from tracker.db import transaction
from tracker.tabular import render


@click.command()
@listing_output("table", "json")
@pass_app
def stats(app: AppContext, fmt: str, out: Path | None) -> None:
    """Counts of offenders, aliases, documents, notifications, travel records, links and flags
    (by kind and by status), and the latest run."""
    from tracker.services.stats import STATS_COLUMNS, collect_stats, stats_rows

    with transaction(app.sessions()) as session:
        figures = collect_stats(session)
    if fmt == "json":  # the contract's document of nested counts, not a listing
        emit(json.dumps(figures, indent=2), out)
        return
    emit(render(stats_rows(figures), STATS_COLUMNS, fmt), out)


@click.group()
def report() -> None:
    """Reports for managers."""


@report.command("daily")
@click.option("--run", "run_id", type=ROW_ID, help="Run id (default: the latest run).")
@click.option("--out", required=True, type=OUTPUT_FILE)
@pass_app
def report_daily(app: AppContext, run_id: int | None, out: Path) -> None:
    """The daily summary for managers: a self-contained HTML page with charts (new and open
    flags by kind and severity, the trend over the last 30 runs, open flags by force, links by
    band and probability, rejects by reason, retention, stage timings). Counts only."""
    from tracker.reports.daily import ReportError
    from tracker.services.reports import write_daily_report

    with transaction(app.sessions()) as session:
        try:
            path = write_daily_report(session, app.settings.user, out, run_id)
        except ReportError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {path}")
