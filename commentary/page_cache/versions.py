"""What a cached page depends on (its tags), the versions of those tags, and the moments at
which pages change with no write at all.

A version is a random token kept in the cache with no expiry: pages and versions live in the
same place, so every app server sharing the cache agrees on them. :func:`invalidate` replaces
the tokens; a page stored under the old ones is never served again.
"""

import datetime
import hashlib
import logging
import math
import secrets
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.models import Min, Q
from django.utils import timezone

from .. import related
from ..models import Article, Comment
from ..sitemaps import NewsSitemap
from . import local

logger = logging.getLogger("commentary.page_cache")

# Tags: what a page shows. Everything public shows content; the home page's "most discussed"
# counts comments; an article page shows its own comments.
CONTENT = "content"
COMMENTS = "comments"


def article_comments(slug):
    """The tag of one article page's comment threads (by slug: the page's address names it,
    so a request finds the tag before any query)."""
    return f"comments:{slug}"


# A version written inside a transaction: nothing is stored under it. It lapses by itself, so a
# transaction that rolls back pauses the caching of its pages this long at most.
PENDING = "~"
PENDING_SECONDS = 60
# How long "the next timed change" is kept per version; a reader recomputes a missing one.
NEXT_CHANGE_SECONDS = 24 * 60 * 60


def hashed(text, length=20):
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()[:length]


def version_key(tag):
    return f"pc:v:{hashed(tag)}"


def _next_change_key(tag, token):
    return f"pc:n:{hashed(tag)}:{token}"


def new_token(position=None):
    """A fresh version; ``position`` is the primary's WAL position at the change (replicas)."""
    token = secrets.token_hex(8)
    return f"{token}@{position}" if position else token


# --- Invalidation -----------------------------------------------------------------------------


def invalidate(*tags, using=DEFAULT_DB_ALIAS):
    """Mark the pages that show ``tags`` as changed.

    Inside a transaction the tags get a pending version at once (pages stored before no longer
    match, and none is stored under it: reads later in the same transaction, a test's
    included, never see an old page) and a new version once the transaction commits, one for
    all the transaction's changes. Outside one, a new version at once. Called by the signal
    handlers (``commentary.signal_handlers``) and by services whose bulk changes send none.
    """
    if not tags:
        return
    send_unsent()
    connection = connections[using]
    if not connection.in_atomic_block:
        _bump(set(tags), using)
        return
    _write_versions({tag: PENDING + new_token() for tag in tags}, timeout=PENDING_SECONDS)
    # One bump after the commit for the whole transaction. A bump registered earlier in it is
    # dropped only with a savepoint that this change lies inside too, so joining it is safe.
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _CommittedBump) and not callback.done:
            callback.tags.update(tags)
            return
    transaction.on_commit(_CommittedBump(tags, using), using=using, robust=True)


class _CommittedBump:
    """The bump run once a transaction commits, for all the tags it changed."""

    def __init__(self, tags, using):
        self.tags = set(tags)
        self.using = using
        self.done = False  # a test's "commits" leave their callbacks listed

    def __call__(self):
        self.done = True
        _bump(self.tags, self.using)


def _write_versions(versions, *, timeout):
    """Store ``{tag: token}`` and announce the change to every app server (their memory of
    pages, ``local``); return the tags that could not be stored or announced."""
    by_key = {version_key(tag): tag for tag in versions}
    try:
        failed = cache.set_many(
            {version_key(tag): token for tag, token in versions.items()}, timeout
        )
        announced = local.announce(by_key)
    except Exception:  # noqa: BLE001 - an unreachable cache must not fail the change itself
        logger.exception("Page cache: could not record new versions of %s", sorted(versions))
        return set(versions)
    if not announced:
        # Stored but unheard: a process could go on answering from memory. Sent again.
        return set(versions)
    return {by_key[key] for key in failed or () if key in by_key}


# Tags whose new version could not be written (the cache was unreachable), written again by
# this process before its next request or change. A page stored before such an outage is in
# any case kept PAGE_CACHE_SECONDS at most.
_unsent = set()
_unsent_lock = threading.Lock()


def has_unsent():
    return bool(_unsent)


def send_unsent():
    if not _unsent:
        return
    with _unsent_lock:
        tags = set(_unsent)
        _unsent.clear()
    _bump(tags, DEFAULT_DB_ALIAS)


def _bump(tags, using):
    """Give ``tags`` new committed versions, then work out their next timed change."""
    position = primary_position(using)
    versions = {tag: new_token(position) for tag in tags}
    failed = _write_versions(versions, timeout=None)
    if failed:
        with _unsent_lock:
            _unsent.update(failed)
    # Only now that the new version is visible: a change committed after this query bumps the
    # version again, so the answer is never older than the version it is kept under.
    timed = {tag: token for tag, token in versions.items() if tag in TIMED and tag not in failed}
    if timed:
        try:
            _store_next_changes(timed, timezone.now())
        except Exception:  # noqa: BLE001 - a reader works it out when it is missing
            logger.exception("Page cache: could not work out the next timed change")


# --- Timed changes -----------------------------------------------------------------------------


def content_changes_next(now):
    """The next moment public content changes with no write: a published article goes live,
    expires, closes its comments (``COMMENTS_CLOSE_AFTER_DAYS``) or leaves the news sitemap;
    ``None`` when nothing is due. One query.

    Each moment is the first at which the QuerySets that decide (``published()``, the news
    window) answer differently, so a page valid until then is never stale."""
    news = NewsSitemap.window
    moments = {
        "live": Min("published_at", filter=Q(published_at__gt=now)),
        "expires": Min("expires_at", filter=Q(expires_at__gt=now)),
        "news": Min("published_at", filter=Q(published_at__gte=now - news)),
    }
    after = {"live": datetime.timedelta(0), "expires": datetime.timedelta(0), "news": news}
    if settings.COMMENTS_CLOSE_AFTER_DAYS > 0:
        closing = datetime.timedelta(days=settings.COMMENTS_CLOSE_AFTER_DAYS)
        moments["closes"] = Min("published_at", filter=Q(published_at__gt=now - closing))
        after["closes"] = closing
    found = Article.objects.filter(status=Article.Status.PUBLISHED).aggregate(**moments)
    return min(
        (moment + after[name] for name, moment in found.items() if moment is not None),
        default=None,
    )


def comment_counts_change_next(now):
    """The next moment an approved comment leaves the "most discussed" week, or ``None``."""
    week = datetime.timedelta(days=related.MOST_DISCUSSED_DAYS)
    oldest = (
        Comment.objects.approved()
        .filter(created_at__gte=now - week)
        .aggregate(oldest=Min("created_at"))["oldest"]
    )
    return None if oldest is None else oldest + week


# The tags whose pages also change with time, and when they next do.
TIMED = {CONTENT: content_changes_next, COMMENTS: comment_counts_change_next}


def _store_next_changes(versions, now):
    """Work out and keep the next timed change of each ``{tag: token}``; return them."""
    found = {tag: _timestamp(TIMED[tag](now)) for tag in versions}
    cache.set_many(
        {_next_change_key(tag, versions[tag]): moment for tag, moment in found.items()},
        NEXT_CHANGE_SECONDS,
    )
    return found


def _timestamp(moment):
    return math.inf if moment is None else moment.timestamp()


def _new_year(now):
    """The next New Year in the site's time zone, as a timestamp: the footer prints the year."""
    year = timezone.localtime(datetime.datetime.fromtimestamp(now, datetime.UTC)).year
    return timezone.make_aware(datetime.datetime(year + 1, 1, 1)).timestamp()


def next_change(versions, now):
    """The first moment after ``now`` (a timestamp) at which a page showing the tags of
    ``{tag: token}`` changes by itself: from the cache or, when unknown or past, worked out and
    kept (one query per such tag)."""
    earliest = _new_year(now)
    timed = {tag: token for tag, token in versions.items() if tag in TIMED}
    if not timed:
        return earliest
    keys = {_next_change_key(tag, token): tag for tag, token in timed.items()}
    known = cache.get_many(list(keys))
    unknown = {}
    for key, tag in keys.items():
        moment = known.get(key)
        if moment is None or moment <= now:
            unknown[tag] = timed[tag]
        else:
            earliest = min(earliest, moment)
    if unknown:
        found = _store_next_changes(unknown, datetime.datetime.fromtimestamp(now, datetime.UTC))
        earliest = min(earliest, *found.values())
    return earliest


# --- Read replicas -----------------------------------------------------------------------------


def _routed():
    return bool(settings.DATABASE_ROUTERS)


def primary_position(using=DEFAULT_DB_ALIAS):
    """The primary's WAL position when pages may be read from a PostgreSQL replica, else
    None."""
    if not _routed() or connections[using].vendor != "postgresql":
        return None
    try:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            return cursor.fetchone()[0]
    except Exception:  # noqa: BLE001 - an unknown position is waited for forever: no storing
        logger.exception("Page cache: could not read the primary's WAL position")
        return "FFFFFFFF/FFFFFFFF"


def _lsn(position):
    high, low = position.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def replica_caught_up(tokens):
    """Whether the database the pages are read from holds every change the versions
    ``tokens`` stand for: always without a replica; with one, when it has replayed the WAL
    as far as the primary had written at the latest of those changes."""
    if not _routed():
        return True
    alias = router.db_for_read(Article)
    connection = connections[alias]
    if alias == DEFAULT_DB_ALIAS or connection.vendor != "postgresql":
        return True
    positions = [token.partition("@")[2] for token in tokens]
    if not all(positions):
        # A version made by a reader (the cache was empty): wait for the primary's position now.
        positions = [primary_position() or "0/0"]
    needed = max(positions, key=_lsn)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery() AND "
                "coalesce(pg_last_wal_replay_lsn() < %s::pg_lsn, true)",
                [needed],
            )
            behind = cursor.fetchone()[0]
    except Exception:  # noqa: BLE001 - not knowing means not storing
        logger.exception("Page cache: could not read the replica's WAL position")
        return False
    return not behind
