"""Profiles are data: validated, cited, and a new jurisdiction is a new file."""

from __future__ import annotations

import json
from datetime import date

import pytest
from compliance_facts import kinds, leg, note, offender

from tracker.compliance import Evaluator, ProfileError, load_profile, load_profiles
from tracker.compliance.profile import PROFILES_DIR, Rule
from tracker.models.enums import FLAG_KINDS, JURISDICTIONS


def _rules(model, path="profile"):
    """Every rule object inside a profile, with where it sits."""
    for name, value in model:
        if isinstance(value, Rule):
            yield f"{path}.{name}", value
            yield from _rules(value, f"{path}.{name}")
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if isinstance(item, Rule):
                    yield f"{path}.{name}[{i}]", item


def test_there_is_a_profile_for_every_jurisdiction_of_the_contract():
    assert set(load_profiles()) == set(JURISDICTIONS)


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_every_rule_of_a_profile_names_the_section_it_comes_from(jurisdiction):
    profile = load_profiles()[jurisdiction]
    rules = dict(_rules(profile))
    assert len(rules) > 8
    for where, rule in rules.items():
        assert rule.basis.strip(), f"{where} has no basis"


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_every_flag_kind_has_a_default_severity(jurisdiction):
    assert set(load_profiles()[jurisdiction].severity.default) == set(FLAG_KINDS)


def test_facts_domain_md_marks_to_confirm_are_settings_marked_so():
    uk = load_profiles()["uk-ew"]
    assert uk.foreign_travel.short_notice.to_confirm
    assert uk.foreign_travel.short_notice.hours == 12
    assert uk.travel_return.to_confirm
    assert any(r.to_confirm for r in uk.not_evaluated)


def _copy_of_uk(tmp_path, name: str, **changes) -> None:
    raw = json.loads((PROFILES_DIR / "uk-ew.json").read_text())
    raw["id"] = name
    for dotted, value in changes.items():
        target = raw
        *parents, leaf = dotted.split(".")
        for part in parents:
            target = target[part]
        target[leaf] = value
    (tmp_path / f"{name}.json").write_text(json.dumps(raw))


def test_adding_a_jurisdiction_is_adding_a_file(tmp_path):
    _copy_of_uk(tmp_path, "xx-test", **{"foreign_travel.notice_days": 14})
    evaluator = Evaluator(load_profiles(tmp_path))
    person = offender(jurisdiction="xx-test", requirement_start=date(2026, 1, 5))
    notes = [
        note("initial", date(2026, 1, 5), effective_on=date(2026, 1, 5)),
        note(
            "foreign_travel",
            date(2026, 6, 5),
            departure_date=date(2026, 6, 15),
            return_date=date(2026, 6, 25),
            destination_countries=("THA",),
        ),
    ]
    trip = [leg("out", date(2026, 6, 15)), leg("in", date(2026, 6, 25))]
    result = evaluator.evaluate(person, notes, trip, date(2026, 7, 1))
    assert kinds(result) == ["late_travel_notification"]
    assert result.candidates[0].rule.startswith("xx-test foreign_travel")


def test_a_profile_whose_id_differs_from_its_file_name_is_refused(tmp_path):
    _copy_of_uk(tmp_path, "xx-test")
    (tmp_path / "xx-test.json").rename(tmp_path / "other.json")
    with pytest.raises(ProfileError, match="other.json.*must be 'other'"):
        load_profile(tmp_path / "other.json")


def test_a_profile_without_a_severity_for_every_kind_is_refused(tmp_path):
    _copy_of_uk(tmp_path, "xx-test")
    raw = json.loads((tmp_path / "xx-test.json").read_text())
    del raw["severity"]["default"]["overdue_weekly"]
    (tmp_path / "xx-test.json").write_text(json.dumps(raw))
    with pytest.raises(ProfileError, match="xx-test.json.*overdue_weekly"):
        load_profile(tmp_path / "xx-test.json")


def test_a_profile_with_an_unreadable_period_is_refused(tmp_path):
    _copy_of_uk(tmp_path, "xx-test", **{"periodic.interval": "one year"})
    with pytest.raises(ProfileError, match="cannot read period 'one year'"):
        load_profile(tmp_path / "xx-test.json")


def test_an_offender_of_an_unknown_jurisdiction_is_named(tmp_path):
    evaluator = Evaluator(load_profiles())
    with pytest.raises(ProfileError, match="VR-9.*'xx-none'"):
        evaluator.evaluate(offender(offender_id="VR-9", jurisdiction="xx-none"), as_of=date.today())
