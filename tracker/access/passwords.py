"""Passwords for signing in to the web application: argon2 hashes and the rules a new one
must meet. Setting, checking and changing them, with their audit entries, are use cases in
``tracker.services.people`` (an admin sets one) and ``tracker.services.account`` (a person
signs in, signs out or changes their own).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from tracker.access.people import UserError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; a bound keeps a request from costing much

_hasher = PasswordHasher()
# Verified against when the name is unknown or has no password, so that a refusal takes as
# long as a real check and the timing does not tell which names exist.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def use_hash_cost(time_cost: int, memory_kib: int) -> None:
    """Hash (and time refusals) at this argon2 cost from now on in this process. Only the test
    suite calls it, to sign in thousands of times cheaply; nothing in the application does."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
    _DUMMY_HASH = _hasher.hash("not a password of anyone")


class PasswordError(UserError):
    """A password could not be set as asked (too short, unknown user...)."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters "
            "(three random words make a good one)"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordError(f"a password may have at most {MAX_PASSWORD_LENGTH} characters")
    if password.strip().casefold() == name.strip().casefold():
        raise PasswordError("a password may not be the user's name")


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` is the one hashed; as slow for no hash as for a real one."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Hashed with older parameters than today's: rehash it while the password is at hand."""
    return _hasher.check_needs_rehash(password_hash)


def typed(password: str | None) -> str:
    """A typed password cut to the longest allowed (a long one must not cost much to check)."""
    return (password or "")[:MAX_PASSWORD_LENGTH]
