"""The unit's keys: the package signing pair, and the audit trail's anchor key beside it.
Made (or the signing pair replaced) by admins and liaison officers; each time logged."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from tracker import audit_anchor, audit_anchor_key
from tracker.access.people import require_actor
from tracker.audit import record_event
from tracker.reports import signing


@dataclass(frozen=True)
class KeysMade:
    """The signing key made, the one it replaced, and what became of the anchor key:
    ``created``, ``kept`` or ``audit_anchor_key.KEY_GONE``."""

    key: signing.KeyInfo
    previous_key_id: str | None
    anchor: str


def init_keys(
    session: Session, who: str | None, keys_dir: Path, data_dir: Path, force: bool = False
) -> KeysMade:
    """Make the unit's Ed25519 pair under ``keys_dir`` (``force``: replace it; the old public
    key is kept so packages it signed still verify), and the anchor key if there is none.
    Raises ``signing.SigningKeyError`` when a pair exists and ``force`` is not given."""
    actor = require_actor(session, who, "keys.manage")
    previous = signing.current_key_id(keys_dir)
    info = signing.init_keys(keys_dir, force=force)
    try:  # never replaced, even with force; not remade once checkpoints need it
        made = audit_anchor.ensure_key(session, keys_dir, data_dir, actor.name)
        anchor = "created" if made else "kept"
    except audit_anchor_key.AnchorError:  # the signing key is still made and logged
        anchor = audit_anchor_key.KEY_GONE
    record_event(
        session,
        actor=actor.name,
        action="alteration",
        object_type="signing_key",
        object_id=info.key_id,
        justification="package signing key " + ("replaced" if force and previous else "created"),
        details={
            "key_id": info.key_id,
            "previous_key_id": previous,
            "public_key": str(info.public_path),
            "audit_anchor_key": anchor,
        },
    )
    return KeysMade(info, previous, anchor)
