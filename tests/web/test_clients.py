"""The client address: the peer, unless the peer is a trusted proxy; then the rightmost
forwarded address that is not a trusted proxy (what the client wrote itself is ignored)."""

from __future__ import annotations

import logging

import pytest

from tracker.web.clients import (
    TrustedProxiesError,
    client_address,
    forwarded_without_proxies,
    parse_trusted_proxies,
)

PROXIES = parse_trusted_proxies("10.1.1.1, 192.168.1.5, fd00::1")


def _scope(peer: str, forwarded: str | None = None) -> dict:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return {"type": "http", "client": (peer, 5000), "headers": headers}


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address(_scope("203.0.113.9", "198.51.100.1"), ()) == "203.0.113.9"


def test_a_peer_that_is_no_trusted_proxy_cannot_name_another_address():
    assert client_address(_scope("203.0.113.9", "198.51.100.1"), PROXIES) == "203.0.113.9"


def test_a_trusted_proxy_names_the_client_it_received():
    assert client_address(_scope("10.1.1.1", "198.51.100.1"), PROXIES) == "198.51.100.1"


def test_addresses_the_client_wrote_before_the_proxy_are_ignored():
    forged = "1.2.3.4, 5.6.7.8, 198.51.100.1, 192.168.1.5"
    assert client_address(_scope("10.1.1.1", forged), PROXIES) == "198.51.100.1"


def test_a_garbled_entry_stops_the_walk_at_the_last_proxy():
    assert client_address(_scope("10.1.1.1", "198.51.100.1, not-an-ip"), PROXIES) == "10.1.1.1"


def test_a_client_next_to_a_proxy_is_still_told_apart():
    assert client_address(_scope("10.1.1.1", "10.1.1.2"), PROXIES) == "10.1.1.2"
    assert client_address(_scope("fd00::1", "fd00::2"), PROXIES) == "fd00::2"


def test_a_machine_next_to_a_proxy_cannot_name_a_client():
    assert client_address(_scope("10.1.1.2", "198.51.100.1"), PROXIES) == "10.1.1.2"


@pytest.mark.parametrize("wide", ["10.0.0.0/8", "192.168.1.0/29", "fd00::/8", "2001:db8::/125"])
def test_a_network_of_proxies_wider_than_four_addresses_is_refused(wide):
    with pytest.raises(TrustedProxiesError, match=f"'{wide}' is too wide"):
        parse_trusted_proxies(f"10.1.1.1, {wide}")


def test_narrow_networks_and_single_addresses_are_accepted():
    assert [str(n) for n in parse_trusted_proxies("192.168.1.4/30, 2001:db8::4/126, ::1")] == [
        "192.168.1.4/30",
        "2001:db8::4/126",
        "::1/128",
    ]


def test_forwarded_for_without_trusted_proxies_is_warned_about_once(monkeypatch, caplog):
    monkeypatch.setattr(forwarded_without_proxies, "warned", False)
    with caplog.at_level(logging.WARNING, logger="tracker.web.clients"):
        for _ in range(3):
            assert client_address(_scope("203.0.113.9", "198.51.100.1"), ()) == "203.0.113.9"
        client_address(_scope("203.0.113.9"), ())
    assert [r.getMessage()[:40] for r in caplog.records] == [
        "a request came with X-Forwarded-For but "
    ]


def test_a_proxy_without_the_header_is_the_client():
    assert client_address(_scope("10.1.1.1"), PROXIES) == "10.1.1.1"


def test_a_setting_that_is_not_an_address_is_refused():
    with pytest.raises(TrustedProxiesError, match="not an address"):
        parse_trusted_proxies("10.0.0.1, proxy.example")
    assert parse_trusted_proxies("") == ()
