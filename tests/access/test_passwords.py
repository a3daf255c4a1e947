"""The application hashes passwords at argon2's production cost: the test suite lowers it
in its own processes (tests/conftest.py), so this asks a fresh process, as the app runs."""

from __future__ import annotations

import subprocess
import sys

from argon2 import extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY

from tracker.access.passwords import hash_password, verify_password

HASH_IN_A_FRESH_PROCESS = (
    "from tracker.access.passwords import hash_password; "
    "print(hash_password('correct horse battery staple'))"
)


def test_the_application_hashes_at_the_production_cost():
    made = subprocess.run(
        [sys.executable, "-c", HASH_IN_A_FRESH_PROCESS],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    cost = extract_parameters(made)
    assert (cost.time_cost, cost.memory_cost, cost.parallelism) == (3, 65536, 4)
    assert cost == RFC_9106_LOW_MEMORY
    assert verify_password(made, "correct horse battery staple")  # any cost checks anywhere


def test_the_tests_hash_at_the_lowest_cost():
    cost = extract_parameters(hash_password("correct horse battery staple"))
    assert (cost.time_cost, cost.memory_cost, cost.parallelism) == (1, 8, 1)
