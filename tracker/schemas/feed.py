"""The public most-wanted feed as data: the only fields that may leave the system for the public.

Everything here is an allow-list. A field not declared below cannot be put into the feed
(``extra="forbid"``), so publishing something new means changing this file, its JSON Schema in
``docs/feed.schema.json`` and the contract, on purpose. Names follow the FBI wanted API (``uid``,
``title``, ``aliases``, ``images``, ``total``, ``page``, ``items``) and INTERPOL's HAL style
(``forenames``, ``name``, ``_links`` with ``self``/``next``/``last``).

Regenerate the committed JSON Schema after a change:
``python -m tracker.schemas.feed > docs/feed.schema.json``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

FEED_SCHEMA_VERSION: Final = "1.0"


class _Public(BaseModel):
    """Closed and immutable: an unknown field is an error, never a silent extra."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        json_schema_serialization_defaults_required=True,
    )


class Link(_Public):
    href: str = Field(description="Absolute URL.")


class ItemLinks(_Public):
    self: Link = Field(description="The person's page on the public site.")


class FeedLinks(_Public):
    """HAL paging links (RFC 5988 relations, as the INTERPOL notices API uses them)."""

    self: Link
    first: Link
    last: Link
    prev: Link | None = None
    next: Link | None = None


class Image(_Public):
    original: str = Field(description="Reference to a photograph, as the force publishes it.")


class HowToReport(_Public):
    """What the public should do: report, never act themselves."""

    police: str = Field(description="How to tell the police (emergency and non-emergency).")
    anonymous: str = Field(description="How to report without giving a name.")
    advice: str = Field(description="The instruction not to approach the person.")


class WantedPerson(_Public):
    """One person the public is asked to look out for."""

    uid: str = Field(
        min_length=1,
        description="Stable public id: random, kept for as long as the person is on the "
        "register, and not the register reference nor derivable from it.",
    )
    title: str = Field(description="The person's names as a heading.")
    forenames: str = Field(description="Given names as held.")
    name: str = Field(description="Family name as held.")
    aliases: list[str] = Field(description="Other names the person is known by.")
    age: int | None = Field(ge=0, description="Age in whole years on the day of the feed.")
    sex: Literal["M", "F", "X"] | None
    height_cm: int | None = Field(ge=0)
    description: str | None = Field(
        description="Physical description, as a supervisor wrote it for the public."
    )
    last_known_area: str | None = Field(
        description="Town or district, as a supervisor wrote it for the public; never an address."
    )
    wanted_since: date | None = Field(description="Whereabouts unknown since this date.")
    images: list[Image]
    how_to_report: HowToReport
    published: AwareDatetime = Field(description="When a supervisor approved publication.")
    modified: AwareDatetime = Field(description="When this entry last changed.")
    links: ItemLinks = Field(alias="_links")


class FeedDocument(_Public):
    """The feed, or one page of it."""

    model_config = ConfigDict(
        title="Most-wanted feed",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    schema_version: Literal["1.0"] = FEED_SCHEMA_VERSION
    title: str
    generated: AwareDatetime = Field(description="When this document was built.")
    total: int = Field(ge=0, description="People on the feed, over all pages.")
    page: int = Field(ge=1)
    page_size: int | None = Field(ge=1, description="Items per page; null when not paged.")
    items: list[WantedPerson]
    links: FeedLinks = Field(alias="_links")


def feed_json_schema() -> dict:
    """The JSON Schema of the feed as the public site and other consumers see it."""
    return FeedDocument.model_json_schema(by_alias=True, mode="serialization")


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(feed_json_schema(), indent=2, ensure_ascii=False))
