"""Where the page cache meets the request: :class:`CachedPages` answers hits before Django's
request handling starts (``config.wsgi``), :class:`PageCacheMiddleware` stores misses (and
answers hits where there is no such WSGI wrapper: ASGI, the test client).
"""

import logging
import math
import os
import time

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIRequest, get_path_info
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date

from config.middleware import REQUEST_ID_HEADER, SAFE_REQUEST_ID

from . import versions
from .local import local_pages
from .pages import (
    BYPASS,
    CSRF_HOLE,
    HIT,
    MISS,
    NOT_MODIFIED_HEADERS,
    X_CACHE,
    Entry,
    answer,
    cacheable_path,
    content_hash,
    csrf_cookie_header,
    cut_personal_values,
    etag,
    impersonal,
    lookup_for,
    not_modified,
    reader_csrf_secret,
    set_csrf_cookie,
)

logger = logging.getLogger("commentary.page_cache")

# The cache's answer to a lookup made before Django started (environ key): a miss then reads
# the versions from it instead of asking the cache again.
FOUND = "commentary.page_cache.found"
# Made per response rather than stored with the page.
_PER_RESPONSE_HEADERS = frozenset({"content-length", "etag", "last-modified", X_CACHE.lower()})
# How long the page cache remembers when a page's content last changed.
LAST_MODIFIED_SECONDS = 7 * 24 * 60 * 60
# A view that says so is never stored.
_PERSONAL_CACHE_CONTROL = ("private", "no-store", "no-cache")


def _cacheable(request):
    """The page's :class:`~.pages.Lookup` when ``request`` may be answered from the cache;
    None otherwise. ``False`` when the page is cacheable but not for this request."""
    if request.method not in ("GET", "HEAD") or settings.PAGE_CACHE_SECONDS <= 0:
        return None
    path = cacheable_path(request.path_info)
    if path is None:
        return None
    if not impersonal(request):
        return False
    return lookup_for(request, path) or False


def _fetch(lookup):
    """The page and its tags' versions, as the cache has them (one round trip); None when
    the cache fails (then the page is rendered and not stored)."""
    try:
        return cache.get_many(lookup.keys)
    except Exception:  # noqa: BLE001 - a cache that fails costs the rendering, nothing else
        logger.exception("Page cache: the cache did not answer")
        return None


def _stored(lookup, found):
    value = found.get(lookup.entry_key)
    return (
        Entry._make(value)
        if isinstance(value, tuple) and len(value) == len(Entry._fields)
        else None
    )


def _current(lookup, found):
    entry = _stored(lookup, found)
    if entry is not None and entry.is_current(found, time.time()):
        return entry
    return None


def _in_memory(lookup):
    """``(entry, mark)``: the current page from this process's memory (no round trip), else
    None and the mark to read it from the cache with (see ``LocalPages.keep``)."""
    memory = local_pages()
    if memory is None:
        return None, None
    entry = memory.page(lookup.entry_key, time.time())
    return entry, (None if entry is not None else memory.heard())


def _in_cache(lookup, mark):
    """``(found, entry)``: the cache's answer (None when it failed) and the current page in
    it, kept in this process's memory too."""
    found = _fetch(lookup)
    entry = None if found is None else _current(lookup, found)
    if entry is not None and mark is not None:
        local_pages().keep(lookup.entry_key, entry, mark, time.time())
    return found, entry


class CachedPages:
    """A WSGI wrapper around Django's application that answers cached pages before Django
    handles the request at all: no request object beyond Django's parsing of the address,
    cookies and host, no middleware, no response object, at most one cache round trip (none for
    a page this process keeps in memory, see ``local``). Whatever it
    does not answer (any miss, any other page or reader) goes to Django unchanged.

    It gives the response what the outer middleware would have: ``X-Request-ID`` (see
    ``config.middleware.RequestIdMiddleware``); everything else the page's middleware added
    is stored with the page.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            served = self._from_cache(environ)
        except Exception:  # noqa: BLE001 - Django answers instead, and reports as it does
            logger.exception("Page cache: could not answer from the cache")
            served = None
        if served is None:
            return self.application(environ, start_response)
        start_response(served.status_line, served.headers)
        return [served.body]

    @staticmethod
    def _from_cache(environ):
        """The answer to a hit, with its cookie and request id among its headers; None to let
        Django answer (the cache's answer then left in the environ for the middleware)."""
        if versions.has_unsent():
            versions.send_unsent()
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or (
            cacheable_path(get_path_info(environ)) is None
        ):
            return None
        # A copy: WSGIRequest writes the decoded path back into the environ it is given, and
        # Django's own handler could then no longer read a non-Latin address from it.
        request = WSGIRequest(dict(environ))
        lookup = _cacheable(request)
        if not lookup:
            return None
        entry, mark = _in_memory(lookup)
        if entry is None:
            found, entry = _in_cache(lookup, mark)
            if entry is None:
                environ[FOUND] = (lookup.entry_key, found)
                return None
        served = answer(request, entry, HIT)
        headers = served.headers
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else os.urandom(16).hex()
        headers.append((REQUEST_ID_HEADER, request_id))
        if served.csrf_secret is not None:
            headers.append(("Set-Cookie", csrf_cookie_header(served.csrf_secret)))
        return served


class PageCacheMiddleware:
    """Stores anonymous readers' pages, and answers the stored ones where :class:`CachedPages`
    did not (see the package's docstring).

    Second in ``MIDDLEWARE``, after the request id: a miss is stored as every other middleware
    left it, so a hit carries the same headers, and a hit answered here skips them all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if versions.has_unsent():
            versions.send_unsent()
        lookup = _cacheable(request)
        if lookup is None:
            return self.get_response(request)
        if lookup is False:
            response = self.get_response(request)
            response.headers.setdefault(X_CACHE, BYPASS)
            return response
        fetched = request.META.pop(FOUND, None)
        if fetched is not None and fetched[0] == lookup.entry_key:
            found = fetched[1]
        else:
            entry, mark = _in_memory(lookup)
            if entry is None:
                found, entry = _in_cache(lookup, mark)
            if entry is not None:
                return self._response(answer(request, entry, HIT))
        if found is None:  # the cache did not answer: rendered, not stored
            response = self.get_response(request)
            response.headers.setdefault(X_CACHE, BYPASS)
            return response
        try:
            tokens = self._versions_before_rendering(lookup, found)
        except Exception:  # noqa: BLE001 - rendered, not stored
            logger.exception("Page cache: could not read the versions of %s", lookup.path.tags)
            tokens = None
        response = self.get_response(request)
        return self._after_rendering(request, lookup, tokens, _stored(lookup, found), response)

    @staticmethod
    def _response(served):
        response = HttpResponse(served.body, status=served.status, headers=served.headers)
        if served.csrf_secret is not None:
            set_csrf_cookie(response, served.csrf_secret)
        return response

    # A miss.

    @staticmethod
    def _versions_before_rendering(lookup, found):
        """The current versions of the page's tags, read *before* it is rendered (the missing
        ones created), so that a change committed while it renders makes it stale at once.
        None when it must not be stored: a change is in progress, or the replica the page is
        read from has not caught up with the latest one."""
        current = {}
        for key in lookup.path.version_keys:
            token = found.get(key)
            if token is None:
                token = versions.new_token(versions.primary_position())
                if not cache.add(key, token, None):
                    token = cache.get(key)
                if token is None:
                    return None  # the cache is not answering
            current[key] = token
        tokens = list(current.values())
        if any(token.startswith(versions.PENDING) for token in tokens):
            return None
        if not versions.replica_caught_up(tokens):
            return None
        return current

    def _after_rendering(self, request, lookup, tokens, previous, response):
        if response.status_code != 200 or response.streaming:
            return response
        cache_control = response.get("Cache-Control", "").lower()
        if any(word in cache_control for word in _PERSONAL_CACHE_CONTROL):
            return response  # the view said so
        if any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
            # It started a session or left a message: personal after all.
            response.headers.setdefault(X_CACHE, BYPASS)
            return response
        secret = request.META.get("CSRF_COOKIE")
        parts, holes = cut_personal_values(response.content, secret)
        if CSRF_HOLE in holes and settings.CSRF_USE_SESSIONS:
            response.headers.setdefault(X_CACHE, BYPASS)
            return response  # its token lives in a session
        if not cache_control:
            # Revalidated every time, as the page may change at any moment; one with a form is
            # the reader's own (its token belongs to their cookie).
            response["Cache-Control"] = "private, no-cache" if CSRF_HOLE in holes else "no-cache"
        now = time.time()
        entry_hash = content_hash(parts, holes)
        last_modified = self._last_modified(lookup, previous, entry_hash, now)
        entry = Entry(
            versions=(),
            valid_until=0.0,
            status=response.status_code,
            headers=tuple(
                (name, value)
                for name, value in response.items()
                if name.lower() not in _PER_RESPONSE_HEADERS
            ),
            parts=parts,
            holes=holes,
            content_hash=entry_hash,
            last_modified=last_modified,
            last_modified_header=http_date(last_modified),
        )
        if tokens is not None:
            try:
                self._store(lookup, tokens, entry, now)
            except Exception:  # noqa: BLE001 - the reader still gets the page
                logger.exception("Page cache: could not store %s", request.path)
        return self._finish(request, response, entry, secret)

    @staticmethod
    def _last_modified(lookup, previous, entry_hash, now):
        """When the page last changed: kept (under a small key of its own, for a week) across
        renderings of the same content, so that an ``If-Modified-Since`` a feed reader sends
        still gets 304 once the stored page has expired."""
        if previous is not None and previous.content_hash == entry_hash:
            return previous.last_modified
        key = lookup.modified_key
        try:
            known = cache.get(key)
            if isinstance(known, tuple) and known[0] == entry_hash:
                return known[1]
            cache.set(key, (entry_hash, int(now)), LAST_MODIFIED_SECONDS)
        except Exception:  # noqa: BLE001 - then the page is as new as its rendering
            logger.exception("Page cache: could not read when %s last changed", key)
        return int(now)

    @staticmethod
    def _store(lookup, tokens, entry, now):
        path = lookup.path
        by_tag = {tag: tokens[key] for tag, key in zip(path.tags, path.version_keys, strict=True)}
        valid_until = min(now + settings.PAGE_CACHE_SECONDS, versions.next_change(by_tag, now))
        if valid_until <= now:
            return
        entry = entry._replace(versions=tuple(tokens.items()), valid_until=valid_until)
        cache.set(lookup.entry_key, tuple(entry), math.ceil(valid_until - now))

    @staticmethod
    def _finish(request, response, entry, secret):
        """The rendered page with what a hit on it would carry, or 304."""
        entry_etag = etag(entry.content_hash, entry.holes, secret)
        response.headers["ETag"] = entry_etag
        response.headers["Last-Modified"] = entry.last_modified_header
        response.headers[X_CACHE] = MISS
        reader_known = CSRF_HOLE not in entry.holes or (
            secret is not None and reader_csrf_secret(request) == secret
        )
        if reader_known and not_modified(request, entry_etag, entry.last_modified):
            not_modified_response = HttpResponseNotModified()
            for name, value in response.items():
                if name.lower() in NOT_MODIFIED_HEADERS:
                    not_modified_response.headers[name] = value
            not_modified_response.headers[X_CACHE] = MISS
            not_modified_response.cookies = response.cookies
            return not_modified_response
        return response
