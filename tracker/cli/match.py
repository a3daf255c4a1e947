"""`tracker match evaluate | health | train`: how well matching works, and its model."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from tracker.cli.app import AppContext, pass_app
from tracker.cli.options import DATE, DAYS, ROW_ID
from tracker.cli.output import emit, listing_output
from tracker.db import transaction


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
    type=DATE,
    metavar="DATE",
    help="Last day of the window (default: today). Decisions count by their UTC decision date.",
)
@listing_output("table", "json", "csv")
@pass_app
def match_health_command(app: AppContext, days: int, as_of, fmt: str, out: Path | None) -> None:
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
    from tracker.services.match_health import HealthWindow, read_match_health, render_health

    window = HealthWindow(as_of.date() if as_of else date.today(), days)
    with transaction(app.sessions()) as session:
        rows = read_match_health(session, app.settings.user, window)
    emit(render_health(rows, window, fmt), out)


@click.command("train")
@click.option(
    "--retrain",
    is_flag=True,
    help="Fit a new model even though one is active (after settings changed, or to "
    "take in analysts' decisions before the policy would).",
)
@pass_app
def match_train_command(app: AppContext, retrain: bool) -> None:
    """Fit the matching model on the travel and register held, and store it, versioned.

    The nightly job scores with the active (newest) model, so the same data gives the same
    links night after night; it fits a new one only when none is stored, with
    `tracker nightly --retrain`, or when analysts have decided TRACKER_RETRAIN_AFTER_LABELS
    (default 50) more links since the active model was fitted (0: never by itself).
    Training is deterministic: a fixed seed and samples independent of row order. Without
    --retrain an active model is left in place and named. Supervisors and admins.

    \b
    tracker --user ada match train
    tracker --user ada match train --retrain
    """
    from tracker.services.matcher import train_matching_model

    with transaction(app.sessions()) as session:
        model, fitted = train_matching_model(session, app.settings.user, retrain=retrain)
        training = model.training or {}
        version, reason = model.version, training.get("reason")
        pairs, labelled = training.get("candidate_pairs"), training.get("labelled_pairs")
    if not fitted:
        click.echo(
            f"model {version} is active (fitted: {reason or 'by a nightly run'}); "
            "nothing fitted. Use --retrain to fit a new one."
        )
        return
    click.echo(
        f"model {version} fitted and active: {pairs:,} candidate pairs, "
        f"{labelled:,} analysts' labels ({reason})."
    )


@click.group()
def match() -> None:
    """Evaluate and tune the matcher."""


@match.command("evaluate")
@click.option(
    "--truth",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="CSV with travel_source, travel_record_id, offender_id (empty: not on the register), "
    "and optionally category and corruptions (as `tracker generate` writes truth_links.csv).",
)
@click.option("--run", "run_id", type=ROW_ID, help="Run id (default: the latest run with links).")
@pass_app
def match_evaluate(app: AppContext, truth: Path, run_id: int | None) -> None:
    """Precision, recall and F1 per band, recall per corruption type and calibration of the
    links of a run, against a ground-truth file."""
    from tracker.services.matcher import evaluate_run

    with transaction(app.sessions()) as session:
        try:
            evaluation = evaluate_run(session, app.settings.user, truth, run_id)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(evaluation.as_text())


match.add_command(match_health_command)
match.add_command(match_train_command)
