"""`tracker demo`: a newcomer's first command leaves people to sign in as, the command that
serves the demo, uncertain links to review and a public feed with someone on it."""

from __future__ import annotations

import json
import re
import shlex

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tracker.access.passwords import verify_password
from tracker.cli import main
from tracker.db import make_engine, make_session_factory, transaction
from tracker.models import Link, Publication, User
from tracker.models.enums import ROLES

PERSON = re.compile(r"^  (demo-\w+)\s+(\w+)\s+password (\S+)$", re.M)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("demo") / "tracker-demo"
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    result = CliRunner().invoke(
        main, ["demo", "--workdir", str(workdir)], env={"TRACKER_DATA_DIR": str(elsewhere)}
    )
    assert result.exit_code == 0, result.output
    return workdir.resolve(), result.output


def test_demo_prints_one_person_per_role_who_can_sign_in(demo_run):
    workdir, output = demo_run
    people = PERSON.findall(output)
    assert sorted(role for _, role, _ in people) == sorted(ROLES)
    engine = make_engine(f"sqlite:///{workdir / 'tracker.db'}")
    try:
        with transaction(make_session_factory(engine)) as s:
            for name, role, password in people:
                user = s.scalars(select(User).where(User.name == name)).one()
                assert user.role == role and user.active
                assert verify_password(user.password_hash, password)
    finally:
        engine.dispose()


def test_demo_prints_the_command_that_serves_its_database(demo_run):
    workdir, output = demo_run
    line = next(x.strip() for x in output.splitlines() if x.strip().endswith(" serve"))
    words = shlex.split(line)
    assert words[0] == f"TRACKER_DATA_DIR={workdir / 'tracker-data'}"
    assert words[1].endswith("tracker") and words[2] == "--db"
    assert words[3] == f"sqlite:///{(workdir / 'tracker.db').as_posix()}"
    assert "tracker demo --serve" in output


def test_demo_has_uncertain_links_and_someone_on_the_feed(demo_run):
    workdir, output = demo_run
    engine = make_engine(f"sqlite:///{workdir / 'tracker.db'}")
    try:
        with transaction(make_session_factory(engine)) as s:
            bands = dict(s.execute(select(Link.band, func.count()).group_by(Link.band)).all())
            approved = s.scalar(
                select(func.count()).select_from(Publication).where(Publication.state == "approved")
            )
    finally:
        engine.dispose()
    assert bands.get("review", 0) >= 5 and bands["match"] > 100
    assert approved == 1
    feed = json.loads((workdir / "outbox" / "most-wanted.json").read_text(encoding="utf-8"))
    assert feed["total"] == 1
    assert "public feed VR-" in output


def test_demo_serve_starts_the_web_application_on_the_demo(tmp_path, monkeypatch):
    import uvicorn

    served: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    workdir = tmp_path / "demo"
    result = CliRunner().invoke(
        main, ["demo", "--workdir", str(workdir), "--serve", "--port", "8765"]
    )
    assert result.exit_code == 0, result.output
    settings = served["app"].state.settings
    assert settings.database_url == f"sqlite:///{(workdir.resolve() / 'tracker.db').as_posix()}"
    assert settings.data_dir == workdir.resolve() / "tracker-data"
    assert served["port"] == 8765 and served["host"] == "127.0.0.1"
    served["app"].state.engine.dispose()
