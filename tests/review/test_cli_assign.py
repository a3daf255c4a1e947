"""`tracker review assign`: giving flags to a person, from the command line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from factories import add_flag, add_offender, add_run
from sqlalchemy import select

from tracker.cli import main
from tracker.db import transaction
from tracker.models import AuditEvent, Flag, User


@pytest.fixture
def cli(db_url):
    runner = CliRunner()

    def invoke(*args, user: str | None = None):
        prefix = ["--db", db_url] + (["--user", user] if user else [])
        return runner.invoke(main, [*prefix, *args])

    return invoke


@pytest.fixture
def flag_ids(cli, sessions):
    assert cli("users", "add", "ada", "--role", "admin").exit_code == 0
    for name, role in (("ann", "analyst"), ("sue", "supervisor"), ("liz", "liaison")):
        assert cli("users", "add", name, "--role", role, user="ada").exit_code == 0
    with transaction(sessions) as s:
        run = add_run(s)
        return [add_flag(s, add_offender(s), run).id for _ in range(3)]


def _assignees(sessions) -> dict[int, str | None]:
    with transaction(sessions) as s:
        rows = s.execute(
            select(Flag.id, User.name).outerjoin(User, User.id == Flag.assigned_to)
        ).all()
        return dict(rows)


def test_assign_to_a_person_to_me_and_back(cli, flag_ids, sessions):
    first, second, third = flag_ids
    result = cli("review", "assign", str(first), str(second), "--to", "sue", user="ann")
    assert result.exit_code == 0, result.output
    assert f"flags {first}, {second}: assigned to sue" in result.output
    assert cli("review", "assign", str(third), "--to", "me", user="ann").exit_code == 0
    assert _assignees(sessions) == {first: "sue", second: "sue", third: "ann"}

    mine = cli("review", "queue", "--assigned", "ann", "--format", "csv", user="ann")
    assert mine.exit_code == 0 and f"\n{third}," in mine.output
    assert f"\n{first}," not in mine.output

    result = cli("review", "assign", str(first), "--unassign", user="sue")
    assert result.exit_code == 0 and "unassigned" in result.output
    assert _assignees(sessions)[first] is None

    with transaction(sessions) as s:
        entries = list(
            s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "alteration", AuditEvent.object_type == "flag")
                .order_by(AuditEvent.id)
            )
        )
    assert [(e.actor, e.object_id, e.details["after"]) for e in entries] == [
        ("ann", str(first), "sue"),
        ("ann", str(second), "sue"),
        ("ann", str(third), "ann"),
        ("sue", str(first), None),
    ]
    assert entries[-1].details["before"] == "sue"


def test_assign_refuses_bad_people_flags_and_options(cli, flag_ids, sessions):
    first = str(flag_ids[0])
    refused = cli("review", "assign", first, "--to", "liz", user="ann")
    assert refused.exit_code == 1 and "does not review flags" in refused.output
    unknown = cli("review", "assign", first, "--to", "nobody", user="ann")
    assert unknown.exit_code == 1 and "unknown user 'nobody'" in unknown.output
    missing = cli("review", "assign", first, "999999", "--to", "me", user="ann")
    assert missing.exit_code == 1 and "no flag with id 999999" in missing.output
    assert _assignees(sessions)[flag_ids[0]] is None  # all or nothing
    both = cli("review", "assign", first, "--to", "ann", "--unassign", user="ann")
    assert both.exit_code == 2 and "either --to" in both.output
    assert cli("review", "assign", first, user="ann").exit_code == 2
    liaison = cli("review", "assign", first, "--to", "ann", user="liz")
    assert liaison.exit_code != 0 and "may not review.assign" in liaison.output


def _queue(cli, *args) -> list[str]:
    result = cli("review", "queue", "--format", "csv", *args, user="ann")
    assert result.exit_code == 0, result.output
    return [line.split(",")[0] for line in result.output.splitlines()[1:] if line]


@pytest.fixture
def named(cli, sessions):
    """Open flags: a name with an accent, a Cyrillic one, a Latin one, one with an alias."""
    from factories import add_travel

    from tracker.models import Alias

    assert cli("users", "add", "ada", "--role", "admin").exit_code == 0
    assert cli("users", "add", "ann", "--role", "analyst", user="ada").exit_code == 0
    with transaction(sessions) as s:
        run = add_run(s)
        muller = add_offender(s, offender_id="VR-S-1", family_name="MÜLLER", given_names="Jörg")
        cyrillic = add_offender(
            s, offender_id="VR-S-2", family_name="Жуковский", given_names="Юрий"
        )
        aliased = add_offender(s, offender_id="VR-S-3", family_name="SMITH", given_names="ANNA")
        latin = add_offender(s, offender_id="VR-S-4", family_name="WANG", given_names="XIAO MING")
        s.add(Alias(offender_pk=aliased.id, family_name="KOWALSKA", given_names="ANNA"))
        trip = add_travel(s, source="api-lhr", record_id="LHR000001003")
        ids = {
            "muller": add_flag(s, muller, run, severity="low").id,
            "cyrillic": add_flag(s, cyrillic, run, severity="high").id,
            "aliased": add_flag(s, aliased, run, severity="medium", travel_pk=trip.id).id,
            "latin": add_flag(s, latin, run, severity="low").id,
        }
        return {k: str(v) for k, v in ids.items()}


def test_queue_search_by_name_reference_travel_and_id(cli, named):
    assert _queue(cli, "--search", "MÜLLER") == [named["muller"]]
    assert _queue(cli, "--search", "müller Jörg") == [named["muller"]]
    assert _queue(cli, "--search", "Жуковский") == [named["cyrillic"]]  # as registered
    assert _queue(cli, "--search", "王 小明") == [named["latin"]]  # folded like the matcher
    assert _queue(cli, "--search", "xiao wang") == [named["latin"]]
    assert _queue(cli, "--search", "kowalska") == [named["aliased"]]  # an alias
    assert _queue(cli, "--search", "vr-s-2") == [named["cyrillic"]]
    assert _queue(cli, "--search", "LHR000001003") == [named["aliased"]]
    assert _queue(cli, "--search", "api-lhr/LHR000001003") == [named["aliased"]]
    assert _queue(cli, "--search", named["muller"]) == [named["muller"]]
    assert _queue(cli, "--search", "50%_") == []  # LIKE wildcards are literal


def test_queue_sort_by_a_column_either_way(cli, named):
    assert _queue(cli) == [named[k] for k in ("cyrillic", "aliased", "muller", "latin")]
    by_reference = [named[k] for k in ("muller", "cyrillic", "aliased", "latin")]
    assert _queue(cli, "--sort", "offender_id") == by_reference
    assert _queue(cli, "--sort", "offender_id:desc") == by_reference[::-1]
    least_first = [named[k] for k in ("muller", "latin", "aliased", "cyrillic")]  # ties: id
    assert _queue(cli, "--sort", "severity:desc") == least_first
    bad = cli("review", "queue", "--sort", "summary", user="ann")
    assert bad.exit_code == 2 and "cannot sort by 'summary'" in bad.output


def test_decide_several_flags_with_one_reason(cli, flag_ids, sessions):
    first, second, third = map(str, flag_ids)
    result = cli(
        "review",
        "decide",
        first,
        second,
        "--decision",
        "dismiss",
        "--reason",
        "not him",
        user="ann",
    )
    assert result.exit_code == 0, result.output
    assert f"flags {first}, {second}: dismiss recorded by ann" in result.output
    again = cli(
        "review", "decide", second, third, "--decision", "confirm", "--reason", "x", user="ann"
    )
    assert again.exit_code == 1 and f"flag {second} is already dismissed" in again.output
    with transaction(sessions) as s:
        statuses = dict(s.execute(select(Flag.id, Flag.status)).all())
    assert statuses[int(third)] == "open"  # all or nothing
