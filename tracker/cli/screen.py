"""`tracker screen FILE...` and `tracker watch --inbox DIR`: manifests screened now, from the
command line (sites without the API). Adapters only: the use case checks and audits."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from tracker.cli.app import AppContext, pass_app
from tracker.cli.output import emit, listing_output
from tracker.tabular import render

HIT_COLUMNS = (
    "file",
    "screening",
    "travel_source",
    "travel_record_id",
    "offender_id",
    "band",
    "match_probability",
    "flag_id",
    "alert_id",
)
EXIT_SOME_REJECTED = 3
EXIT_NOTHING_SCREENED = 1


def _as_option(func):
    return click.option(
        "--as",
        "who",
        metavar="NAME",
        help="The person screening (an analyst, supervisor or admin); default --user.",
    )(func)


def _screen_one(sessions, settings, who: str | None, path: Path, key: str | None):
    """The file's outcome, or the reason it was refused (nothing stored)."""
    from tracker.db import transaction
    from tracker.screening.manifest import MAX_MANIFEST_BYTES
    from tracker.screening.watch_folder import content_type_of
    from tracker.services.screening import ScreeningRefused, screen_manifest

    content_type = content_type_of(path)
    if content_type is None:
        return None, f"{path}: unknown manifest ending {path.suffix or '(none)'}"
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            return None, f"{path}: larger than the {MAX_MANIFEST_BYTES:,}-byte limit"
        body = path.read_bytes()
    except OSError as exc:
        return None, f"{path}: cannot be read: {exc.strerror}"
    try:
        with transaction(sessions) as session:
            outcome = screen_manifest(
                session, who or "", body, content_type, key, settings=settings
            )
    except ScreeningRefused as exc:
        return None, f"{path}: {exc}"
    return outcome, None


def _hit_rows(path: Path, outcome) -> list[dict]:
    alerts = {alert.flag_id: alert.alert_id for alert in outcome.alerts}
    return [
        {
            "file": path.name,
            "screening": outcome.id,
            "travel_source": hit.travel_source,
            "travel_record_id": hit.travel_record_id,
            "offender_id": hit.offender_id,
            "band": hit.band,
            "match_probability": round(hit.match_probability, 4),
            "flag_id": hit.flag_id,
            "alert_id": alerts.get(hit.flag_id) if hit.flag_id else None,
        }
        for hit in outcome.hits
    ]


def _summary(path: Path, outcome) -> str:
    line = (
        f"{path}: screening {outcome.id} {outcome.status}: read {outcome.travellers_read}, "
        f"rejected {outcome.travellers_rejected}, hits {len(outcome.hits)}, "
        f"level-one alerts {len(outcome.alerts)}"
    )
    if outcome.error:
        line += f": {outcome.error}"
    for alert in outcome.alerts:
        line += (
            f"\n  LEVEL ONE alert {alert.alert_id} (flag {alert.flag_id}): {alert.reason}; "
            f"flight {alert.flight or '-'}, departs {alert.departure_time or '-'}"
        )
    return line


def _troubled(outcome) -> bool:
    return outcome.status == "failed" or outcome.travellers_rejected > 0


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@_as_option
@listing_output("table", "csv", "json")
@pass_app
def screen(app: AppContext, paths: tuple[Path, ...], who: str | None, fmt: str, out) -> None:
    """Screen manifests now (.csv, .jsonl, PAXLST .edi/.paxlst, PNRGOV .pnr): store their
    travellers, score them against the register with the stored model, and print the hits
    and any level-one alerts.

    Exit 0 when every traveller was read, 3 when some were rejected or a file refused, 1 when
    no file could be screened."""
    who = who or app.settings.user
    rows: list[dict] = []
    screened = troubled = 0
    sessions = app.sessions()
    for path in paths:
        outcome, refusal = _screen_one(sessions, app.settings, who, path, None)
        if outcome is None:
            click.echo(f"refused: {refusal}", err=True)
            troubled += 1
            continue
        screened += 1
        troubled += _troubled(outcome)
        click.echo(_summary(path, outcome), err=True)
        rows.extend(_hit_rows(path, outcome))
    emit(render(rows, HIT_COLUMNS, fmt), out)
    if not screened:
        sys.exit(EXIT_NOTHING_SCREENED)
    if troubled:
        sys.exit(EXIT_SOME_REJECTED)


@click.command()
@click.option(
    "--inbox",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The folder senders drop manifests into.",
)
@_as_option
@click.option(
    "--interval",
    type=click.FloatRange(0.05, 3600),
    default=2.0,
    show_default=True,
    help="Seconds between polls; a file is taken once its size held for one poll.",
)
@click.option("--once", is_flag=True, help="Poll twice (one interval apart), screen, and stop.")
@pass_app
def watch(app: AppContext, inbox: Path, who: str | None, interval: float, once: bool) -> None:
    """Screen manifests as they arrive in --inbox: each is moved to screened/ or to failed/
    (with a .reason.txt). Runs until Ctrl-C."""
    from tracker.screening.watch_folder import FAILED, SCREENED, WatchedFolder

    who = who or app.settings.user
    sessions = app.sessions()
    folder = WatchedFolder(inbox)
    from tracker.db import transaction
    from tracker.services.screening import warm_screening

    with transaction(sessions) as session:
        warm_screening(session, app.settings)
    click.echo(f"watching {inbox} every {interval:g}s (Ctrl-C stops)", err=True)
    try:
        folder.arrived()  # what is there now is taken on the next poll if it holds still
        while True:
            time.sleep(interval)
            for path in folder.arrived():
                _screen_and_move(sessions, app.settings, who, folder, path, SCREENED, FAILED)
            if once:
                break
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


def _screen_and_move(sessions, settings, who, folder, path: Path, screened: str, failed: str):
    """Screen one arrived file and move it to where its outcome says."""
    from tracker.ingest.formats.edifact import file_message_type
    from tracker.screening.manifest import body_digest

    try:
        key = f"watch:{path.name}:{body_digest(path.read_bytes())[:32]}"
    except OSError:
        return  # gone meanwhile
    outcome, refusal = _screen_one(sessions, settings, who, path, key)
    if outcome is None:
        moved = folder.move(path, failed, time.strftime("%Y%m%dT%H%M%S"), refusal)
        click.echo(f"refused: {refusal}; moved to {moved}", err=True)
        return
    reason = outcome.error if outcome.status == "failed" else None
    if reason is None and file_message_type(path) == "PNRGOV":
        moved = folder.drop_screened_pnr(path, outcome.id)
    else:
        moved = folder.move(path, failed if reason else screened, f"s{outcome.id}", reason)
    click.echo(_summary(path, outcome) + f"\n  moved to {moved}", err=True)
    for row in _hit_rows(path, outcome):
        click.echo(
            f"hit: {row['travel_source']}/{row['travel_record_id']} -> {row['offender_id']} "
            f"({row['band']}, {row['match_probability']}), flag {row['flag_id'] or '-'}, "
            f"alert {row['alert_id'] or '-'}"
        )
