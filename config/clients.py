"""Who the client is, for limits that count per client (login throttling, search).

Behind ``PROXY_COUNT`` trusted proxies (compose: nginx, so 1), each appends the address it
received from to X-Forwarded-For, so the client is the PROXY_COUNT-th entry from the right;
entries further left are whatever the client sent and are not trusted. Without proxies it
is REMOTE_ADDR.
"""

from django.conf import settings


def client_ip(request) -> str:
    proxies = settings.PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    if not proxies:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote  # not through the expected proxies: the peer itself is the client
    return forwarded[-proxies][:64]
