"""`tracker users`: people, roles, passwords and taking access back."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from tracker.cli.app import AppContext, pass_app
from tracker.cli.output import emit, listing_output
from tracker.db import transaction
from tracker.models.enums import ROLES
from tracker.tabular import Column, render, table_text

PEOPLE_COLUMNS = (
    Column("name"),
    Column("role"),
    Column("active", "state", shown=lambda active: "active" if active else "deactivated"),
    Column("password_set", "password", shown=lambda done: "set" if done else "not set"),
    Column("created_at", "added", shown=lambda at: f"{at:%Y-%m-%d}"),
    Column("created_by", "by"),
)
THROTTLE_COLUMNS = (
    Column("account", "name typed", shown=lambda name: name if name == "*" else repr(name)),
    Column("client", "from"),
    Column("failures", align=">"),
    Column("waiting_until", "waiting until", shown=lambda at: f"{at:%Y-%m-%d %H:%M:%S}"),
)


def _change(app: AppContext, what: Callable[..., object], *args: object) -> None:
    """Run one access change in a transaction; a refusal becomes a plain command error."""
    from tracker.access.people import UserError

    with transaction(app.sessions()) as session:
        try:
            what(session, app.settings.user, *args)
        except UserError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group()
def users() -> None:
    """People and their roles (analyst, supervisor, liaison, admin)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@pass_app
def users_add(app: AppContext, name: str, role: str) -> None:
    """Add a person. While nobody exists the first user needs no acting person; after that
    only an admin adds users (--user or TRACKER_USER)."""
    from tracker.services.people import add_user

    _change(app, add_user, name, role)
    click.echo(f"added {name} as {role}")


@users.command("list")
@listing_output("table", "csv", "json")
@pass_app
def users_list(app: AppContext, fmt: str, out: Path | None) -> None:
    """Everyone with access and their role (admins and supervisors); in the table, admins
    also see the sign-in throttles in force (`tracker users clear-throttle` lifts one)."""
    from tracker.access.sign_in_throttle import ThrottlePolicy
    from tracker.services.people import list_users

    policy = ThrottlePolicy.from_settings(app.settings.sign_in)
    with transaction(app.sessions()) as session:
        listing = list_users(session, app.settings.user, policy=policy)
    footer = None
    if fmt == "table" and listing.throttles:
        footer = (
            "\nsign-in throttles (name typed, * for every name; from; failures; waiting until):\n"
            + table_text(listing.throttles, THROTTLE_COLUMNS)
        )
    emit(render(listing.people, PEOPLE_COLUMNS, fmt, footer=footer), out)


@users.command("set-password")
@click.argument("name")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)
@pass_app
def users_set_password(app: AppContext, name: str, password_stdin: bool) -> None:
    """Set NAME's password for signing in to the web application (admins only; --user or
    TRACKER_USER). Prompts twice with hidden input. Ends NAME's open web sessions."""
    from tracker.services.people import set_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            "New password", hide_input=True, confirmation_prompt="Type it again"
        )
    _change(app, set_password, name, password)
    click.echo(f"password set for {name}")


@users.command("deactivate")
@click.argument("name")
@pass_app
def users_deactivate(app: AppContext, name: str) -> None:
    """Take NAME's access away now: their web sessions end and every command refuses them
    (admins; not the last active admin). `tracker users activate` gives it back."""
    from tracker.services.people import deactivate_user

    _change(app, deactivate_user, name)
    click.echo(f"deactivated {name}; their sessions have ended")


@users.command("activate")
@click.argument("name")
@pass_app
def users_activate(app: AppContext, name: str) -> None:
    """Give a deactivated person their access back (admins)."""
    from tracker.services.people import activate_user

    _change(app, activate_user, name)
    click.echo(f"activated {name}")


@users.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@pass_app
def users_set_role(app: AppContext, name: str, role: str) -> None:
    """Give NAME another ROLE; their sessions end so it applies at once (admins; the last
    active admin keeps the role)."""
    from tracker.services.people import set_role

    _change(app, set_role, name, role)
    click.echo(f"{name} is now {role}; their sessions have ended")


@users.command("clear-throttle")
@click.argument("name", required=False)
@click.option(
    "--client",
    "client",
    required=True,
    metavar="ADDRESS",
    help="The address the failed sign-ins came from (as `tracker users list` shows).",
)
@pass_app
def users_clear_throttle(app: AppContext, name: str | None, client: str) -> None:
    """Let ADDRESS try to sign in as NAME again at once; without NAME, give ADDRESS back its
    failures over every name (admins; audited)."""
    from tracker.services.people import clear_throttle

    _change(app, clear_throttle, name, client)
    click.echo(
        f"sign-in throttle cleared for {name} from {client}"
        if name
        else f"sign-in throttle cleared for the address {client} (every name)"
    )
