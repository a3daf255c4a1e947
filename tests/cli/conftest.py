"""The command line as its tests drive it: one database, the data folder under the test's
own folder, and ada, the first user and an admin."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tracker.cli import main


@pytest.fixture
def cli(db_url, tmp_path):
    """``cli(*args, user=NAME)`` runs one command as NAME (or nobody)."""
    runner = CliRunner()
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data")}

    def invoke(*args, user: str | None = None):
        prefix = ["--db", db_url] + (["--user", user] if user else [])
        return runner.invoke(main, [*prefix, *map(str, args)], env=env)

    assert invoke("users", "add", "ada", "--role", "admin").exit_code == 0
    return invoke
