"""The typed link explanation reads the JSON links already hold and writes the same JSON."""

from __future__ import annotations

import json

import pytest
from factories import add_link, add_offender, add_run, add_travel
from pydantic import ValidationError
from sqlalchemy import select, text, update

from tracker.db import transaction
from tracker.models import Link
from tracker.schemas.explanation import ExplainedField, LinkExplanation, NameUsed

# As links hold them today (written by the matcher before the type existed), byte for byte.
STORED = [
    '{"prior_weight": -11.7251, "fields": [{"field": "family_name", "level": 3, '
    '"label": "exact", "weight": 5.7873}, {"field": "given_names", "level": 7, "label": '
    '"exact", "weight": 4.8017}, {"field": "name_order", "level": 2, "label": "family '
    'and given names in their fields", "weight": 0.0004}, {"field": "date_of_birth", '
    '"level": 6, "label": "exact", "weight": 11.4388}, {"field": "document", "level": '
    '0, "label": "different document", "weight": -0.8923}, {"field": "sex", "level": 1, '
    '"label": "same", "weight": 0.9994}, {"field": "nationality", "level": 1, "label": '
    '"one of the register\'s", "weight": 2.6359}, {"field": "name_frequency", "level": '
    'null, "label": "whole name shared by other travellers (names, sex and nationality '
    'counted together, not one by one)", "weight": -0.0846}], "total_weight": 12.9615, '
    '"probability": 0.999875, "name_used": {"source": "register name", "family": '
    '"ROBERTS", "given": "WEI"}, "order_swapped": false}',
    '{"prior_weight": -9.5, "fields": [{"field": "family_name", "level": 0, "label": '
    '"different", "weight": -4.1}, {"field": "conflict", "level": null, "label": "birth date '
    'or given names conflict and no document agrees", "weight": -3.0}], "total_weight": '
    '-16.6, "probability": 1e-05, "name_used": {"source": null, "family": null, "given": '
    'null}, "order_swapped": false}',
]


@pytest.mark.parametrize("stored", STORED)
def test_stored_json_reads_and_writes_back_unchanged(stored):
    explanation = LinkExplanation.from_json(json.loads(stored))
    assert json.dumps(explanation.to_json()) == stored


def test_the_fields_are_typed():
    explanation = LinkExplanation.from_json(json.loads(STORED[0]))
    assert explanation.order_swapped is False
    assert explanation.name_used == NameUsed("register name", "ROBERTS", "WEI")
    assert explanation.fields[0] == ExplainedField("family_name", 3, "exact", 5.7873)
    assert explanation.fields[-1].level is None
    assert isinstance(explanation.fields, tuple)


def test_an_empty_explanation_is_none():
    assert LinkExplanation.from_json({}) is None
    assert LinkExplanation.from_json(None) is None


def test_a_stored_form_of_another_shape_is_refused():
    with pytest.raises(ValidationError):
        LinkExplanation.from_json({"fields": []})


RAW = text("SELECT CAST(explanation AS TEXT) FROM links WHERE id = :id")


def _link(session):
    offender = add_offender(session)
    travel = add_travel(session)
    return add_link(session, add_run(session), travel, offender, 0.98)


def test_the_links_column_reads_and_writes_the_type(sessions):
    explanation = LinkExplanation.from_json(json.loads(STORED[0]))
    with transaction(sessions) as s:
        link = _link(s)
        link_id = link.id
        link.explanation = explanation
    with transaction(sessions) as s:
        assert s.get(Link, link_id).explanation == explanation
        raw = s.execute(RAW, {"id": link_id})
        assert json.loads(raw.scalar_one()) == json.loads(STORED[0])


def test_a_link_written_before_the_type_reads_as_the_type(sessions):
    with transaction(sessions) as s:
        link_id = _link(s).id
        s.execute(
            text("UPDATE links SET explanation = :stored WHERE id = :id"),
            {"stored": STORED[1], "id": link_id},
        )
    with transaction(sessions) as s:
        read = s.scalar(select(Link.explanation).where(Link.id == link_id))
        assert read == LinkExplanation.from_json(json.loads(STORED[1]))


def test_a_link_without_an_explanation_reads_none_and_stays_an_empty_object(sessions):
    with transaction(sessions) as s:
        link_id = _link(s).id  # the factory writes {}
        s.execute(update(Link).where(Link.id == link_id).values(explanation=None))
    with transaction(sessions) as s:
        assert s.get(Link, link_id).explanation is None
        raw = s.execute(RAW, {"id": link_id})
        assert json.loads(raw.scalar_one()) == {}
