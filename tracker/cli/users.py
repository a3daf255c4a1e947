"""`tracker users`: people, roles, passwords and taking access back."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime

import click

from tracker.cli.app import AppContext, acting_person, pass_app
from tracker.db import (
    transaction,
)
from tracker.models.enums import (
    ROLES,
)


def _change(app, what: Callable, *args) -> None:
    """Run one access change in a transaction; refusals become plain command errors."""
    from tracker.access.people import UserError
    from tracker.access.permissions import PermissionDenied
    from tracker.db import transaction

    with transaction(app.sessions()) as session:
        try:
            what(session, app.settings.user, *args)
        except (PermissionDenied, UserError) as exc:
            raise click.ClickException(str(exc)) from exc


@click.command("deactivate")
@click.argument("name")
@click.pass_obj
def users_deactivate_command(app, name: str) -> None:
    """Take NAME's access away now: their web sessions end and every command refuses them
    (admins; not the last active admin). `tracker users activate` gives it back."""
    from tracker.access.people import deactivate_user

    _change(app, deactivate_user, name)
    click.echo(f"deactivated {name}; their sessions have ended")


@click.command("activate")
@click.argument("name")
@click.pass_obj
def users_activate_command(app, name: str) -> None:
    """Give a deactivated person their access back (admins)."""
    from tracker.access.people import activate_user

    _change(app, activate_user, name)
    click.echo(f"activated {name}")


@click.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@click.pass_obj
def users_set_role_command(app, name: str, role: str) -> None:
    """Give NAME another ROLE; their sessions end so it applies at once (admins; the last
    active admin keeps the role)."""
    from tracker.access.people import set_role

    _change(app, set_role, name, role)
    click.echo(f"{name} is now {role}; their sessions have ended")


@click.command("clear-throttle")
@click.argument("name", required=False)
@click.option(
    "--client",
    "client",
    required=True,
    metavar="ADDRESS",
    help="The address the failed sign-ins came from (as `tracker users list` shows).",
)
@click.pass_obj
def users_clear_throttle_command(app, name: str | None, client: str) -> None:
    """Let ADDRESS try to sign in as NAME again at once; without NAME, give ADDRESS back its
    failures over every name (admins; audited)."""
    from tracker.access.sign_in_throttle import clear_throttle

    _change(app, clear_throttle, name, client)
    click.echo(
        f"sign-in throttle cleared for {name} from {client}"
        if name
        else f"sign-in throttle cleared for the address {client} (every name)"
    )


def echo_throttles(session, actor) -> None:
    """The sign-in throttles in force, for admins, after the list of people: (name, address)
    pairs, and addresses that failed too often over every name (shown as name *)."""
    from tracker.access.people import ADDRESS_WIDE
    from tracker.access.permissions import allowed
    from tracker.access.sign_in_throttle import ThrottlePolicy, current_throttles

    if not allowed(actor.role, "users.clear_throttle"):
        return
    now = datetime.now(UTC)
    throttles = current_throttles(session, now, ThrottlePolicy.from_environment())
    if not throttles:
        return
    click.echo("\nsign-in throttles (name typed, * for every name; from; failures; waiting until):")
    for row in throttles:
        waiting = (
            f"{row.blocked_until:%Y-%m-%d %H:%M:%S}"
            if row.blocked_until and row.blocked_until > now
            else "-"
        )
        name = ADDRESS_WIDE if row.account == ADDRESS_WIDE else repr(row.account)
        click.echo(f"  {name:<26} {row.client:<40} {row.failures:>5}  {waiting}")


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
    from tracker.access.people import UserError, add_user
    from tracker.access.permissions import PermissionDenied

    with transaction(app.sessions()) as session:
        try:
            add_user(session, app.settings.user, name, role)
        except (PermissionDenied, UserError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"added {name} as {role}")


@users.command("list")
@pass_app
def users_list(app: AppContext) -> None:
    """Everyone with access and their role (admins and supervisors); admins also see the
    sign-in throttles in force (`tracker users clear-throttle` lifts one)."""
    from tracker.access.people import list_users

    with transaction(app.sessions()) as session:
        actor = acting_person(app, session, "users.list")
        people = list_users(session)
        for person in people:
            state = "" if person.active else " (deactivated)"
            click.echo(
                f"{person.name:<24} {person.role:<11} added {person.created_at:%Y-%m-%d}"
                f" by {person.created_by or '-'}{state}"
            )
        echo_throttles(session, actor)


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
    from tracker.access.passwords import PasswordError, set_password
    from tracker.access.permissions import PermissionDenied

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            "New password", hide_input=True, confirmation_prompt="Type it again"
        )
    with transaction(app.sessions()) as session:
        try:
            set_password(session, app.settings.user, name, password)
        except (PermissionDenied, PasswordError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"password set for {name}")


for _command in (
    users_deactivate_command,
    users_activate_command,
    users_set_role_command,
    users_clear_throttle_command,
):
    users.add_command(_command)
