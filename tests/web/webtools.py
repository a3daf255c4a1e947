"""Helpers the web tests share: the secret, a clock moved by hand, signing in."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from scenario import PASSWORD

from tracker.web import create_app

with warnings.catch_warnings():  # Starlette's notice that it prefers httpx2, once per process
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SECRET = "test-secret-" + "k" * 40
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """Seconds since the epoch, moved by hand."""

    def __init__(self, now: float = 1_790_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_app(url: str, data_dir: Path, clock=None, **overrides):
    return create_app(
        url, secret_key=SECRET, data_dir=data_dir, clock=clock or Clock(), **overrides
    )


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def sign_in(client, name: str, password: str = PASSWORD):
    token = csrf_of(client.get("/sign-in").text)
    return client.post(
        "/sign-in",
        data={"name": name, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def client_for(app, name: str | None = None, **kwargs):
    client = TestClient(app, **kwargs)
    if name:
        response = sign_in(client, name)
        assert response.status_code == 303, response.text
    return client
