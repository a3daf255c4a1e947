"""`tracker tokens create | list | revoke`: admins only, the secret printed once, the listing
in each format without it."""

from __future__ import annotations

import json

from tracker.access.api_tokens import hash_secret


def test_an_admin_creates_lists_and_revokes_a_token(cli):
    made = cli("tokens", "create", "border-feed", "--scope", "manifests:write",
               "--source", "api-border", "--source", "paxlst-bcp*", user="ada")  # fmt: skip
    assert made.exit_code == 0, made.output
    secret = made.output.splitlines()[0]
    assert secret.startswith("trk_") and "shown only now" in made.output
    listed = json.loads(cli("tokens", "list", "--format", "json", user="ada").output)
    assert [(t["name"], t["scopes"], t["sources"], t["state"]) for t in listed] == [
        ("border-feed", "manifests:write", "api-border paxlst-bcp*", "active")
    ]
    assert secret not in str(listed) and hash_secret(secret) not in str(listed)
    table = cli("tokens", "list", user="ada").output
    assert "border-feed" in table and "paxlst-bcp*" in table and secret not in table
    assert cli("tokens", "revoke", "border-feed", user="ada").exit_code == 0
    assert "revoked" in cli("tokens", "list", "--format", "csv", user="ada").output
    again = cli("tokens", "revoke", "border-feed", user="ada")
    assert again.exit_code == 1 and "revoked already" in again.output


def test_tokens_take_several_scopes_and_an_expiry_within_two_years(cli):
    made = cli(
        "tokens", "create", "bcp-2", "--scope", "manifests:write", "--scope",
        "screenings:read", "--source", "api-bcp-2", "--expires-days", "30", user="ada",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "manifests:write screenings:read" in made.output
    too_long = cli("tokens", "create", "bcp-3", "--scope", "manifests:write", "--source",
                   "api-bcp-3", "--expires-days", "731", user="ada")  # fmt: skip
    assert too_long.exit_code == 2 and "731" in too_long.output
    no_scope = cli("tokens", "create", "bcp-4", user="ada")
    assert no_scope.exit_code == 2 and "--scope" in no_scope.output


def test_only_admins_manage_tokens(cli):
    assert cli("users", "add", "ann", "--role", "analyst", user="ada").exit_code == 0
    refused = cli("tokens", "create", "x", "--scope", "manifests:write", "--source", "api-x",
                  user="ann")  # fmt: skip
    assert refused.exit_code == 1 and "may not tokens.create" in refused.output
    assert cli("tokens", "list", user="ann").exit_code == 1
    assert cli("tokens", "list").exit_code == 1


def test_the_acting_admin_may_be_named_with_as(cli):
    made = cli("tokens", "create", "bcp-5", "--scope", "manifests:write", "--source", "api-5",
               "--as", "ada")  # fmt: skip
    assert made.exit_code == 0, made.output
    assert cli("tokens", "list", "--as", "ada").exit_code == 0
    assert cli("tokens", "revoke", "bcp-5", "--as", "ada").exit_code == 0
    assert cli("tokens", "list", "--as", "nobody").exit_code == 1


def test_a_manifests_token_needs_its_sources(cli):
    refused = cli("tokens", "create", "bcp-6", "--scope", "manifests:write", user="ada")
    assert refused.exit_code == 1 and "--source PATTERN" in refused.output
    too_long = cli("tokens", "create", "bcp-6", "--scope", "manifests:write",
                   "--source", "x" * 101, user="ada")  # fmt: skip
    assert too_long.exit_code == 1 and "1 to 100 printable" in too_long.output
    room = cli("tokens", "create", "room", "--scope", "screenings:read", user="ada")
    assert room.exit_code == 0, room.output
    listed = json.loads(cli("tokens", "list", "--format", "json", user="ada").output)
    assert [(t["name"], t["sources"]) for t in listed] == [("room", "")]
