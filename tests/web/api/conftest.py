"""The API as border systems meet it: `tracker serve`'s application in a real uvicorn on
127.0.0.1, a private database with ada (admin), and tokens made through the use case."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tracker.db import transaction
from tracker.services.people import add_user
from tracker.services.tokens import create_token
from tracker.settings import ApiSettings
from tracker.web import create_app

SECRET = "api-test-secret-" + "k" * 40


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """One running server: its base URL, its app, and a way to stop it."""

    def __init__(self, app, port: int, lifespan: str = "off"):
        import uvicorn

        self.app = app
        self.base = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=port,
                log_level="warning",
                lifespan=lifespan,
                timeout_graceful_shutdown=1,
                server_header=False,
            )
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                pytest.fail("the API server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.app.state.engine.dispose()

    def client(self, secret: str | None = None, **headers: str) -> httpx.Client:
        if secret:
            headers["Authorization"] = f"Bearer {secret}"
        return httpx.Client(base_url=self.base + "/api/v1", headers=headers, timeout=30)


@pytest.fixture
def admin(sessions):
    with transaction(sessions) as session:
        add_user(session, None, "ada", "admin")
    return "ada"


@pytest.fixture
def make_token(sessions, admin):
    """``make_token(name, *scopes, **options)`` -> the secret, made by ada. A manifests:write
    token writes every source (``*``) unless ``sources`` are given."""

    def make(name: str, *scopes: str, **options) -> str:
        chosen = scopes or ("manifests:write",)
        if "manifests:write" in chosen:
            options.setdefault("sources", ["*"])
        with transaction(sessions) as session:
            made = create_token(session, admin, name, chosen, **options)
        return made.secret

    return make


@pytest.fixture
def serve(db_url, tmp_path, admin) -> Iterator:
    """``serve(**api_settings)`` starts the web application with those API settings
    (``lifespan=True``: with its start-up and its background workers, as `tracker serve`)."""
    running: list[Served] = []

    def start(routes=None, lifespan: bool = False, **api: int) -> Served:
        app = create_app(
            db_url, secret_key=SECRET, data_dir=tmp_path / "data", api=ApiSettings(**api)
        )
        if routes is not None:
            app.state.api.include_router(routes)
        served = Served(app, _free_port(), "on" if lifespan else "off").start()
        running.append(served)
        return served

    yield start
    for served in running:
        served.stop()
