"""`tracker links export`: the night's links for analysts."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.app import AppContext, acting_person, pass_app, write_output
from tracker.cli.options import ROW_ID
from tracker.db import (
    transaction,
)


@click.group()
def links() -> None:
    """Links the matcher made between travel records and register entries."""


@links.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout)."
)
@click.option("--run", "run_id", type=ROW_ID, help="Run id (default: the latest run with links).")
@pass_app
def links_export(app: AppContext, fmt: str, out: Path | None, run_id: int | None) -> None:
    """One row per linked travel record: travel_source, travel_record_id, offender_id,
    match_probability, match_weight, band, run_id."""
    from tracker.services.linking import latest_run_with_links, link_export_rows, render_links

    with transaction(app.sessions()) as session:
        acting_person(app, session, "links.export")
        chosen = run_id if run_id is not None else latest_run_with_links(session)
        rows = link_export_rows(session, chosen) if chosen is not None else []
    if run_id is not None and not rows:
        raise click.ClickException(f"run {run_id} has no links (is the run id right?)")
    write_output(render_links(rows, fmt), out)
