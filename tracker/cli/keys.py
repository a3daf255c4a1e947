"""`tracker keys init | export-public`: the signing keys of intelligence packages."""

from __future__ import annotations

import click

from tracker.cli.app import AppContext, acting_person, pass_app
from tracker.db import (
    transaction,
)


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
    from tracker import audit_anchor
    from tracker.audit import record_event
    from tracker.reports import signing

    keys_dir = app.settings.keys_dir
    with transaction(app.sessions()) as session:
        actor = acting_person(app, session, "keys.manage")
        previous = signing.current_key_id(keys_dir)
        try:
            info = signing.init_keys(keys_dir, force=force)
        except signing.SigningKeyError as exc:
            raise click.ClickException(str(exc)) from exc
        try:  # never replaced, even with --force; not remade once checkpoints need it
            anchor = (
                "created"
                if audit_anchor.ensure_key(session, keys_dir, app.settings.data_dir, actor.name)
                else "kept"
            )
        except audit_anchor.AnchorError:  # the signing key is still made and logged
            anchor = audit_anchor.KEY_GONE
        record_event(
            session,
            actor=actor.name,
            action="alteration",
            object_type="signing_key",
            object_id=info.key_id,
            justification="package signing key "
            + ("replaced" if force and previous else "created"),
            details={
                "key_id": info.key_id,
                "previous_key_id": previous,
                "public_key": str(info.public_path),
                "audit_anchor_key": anchor,
            },
        )
    click.echo(
        f"signing key {info.key_id} created\n  private {info.private_path} (owner only)\n"
        f"  public  {info.public_path}\n"
        f"  audit anchor key {audit_anchor.key_path(keys_dir)} (owner only, "
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
