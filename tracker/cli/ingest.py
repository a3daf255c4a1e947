"""`tracker ingest KIND FILE...`: load contract files outside the nightly."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tracker.cli.app import AppContext, pass_app
from tracker.models.enums import (
    INPUT_KINDS,
)


@click.command()
@click.argument("kind", type=click.Choice(INPUT_KINDS))
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def ingest(app: AppContext, kind: str, paths: tuple[Path, ...]) -> None:
    """Load input files of one KIND (.csv, .jsonl, or .edi/.paxlst/.pnr for travel).

    Each file loads in its own transaction and gets one summary line: rows read, loaded
    (new, updated, unchanged) and rejected. Rejected rows are kept whole, with the reason,
    in a reject file the summary names (under $TRACKER_DATA_DIR/rejects). Loading the same
    file again changes nothing.

    Loading by hand needs an admin (--user NAME); the nightly job loads its inbox as the
    system.

    Exit 0 when every row loaded, 3 when some rows were rejected (see the reject files the
    summary names), 1 when nothing could be loaded.
    """
    from sqlalchemy.exc import SQLAlchemyError, StatementError

    from tracker.access.permissions import PermissionDenied
    from tracker.db import transaction
    from tracker.ingest import IngestError
    from tracker.services.ingest import load_files_by_hand

    try:
        with transaction(app.sessions()) as session:
            results = load_files_by_hand(
                session,
                app.settings.user,
                kind,
                list(paths),
                settings=app.settings,
                progress=sys.stderr.isatty(),
            )
    except PermissionDenied:
        raise  # the root command says why (it is an OSError, not a file's)
    except IngestError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or 'a file'}: {exc.strerror}") from exc
    except SQLAlchemyError as exc:
        # Only a statement's error carries the driver's own message (orig).
        cause = exc.orig if isinstance(exc, StatementError) else None
        raise click.ClickException(f"the database refused the load: {cause or exc}") from exc
    for result in results:
        for warning in result.warnings:
            click.echo(f"warning: {result.path}: {warning}", err=True)
        click.echo(result.summary(), err=result.refused is not None)
    from tracker.ingest import exit_code

    code = exit_code(results)
    if code:
        sys.exit(code)
