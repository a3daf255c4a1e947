"""Failed sign-ins counted per (account, client address) with growing delays, and per address
over every name; each attempt counted before its password is checked.

A hard lock of the account let anyone lock anyone out (an admin included) with five wrong
passwords. Counting per (typed name, client) instead slows the one guessing without touching
the right person on their own machine: after ``free_failures`` failures that client waits
1 s, 2 s, 4 s... (at most ``max_delay_minutes``) before each further try for that name, and a
success from it starts over. The typed name is the key whether or not anybody has it, so a
refusal does not tell which names exist.

One address trying many names is braked too: after ``address_failures`` failures from it
within ``max_delay_minutes``, every name that already failed from there is refused until the
window ends. A name with no failure from there still gets its try, so one shared address (an
office behind NAT) cannot be used to lock everybody out. That count is the row whose account is
``ADDRESS_WIDE`` (no person may be called that); it trips audited, is listed for admins and
can be cleared, like a pair's.

Races: the attempt is counted *before* the (slow) password check and given back on success.
The address's row is incremented first, which takes its row lock on PostgreSQL (and the write
lock on SQLite) until the sign-in's transaction ends, so parallel attempts from one address
are decided one after the other and cannot all pass a check made before any was counted.

An IPv6 client is counted by its /64: one host usually owns the whole /64 and could otherwise
rotate through it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import SQLColumnExpression, and_, case, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.access.people import ADDRESS_WIDE, ANONYMOUS, UserError
from tracker.audit import AuditEntry
from tracker.db import changed_rows
from tracker.models import SignInFailure
from tracker.settings import SignInSettings

ACCOUNT_LENGTH = 100  # sign_in_failures.account, users.name
CLIENT_LENGTH = 64  # sign_in_failures.client
TYPED_ADDRESS_WIDE = "(*)"  # what a typed name equal to ADDRESS_WIDE is counted under
FORGET_BATCH = 1000


@dataclass(frozen=True)
class ThrottlePolicy:
    """Failures allowed before delays start, the first delay, the cap, when to forget, and
    the failures one address may make over every name within ``max_delay_minutes``."""

    free_failures: int = 5
    first_delay_seconds: float = 1.0
    max_delay_minutes: int = 15
    forget_after_hours: int = 24
    address_failures: int = 30

    @classmethod
    def from_settings(cls, sign_in: SignInSettings) -> ThrottlePolicy:
        return cls(
            free_failures=sign_in.max_failures,
            max_delay_minutes=sign_in.max_delay_minutes,
            address_failures=sign_in.client_limit,
        )

    @property
    def address_window(self) -> timedelta:
        return timedelta(minutes=self.max_delay_minutes)

    def delay(self, failures: int) -> timedelta:
        """The wait after ``failures`` failures: none while free, then doubling to the cap."""
        over = failures - self.free_failures
        if over < 0:
            return timedelta(0)
        seconds = self.first_delay_seconds * 2 ** min(over, 40)
        return timedelta(seconds=min(seconds, self.max_delay_minutes * 60))


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt as counted before its check. ``refused_until`` is set when it was
    refused without a check (and then not counted); the failures include this attempt."""

    account: str
    client: str
    pair_failures: int = 0
    address_failures: int = 0
    refused_until: datetime | None = None


def client_key(client: str | None) -> str:
    """The client as counted: an IPv4 address as is, an IPv6 address as its /64 (an
    IPv4-mapped one as the IPv4 address), anything else cut to the column."""
    try:
        address = ipaddress.ip_address((client or "").strip())
    except ValueError:
        return (client or "unknown")[:CLIENT_LENGTH]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def throttle_key(account: str, client: str) -> tuple[str, str]:
    """The stored (account, client): the typed name trimmed and cut to its column (a typed
    ``ADDRESS_WIDE`` counted apart from the address's row), the client as ``client_key``."""
    account = (account or "").strip()[:ACCOUNT_LENGTH]
    return (TYPED_ADDRESS_WIDE if account == ADDRESS_WIDE else account), client_key(client)


def _where(account: str, client: str):
    return and_(SignInFailure.account == account, SignInFailure.client == client)


def _row(session: Session, account: str, client: str) -> SignInFailure | None:
    return session.scalars(select(SignInFailure).where(_where(account, client))).one_or_none()


def blocked_until(session: Session, account: str, client: str, now: datetime) -> datetime | None:
    """When this client may next try this name, if that is still in the future."""
    row = _row(session, *throttle_key(account, client))
    if row is None or row.blocked_until is None or row.blocked_until <= now:
        return None
    return row.blocked_until


def _counted(
    session: Session,
    account: str,
    client: str,
    now: datetime,
    restart_before: datetime | None = None,
) -> SignInFailure:
    """The row with one more failure: an atomic increment (restarted at 1 when its first
    failure is older than ``restart_before``), or a new row; racing inserts fall back to the
    increment. The increment holds the row's lock until the transaction ends."""
    failures: SQLColumnExpression[int] = SignInFailure.failures + 1
    first: SQLColumnExpression[datetime] = SignInFailure.first_failed_at
    if restart_before is not None:
        stale = SignInFailure.first_failed_at <= restart_before
        failures = case((stale, 1), else_=failures)
        first = case((stale, now), else_=SignInFailure.first_failed_at)
    for _ in range(2):
        bumped = session.execute(
            update(SignInFailure)
            .where(_where(account, client))
            .values(failures=failures, first_failed_at=first, last_failed_at=now)
            .execution_options(synchronize_session=False)
        )
        if changed_rows(bumped):
            row = _row(session, account, client)
            if row is None:
                raise RuntimeError(f"sign-in failure row for {account!r} vanished mid-update")
            session.refresh(row)
            return row
        try:
            with session.begin_nested():
                row = SignInFailure(
                    account=account,
                    client=client,
                    failures=1,
                    first_failed_at=now,
                    last_failed_at=now,
                )
                session.add(row)
            return row
        except IntegrityError:
            continue
    raise RuntimeError("the sign-in failure count could not be written")


def _address_tripped_until(address: SignInFailure, policy: ThrottlePolicy) -> datetime | None:
    """The end of the address's window if it had used up its failures before this attempt."""
    if address.failures - 1 < policy.address_failures:
        return None
    return address.first_failed_at + policy.address_window


def reserve_attempt(
    session: Session, account: str, client: str, now: datetime, policy: ThrottlePolicy
) -> Attempt:
    """Count an attempt as failed before its password is checked, or refuse it.

    Refused (and not counted): the pair is waiting out its delay, or the address used up its
    failures and this name already failed from there. The caller then calls
    ``attempt_failed`` or ``attempt_succeeded`` in the same transaction.
    """
    account, client = throttle_key(account, client)
    _forget_old(session, now, policy)
    address = _counted(session, ADDRESS_WIDE, client, now, now - policy.address_window)
    pair = _row(session, account, client)
    until = pair.blocked_until if pair is not None and pair.blocked_until else None
    until = until if until is not None and until > now else None
    if until is None and pair is not None and pair.failures > 0:
        until = _address_tripped_until(address, policy)
    if until is not None:
        _give_back(session, address)
        return Attempt(account, client, refused_until=until)
    pair = _counted(session, account, client, now)
    delay = policy.delay(pair.failures)
    pair.blocked_until = now + delay if delay else None
    session.flush()
    return Attempt(account, client, pair.failures, address.failures)


def _give_back(session: Session, row: SignInFailure) -> None:
    """Take back one counted failure (the attempt was refused, or it succeeded)."""
    session.execute(
        update(SignInFailure)
        .where(SignInFailure.id == row.id)
        .values(failures=case((SignInFailure.failures > 0, SignInFailure.failures - 1), else_=0))
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)


def attempt_succeeded(session: Session, attempt: Attempt) -> None:
    """A success from this client starts its count for this name over and is not counted
    against the address."""
    session.execute(delete(SignInFailure).where(_where(attempt.account, attempt.client)))
    address = _row(session, ADDRESS_WIDE, attempt.client)
    if address is not None:
        _give_back(session, address)
        if address.failures == 0:  # an address that only ever succeeded keeps no row
            session.delete(address)
            session.flush()


def attempt_failed(session: Session, attempt: Attempt, policy: ThrottlePolicy) -> list[AuditEntry]:
    """The counted failure stands; the entries to audit when it makes the pair or the
    address wait (the sign-in use case writes them)."""
    trips = []
    if attempt.pair_failures == policy.free_failures:
        row = _row(session, attempt.account, attempt.client)
        trips.append(
            _trip(
                attempt.account or ANONYMOUS,
                "throttled",
                f"sign-in throttled for one client after {attempt.pair_failures} failures",
                client=attempt.client,
                failures=attempt.pair_failures,
                blocked_until=row.blocked_until if row else None,
            )
        )
    if attempt.address_failures >= policy.address_failures:
        address = _row(session, ADDRESS_WIDE, attempt.client)
        if address is None:
            return trips
        address.blocked_until = address.first_failed_at + policy.address_window
        session.flush()
        if attempt.address_failures == policy.address_failures:
            trips.append(
                _trip(
                    ADDRESS_WIDE,
                    "client_throttled",
                    f"sign-in throttled for one address after {attempt.address_failures} "
                    "failures over every name: names that failed from it wait",
                    client=attempt.client,
                    failures=attempt.address_failures,
                    blocked_until=address.blocked_until,
                )
            )
    return trips


def _trip(object_id: str, event: str, justification: str, **details) -> AuditEntry:
    return AuditEntry(
        actor=ANONYMOUS,
        action="user_change",
        object_type="user",
        object_id=object_id,
        justification=justification,
        details={"event": event, **details},
    )


def _forget_old(session: Session, now: datetime, policy: ThrottlePolicy) -> None:
    """Pairs quiet for ``forget_after_hours`` start over, and the table stays small. Rows
    another sign-in holds are skipped (left for the next), so sign-ins never wait on this."""
    cutoff = now - timedelta(hours=policy.forget_after_hours)
    old = (
        select(SignInFailure.id)
        .where(SignInFailure.last_failed_at < cutoff)
        .limit(FORGET_BATCH)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        delete(SignInFailure)
        .where(SignInFailure.id.in_(old))
        .execution_options(synchronize_session=False)
    )


def current_throttles(
    session: Session, now: datetime, policy: ThrottlePolicy
) -> list[SignInFailure]:
    """Pairs past their free failures and addresses past theirs in the current window, not
    yet forgotten, newest first (the Users page, `tracker users list`)."""
    cutoff = now - timedelta(hours=policy.forget_after_hours)
    pairs = and_(
        SignInFailure.account != ADDRESS_WIDE, SignInFailure.failures >= policy.free_failures
    )
    addresses = and_(
        SignInFailure.account == ADDRESS_WIDE,
        SignInFailure.failures >= policy.address_failures,
        SignInFailure.first_failed_at > now - policy.address_window,
    )
    return list(
        session.scalars(
            select(SignInFailure)
            .where(or_(pairs, addresses), SignInFailure.last_failed_at >= cutoff)
            .order_by(SignInFailure.last_failed_at.desc(), SignInFailure.id)
            .limit(500)
        )
    )


def remove_throttle(session: Session, account: str | None, client: str) -> tuple[str, str, int]:
    """Let this client try this name again at once, or (``account`` None or ``ADDRESS_WIDE``)
    give the address its failures back: the (account, client) cleared and its failures."""
    if account is None or account == ADDRESS_WIDE:
        key = (ADDRESS_WIDE, client_key(client))
    else:
        key = throttle_key(account, client)
    row = _row(session, *key)
    if row is None:
        what = "the address" if key[0] == ADDRESS_WIDE else repr(key[0])
        raise UserError(f"no sign-in throttle for {what} from {key[1]}")
    failures = row.failures
    session.delete(row)
    session.flush()
    return key[0], key[1], failures
