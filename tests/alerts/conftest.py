"""Fixtures of the alert tests: real servers on loopback (see ``alert_world``)."""

from __future__ import annotations

import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from alert_world import (
    Inbox,
    MailServer,
    Receiver,
    World,
    _controller,
    _self_signed,
    free_port,
    level_one_world,
)


@pytest.fixture
def smtp_server():
    """A plain SMTP server on loopback (no STARTTLS offered)."""
    inbox = Inbox()
    controller, port = _controller(inbox)
    yield MailServer(f"smtp://127.0.0.1:{port}", inbox)
    controller.stop()


@pytest.fixture
def tls_smtp_server(tmp_path, monkeypatch):
    """An SMTP server that offers STARTTLS and refuses mail without it; the client trusts its
    certificate as an installation trusts a private CA: through ``SSL_CERT_FILE``."""
    cert_path, key_path = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    inbox = Inbox()
    controller, port = _controller(inbox, tls_context=context, require_starttls=True)
    yield MailServer(f"smtp://127.0.0.1:{port}", inbox)
    controller.stop()


@pytest.fixture
def smtps_server(tmp_path, monkeypatch):
    """An SMTP server speaking TLS from the first byte (``smtps://``), certificate as above."""
    cert_path, key_path = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    inbox = Inbox()
    controller, port = _controller(inbox, ssl_context=context)
    yield MailServer(f"smtps://127.0.0.1:{port}", inbox)
    controller.stop()


@pytest.fixture
def webhook_receiver():
    received: list[tuple[dict[str, str], bytes]] = []
    receiver = Receiver("", received)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = min(int(self.headers.get("Content-Length", "0")), 1_000_000)
            received.append((dict(self.headers.items()), self.rfile.read(length)))
            self.send_response(receiver.status)
            self.end_headers()
            self.wfile.write(b"received")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/level-one"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """An SMTP URL on a loopback port nobody listens on (connection refused)."""
    return f"smtp://127.0.0.1:{free_port()}"


@pytest.fixture
def world(session) -> World:
    return level_one_world(session)
