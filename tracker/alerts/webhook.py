"""The optional webhook for control-room systems: the alert's JSON POSTed to
``TRACKER_WEBHOOK_URL``, signed so the receiver can tell it came from this tracker unaltered.

``X-Tracker-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with
TRACKER_WEBHOOK_SECRET>`` (GitHub's form); ``X-Tracker-Timestamp`` is the sending time (Unix
seconds) so a receiver may refuse old replays. Any 2xx answer is a delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import httpx

from tracker.alerts.email import Outcome

SIGNATURE_HEADER = "X-Tracker-Signature"
TIMESTAMP_HEADER = "X-Tracker-Timestamp"
REPLY_LIMIT = 300


def signature(body: bytes, secret: str) -> str:
    """The header's value for ``body``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def post_webhook(url: str, secret: str, body: bytes, timeout: float) -> Outcome:
    """POST ``body``; never raises, never follows a redirect (the body would go elsewhere)."""
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(body, secret),
        TIMESTAMP_HEADER: str(int(time.time())),
        "User-Agent": "tracker-alerts/1",
    }
    try:
        with httpx.stream("POST", url, content=body, headers=headers, timeout=timeout) as answer:
            reply = _first_bytes(answer)
            delivered = answer.is_success
            status = answer.status_code
    except httpx.TimeoutException:
        return Outcome(False, "timed out")
    except httpx.HTTPError as exc:
        return Outcome(False, f"{type(exc).__name__}: {exc}"[:REPLY_LIMIT])
    return Outcome(delivered, f"HTTP {status} {reply}".strip())


def _first_bytes(answer: httpx.Response) -> str:
    """The start of the receiver's answer (enough for the record; the rest is not read)."""
    head = b""
    for chunk in answer.iter_bytes():
        head += chunk
        if len(head) >= REPLY_LIMIT:
            break
    return head[:REPLY_LIMIT].decode("utf-8", "replace")
