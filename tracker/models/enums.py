"""The closed vocabularies of the data contract, in one place.

Schemas validate input against them, models turn them into CHECK constraints, and the CLI
offers them as choices, so a new value is added here once. Each is a ``Literal`` type, for the
type checker, and the tuple of its values, for code that lists them.
"""

from typing import Literal, TypeVar, get_args

Member = TypeVar("Member", bound=str | int)


def member_of(vocabulary: tuple[Member, ...], value: object) -> Member:
    """``value`` as a member of ``vocabulary``, for a value read back from a column whose CHECK
    constraint holds it to that vocabulary (so a miss is a bug, raised as one)."""
    for allowed in vocabulary:
        if allowed == value:
            return allowed
    raise ValueError(f"{value!r} is not one of {', '.join(map(str, vocabulary))}")


Sex = Literal["M", "F", "X"]
SEXES: tuple[Sex, ...] = get_args(Sex)
TravelSex = Literal["M", "F", "X", "U"]
TRAVEL_SEXES: tuple[TravelSex, ...] = get_args(TravelSex)
Jurisdiction = Literal["uk-ew", "us-sorna"]
JURISDICTIONS: tuple[Jurisdiction, ...] = get_args(Jurisdiction)
Tier = Literal[1, 2, 3]
TIERS: tuple[Tier, ...] = get_args(Tier)
RiskLevel = Literal["low", "medium", "high", "very_high"]
RISK_LEVELS: tuple[RiskLevel, ...] = get_args(RiskLevel)
OffenderStatus = Literal["active", "in_custody", "wanted", "deceased", "removed"]
OFFENDER_STATUSES: tuple[OffenderStatus, ...] = get_args(OffenderStatus)
AliasKind = Literal["alias", "previous_name", "nickname", "transliteration"]
ALIAS_KINDS: tuple[AliasKind, ...] = get_args(AliasKind)
DocType = Literal["P", "I", "V", "D", "O"]
DOC_TYPES: tuple[DocType, ...] = get_args(DocType)
NotificationKind = Literal[
    "initial",
    "periodic",
    "change_name",
    "change_address",
    "change_other",
    "weekly",
    "foreign_travel",
    "travel_return",
]
NOTIFICATION_KINDS: tuple[NotificationKind, ...] = get_args(NotificationKind)
# `transit`: a journey that neither leaves nor enters the home country (data contract 1.1);
# still matched and shown, but the travel rules apply to `out` and `in` alone.
Direction = Literal["out", "in", "transit"]
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)
TravellerKind = Literal["passenger", "crew"]
TRAVELLER_KINDS: tuple[TravellerKind, ...] = get_args(TravellerKind)
LinkBand = Literal["match", "review"]
LINK_BANDS: tuple[LinkBand, ...] = get_args(LinkBand)
FlagKind = Literal[
    "unnotified_travel",
    "late_travel_notification",
    "travel_details_mismatch",
    "missing_return_notification",
    "late_initial",
    "late_change",
    "overdue_periodic",
    "overdue_weekly",
    "whereabouts_unknown",
    # raised by screening before travel happens (data contract 1.1; domain.md, level one)
    "pending_departure_without_notice",
]
FLAG_KINDS: tuple[FlagKind, ...] = get_args(FlagKind)
Severity = Literal["critical", "high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
FlagStatus = Literal["open", "confirmed", "dismissed", "actioned", "resolved"]
FLAG_STATUSES: tuple[FlagStatus, ...] = get_args(FlagStatus)
Decision = Literal["confirm", "dismiss", "escalate"]
DECISIONS: tuple[Decision, ...] = get_args(Decision)
Role = Literal["analyst", "supervisor", "liaison", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
AuditAction = Literal[
    "collection",
    "alteration",
    "consultation",
    "disclosure",
    "combination",
    "erasure",
    "decision",
    "publication",
    "user_change",
]
AUDIT_ACTIONS: tuple[AuditAction, ...] = get_args(AuditAction)
# partial: every stage ran, but a file was quarantined or skipped (data contract 1.1, exit 3)
RunStatus = Literal["running", "succeeded", "partial", "failed"]
RUN_STATUSES: tuple[RunStatus, ...] = get_args(RunStatus)
RunKind = Literal["nightly", "ingest", "match", "evaluate"]
RUN_KINDS: tuple[RunKind, ...] = get_args(RunKind)
InputKind = Literal["offenders", "aliases", "documents", "notifications", "travel"]
INPUT_KINDS: tuple[InputKind, ...] = get_args(InputKind)
InputFormat = Literal["csv", "jsonl", "paxlst", "pnrgov"]
INPUT_FORMATS: tuple[InputFormat, ...] = get_args(InputFormat)
PairLabel = Literal["match", "non_match"]
PAIR_LABELS: tuple[PairLabel, ...] = get_args(PairLabel)
PublicationState = Literal["approved", "withdrawn"]
PUBLICATION_STATES: tuple[PublicationState, ...] = get_args(PublicationState)
HandlingCode = Literal["P", "C"]
HANDLING_CODES: tuple[HandlingCode, ...] = get_args(HandlingCode)
TokenScope = Literal["manifests:write", "screenings:read"]
TOKEN_SCOPES: tuple[TokenScope, ...] = get_args(TokenScope)
# received: stored, not yet screened; screened: hits written; failed: the body could not be read
ScreeningStatus = Literal["received", "screened", "failed"]
SCREENING_STATUSES: tuple[ScreeningStatus, ...] = get_args(ScreeningStatus)
AlertState = Literal["raised", "acknowledged", "escalated"]
ALERT_STATES: tuple[AlertState, ...] = get_args(AlertState)
AlertChannel = Literal["email", "webhook", "escalation_email"]
ALERT_CHANNELS: tuple[AlertChannel, ...] = get_args(AlertChannel)
DeliveryOutcome = Literal["delivered", "failed"]
DELIVERY_OUTCOMES: tuple[DeliveryOutcome, ...] = get_args(DeliveryOutcome)
