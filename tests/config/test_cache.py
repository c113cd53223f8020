"""The production cache while Redis is away: answers from local memory, no error, no hang."""

import socket
import time

import pytest

from config.cache import ResilientRedisCache


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@pytest.fixture
def cache_without_redis():
    return ResilientRedisCache(
        f"redis://127.0.0.1:{closed_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
    )


def test_every_call_answers_from_local_memory_while_redis_is_away(cache_without_redis):
    cache = cache_without_redis
    started = time.monotonic()

    assert cache.add("counter", 1, 60) is True
    assert cache.incr("counter") == 2
    cache.set("page", "<html>", 60)
    assert cache.get("page") == "<html>"
    assert cache.get_or_set("other", lambda: "made", 60) == "made"
    assert cache.get_many(["page", "missing"]) == {"page": "<html>"}
    cache.delete("page")
    assert cache.get("page") is None

    assert time.monotonic() - started < 3  # one failed connection, not one per call


@pytest.mark.integration
def test_it_uses_redis_when_redis_is_there(settings):
    import redis

    cache = ResilientRedisCache(settings.TEST_REDIS_URL, {"KEY_PREFIX": "resilient-test"})
    cache.set("here", "yes", 60)

    assert redis.Redis.from_url(settings.TEST_REDIS_URL).keys("resilient-test:*")
    assert cache.get("here") == "yes"
