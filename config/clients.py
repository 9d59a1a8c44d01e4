"""Who the client is, for limits that count per client (login throttling, search).

Behind ``PROXY_COUNT`` trusted proxies (compose: nginx, so 1), each appends the address it
received from to X-Forwarded-For, so the client is the PROXY_COUNT-th entry from the right;
entries further left are whatever the client sent and are not trusted. Without proxies it
is REMOTE_ADDR. None when there is no valid address (a request built in code, a login from
a shell): django-axes stores the address in a PostgreSQL inet column.
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
