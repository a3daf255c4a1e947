"""Sending one e-mail through the installation's SMTP server (stdlib ``smtplib``).

``smtp://`` upgrades to TLS with STARTTLS whenever the server offers it (and says so in the
outcome when it does not); ``smtps://`` speaks TLS from the first byte. Every network step is
bounded by the configured timeout, and nothing is raised: the outcome says what happened, in
the server's own words, for the delivery record.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from urllib.parse import urlsplit

from tracker.settings_alerts import SMTP_SCHEMES

DETAIL_LIMIT = 500
# Header lines up to RFC 5322's hard limit, so a subject is not folded after its name.
SMTP_POLICY = SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class Outcome:
    """How one attempt ended: delivered or not, and the reply or error that says so."""

    delivered: bool
    detail: str

    @property
    def outcome(self) -> str:
        return "delivered" if self.delivered else "failed"


@dataclass(frozen=True)
class SmtpServer:
    """Where to send: from ``TRACKER_SMTP_URL``; ``tls_context`` for a private CA (tests)."""

    url: str
    timeout: float
    tls_context: ssl.SSLContext | None = None

    @property
    def implicit_tls(self) -> bool:
        return urlsplit(self.url).scheme == "smtps"

    @property
    def address(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        return parts.hostname or "localhost", parts.port or SMTP_SCHEMES[parts.scheme]

    def context(self) -> ssl.SSLContext:
        return self.tls_context or ssl.create_default_context()


def _clipped(text: str) -> str:
    return text if len(text) <= DETAIL_LIMIT else text[: DETAIL_LIMIT - 1] + "…"


def _connect(server: SmtpServer) -> tuple[smtplib.SMTP, str]:
    """An open, greeted connection, upgraded to TLS when offered; and how it is protected."""
    host, port = server.address
    if server.implicit_tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=server.timeout, context=server.context()
        )
        client.ehlo()
        return client, "TLS"
    client = smtplib.SMTP(host, port, timeout=server.timeout)
    client.ehlo()
    if not client.has_extn("starttls"):
        return client, "no TLS offered"
    client.starttls(context=server.context())
    client.ehlo()  # the capabilities again, now over TLS (RFC 3207)
    return client, "STARTTLS"


def send_email(server: SmtpServer, mail: EmailMessage) -> Outcome:
    """Hand ``mail`` to the server; delivered once the server accepted it for every recipient
    (its reply to the message's data is the outcome's detail)."""
    try:
        client, protection = _connect(server)
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(False, _clipped(f"cannot reach {server.address[0]}: {_reason(exc)}"))
    try:
        return _transaction(client, mail, protection)
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(False, _clipped(f"{protection}: {_reason(exc)}"))
    finally:
        _quit(client)


def _transaction(client: smtplib.SMTP, mail: EmailMessage, protection: str) -> Outcome:
    """MAIL, RCPT for each recipient, DATA: any refusal ends it as failed, with the reply."""
    recipients = [a.strip() for a in str(mail["To"]).split(",")]
    code, reply = client.mail(str(mail["From"]))
    if code != 250:
        return _refused(client, protection, "sender", code, reply)
    for recipient in recipients:
        code, reply = client.rcpt(recipient)
        if code not in (250, 251):
            return _refused(client, protection, f"recipient {recipient}", code, reply)
    code, reply = client.data(mail.as_bytes(policy=SMTP_POLICY))
    if code != 250:
        return _refused(client, protection, "message", code, reply)
    return Outcome(True, _clipped(f"{protection}: {code} {reply.decode(errors='replace')}"))


def _refused(client: smtplib.SMTP, protection: str, what: str, code: int, reply: bytes) -> Outcome:
    client.rset()
    text = f"{protection}: {what} refused: {code} {reply.decode(errors='replace')}"
    return Outcome(False, _clipped(text))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}"


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()
