"""The cache in production: Redis, falling back to this process's memory while Redis is away.

What uses the cache on a request's path (counts and pages cached under a version, the abuse
limits' counters, the proof-of-work replay guard) must not turn a Redis outage into errors or
hangs. Each call goes to Redis with short socket timeouts; when Redis fails, the same call goes
to a local memory cache, and Redis is tried again after RETRY_AFTER seconds. Cached values are
keyed on versions (never stale), so reading a local copy is always correct; limits count per
process for the while, which is the documented fallback. The exception is what must be the
same in every process, the kept pages' generation: config.kept_responses keeps nothing while
the local copy stands in (`is_shared`), and writes a new one when Redis is back (`redis_back`).
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.dispatch import Signal
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Sent in a process when Redis answers it again after an outage: what the process wrote to its
# own memory meanwhile, no other process saw (config.kept_responses writes its generation again).
redis_back = Signal()

RETRY_AFTER = 5.0  # seconds without trying Redis after it failed
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
METHODS = [
    "add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "decr", "set_many",
    "delete_many", "clear",
]  # fmt: skip
READS = {"get", "get_many", "has_key"}


class ReusedClients(RedisCacheClient):
    """Django makes a new redis-py client for every cache call, and building one fills its
    table of reply parsers (170 entries): a tenth of a cached page's cost (bench/README.md).
    One client per connection pool does the same work; redis-py clients are thread-safe, the
    pool hands each call its own connection."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClients
        self._local = LocMemCache(f"fallback-{id(self)}", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
        self._down_until = 0.0

    def count_many(self, keys: list[tuple[str, int]]) -> list[int]:
        """Add one to each counter (key, seconds it lives from its first count) and return
        the counts, in one round trip: what cache.add then cache.incr do for each key, in as
        many round trips (signatories.limits counts seven windows at each submission)."""
        if time.monotonic() >= self._down_until:
            try:
                pipeline = self._cache.get_client(write=True).pipeline(transaction=False)
                for key, seconds in keys:
                    full_key = self.make_and_validate_key(key)
                    pipeline.set(full_key, 0, ex=seconds, nx=True)
                    pipeline.incr(full_key)
                return pipeline.execute()[1::2]
            except REDIS_DOWN as error:
                self._failed(error)
        return count_each(self._local, keys)

    def _failed(self, error: Exception) -> None:
        if not self._down_until:
            logger.warning("Redis cache unavailable (%s): using local memory", type(error))
        self._down_until = time.monotonic() + RETRY_AFTER

    def is_shared(self) -> bool:
        """False while this process's memory stands in for Redis (config.kept_responses)."""
        return time.monotonic() >= self._down_until

    def _call(self, name, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return getattr(self._local, name)(*args, **kwargs)
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except REDIS_DOWN as error:
            self._failed(error)
            return getattr(self._local, name)(*args, **kwargs)
        if self._down_until:
            logger.warning("Redis cache back")
            self._down_until = 0.0
            redis_back.send(sender=type(self))
            if name in READS:
                # Read before the receivers wrote what they had to (a new generation): again.
                return self._call(name, *args, **kwargs)
        return result


def count_many(cache, keys: list[tuple[str, int]]) -> list[int]:
    """ResilientRedisCache.count_many on any cache: one round trip where it can."""
    if hasattr(cache, "count_many"):
        return cache.count_many(keys)
    return count_each(cache, keys)


def count_each(cache, keys: list[tuple[str, int]]) -> list[int]:
    return [1 if cache.add(key, 1, seconds) else cache.incr(key) for key, seconds in keys]


def _wrap(name):
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


for _name in METHODS:
    setattr(ResilientRedisCache, _name, _wrap(_name))
