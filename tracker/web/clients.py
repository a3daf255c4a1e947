"""The address a request really came from: the peer, or what a trusted proxy says.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only when the
peer is one of ``TRACKER_TRUSTED_PROXIES`` (addresses or CIDR networks). The header is then
read from the right, past every trusted proxy, and the first address that is not one is the
client: anything further left was written by the client itself and could be anything. The
sign-in throttle is keyed on this address, so rotating the header cannot escape it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_HOPS = 20  # a longer header is someone padding it; its rightmost entries still decide
UNKNOWN = "unknown"


class TrustedProxiesError(ValueError):
    """``TRACKER_TRUSTED_PROXIES`` holds something that is not an address or network."""


def parse_trusted_proxies(text: str | None) -> tuple[Network, ...]:
    """``"10.0.0.1, 192.168.0.0/24"`` as networks; empty or unset trusts no proxy."""
    networks = []
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise TrustedProxiesError(
                f"TRACKER_TRUSTED_PROXIES: {item[:60]!r} is not an address or network (CIDR)"
            ) from exc
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None,
             proxies: Iterable[Network]) -> bool:  # fmt: skip
    return address is not None and any(address in network for network in proxies)


def client_address(scope: Scope, proxies: tuple[Network, ...]) -> str:
    """The client's address for ``scope``: the peer unless the peer is a trusted proxy."""
    client = scope.get("client")
    peer = str(client[0]) if client else UNKNOWN
    if not proxies or not _trusted(_address(peer), proxies):
        return peer
    forwarded = ",".join(Headers(scope=scope).getlist("x-forwarded-for"))
    hops = [hop for hop in forwarded.split(",") if hop.strip()][-MAX_HOPS:]
    client_side = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # a garbled entry: nothing left of it can be believed
        client_side = str(address)
        if not _trusted(address, proxies):
            break
    return client_side
