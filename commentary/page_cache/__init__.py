"""Whole public pages for anonymous readers, served from the cache and invalidated exactly.

**What is cached.** A GET or HEAD of a public page (home, article, column, author, tag,
archives, corrections, the feeds, the sitemaps: ``pages.PAGES``) by a reader who sends no
session cookie, no messages cookie and no credentials: a reader for whom Django renders
nothing personal. Signed-in readers, moderators, readers whose session remembers their own
pending comments, readers with a message waiting: all pass straight through, never served
someone else's page and never storing one. The key is the scheme, host, path and query string
(the language is in the path, ``/en/`` or ``/ru/``; the unprefixed sitemaps add the negotiated
language). A query parameter the page does not use (anything but ``page`` on a list, ``p`` on
a sitemap) sends the request past the cache, so made-up addresses cannot fill it; campaign
parameters (``utm_*``, ``fbclid``, …) are dropped from the request first, so shared links are
served from the cache too. Search results (endless addresses) are not cached.

**Invalidation by tag versions** (:mod:`.versions`). Every page depends on tags: ``content``
(any public article, byline, author, column, publication, tag or correction), ``comments``
(the home page's "most discussed" counts them) and ``comments:<slug>`` (one article page's
comments). Each tag has a version, a random token kept in the same cache as the pages: every
app server sharing one Redis sees the same versions, and nothing lives in a process. A stored
page records the versions it was rendered under and is served only while all are current.
:func:`invalidate` (from the signal handlers, and from services whose bulk changes send no
signals) replaces them: at once with a *pending* version, under which nothing is stored, so
that reads inside the writing transaction never see an old page; and again when the
transaction commits. A page is stored with the versions read **before** it was rendered: a
change committing while it renders bumps them after the page read them, so that page is stale
the moment it is stored, never served as fresh.

**Time.** Some changes need no write: a scheduled article goes live, an article expires, its
comments close, it leaves the news sitemap, a comment leaves the "most discussed" week, the
year in the footer turns. A page is valid until the next such moment (worked out once per
version of its tags, with one query, right after a change commits: readers rarely pay it) and
never longer than ``PAGE_CACHE_SECONDS``.

**Personal values** (:mod:`.pages`): the CSRF tokens of a page's forms and the comment form's
signed token are cut out when a page is stored and made anew for each reader: a CSRF token of
the reader's own ``csrftoken`` cookie (or of a new one, sent exactly as ``CsrfViewMiddleware``
sends it), and a comment-form token whose submission key no other reader shares.

**A hit** (:mod:`.middleware`) costs one cache round trip (the page and its tags' versions,
read together: the tags follow from the address alone, resolved once per process), or none for
a page the process keeps in its own memory (:mod:`.local`: forgotten the moment any app server
announces a change of its versions over a Redis channel), no query,
no template, no session, and no middleware: under WSGI it is answered before Django handles
the request, with the headers the page was rendered with (security headers, the
Content-Security-Policy, ``Vary``, ``Content-Language``) and ``X-Cache: hit``. Browsers get
``ETag`` and ``Last-Modified`` and a 304 for an unchanged page, on hits and misses alike; a
page with a form is ``private`` and its ETag includes the reader's cookie.

**Read replicas.** With ``DATABASE_REPLICA_URL`` a page is rendered from the replica, which may
lag behind the commit whose version the reader just read: each version then carries the
primary's WAL position at the change, and a page is stored only once the replica has replayed
that far, checked before the rendering starts.

With the in-process memory cache (no ``REDIS_URL``) the pages and versions belong to one
process: run one process (threads are fine), or set ``REDIS_URL``.
"""

from .middleware import CachedPages, PageCacheMiddleware
from .versions import COMMENTS, CONTENT, article_comments, invalidate

__all__ = [
    "COMMENTS",
    "CONTENT",
    "CachedPages",
    "PageCacheMiddleware",
    "article_comments",
    "invalidate",
]
