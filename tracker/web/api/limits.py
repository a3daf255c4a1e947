"""Calls a minute per token: a token bucket per key, kept in this process.

Each key (a token's name, or a client address whose tokens were refused) has a bucket of
``per_minute`` calls that refills continuously, so a system may burst up to its minute's
allowance and then goes at the steady rate. A refused call learns how many seconds until one
call is free again (``Retry-After``). Buckets are few (one per token), but refused addresses
could be many: past ``max_keys`` the least recently used bucket is forgotten (it would have
refilled anyway, long before so many others came).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock

MAX_KEYS = 10_000
REFUSAL_LOG_SECONDS = 60.0  # a key kept over its rate is written to the trail once a minute


@dataclass(frozen=True)
class Verdict:
    """Whether the call may go ahead; if not, seconds to wait, and whether this refusal is
    the first of its minute (the one written to the trail)."""

    allowed: bool
    retry_after: int = 0
    log_refusal: bool = False


@dataclass
class _Bucket:
    tokens: float
    updated: float
    refusal_logged: float = -math.inf


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ):
        if per_minute < 1:
            raise ValueError("a rate limit allows at least one call a minute")
        self.capacity = float(per_minute)
        self.per_second = per_minute / 60.0
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = Lock()

    def _bucket(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(self.capacity, now)
            self._buckets[key] = bucket
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            refill = (now - bucket.updated) * self.per_second
            bucket.tokens = min(self.capacity, bucket.tokens + refill)
            bucket.updated = now
        return bucket

    def _refused(self, bucket: _Bucket, now: float) -> Verdict:
        wait = math.ceil((1.0 - bucket.tokens) / self.per_second)
        log = now - bucket.refusal_logged >= REFUSAL_LOG_SECONDS
        if log:
            bucket.refusal_logged = now
        return Verdict(False, max(1, wait), log)

    def take(self, key: str) -> Verdict:
        """Spend one call of ``key``'s bucket, or say how long to wait."""
        with self._lock:
            now = self.clock()
            bucket = self._bucket(key, now)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return Verdict(True)
            return self._refused(bucket, now)

    def check(self, key: str) -> Verdict:
        """Whether ``key`` has a call left, without spending it."""
        with self._lock:
            now = self.clock()
            bucket = self._bucket(key, now)
            if bucket.tokens >= 1.0:
                return Verdict(True)
            return self._refused(bucket, now)
