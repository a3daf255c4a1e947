"""The closed vocabularies of the data contract, in one place.

Schemas validate input against them, models turn them into CHECK constraints, and the CLI
offers them as choices, so a new value is added here once.
"""

SEXES = ("M", "F", "X")
TRAVEL_SEXES = ("M", "F", "X", "U")
JURISDICTIONS = ("uk-ew", "us-sorna")
TIERS = (1, 2, 3)
RISK_LEVELS = ("low", "medium", "high", "very_high")
OFFENDER_STATUSES = ("active", "in_custody", "wanted", "deceased", "removed")
ALIAS_KINDS = ("alias", "previous_name", "nickname", "transliteration")
DOC_TYPES = ("P", "I", "V", "D", "O")
NOTIFICATION_KINDS = (
    "initial",
    "periodic",
    "change_name",
    "change_address",
    "change_other",
    "weekly",
    "foreign_travel",
    "travel_return",
)
# `transit`: a journey that neither leaves nor enters the home country (data contract 1.1);
# still matched and shown, but the travel rules apply to `out` and `in` alone.
DIRECTIONS = ("out", "in", "transit")
TRAVELLER_KINDS = ("passenger", "crew")
LINK_BANDS = ("match", "review")
FLAG_KINDS = (
    "unnotified_travel",
    "late_travel_notification",
    "travel_details_mismatch",
    "missing_return_notification",
    "late_initial",
    "late_change",
    "overdue_periodic",
    "overdue_weekly",
    "whereabouts_unknown",
)
SEVERITIES = ("critical", "high", "medium", "low")
FLAG_STATUSES = ("open", "confirmed", "dismissed", "actioned", "resolved")
DECISIONS = ("confirm", "dismiss", "escalate")
ROLES = ("analyst", "supervisor", "liaison", "admin")
AUDIT_ACTIONS = (
    "collection",
    "alteration",
    "consultation",
    "disclosure",
    "combination",
    "erasure",
    "decision",
    "publication",
    "user_change",
)
# partial: every stage ran, but a file was quarantined or skipped (data contract 1.1, exit 3)
RUN_STATUSES = ("running", "succeeded", "partial", "failed")
RUN_KINDS = ("nightly", "ingest", "match", "evaluate")
INPUT_KINDS = ("offenders", "aliases", "documents", "notifications", "travel")
INPUT_FORMATS = ("csv", "jsonl", "paxlst")
PAIR_LABELS = ("match", "non_match")
PUBLICATION_STATES = ("approved", "withdrawn")
HANDLING_CODES = ("P", "C")
