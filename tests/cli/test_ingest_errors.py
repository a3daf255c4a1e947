"""`tracker ingest` when the database refuses a load: one plain error line, whatever the kind
of SQLAlchemy error (only a statement's error carries the driver's message)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError, InvalidRequestError

import tracker.services.ingest


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (InvalidRequestError("the session is closed"), "the session is closed"),
        (
            IntegrityError("INSERT INTO offenders", {}, Exception("duplicate key value")),
            "duplicate key value",
        ),
    ],
)
def test_a_refused_load_is_one_error_line(cli, tmp_path, monkeypatch, error, shown):
    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(tracker.services.ingest, "ingest_files", refuse)
    result = cli("ingest", "offenders", tmp_path / "offenders.csv", user="ada")
    assert result.exit_code == 1
    assert f"Error: the database refused the load: {shown}" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
