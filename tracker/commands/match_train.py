"""`tracker match train`: fit and store the matching model, apart from scoring.

Its own module so ``tracker/cli.py`` only registers it on the `match` group.
"""

from __future__ import annotations

import click


@click.command("train")
@click.option(
    "--retrain",
    is_flag=True,
    help="Fit a new model even though one is active (after settings changed, or to "
    "take in analysts' decisions before the policy would).",
)
@click.pass_obj
def match_train_command(app, retrain: bool) -> None:
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
    from tracker.cli import _acting
    from tracker.db import transaction
    from tracker.services.linking import train_model

    with transaction(app.sessions()) as session:
        actor = _acting(app, session, "match.train")
        model, fitted = train_model(session, actor.name, retrain=retrain)
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
