"""`tracker keys init | export-public`: the signing keys of intelligence packages."""

from __future__ import annotations

import click

from tracker.cli.app import AppContext, pass_app
from tracker.db import transaction


@click.group()
def keys() -> None:
    """The unit's signing key pair for packages."""


@keys.command("init")
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing key pair. The old public key is kept, so packages it "
    "signed still verify here; give partners the new one.",
)
@pass_app
def keys_init(app: AppContext, force: bool) -> None:
    """Make the unit's Ed25519 key pair under the data folder's keys/ (folder 0700, private key
    0600: outside the database), and the audit trail's anchor key beside it if there is none.
    Admins and liaison officers; logged."""
    from tracker import audit_anchor_key
    from tracker.reports.signing import SigningKeyError
    from tracker.services.keys import init_keys

    keys_dir = app.settings.keys_dir
    with transaction(app.sessions()) as session:
        try:
            made = init_keys(
                session, app.settings.user, keys_dir, app.settings.data_dir, force=force
            )
        except SigningKeyError as exc:
            raise click.ClickException(str(exc)) from exc
    info, anchor = made.key, made.anchor
    click.echo(
        f"signing key {info.key_id} created\n  private {info.private_path} (owner only)\n"
        f"  public  {info.public_path}\n"
        f"  audit anchor key {audit_anchor_key.key_path(keys_dir)} (owner only, "
        f"{anchor})\n"
        "give partners the public key: tracker keys export-public"
    )


@keys.command("export-public")
@pass_app
def keys_export_public(app: AppContext) -> None:
    """Print the unit's public key (PEM) for partners to verify packages with; its key id goes
    to standard error."""
    from tracker.reports import signing

    try:
        key = signing.unit_public_key(app.settings.keys_dir)
    except signing.SigningKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"key id {signing.key_id(key)}", err=True)
    click.echo(signing.public_pem(key), nl=False)
