"""Permission-matrix rows for people, one's own password, audit, packages, keys, the feed and
loading files by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from service_matrix import INACTIVE, ServiceCase, World
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.access.api_tokens import hash_secret, new_secret
from tracker.access.passwords import hash_password
from tracker.access.people import Actor, find_user
from tracker.access.sign_in_throttle import ThrottlePolicy, attempt_failed, reserve_attempt
from tracker.models import ApiToken, Flag, Package, User
from tracker.reports import feed_approvals, signing
from tracker.reports.packages import make_request
from tracker.services import account, feed, ingest, keys, packages, people, tokens
from tracker.services.audit_trail import read_audit_log, verify_audit_trail
from tracker.settings import DatabaseSettings, Settings

PASSWORD = "the old passphrase"
CLIENT = "203.0.113.7"


def _throttled_then_cleared(session: Session, who: str | None, w: World, tmp: Path) -> None:
    """One failure of ann's from an address (below the audited trip), then the clearing."""
    policy = ThrottlePolicy()
    now = datetime.now(UTC)
    attempt_failed(session, reserve_attempt(session, "ann", CLIENT, now, policy), policy)
    people.clear_throttle(session, who, "ann", CLIENT)


def _own_password_changed(session: Session, who: str | None, w: World, tmp: Path) -> None:
    user = find_user(session, who) if who else None
    if user is not None:  # a password to prove, set without the use case (nothing audited)
        user.password_hash = hash_password(PASSWORD)
    account.change_own_password(session, who, PASSWORD, "a brand new passphrase", client=CLIENT)


def _settings(tmp: Path) -> Settings:
    """An installation under ``tmp`` with the unit's signing key made once."""
    settings = Settings(database=DatabaseSettings(url="sqlite://"), data_dir=tmp / "data")
    if signing.current_key_id(settings.keys_dir) is None:
        signing.init_keys(settings.keys_dir)
    return settings


def _loaded_by_hand(session: Session, who: str | None, w: World, tmp: Path):
    """One register file loaded outside the nightly (its own transaction, audited)."""
    path = tmp / "offenders.csv"
    path.write_text(
        "offender_id,family_name,given_names,date_of_birth,requirement_start,"
        "notification_period,managing_force\nVR-BYHAND-1,Smith,Jo,1980-01-31,2020-05-01,P10Y,Kent\n",
        encoding="utf-8",
    )
    return ingest.load_files_by_hand(session, who, "offenders", [path], settings=_settings(tmp))


def _package_built(session: Session, who: str | None, w: World, tmp: Path):
    session.get(Flag, w.flag_id).status = "confirmed"  # an analyst confirmed it
    request = make_request(
        flag_id=w.flag_id, country="THA", out_dir=tmp / "out" / str(who), reason="needed"
    )
    return packages.build_package(session, who, request, _settings(tmp))


def _package_downloaded(session: Session, who: str | None, w: World, tmp: Path) -> bytes:
    """A package on this server (its row and zip), then its download."""
    folder = tmp / "packages" / "p-1"
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.with_suffix(".zip").write_bytes(b"PK zip")
    liz = session.scalars(select(User).where(User.name == "liz")).one()
    session.add(
        Package(
            package_uid="p-1",
            flag_id=w.flag_id,
            destination_country="THA",
            destination_agency="INTERPOL NCB Thailand",
            grading="1B",
            handling="P",
            created_by=liz.id,
            created_at=datetime.now(UTC),
            path=str(folder),
            zip_sha256="0" * 64,
            key_id="0" * 16,
        )
    )
    session.flush()
    return packages.download_package(session, who, "p-1")


def _withdrawn(session: Session, who: str | None, w: World, tmp: Path):
    """An approval in force (made without the use case, nothing audited), then withdrawn."""
    sam = session.scalars(select(User).where(User.name == "sam")).one()
    supervisor = Actor(sam.name, sam.role, sam.id)
    feed_approvals.approve_publication(session, supervisor, w.offender_id, "needed")
    return feed.withdraw_publication(session, who, w.offender_id, "found")


def _token_revoked(session: Session, who: str | None, w: World, tmp: Path):
    """A token (made without the use case, nothing audited), then revoked by ``who``."""
    session.add(
        ApiToken(
            name="border-feed",
            token_hash=hash_secret(new_secret()),
            scopes=["manifests:write"],
            created_by="ada",
        )
    )
    session.flush()
    return tokens.revoke_token(session, who, "border-feed")


def _keys_made(session: Session, who: str | None, w: World, tmp: Path):
    return keys.init_keys(session, who, tmp / "keys" / str(who), tmp / "data" / str(who))


CASES: list[ServiceCase] = [
    ServiceCase(
        "users.add",
        lambda s, who, w, tmp: people.add_user(s, who, "newcomer", "analyst"),
        "user_change",
    ),
    ServiceCase("users.list", lambda s, who, w, tmp: people.list_users(s, who)),
    ServiceCase(
        "users.set_password",
        lambda s, who, w, tmp: people.set_password(s, who, "ann", "a long enough secret"),
        "user_change",
    ),
    ServiceCase(
        "users.deactivate",
        lambda s, who, w, tmp: people.deactivate_user(s, who, "ann"),
        "user_change",
    ),
    ServiceCase(
        "users.activate",
        lambda s, who, w, tmp: people.activate_user(s, who, INACTIVE),
        "user_change",
    ),
    ServiceCase(
        "users.set_role",
        lambda s, who, w, tmp: people.set_role(s, who, "ann", "supervisor"),
        "user_change",
    ),
    ServiceCase("users.clear_throttle", _throttled_then_cleared, "user_change"),
    ServiceCase("account.change_password", _own_password_changed, "user_change"),
    ServiceCase("audit.read", lambda s, who, w, tmp: read_audit_log(s, who), "consultation"),
    ServiceCase(
        "audit.verify",
        lambda s, who, w, tmp: verify_audit_trail(s, who, tmp / "keys", tmp / "data"),
    ),
    ServiceCase("package.build", _package_built, "disclosure"),
    ServiceCase(
        "package.build",
        lambda s, who, w, tmp: packages.package_desk(s, who, tmp / "keys"),
        label="package.build (the packages page)",
    ),
    ServiceCase(
        "package.build", _package_downloaded, "consultation", label="package.build (download)"
    ),
    ServiceCase(
        "package.list", lambda s, who, w, tmp: packages.list_packages(s, who), "consultation"
    ),
    ServiceCase("keys.manage", _keys_made, "alteration"),
    ServiceCase(
        "feed.approve",
        lambda s, who, w, tmp: feed.approve_publication(s, who, w.offender_id, "needed"),
        "publication",
    ),
    ServiceCase(
        "feed.approve",
        lambda s, who, w, tmp: feed.preview_public_text(s, who, w.offender_id, "Tall", "Northby"),
        label="feed.approve (preview of the public text)",
    ),
    ServiceCase("feed.withdraw", _withdrawn, "publication"),
    ServiceCase(
        "feed.preview", lambda s, who, w, tmp: feed.list_publications(s, who), "consultation"
    ),
    ServiceCase("ingest.run", _loaded_by_hand, "collection"),
    ServiceCase(
        "tokens.create",
        lambda s, who, w, tmp: tokens.create_token(
            s, who, "border-feed", ["manifests:write"], sources=["api-border"]
        ),
        "user_change",
    ),
    ServiceCase("tokens.list", lambda s, who, w, tmp: tokens.list_tokens(s, who)),
    ServiceCase("tokens.revoke", _token_revoked, "user_change"),
]
