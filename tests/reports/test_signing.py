"""The unit's signing key: owner-only files outside the database, a stable key id, no silent
overwrite, a public half for partners, and every key change in the audit trail."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from factories import add_user
from sqlalchemy import select

from tracker.cli import main
from tracker.db import transaction
from tracker.models import AuditEvent
from tracker.reports import signing


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- the key files ----------------------------------------------------------------------------


def test_init_writes_an_owner_only_key_pair(tmp_path):
    keys_dir = tmp_path / "data" / "keys"
    info = signing.init_keys(keys_dir)
    assert _mode(keys_dir) == 0o700
    assert _mode(info.private_path) == 0o600
    assert info.private_path.parent == keys_dir and info.public_path.parent == keys_dir
    private = signing.load_private_key(keys_dir)
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert info.key_id == hashlib.sha256(raw).hexdigest()[:16]
    assert signing.key_id(signing.unit_public_key(keys_dir)) == info.key_id
    assert not [p for p in keys_dir.iterdir() if p.name.endswith(".tmp")]


def test_an_existing_folder_is_tightened(tmp_path):
    keys_dir = tmp_path / "keys"
    keys_dir.mkdir(mode=0o755)
    os.chmod(keys_dir, 0o755)
    signing.init_keys(keys_dir)
    assert _mode(keys_dir) == 0o700


def test_init_refuses_to_overwrite_without_force(tmp_path):
    first = signing.init_keys(tmp_path)
    with pytest.raises(signing.KeyExists, match=f"key id {first.key_id}.*--force"):
        signing.init_keys(tmp_path)
    assert signing.current_key_id(tmp_path) == first.key_id
    second = signing.init_keys(tmp_path, force=True)
    assert second.key_id != first.key_id
    assert signing.current_key_id(tmp_path) == second.key_id
    assert set(signing.trusted_unit_keys(tmp_path)) == {first.key_id, second.key_id}


def test_a_private_key_others_can_read_is_refused(tmp_path):
    info = signing.init_keys(tmp_path)
    os.chmod(info.private_path, 0o644)
    with pytest.raises(signing.KeyUnsafe, match="0644.*chmod 600"):
        signing.load_private_key(tmp_path)


def test_missing_and_foreign_keys_are_named(tmp_path):
    with pytest.raises(signing.KeyMissing, match="tracker keys init"):
        signing.load_private_key(tmp_path)
    with pytest.raises(signing.KeyMissing, match="--public-key"):
        signing.unit_public_key(tmp_path)
    rsa_like = tmp_path / "not-ed25519.pem"
    rsa_like.write_text("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    with pytest.raises(signing.KeyInvalid, match="not a PEM public key"):
        signing.load_public_key(rsa_like)


def test_signatures_round_trip_and_are_strict():
    key = Ed25519PrivateKey.generate()
    signature = signing.sign(key, b"manifest")
    raw = signing.decode_signature(signature)
    assert signing.signature_valid(key.public_key(), b"manifest", raw)
    assert not signing.signature_valid(key.public_key(), b"manifesT", raw)
    other = Ed25519PrivateKey.generate().public_key()
    assert not signing.signature_valid(other, b"manifest", raw)
    with pytest.raises(signing.KeyInvalid, match="not valid base64"):
        signing.decode_signature("not base64!")
    with pytest.raises(signing.KeyInvalid, match="Incorrect padding"):
        signing.decode_signature(signature.rstrip("="))


# --- through the CLI --------------------------------------------------------------------------


@pytest.fixture
def cli(db_url, sessions, tmp_path):
    with transaction(sessions) as s:
        add_user(s, "ada", "admin")
        add_user(s, "liz", "liaison")
        add_user(s, "ann", "analyst")
    runner = CliRunner()
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_USER": ""}

    def invoke(*args, user: str | None = None):
        prefix = ["--db", db_url] + (["--user", user] if user else [])
        return runner.invoke(main, [*prefix, *args], env=env)

    return invoke


def test_keys_init_export_and_audit(cli, sessions, tmp_path):
    keys_dir = tmp_path / "data" / "keys"
    refused = cli("keys", "init", user="ann")
    assert refused.exit_code == 1 and "allowed roles: admin, liaison" in refused.output
    assert not keys_dir.exists()

    made = cli("keys", "init", user="ada")
    assert made.exit_code == 0, made.output
    key_id = signing.current_key_id(keys_dir)
    assert f"signing key {key_id} created" in made.output

    again = cli("keys", "init", user="liz")
    assert again.exit_code == 1 and "already exists" in again.output and "--force" in again.output
    assert signing.current_key_id(keys_dir) == key_id

    replaced = cli("keys", "init", "--force", user="liz")
    assert replaced.exit_code == 0, replaced.output
    new_id = signing.current_key_id(keys_dir)
    assert new_id != key_id

    exported = cli("keys", "export-public")
    assert exported.exit_code == 0
    assert exported.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    assert f"key id {new_id}" in exported.stderr
    public = serialization.load_pem_public_key(exported.stdout.encode())
    assert signing.key_id(public) == new_id

    with transaction(sessions) as s:
        events = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "signing_key")
            .order_by(AuditEvent.id)
        ).all()
        assert [(e.actor, e.action, e.object_id, e.justification) for e in events] == [
            ("ada", "alteration", key_id, "package signing key created"),
            ("liz", "alteration", new_id, "package signing key replaced"),
        ]
        assert events[1].details["previous_key_id"] == key_id


def test_export_without_a_key_says_how_to_make_one(cli):
    result = cli("keys", "export-public")
    assert result.exit_code == 1 and "tracker keys init" in result.output
