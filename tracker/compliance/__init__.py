"""Compliance rules: jurisdiction profiles as data, read by one pure evaluator.

``profiles/*.json`` hold every period, deadline and counting convention with the section it
comes from (``profile.py`` validates them); ``evaluator.py`` turns an offender's facts into
flag candidates as of a date, with one rule family a module (``*_rules.py``). The database
side lives in ``tracker.services.compliance``.
"""

from tracker.compliance.evaluator import Evaluator, notification_period_end, resolution_reason
from tracker.compliance.facts import (
    CustodyPeriod,
    FlagCandidate,
    NotificationFacts,
    OffenderEvaluation,
    OffenderFacts,
    TravelFacts,
)
from tracker.compliance.profile import Profile, ProfileError, load_profile, load_profiles
from tracker.compliance.situation import flag_key

__all__ = [
    "CustodyPeriod",
    "Evaluator",
    "FlagCandidate",
    "NotificationFacts",
    "OffenderEvaluation",
    "OffenderFacts",
    "Profile",
    "ProfileError",
    "TravelFacts",
    "flag_key",
    "load_profile",
    "load_profiles",
    "notification_period_end",
    "resolution_reason",
]
