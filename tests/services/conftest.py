"""The service tests' helpers (the permission matrix's world and rows) import by name."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screening_world import world  # noqa: F401  (the screening tests' fixture)
