"""The address a request really came from: the peer, or what a trusted proxy says.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only when the
peer is one of ``TRACKER_TRUSTED_PROXIES`` (the proxies' own addresses). The header is then
read from the right, past every trusted proxy, and the first address that is not one is the
client: anything further left was written by the client itself and could be anything. The
sign-in throttle is keyed on this address, so rotating the header cannot escape it.

Only narrow networks are accepted (at most 4 IPv4 or 4 IPv6 addresses, /30 and /126): trusting
a range such as 10.0.0.0/8 would make every machine in it a "proxy" free to name any client.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from threading import Lock

from starlette.datastructures import Headers
from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_HOPS = 20  # a longer header is someone padding it; its rightmost entries still decide
UNKNOWN = "unknown"
NARROWEST_PREFIX = {4: 30, 6: 126}  # the widest network of proxies believed: 4 addresses

_log = logging.getLogger(__name__)


class TrustedProxiesError(ValueError):
    """``TRACKER_TRUSTED_PROXIES`` holds something that is not a proxy's address."""


def parse_trusted_proxies(text: str | None) -> tuple[Network, ...]:
    """``"10.0.0.1, 192.168.0.4/30"`` as networks; empty or unset trusts no proxy. A network
    wider than /30 (IPv4) or /126 (IPv6) is refused."""
    networks = []
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            network = ipaddress.ip_network(item, strict=False)
        except ValueError as exc:
            raise TrustedProxiesError(
                f"TRACKER_TRUSTED_PROXIES: {item[:60]!r} is not an address or network (CIDR)"
            ) from exc
        if network.prefixlen < NARROWEST_PREFIX[network.version]:
            raise TrustedProxiesError(
                f"TRACKER_TRUSTED_PROXIES: {item[:60]!r} is too wide a network: every machine "
                "in it could name any client address; list the proxies' own addresses "
                f"(at most a /{NARROWEST_PREFIX[network.version]})"
            )
        networks.append(network)
    return tuple(networks)


class _OnceWarning:
    """A warning logged the first time it applies in this process, not on every request."""

    def __init__(self, message: str):
        self.message = message
        self.warned = False
        self._lock = Lock()

    def __call__(self) -> None:
        with self._lock:
            if self.warned:
                return
            self.warned = True
        _log.warning(self.message)


forwarded_without_proxies = _OnceWarning(
    "a request came with X-Forwarded-For but TRACKER_TRUSTED_PROXIES names no proxy: the "
    "header is ignored and every client behind a proxy counts as the proxy's address (the "
    "sign-in throttle then brakes them together). Set TRACKER_TRUSTED_PROXIES to the proxy's "
    "address if the application is behind one."
)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, proxies: Iterable[Network]
) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_address(scope: Scope, proxies: tuple[Network, ...]) -> str:
    """The client's address for ``scope``: the peer unless the peer is a trusted proxy."""
    client = scope.get("client")
    peer = str(client[0]) if client else UNKNOWN
    if not proxies:
        if "x-forwarded-for" in Headers(scope=scope):
            forwarded_without_proxies()
        return peer
    if not _trusted(_address(peer), proxies):
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
