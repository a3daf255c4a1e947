"""package.json's schema: published as generated, closed at every level, and holding no field
that must stay in the unit."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tracker.schemas.package import (
    PUBLISHED_SCHEMA,
    SCHEMA_VERSION,
    Grading,
    IntelligencePackage,
    Manifest,
    package_json_schema,
    render_json_schema,
)

# Register and workflow fields that never go abroad (domain.md s.3, data-contract.md).
NEVER_SENT = {
    "address",
    "address_line",
    "postcode",
    "home_address",
    "description",
    "notes",
    "note",
    "offender_id",
    "public_id",
    "managing_force",
    "last_known_area",
    "photo_ref",
    "height_cm",
    "summary",
    "rule",
    "reason",
    "justification",
    "victim",
    "source_file_id",
    "record_id",
    "flag_id",
    "evidence",
}


def _objects(schema: dict):
    yield schema
    yield from schema.get("$defs", {}).values()


def test_the_published_schema_is_the_models_current_schema():
    committed = PUBLISHED_SCHEMA.read_text(encoding="utf-8")
    assert committed == render_json_schema(), (
        "docs/package.schema.json is stale: run `python -m tracker.schemas.package`"
    )


def test_every_object_in_the_schema_is_closed():
    for obj in _objects(package_json_schema()):
        if obj.get("type") == "object":
            assert obj.get("additionalProperties") is False, obj.get("title")


def test_no_restricted_field_is_in_the_schema():
    names = set()
    for obj in _objects(package_json_schema()):
        names |= set(obj.get("properties", {}))
    assert not names & NEVER_SENT
    assert {
        "schema_version",
        "package_id",
        "sending_unit",
        "recipient",
        "legal",
        "grading",
        "subject",
        "offence_category",
        "risk_level",
        "registration",
        "travel",
        "match",
    } <= names


def test_the_schema_version_is_a_constant():
    schema = package_json_schema()
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert schema["title"] == "Intelligence package"


def test_unlisted_fields_are_refused():
    with pytest.raises(ValidationError) as caught:
        IntelligencePackage.model_validate(
            {"schema_version": SCHEMA_VERSION, "address_line": "1 Hidden Lane"}
        )
    assert "address_line" in str(caught.value) and "Extra inputs" in str(caught.value)
    with pytest.raises(ValidationError):
        Manifest.model_validate({"note": "x"})


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({"handling": "C"}, "exactly when the handling code is C"),
        ({"handling": "P", "conditions": "x"}, "exactly when the handling code is C"),
        ({"code": "2A"}, "is not source + intelligence"),
        ({"source": "4", "code": "4A"}, "Input should be"),
    ],
)
def test_grading_is_consistent(values, said):
    base = {"source": "1", "intelligence": "A", "code": "1A", "handling": "P"}
    with pytest.raises(ValidationError) as caught:
        Grading.model_validate({**base, **values})
    assert said in str(caught.value)
    assert Grading.model_validate({**base, "handling": "C", "conditions": "no court use"})
