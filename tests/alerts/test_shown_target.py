"""What the trail and the deliveries keep of a webhook's address: never a key it holds."""

from __future__ import annotations

import pytest

from tracker.services.alerts import Attempt


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://hooks.example.invalid/alerts?key=s3cret#x",
            "https://hooks.example.invalid/alerts",
        ),
        ("https://bot:s3cret@hooks.example.invalid:8443/a", "https://hooks.example.invalid:8443/a"),
        ("https://s3cret@hooks.example.invalid/a", "https://hooks.example.invalid/a"),
    ],
)
def test_a_webhook_url_is_recorded_without_user_password_or_query(url, shown):
    attempt = Attempt(1, "webhook", url, message=None)  # type: ignore[arg-type]
    assert attempt.shown_target == shown


def test_an_email_target_is_recorded_as_is():
    attempt = Attempt(1, "email", "duty@example.invalid", message=None)  # type: ignore[arg-type]
    assert attempt.shown_target == "duty@example.invalid"
