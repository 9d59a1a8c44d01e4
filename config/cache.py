"""Django's Redis cache backend, with one Redis client per connection pool.

Django's client builds a new `redis.Redis` object for every cache call (get_client), and
redis-py's constructor builds its table of about 180 response callbacks each time: measured
with bench/profile_step.py, about 0.15 ms of Python per call (0.45 ms under cProfile), three
to four calls per never-seen wizard step. A `redis.Redis` is thread-safe (each command takes
a connection from the pool), and the pool already handles forks (it checks the pid), so one
client per pool is reused.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient
