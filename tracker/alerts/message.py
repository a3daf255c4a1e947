"""The alert's words: built from the allow-list in ``tracker.schemas.alerts``, rendered once as
an e-mail and once as the webhook's JSON body, so both channels say the same minimum."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from tracker.models import Alert
from tracker.schemas.alerts import AlertMessage

SUBJECT_PREFIX = {"raised": "LEVEL ONE alert", "escalated": "ESCALATED level one alert"}


def flag_url(base_url: str, flag_id: int) -> str:
    """The flag's page: absolute when ``TRACKER_WEB_BASE_URL`` is set, else from the root."""
    return f"{base_url.rstrip('/')}/flags/{flag_id}"


def duty_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/duty"


def alert_message(alert: Alert, base_url: str, event: str = "raised") -> AlertMessage:
    """The minimum about ``alert`` (no names, no address: see the schema)."""
    return AlertMessage(
        event=event,  # type: ignore[arg-type]  # checked by the schema's Literal
        alert_id=alert.id,
        severity=alert.severity,
        flight=alert.flight,
        departure_time=alert.departure_time,
        raised_at=alert.raised_at,
        flag_url=flag_url(base_url, alert.flag_id),
        duty_url=duty_url(base_url),
        acknowledge_command=f"tracker alerts ack {alert.id} --as YOUR-NAME",
    )


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "not known"


def subject(message: AlertMessage) -> str:
    flight = f"flight {message.flight}" if message.flight else "flight not known"
    return (
        f"{SUBJECT_PREFIX[message.event]} {message.alert_id}: {flight}, "
        f"departs {_when(message.departure_time)}"
    )


def body_text(message: AlertMessage) -> str:
    """The e-mail's text: what, when, where to look and how to acknowledge."""
    lead = (
        "A level-one case needs the duty officer now."
        if message.event == "raised"
        else "This level-one alert has not been acknowledged in time: it is escalated to you."
    )
    return "\n".join(
        [
            lead,
            "",
            f"Alert:      {message.alert_id}",
            f"Severity:   {message.severity}",
            f"Flight:     {message.flight or 'not known'}",
            f"Departure:  {_when(message.departure_time)}",
            f"Raised:     {_when(message.raised_at)}",
            f"Flag:       {message.flag_url}",
            "",
            "Open the flag to see who and why (the opening is logged).",
            f"Acknowledge on the duty page ({message.duty_url}) or with",
            f"  {message.acknowledge_command}",
            "",
            "Do not forward this message outside the unit.",
        ]
    )


def email_message(message: AlertMessage, sender: str, recipients: list[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = subject(message)
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Message-ID"] = make_msgid(idstring=f"alert-{message.alert_id}-{message.event}")
    mail["X-Priority"] = "1"
    mail["Importance"] = "high"
    mail.set_content(body_text(message))
    return mail


def webhook_body(message: AlertMessage) -> bytes:
    """The exact bytes the signature covers."""
    return message.model_dump_json().encode("utf-8")
