"""Failed sign-ins counted per client address, whatever the names, in memory.

Each (name, client) pair is slowed in the database (``tracker.review.sign_in_throttle``); this
brake stops one address trying many names. It is keyed on the address the request really came
from (``tracker.web.clients``: a forwarded header only from a trusted proxy), so rotating
``X-Forwarded-For`` does not escape it. The counts live in the process: a restart forgets them,
which is acceptable for a brake that is not the only one.
"""

from __future__ import annotations

from collections import deque
from threading import Lock


class SignInThrottle:
    def __init__(self, limit: int, window_seconds: float):
        self.limit = limit
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.setdefault(client, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, client: str, now: float) -> bool:
        with self._lock:
            return len(self._recent(client, now)) >= self.limit

    def failed(self, client: str, now: float) -> None:
        with self._lock:
            self._recent(client, now).append(now)
            if len(self._failures) > 10_000:  # bound the memory a flood of addresses can take
                self._failures = {k: v for k, v in self._failures.items() if v}

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
