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


def test_counters_count_in_local_memory_while_redis_is_away(cache_without_redis):
    cache = cache_without_redis

    assert cache.count_many([("a", 60), ("b", 60)]) == [1, 1]
    assert cache.count_many([("a", 60), ("b", 60)]) == [2, 2]
    assert not cache.is_shared()


@pytest.mark.integration
def test_counters_count_in_one_round_trip_as_add_then_incr_would(settings):
    import redis

    cache = ResilientRedisCache(settings.TEST_REDIS_URL, {"KEY_PREFIX": "count-test"})
    cache.delete_many(["first", "second"])
    cache.add("second", 1, 60)  # counted once before, the way django-ratelimit counts

    assert cache.count_many([("first", 30), ("second", 30)]) == [1, 2]
    assert cache.count_many([("first", 30), ("second", 30)]) == [2, 3]
    assert cache.get_many(["first", "second"]) == {"first": 2, "second": 3}
    assert 0 < redis.Redis.from_url(settings.TEST_REDIS_URL).ttl(cache.make_key("first")) <= 30
    assert cache.incr("first") == 3  # what a later add-then-incr finds


@pytest.mark.integration
def test_a_change_made_while_redis_was_away_reaches_redis_when_it_returns(settings, monkeypatch):
    """Kept pages (config.kept_responses) are checked against a generation in Redis; one
    changed during an outage went to this process's memory only."""
    from config import kept_responses

    cache = ResilientRedisCache(settings.TEST_REDIS_URL, {"KEY_PREFIX": "return-test"})
    monkeypatch.setattr(kept_responses, "cache", cache)
    cache.set(kept_responses.GENERATION_KEY, "before the outage", None)
    cache._failed(OSError("Redis away"))
    kept_responses._new_generation()  # a change, written to this process's memory
    monkeypatch.setattr(time, "monotonic", lambda: cache._down_until + 1)  # time to retry

    # The first call that reaches Redis again: a reader's, who must not get a page kept
    # under the generation from before.
    found = cache.get_many([kept_responses.GENERATION_KEY])

    assert found[kept_responses.GENERATION_KEY] not in (None, "before the outage")
    assert cache.get(kept_responses.GENERATION_KEY) == found[kept_responses.GENERATION_KEY]
