"""The house rules that hold the layers apart (../shared/ARCHITECTURE.md, issue 20), read off
the source: the front ends never check a role or write the audit trail, and a module holds one
concept in under about 400 lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tracker"
ADAPTERS = ("cli", "web")
# What deciding or auditing looks like in code: the use cases in tracker/services do it.
USE_CASE_ONLY = re.compile(r"\b(record_events?|require_actor|allowed)\s*\(|\.role\b|PERMISSIONS")
MAX_LINES = 400


def _modules(*parts: str) -> list[Path]:
    return sorted((PACKAGE.joinpath(*parts)).rglob("*.py"))


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_front_ends_neither_check_roles_nor_write_the_audit_trail(adapter):
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in _modules(adapter)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if USE_CASE_ONLY.search(line)
    ]
    assert found == []


def test_every_module_is_under_the_size_of_one_concept():
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in _modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
