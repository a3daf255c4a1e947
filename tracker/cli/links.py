"""`tracker links export`: the night's links for analysts."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.app import AppContext, pass_app
from tracker.cli.options import ROW_ID
from tracker.cli.output import emit, listing_output
from tracker.db import (
    transaction,
)
from tracker.tabular import render


@click.group()
def links() -> None:
    """Links the matcher made between travel records and register entries."""


@links.command("export")
@listing_output("csv", "json", default="csv")
@click.option("--run", "run_id", type=ROW_ID, help="Run id (default: the latest run with links).")
@pass_app
def links_export(app: AppContext, fmt: str, out: Path | None, run_id: int | None) -> None:
    """One row per linked travel record: travel_source, travel_record_id, offender_id,
    match_probability, match_weight, band, run_id."""
    from tracker.services.link_export import LINK_EXPORT_COLUMNS, NoSuchRun, export_links

    with transaction(app.sessions()) as session:
        try:
            rows = export_links(session, app.settings.user, run_id)
        except NoSuchRun as exc:
            raise click.ClickException(str(exc)) from exc
    emit(render(rows, LINK_EXPORT_COLUMNS, fmt), out)
