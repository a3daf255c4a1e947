"""A small in-process cache with a time limit, for drawings and form choices that are costly
to make on every request and harmless when a few minutes old."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from threading import Lock
from typing import TypeVar

T = TypeVar("T")


class TimedCache:
    """Values by key, forgotten after ``ttl`` seconds (and all at once when ``size`` is hit)."""

    def __init__(self, ttl: float = 300.0, size: int = 64):
        self.ttl, self.size = ttl, size
        self._items: dict[Hashable, tuple[float, object]] = {}
        self._lock = Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
            if hit and now - hit[0] < self.ttl:
                return hit[1]  # type: ignore[return-value]
        value = make()
        with self._lock:
            if len(self._items) >= self.size:
                self._items.clear()
            self._items[key] = (now, value)
        return value
