"""Who the client is, for limits that count per client (login throttling, search).

Behind ``PROXY_COUNT`` trusted proxies (compose: nginx, so 1), each appends the address it
received from to X-Forwarded-For, so the client is the PROXY_COUNT-th entry from the right;
entries further left are whatever the client sent and are not trusted. Without proxies it
is REMOTE_ADDR. None when there is no valid address (a request built in code, a login from
a shell): django-axes stores the address in a PostgreSQL inet column.

Rate limits count per ``client_subject``: an IPv4 address as it is, an IPv6 address by its
/64, since one subscriber usually gets a whole /64 (RFC 6177) and can send from 2^64
addresses of it; counting each would be no limit at all.
"""

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "")
    proxies = settings.PROXY_COUNT
    if not proxies:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part for part in header.split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote  # not through the expected proxies: the peer itself is the client
    return _valid(forwarded[-proxies]) or remote


def client_subject(request) -> str | None:
    """What a rate limit counts: the IPv4 address, or the /64 network of an IPv6 one (an
    IPv4-mapped IPv6 address counts as its IPv4 address)."""
    address = client_ip(request)
    if address is None:
        return None
    parsed = ipaddress.ip_address(address)
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address
