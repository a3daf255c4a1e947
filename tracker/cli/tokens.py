"""`tracker tokens`: the API tokens border systems push manifests with (admins)."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.access.api_tokens import DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS
from tracker.cli.app import AppContext, pass_app
from tracker.cli.output import emit, listing_output
from tracker.db import transaction
from tracker.models.enums import TOKEN_SCOPES
from tracker.tabular import Column, render


def _moment(at: object) -> str:
    return f"{at:%Y-%m-%d %H:%M}"


TOKEN_COLUMNS = (
    Column("name"),
    Column("scopes"),
    Column("sources"),
    Column("state"),
    Column("expires_at", "expires", shown=_moment),
    Column("last_used_at", "last used", shown=_moment),
    Column("created_by", "by"),
    Column("revoked_at", "revoked", shown=_moment),
)


def _as_option(command):
    return click.option(
        "--as",
        "who",
        metavar="NAME",
        help="The admin acting; default --user (or TRACKER_USER).",
    )(command)


@click.group()
def tokens() -> None:
    """API tokens of border systems: made, listed and revoked by admins."""


@tokens.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    type=click.Choice(TOKEN_SCOPES),
    multiple=True,
    required=True,
    help="What the token may do; repeat for several.",
)
@click.option(
    "--source",
    "sources",
    metavar="PATTERN",
    multiple=True,
    help="A travel source the token may write: exact, or a glob with * (paxlst-bcp*). "
    "Required for manifests:write; repeat for several.",
)
@click.option(
    "--expires-days",
    type=click.IntRange(1, MAX_EXPIRY_DAYS),
    default=DEFAULT_EXPIRY_DAYS,
    show_default=True,
    help="Days until the token stops working.",
)
@_as_option
@pass_app
def tokens_create(
    app: AppContext,
    name: str,
    scopes: tuple[str, ...],
    sources: tuple[str, ...],
    expires_days: int,
    who: str | None,
) -> None:
    """Make a token NAME for a border system (admins). The secret is printed once, now:
    only its hash is kept, so a lost secret means a new token. A manifests:write token
    writes only travel rows whose source matches one of its --source patterns."""
    from tracker.access.api_tokens import TokenError
    from tracker.services.tokens import create_token

    with transaction(app.sessions()) as session:
        try:
            made = create_token(
                session, who or app.settings.user, name, scopes, expires_days, sources=sources
            )
        except TokenError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(made.secret)
    writes = f", writes {' '.join(made.sources)}" if made.sources else ""
    click.echo(
        f"token {made.name} ({' '.join(made.scopes)}{writes}) expires "
        f"{made.expires_at:%Y-%m-%d}; "
        "the secret above is shown only now: give it to the system's operator over a safe "
        "channel. Systems send it as `Authorization: Bearer <secret>`.",
        err=True,
    )


@tokens.command("list")
@listing_output("table", "csv", "json")
@_as_option
@pass_app
def tokens_list(app: AppContext, fmt: str, out: Path | None, who: str | None) -> None:
    """Every token, its scopes, state (active, expired, revoked) and last use (admins). The
    secrets are never shown again."""
    from tracker.services.tokens import list_tokens

    with transaction(app.sessions()) as session:
        rows = list_tokens(session, who or app.settings.user)
    emit(render(rows, TOKEN_COLUMNS, fmt), out)


@tokens.command("revoke")
@click.argument("name")
@_as_option
@pass_app
def tokens_revoke(app: AppContext, name: str, who: str | None) -> None:
    """Stop token NAME working at once (admins). Its past calls stay in the audit trail."""
    from tracker.access.api_tokens import TokenError
    from tracker.services.tokens import revoke_token

    with transaction(app.sessions()) as session:
        try:
            revoke_token(session, who or app.settings.user, name)
        except TokenError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"revoked token {name.strip()}")
