"""`tracker match health`: analysts' confirmations and dismissals as the matcher's health.

Its own module so ``tracker/cli.py`` only registers it on the `match` group.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from tracker.commands.options import DAYS


@click.command("health")
@click.option(
    "--days",
    default=30,
    show_default=True,
    type=DAYS,
    help="Length of the window in days, ending with --as-of (both included).",
)
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="DATE",
    help="Last day of the window (default: today). Decisions count by their UTC decision date.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout)."
)
@click.pass_obj
def match_health_command(app, days: int, as_of, fmt: str, out: Path | None) -> None:
    """How many links analysts confirmed or dismissed in the last 30 days (--days).

    Per band (match, review, all: the confirmed share is the band's precision as analysts see
    it), per probability bin from 0.5-0.6 to 0.99-1.0 with the mean probability (calibration:
    the confirmed share should track it), and per model version and band. Each travel record
    and offender pair counts once, by its latest decision in the window, with the band,
    probability and model of the link the analyst was shown. Escalations are not verdicts and
    do not count. Analysts, supervisors and admins; counts only.

    \b
    tracker --user ann match health
    tracker --user ann match health --days 7 --as-of 2026-03-10 --format json
    """
    from tracker.cli import _acting, write_output
    from tracker.db import transaction
    from tracker.services.match_health import HealthWindow, match_health, render_health

    window = HealthWindow(as_of.date() if as_of else date.today(), days)
    with transaction(app.sessions()) as session:
        _acting(app, session, "match.health")
        rows = match_health(session, window.as_of, window.days)
    write_output(render_health(rows, window, fmt), out)
