"""Airports give PAXLST messages their countries and time zones."""

from __future__ import annotations

from tracker.ingest.airports import airport


def test_an_airport_has_an_iso_alpha3_country_and_a_time_zone():
    heathrow = airport("LHR")
    assert (heathrow.country, heathrow.timezone.key) == ("GBR", "Europe/London")
    assert airport(" bkk ").country == "THA"


def test_an_unknown_code_is_no_airport():
    assert airport("QQQ") is None
