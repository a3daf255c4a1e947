"""Typed ORM models, one module per aggregate; importing this registers every table."""

from tracker.models.audit import AuditEvent, AuditEventValues, AuditHead
from tracker.models.base import Base
from tracker.models.flag import Decision, Flag
from tracker.models.link import Link, MatchModel, PairLabel
from tracker.models.notification import Notification
from tracker.models.offender import Alias, Document, Offender
from tracker.models.package import Disclosure, Package
from tracker.models.publication import Publication
from tracker.models.run import Run, RunLock
from tracker.models.screening import Alert, AlertDelivery, ApiToken, Screening, ScreeningHit
from tracker.models.travel import Reject, SourceFile, TravelRecord
from tracker.models.user import SignInFailure, User

__all__ = [
    "Alert",
    "AlertDelivery",
    "Alias",
    "ApiToken",
    "AuditEvent",
    "AuditEventValues",
    "AuditHead",
    "Base",
    "Decision",
    "Disclosure",
    "Document",
    "Flag",
    "Link",
    "MatchModel",
    "Notification",
    "Offender",
    "Package",
    "PairLabel",
    "Publication",
    "Reject",
    "Run",
    "RunLock",
    "Screening",
    "ScreeningHit",
    "SignInFailure",
    "SourceFile",
    "TravelRecord",
    "User",
]
