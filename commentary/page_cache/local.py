"""Stored pages kept in each app server process's memory too, so that a hit on a page read
lately costs no round trip to the cache at all.

A page is answered from memory only while the process knows that the versions it was stored
under are still the current ones. It learns versions from the shared cache, along with the
page, and forgets them as soon as any app server changes them: every change of versions is
announced on a Redis channel (:func:`announce`, called by ``versions``), every process listens
to it, and every request first takes in what has arrived. Redis writes an announcement to
each listener's connection in the same pass in which it answers the announcer, so the news
lies in every listening process's socket before the request that made the change has even
been answered: no reader can know of a change that a process has not heard of.

When the channel cannot be trusted (not yet subscribed, the connection lost or answering
nonsense, a fork), the memory is emptied and pages are read from the cache until the process
listens again. A version heard of is trusted for ``PAGE_CACHE_LOCAL_SECONDS`` at most, then read
again: a safety net for what no announcement covers (someone flushing Redis by hand). The
memory is bounded (``PAGE_CACHE_LOCAL_MB`` per process; 0 turns it off) and forgets the least
recently served pages first. Only with Redis: the in-process memory cache is local already.
"""

import contextlib
import logging
import os
import select
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed

logger = logging.getLogger("commentary.page_cache")

# The channel (a cache key, so that sites sharing a Redis keep apart) and the announcement that
# every version changed (the cache was cleared).
CHANNEL = "pc:changed"
EVERYTHING = "*"
# After a failure, how long a process reads pages from the cache before it listens again.
RETRY_SECONDS = 5.0
# Bookkeeping per stored page beyond its body, counted against the memory bound.
ENTRY_OVERHEAD = 1024


def announce(version_keys):
    """Tell every app server that ``version_keys`` changed (or ``EVERYTHING``). False when the
    announcement could not be sent (the caller retries the change); True when sent, or when the
    cache has no channel (then no process keeps pages of its own)."""
    publish = getattr(cache, "publish", None)
    if publish is None:
        return True
    return publish(CHANNEL, " ".join(sorted(version_keys)))


class LocalPages:
    """One process's pages and the versions it has heard of; shared by its threads."""

    def __init__(self, max_bytes, max_age):
        self.max_bytes = max_bytes
        self.max_age = max_age
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._subscription = None
        self._poll = None
        self._retry_at = 0.0
        self._pages = OrderedDict()  # entry key → (Entry, size)
        self._bytes = 0
        self._versions = {}  # version key → (token, trusted until)
        self._heard = 0  # announcements taken in

    # What requests ask.

    def page(self, entry_key, now):
        """The stored page under ``entry_key`` when it is in memory and still current."""
        with self._lock:
            if not self._listening():
                return None
            kept = self._pages.get(entry_key)
            if kept is None:
                return None
            entry = kept[0]
            if now < entry.valid_until and self._knows(entry.versions, now):
                self._pages.move_to_end(entry_key)
                return entry
            self._drop_page(entry_key)
            return None

    def heard(self):
        """A mark to hand to :meth:`keep` with a page about to be read from the cache; None when
        the process is not listening (then nothing read now may be kept)."""
        with self._lock:
            return self._heard if self._listening() else None

    def keep(self, entry_key, entry, mark, now):
        """Keep ``entry``, just read from the cache and current there, unless an announcement
        has arrived since ``mark`` (it may be about this very page: read it again next time)."""
        if mark is None:
            return
        size = ENTRY_OVERHEAD + sum(len(part) for part in entry.parts)
        if size > self.max_bytes:
            return
        with self._lock:
            if not self._listening() or self._heard != mark:
                return
            trusted_until = now + self.max_age
            for key, token in entry.versions:
                self._versions[key] = (token, trusted_until)
            self._drop_page(entry_key)
            self._pages[entry_key] = (entry, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._drop_page(next(iter(self._pages)))
            if len(self._versions) > 4 * len(self._pages) + 64:
                self._versions = {
                    key: known for key, known in self._versions.items() if known[1] > now
                }

    def close(self):
        """Stop listening and empty the memory."""
        with self._lock:
            self._stop_listening()

    # Listening.

    def _listening(self):
        """Subscribed and up to date with every announcement that has arrived; subscribes when
        not (at most every ``RETRY_SECONDS``). Called with the lock held."""
        if self._pid != os.getpid():
            # A forked child shares its parent's socket: neither may read the other's news.
            self._subscription = self._poll = None
            self._pid = os.getpid()
            self._forget()
        if self._subscription is None and not self._subscribe():
            return False
        if self._poll is not None and not self._poll.poll(0):
            return True  # nothing has arrived (a system call, not a read through redis-py)
        try:
            while True:
                message = self._subscription.get_message(timeout=0)
                if message is None:
                    return True
                self._take_in(message)
        except Exception:  # noqa: BLE001 - memory is only a shortcut: drop it, read the cache
            logger.exception("Page cache: lost the channel of changes; reading the cache")
            self._stop_listening()
            return False

    def _subscribe(self):
        if time.monotonic() < self._retry_at:
            return False
        subscribe = getattr(cache, "subscribe", None)
        if subscribe is None:
            return False
        try:
            self._subscription = subscribe(CHANNEL)
        except Exception:  # noqa: BLE001 - Redis is down: read the cache (degraded) meanwhile
            logger.warning("Page cache: could not listen to the channel of changes")
            self._stop_listening()
            return False
        self._forget()  # nothing heard before now can be trusted
        # Whether anything arrived, asked of the socket itself: every answer asks it. Every
        # message is read whenever it says so, so none waits in redis-py's buffer unread.
        sock = getattr(self._subscription.connection, "_sock", None)
        if sock is not None:
            self._poll = select.poll()
            self._poll.register(sock, select.POLLIN | select.POLLPRI)
        return True

    def _take_in(self, message):
        if message["type"] != "message":
            if message["type"] in ("unsubscribe", "punsubscribe"):
                raise ConnectionError("unsubscribed from the channel of changes")
            return
        self._heard += 1
        keys = message["data"].decode().split()
        if EVERYTHING in keys:
            self._forget()
            return
        for key in keys:
            self._versions.pop(key, None)

    def _stop_listening(self):
        subscription, self._subscription = self._subscription, None
        self._poll = None
        self._retry_at = time.monotonic() + RETRY_SECONDS
        self._forget()
        if subscription is not None:
            # A broken connection may fail to close.
            with contextlib.suppress(Exception):
                subscription.close()

    # Memory.

    def _knows(self, versions, now):
        known = self._versions
        for key, token in versions:
            heard = known.get(key)
            if heard is None or heard[0] != token or heard[1] <= now:
                return False
        return True

    def _drop_page(self, entry_key):
        kept = self._pages.pop(entry_key, None)
        if kept is not None:
            self._bytes -= kept[1]

    def _forget(self):
        self._heard += 1
        self._pages.clear()
        self._versions.clear()
        self._bytes = 0


_local = None
_local_lock = threading.Lock()


def local_pages():
    """This process's :class:`LocalPages`, or None when turned off or the cache has no
    channel."""
    global _local
    if _local is None:
        if settings.PAGE_CACHE_LOCAL_MB <= 0 or not hasattr(cache, "subscribe"):
            return None
        with _local_lock:
            if _local is None:
                _local = LocalPages(
                    max_bytes=settings.PAGE_CACHE_LOCAL_MB * 1024 * 1024,
                    max_age=settings.PAGE_CACHE_LOCAL_SECONDS,
                )
    return _local


def _settings_changed(setting, **kwargs):
    global _local
    if setting in {"CACHES", "PAGE_CACHE_LOCAL_MB", "PAGE_CACHE_LOCAL_SECONDS"}:
        with _local_lock:
            if _local is not None:
                _local.close()
            _local = None


setting_changed.connect(_settings_changed, dispatch_uid="commentary.page_cache.local_settings")
