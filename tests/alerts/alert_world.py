"""The alert tests' loopback parts (an SMTP server read back, one offering STARTTLS with a
certificate made here, an HTTP receiver for the webhook, a port nobody listens on) and the
level-one world made with the factories; ``conftest.py`` makes them fixtures."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import sys
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import default
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # factories

from factories import add_flag, add_offender, add_run, add_user

from tracker.models import Flag
from tracker.settings import DatabaseSettings, Settings, WebSettings
from tracker.settings_alerts import AlertSettings

BASE_URL = "https://tracker.example"
DUTY = "duty.officer@ppu.example"
SUPERVISORS = "sup.one@ppu.example, sup.two@ppu.example"
WEBHOOK_SECRET = "webhook-secret-for-tests-0123456789"
NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
DEPARTURE = dt.datetime(2026, 12, 3, 14, 40, tzinfo=dt.UTC)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Inbox:
    """What the SMTP server accepted: envelopes and parsed messages, with an event per mail."""

    envelopes: list = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server, session, envelope):
        with self.arrived:
            self.envelopes.append(envelope)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Message]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.envelopes) >= count, timeout=timeout)
        return self.messages()

    def messages(self) -> list[Message]:
        return [message_from_bytes(e.original_content, policy=default) for e in self.envelopes]


@dataclass
class MailServer:
    url: str
    inbox: Inbox


def _controller(inbox: Inbox, **smtp_options):
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **smtp_options)
    controller.start()
    return controller, port


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, made now with ``cryptography``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Receiver:
    """The webhook's receiving end: each request's headers and raw body, answered with
    ``status``."""

    url: str
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200


def alert_settings(db_url: str, **alerts) -> Settings:
    return Settings(
        database=DatabaseSettings(url=db_url),
        web=WebSettings(base_url=BASE_URL),
        alerts=AlertSettings(**alerts),
    )


@dataclass
class World:
    flag_id: int
    family_name: str
    given_names: str
    address: str


def level_one_world(session) -> World:
    """A wanted offender (with an address) and the pre-departure flag screening raised,
    and the people who deal with alerts."""
    offender = add_offender(
        session,
        family_name="Quillfeather",
        given_names="Rowan Ashby",
        status="wanted",
        address_line="17 Larkspur Close, Testtown",
    )
    flag = add_flag(
        session,
        offender,
        add_run(session),
        kind="pending_departure_without_notice",
        severity="high",
        summary="booked to leave without notice",
    )
    flag.run_id = None
    for name, role in (("ann", "analyst"), ("sam", "supervisor"), ("liz", "liaison")):
        add_user(session, name, role)
    session.commit()
    return World(flag.id, offender.family_name, offender.given_names, "17 Larkspur Close")


def the_flag(session, world: World) -> Flag:
    flag = session.get(Flag, world.flag_id)
    assert flag is not None
    return flag
