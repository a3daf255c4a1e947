"""`tracker stats` and `tracker report daily`: figures for managers."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tracker.cli.app import AppContext, acting_person, pass_app
from tracker.cli.options import ROW_ID
from tracker.db import (
    transaction,
)


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@pass_app
def stats(app: AppContext, fmt: str) -> None:
    """Counts of offenders, aliases, documents, notifications, travel records, links and flags
    (by kind and by status), and the latest run."""
    from tracker.stats import collect_stats, stats_rows

    with transaction(app.sessions()) as session:
        figures = collect_stats(session)
    if fmt == "json":
        click.echo(json.dumps(figures, indent=2))
        return
    rows = stats_rows(figures)
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        click.echo(f"{label:<{width}}  {value:>10}")


@click.group()
def report() -> None:
    """Reports for managers."""


@report.command("daily")
@click.option("--run", "run_id", type=ROW_ID, help="Run id (default: the latest run).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def report_daily(app: AppContext, run_id: int | None, out: Path) -> None:
    """The daily summary for managers: a self-contained HTML page with charts (new and open
    flags by kind and severity, the trend over the last 30 runs, open flags by force, links by
    band and probability, rejects by reason, retention, stage timings). Counts only."""
    from tracker.reports.daily import ReportError, write_daily_report

    with transaction(app.sessions()) as session:
        acting_person(app, session, "report.read")
        try:
            path = write_daily_report(session, out, run_id)
        except ReportError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {path}")
