"""The Redis cache, made optional: while Redis is unreachable the site runs without it.

Django's ``RedisCache`` raises on a refused connection or a timeout, so every page that reads
the cache would answer 500 for as long as Redis is down. Nothing the site keeps in the cache
is the only copy of anything: a miss costs a database query, a lost write costs nothing. So
``ResilientRedisCache`` answers as an empty cache instead (``get`` gives the default, writes
are dropped) and logs the outage. The one operation without a harmless answer is ``incr``:
it raises ``CacheUnavailable``, and the comment rate limit then counts in the database
(``commentary.spam``).
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What Redis being down (refused, reset, timed out, still loading its data) looks like.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


# How long a subscription may wait for Redis to confirm it.
SUBSCRIBE_TIMEOUT = 0.5


class CacheUnavailable(Exception):
    """The cache cannot be reached, and the operation has no answer that would be harmless."""


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` object on every cache call; this one keeps
    one per connection pool. A cached page is one cache call, so this is most of its cost."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(pool)
        if client is None:
            client = clients.setdefault(pool, self._client(connection_pool=pool))
        return client


class ResilientRedisCache(RedisCache):
    """``RedisCache`` that degrades to "no cache" while Redis is unreachable.

    After a failure it does not try Redis again for ``OPTIONS["pause_after_failure"]`` seconds
    (default 5): requests then do not each wait for a connection timeout, and the log gets
    one line per pause rather than one per cache call. Other ``OPTIONS`` go to redis-py's
    connection pool, such as ``socket_connect_timeout`` and ``socket_timeout``.

    The pause is per instance; Django keeps one cache instance per thread, so each worker
    thread finds out about an outage, and about its end, by itself.
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.pause_after_failure = float(options.pop("pause_after_failure", 5))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedClientRedisCacheClient
        self._unreachable_until = 0.0  # time.monotonic(); 0 while Redis answers
        self._in_outage = False

    # The degraded answers.

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout=timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, False, key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version=version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version=version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that could not be stored.
        return self._call(super().set_many, list(data), data, timeout=timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version=version)

    def clear(self):
        cleared = self._call(super().clear, False)
        if cleared is not False:
            # Every app server forgets the pages it kept in memory (commentary.page_cache.local).
            from commentary.page_cache.local import CHANNEL, EVERYTHING

            self.publish(CHANNEL, EVERYTHING)
        return cleared

    def incr(self, key, delta=1, version=None):
        """Like ``RedisCache.incr``, but raises ``CacheUnavailable`` while Redis is down: a
        counter has no safe made-up value, so the caller decides (``decr`` comes here too)."""
        if self._paused():
            raise CacheUnavailable("the cache is unreachable")
        try:
            value = super().incr(key, delta, version=version)
        except UNREACHABLE as error:
            self._failed(error)
            raise CacheUnavailable("the cache is unreachable") from error
        self._answered()
        return value

    # A channel that every app server listens to: Redis's publish and subscribe, under the
    # cache's key prefix so that sites sharing one Redis keep apart.

    def publish(self, channel, message):
        """Send ``message`` to every listener of ``channel``; False when Redis is unreachable."""

        def send():
            self._cache.get_client(write=True).publish(self.make_key(channel), message)
            return True

        return self._call(send, False)

    def subscribe(self, channel, *, timeout=SUBSCRIBE_TIMEOUT):
        """A redis-py ``PubSub`` listening to ``channel``, returned once Redis has confirmed the
        subscription (from then on, it gets every message). Raises when Redis does not
        confirm within ``timeout`` seconds."""
        subscription = self._cache.get_client(write=True).pubsub()
        try:
            subscription.subscribe(self.make_key(channel))
            deadline = time.monotonic() + timeout
            while (remaining := deadline - time.monotonic()) > 0:
                message = subscription.get_message(timeout=remaining)
                if message is not None and message["type"] == "subscribe":
                    return subscription
        except BaseException:
            subscription.close()
            raise
        subscription.close()
        raise RedisTimeoutError(f"no confirmation of the subscription in {timeout} s")

    # The bookkeeping.

    def _call(self, operation, fallback, *args, **kwargs):
        if self._paused():
            return fallback
        try:
            result = operation(*args, **kwargs)
        except UNREACHABLE as error:
            self._failed(error)
            return fallback
        self._answered()
        return result

    def _paused(self):
        return time.monotonic() < self._unreachable_until

    def _failed(self, error):
        self._unreachable_until = time.monotonic() + self.pause_after_failure
        self._in_outage = True
        logger.warning(
            "Cache unreachable (%s: %s); running without it for %g s",
            type(error).__name__,
            error,
            self.pause_after_failure,
        )

    def _answered(self):
        if self._in_outage:
            self._in_outage = False
            logger.info("Cache reachable again")
