"""Permission-matrix rows for people, audit, packages, keys and the feed."""

from __future__ import annotations

from service_matrix import ServiceCase

CASES: list[ServiceCase] = []
