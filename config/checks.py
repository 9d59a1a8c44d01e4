"""Deploy checks (``manage.py check --deploy``) for what settings alone cannot show."""

from django.conf import settings
from django.core.cache import caches
from django.core.checks import Tags, Warning, register
from redis.exceptions import RedisError

from web.cache import RedisCache


@register(Tags.caches, deploy=True)
def state_cache_is_not_evicted(app_configs=None, **kwargs):
    """The ``state`` cache (rate limits, usage counts) must be a Redis that never evicts: on
    one with allkeys-lru, page-cache pressure evicts a client's rate-limit count and it may
    post again (issue 19). Asks the Redis itself; one that cannot be asked is not judged."""
    if "state" not in settings.CACHES:
        return [Warning("No 'state' cache is configured.", id="carfaults.W001")]
    state = caches["state"]
    if not isinstance(state, RedisCache):
        return []  # local memory: its own, never culled by the page cache
    try:
        client = state._cache.get_client(write=True)
        policy = client.config_get("maxmemory-policy").get("maxmemory-policy", "")
    except (RedisError, OSError):
        return []
    if policy != "noeviction":
        return [
            Warning(
                f"The 'state' cache's Redis evicts keys (maxmemory-policy {policy}).",
                hint="Point STATE_REDIS_URL at a Redis with --maxmemory-policy noeviction "
                "(compose.yaml's redis-state, docs/deploy.md).",
                id="carfaults.W002",
            )
        ]
    return []
