"""Which pages are cached, under which key, what is personal in them, and the answer a reader
gets from a stored page.

A stored page (:class:`Entry`) keeps the body cut around its personal values; each reader gets
values of their own (:func:`answer`): a CSRF token of the reader's own ``csrftoken`` cookie
(or of a new one, sent as ``CsrfViewMiddleware`` sends it) and a new signed comment-form token
(``spam.issue_form_token``: when the form was shown, and the key that makes a double submission
store one comment, which two readers must never share).
"""

import functools
import hashlib
import operator
import re
import secrets
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.cookies import SimpleCookie
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.http import Http404, HttpResponseBase
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CSRF_TOKEN_LENGTH
from django.urls import resolve
from django.utils import translation
from django.utils.http import parse_etags, parse_http_date_safe

from .. import spam
from .versions import COMMENTS, CONTENT, article_comments, hashed, version_key

X_CACHE = "X-Cache"
HIT, MISS, BYPASS = "hit", "miss", "bypass"

# Campaign parameters: analytics read them in the browser; no page uses them.
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid"}
)
TRACKING_PREFIX = "utm_"


# --- Which pages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A kind of cacheable page: the tags it depends on and the query parameters that make
    another page of it (any other parameter is rendered, never stored)."""

    tags: tuple
    parameters: frozenset = frozenset()
    comments_of_article: bool = False

    def tags_for(self, kwargs):
        if self.comments_of_article:
            return (*self.tags, article_comments(kwargs["slug"]))
        return self.tags


_LIST = Page(tags=(CONTENT,), parameters=frozenset({"page"}))
_FEED = Page(tags=(CONTENT,))
_SITEMAP = Page(tags=(CONTENT,), parameters=frozenset({"p"}))

# Route name → page; the feeds are every route named ``commentary:feed_…``. Search results
# (endless addresses) and the personal pages are not here.
PAGES = {
    "commentary:home": Page(tags=(CONTENT, COMMENTS), parameters=frozenset({"page"})),
    # ``?reply_to=`` (the reply form without script) is rendered: any number would do.
    "commentary:article": Page(tags=(CONTENT,), comments_of_article=True),
    "commentary:column": _LIST,
    "commentary:author": _LIST,
    "commentary:tag": _LIST,
    "commentary:corrections": _LIST,
    "commentary:archive_year": _LIST,
    "commentary:archive_month": _LIST,
    "sitemap": _SITEMAP,
    "sitemap_news": _SITEMAP,
    "sitemap_section": _SITEMAP,
}
FEED_ROUTE_PREFIX = "commentary:feed_"


def page_for_route(view_name):
    if view_name.startswith(FEED_ROUTE_PREFIX):
        return _FEED
    return PAGES.get(view_name)


@dataclass(frozen=True)
class CacheablePath:
    """What the cache needs to know of one path: its tags, their version keys, the query
    parameters it takes, and whether its language is in it (not for the sitemaps)."""

    tags: tuple
    version_keys: tuple
    parameters: frozenset
    language_in_path: bool


@functools.lru_cache(maxsize=8192)
def cacheable_path(path_info):
    """The :class:`CacheablePath` of ``path_info``, or None when it is no cacheable page.

    Resolving the address costs more than the rest of a hit and its answer is fixed by the
    URLconf, so each process remembers it per path (a fact about addresses, not about content).
    """
    language = translation.get_language_from_path(path_info)
    try:
        with translation.override(language or settings.LANGUAGE_CODE):
            match = resolve(path_info)
    except Http404:
        return None
    page = page_for_route(match.view_name)
    if page is None:
        return None
    tags = page.tags_for(match.kwargs)
    return CacheablePath(
        tags=tags,
        version_keys=tuple(version_key(tag) for tag in tags),
        parameters=page.parameters,
        language_in_path=language is not None,
    )


def _forget_paths(setting, **kwargs):
    if setting in {"ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "ADMIN_URL"}:
        cacheable_path.cache_clear()
    if setting in {"RELEASE", "BASE_DIR"}:
        release.cache_clear()


setting_changed.connect(_forget_paths, dispatch_uid="commentary.page_cache.forget_paths")


# --- Which readers, which key -----------------------------------------------------------------


def impersonal(request):
    """A GET or HEAD with no session, no message waiting, no credentials and no precondition
    but the cache's own: a request Django would answer with nothing personal."""
    cookies = request.COOKIES
    meta = request.META
    return (
        settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
        and "HTTP_AUTHORIZATION" not in meta
        and "HTTP_IF_MATCH" not in meta
        and "HTTP_IF_UNMODIFIED_SINCE" not in meta
    )


@dataclass(frozen=True)
class Lookup:
    """A cacheable request: its page's key, read with the versions of the page's tags."""

    path: CacheablePath
    entry_key: str

    @property
    def keys(self):
        return [self.entry_key, *self.path.version_keys]

    @property
    def modified_key(self):
        """Where the hash of the page's content and when it last changed are kept."""
        return self.entry_key.replace("pc:p", "pc:m", 1)


def _query_of(request, path):
    """The query string the page is kept under, campaign parameters dropped (from the request
    too, so the page is rendered without them); None when it holds a parameter the page does
    not use."""
    raw = request.META.get("QUERY_STRING", "")
    if not raw:
        return ""
    kept, dropped = [], False
    for pair in raw.split("&"):
        name = pair.partition("=")[0]
        if not pair:
            continue
        if name.startswith(TRACKING_PREFIX) or name in TRACKING_PARAMETERS:
            dropped = True
        elif name in path.parameters:
            kept.append(pair)
        else:
            return None
    query = "&".join(kept)
    if dropped:
        request.META["QUERY_STRING"] = query
        request.__dict__.pop("GET", None)
    return query


_HOST_HEADERS = (
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
)
_known_hosts = {}


def _host(request):
    """``request.get_host()``, or None when not allowed; its answer remembered per set of the
    headers it reads (checking ``ALLOWED_HOSTS`` costs more than the rest of a hit)."""
    meta = request.META
    key = (_settings_generation, *(meta.get(name) for name in _HOST_HEADERS))
    host = _known_hosts.get(key)
    if host is None:
        try:
            host = request.get_host()
        except DisallowedHost:
            return None
        if len(_known_hosts) >= 256:
            _known_hosts.clear()
        _known_hosts[key] = host
    return host


def lookup_for(request, path):
    """The :class:`Lookup` of ``request`` for ``path``, or None to leave it to Django."""
    query = _query_of(request, path)
    if query is None:
        return None
    host = _host(request)
    if host is None:
        return None  # CommonMiddleware answers 400
    scheme = "https" if request.is_secure() else "http"
    address = f"{scheme}://{host}{request.path}?{query}"
    if not path.language_in_path:
        address += "#" + translation.get_language_from_request(request)
    return Lookup(path=path, entry_key=f"pc:p{ENTRY_FORMAT}:{release()}:{hashed(address, 32)}")


# What makes the pages look as they do besides the content: a page stored by an earlier release
# of the site is not served by this one (nor the other way round, while a rolling deploy runs
# both), though no content changed.
RELEASE_SOURCES = ("templates", "locale", "commentary", "accounts", "config")
RELEASE_SUFFIXES = frozenset({".html", ".txt", ".xml", ".po", ".py", ".json"})


@functools.lru_cache(maxsize=1)
def release():
    """``settings.RELEASE`` when set (a deploy names its build), else a fingerprint of the
    code, templates and translations of this checkout: the same on every app server running
    the same files, wherever and whenever they were copied."""
    if settings.RELEASE:
        return hashed(settings.RELEASE, 12)
    return release_fingerprint(settings.BASE_DIR, RELEASE_SOURCES)


def release_fingerprint(root, folders):
    digest = hashlib.md5(usedforsecurity=False)
    for folder in folders:
        for path in sorted(Path(root, folder).rglob("*")):
            if path.suffix in RELEASE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(root)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# --- Stored pages -------------------------------------------------------------------------------


# Entries are stored as plain tuples, under keys naming this layout: a release that changes
# it reads none of the old ones (no class path in the cache to break unpickling).
ENTRY_FORMAT = 1


class Entry(NamedTuple):
    """A stored page: the versions it was rendered under, until when it may be served at
    most, its status and headers, its body cut around the personal values (``holes``, one
    letter each), the hash of that (for the ETag) and when the body last changed."""

    versions: tuple
    valid_until: float
    status: int
    headers: tuple
    parts: tuple
    holes: str
    content_hash: str
    last_modified: int
    last_modified_header: str

    def is_current(self, found, now):
        """Whether it may be served, given the versions ``found`` in the cache."""
        if now >= self.valid_until:
            return False
        return all(found.get(key) == token for key, token in self.versions)


def content_hash(parts, holes):
    digest = hashlib.md5(holes.encode(), usedforsecurity=False)
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()[:20]


# --- What is personal in a page ---------------------------------------------------------------

CSRF_HOLE, FORM_TOKEN_HOLE = "c", "f"
_CSRF_CANDIDATE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % CSRF_TOKEN_LENGTH)
# spam.issue_form_token(): signing.dumps without compression, "payload:timestamp:signature".
_FORM_TOKEN_CANDIDATE = re.compile(rb'(?<=value=")[A-Za-z0-9_-]+:[A-Za-z0-9]+:[A-Za-z0-9_-]+(?=")')
_CSRF_CHAR_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}


def _unmasked(token):
    """The secret of a masked CSRF token, unmasked as ``django.middleware.csrf`` does."""
    mask, cipher = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    chars, index = CSRF_ALLOWED_CHARS, _CSRF_CHAR_INDEX
    return "".join(chars[index[c] - index[m]] for c, m in zip(cipher, mask, strict=True))


def _is_form_token(value):
    try:
        spam.read_form_token(value.decode())
    except spam.FormTokenError:
        return False
    return True


def cut_personal_values(content, csrf_secret):
    """``content`` as the parts between its personal values, and what each of those was (one
    letter each): the CSRF tokens of ``csrf_secret`` and the comment form's tokens. Whatever
    else looks like a token (an article may quote one) is left alone."""
    holes = []
    if csrf_secret:
        for match in _CSRF_CANDIDATE.finditer(content):
            if _unmasked(match.group().decode()) == csrf_secret:
                holes.append((match.start(), match.end(), CSRF_HOLE))
    for match in _FORM_TOKEN_CANDIDATE.finditer(content):
        if _is_form_token(match.group()):
            holes.append((match.start(), match.end(), FORM_TOKEN_HOLE))
    holes.sort()
    parts, kinds, start = [], [], 0
    for begin, end, kind in holes:
        parts.append(content[start:begin])
        kinds.append(kind)
        start = end
    parts.append(content[start:])
    return tuple(parts), "".join(kinds)


# Django's get_token() draws each of the 64 characters of a new secret and its mask with a call
# of its own to the system's random source, then masks in a loop of Python: most of the time a
# cached page takes. The same tokens, each character as likely, from one call and a few
# byte-table lookups: random bytes become character indexes by a table, and the bytes past the
# last whole multiple of 62 are dropped (folding them in would favour some characters).
_CHARS = CSRF_ALLOWED_CHARS.encode()
_UNBIASED = 256 - 256 % len(_CHARS)
_BYTE_TO_INDEX = bytes(byte % len(_CHARS) if byte < _UNBIASED else 0 for byte in range(256))
_BIASED_BYTES = bytes(range(_UNBIASED, 256))
_CHAR_TO_INDEX = bytes(_CHARS.find(byte) % len(_CHARS) for byte in range(256))
# An index, or a sum of two (mask + secret), as the character it stands for.
_INDEX_TO_CHAR = bytes(_CHARS[value % len(_CHARS)] for value in range(256))


def _random_indexes():
    drawn = b""
    while len(drawn) < CSRF_SECRET_LENGTH:
        drawn += secrets.token_bytes(CSRF_SECRET_LENGTH + 16).translate(
            _BYTE_TO_INDEX, _BIASED_BYTES
        )
    return drawn[:CSRF_SECRET_LENGTH]


def random_csrf_string():
    """A new CSRF secret, as ``django.middleware.csrf`` makes one."""
    return _random_indexes().translate(_INDEX_TO_CHAR).decode()


def masked_csrf_token(secret):
    """A token for ``secret``, masked as ``django.middleware.csrf.get_token`` masks it: a
    random mask, then each character of the secret shifted by the mask's."""
    mask = _random_indexes()
    shifted = bytes(map(operator.add, secret.encode().translate(_CHAR_TO_INDEX), mask))
    return (mask.translate(_INDEX_TO_CHAR) + shifted.translate(_INDEX_TO_CHAR)).decode()


def reader_csrf_secret(request):
    """The CSRF secret of the reader's ``csrftoken`` cookie when it is a well-formed one (as
    ``CsrfViewMiddleware`` reads it, an old masked cookie unmasked), else None."""
    value = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if len(value) not in (CSRF_SECRET_LENGTH, CSRF_TOKEN_LENGTH):
        return None
    if not (value.isascii() and value.isalnum()):
        return None
    return _unmasked(value) if len(value) == CSRF_TOKEN_LENGTH else value


class _Cookies:
    """Just what ``HttpResponseBase.set_cookie`` writes to, so that the cookie is made by
    Django's own code whether it goes out on an ``HttpResponse`` or straight to the server."""

    def __init__(self):
        self.cookies = SimpleCookie()


def set_csrf_cookie(response, secret):
    """Set the reader's CSRF cookie as ``CsrfViewMiddleware`` does (it renews it on every page
    that uses it). ``response`` is an ``HttpResponse`` or a :class:`_Cookies`."""
    HttpResponseBase.set_cookie(
        response,
        settings.CSRF_COOKIE_NAME,
        secret,
        max_age=settings.CSRF_COOKIE_AGE,
        domain=settings.CSRF_COOKIE_DOMAIN,
        path=settings.CSRF_COOKIE_PATH,
        secure=settings.CSRF_COOKIE_SECURE,
        httponly=settings.CSRF_COOKIE_HTTPONLY,
        samesite=settings.CSRF_COOKIE_SAMESITE,
    )


# Stands for the secret in a cookie made once a second (its expiry date changes each second).
_SECRET_PLACEHOLDER = "0" * CSRF_SECRET_LENGTH


@functools.lru_cache(maxsize=2)
def _csrf_cookie_header_at(second, settings_generation):
    jar = _Cookies()
    set_csrf_cookie(jar, _SECRET_PLACEHOLDER)
    return jar.cookies[settings.CSRF_COOKIE_NAME].output(header="")


_settings_generation = 0


def _count_settings_change(**kwargs):
    global _settings_generation
    _settings_generation += 1


setting_changed.connect(_count_settings_change, dispatch_uid="commentary.page_cache.settings")


def csrf_cookie_header(secret):
    """The ``Set-Cookie`` header Django's WSGI handler would send for the reader's cookie."""
    template = _csrf_cookie_header_at(int(time.time()), _settings_generation)
    return template.replace(_SECRET_PLACEHOLDER, secret, 1)


# --- Answers ----------------------------------------------------------------------------------


def etag(entry_hash, holes, csrf_secret):
    """A weak ETag: the page's content and, when its forms carry tokens of the reader's cookie,
    that cookie (a reader with another cookie needs the page again, with tokens of theirs)."""
    if CSRF_HOLE not in holes:
        return f'W/"{entry_hash}"'
    reader = hashlib.sha256(f"{entry_hash}:{csrf_secret}".encode()).hexdigest()[:12]
    return f'W/"{entry_hash}-{reader}"'


def not_modified(request, entry_etag, last_modified):
    """Whether a GET or HEAD may be answered 304 (RFC 9110 13.2.2, as Django decides it)."""
    meta = request.META
    if_none_match = meta.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        etags = parse_etags(if_none_match)
        if etags == ["*"]:
            return True
        return entry_etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in etags}
    if_modified_since = meta.get("HTTP_IF_MODIFIED_SINCE")
    if if_modified_since:
        since = parse_http_date_safe(if_modified_since)
        return since is not None and last_modified <= since
    return False


# Kept on a 304, as Django's ConditionalGetMiddleware keeps them.
NOT_MODIFIED_HEADERS = frozenset(
    {"cache-control", "content-location", "date", "etag", "expires", "last-modified", "vary"}
)
_STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


class Answer(NamedTuple):
    """A response made from a stored page: status, headers (cookies aside), body, and the CSRF
    secret the reader's cookie must be set to (None when the page has no form)."""

    status: int
    headers: list
    body: bytes
    csrf_secret: str | None

    @property
    def status_line(self):
        return _STATUS_LINES[self.status]


def answer(request, entry, state):
    """The response to ``request`` from ``entry`` (``state`` for ``X-Cache``): the page with
    values of this reader's own, or 304 when the reader's copy is current."""
    body, secret, reader_known = entry.parts[0], None, True
    if entry.holes:
        token = None
        if CSRF_HOLE in entry.holes:
            secret = reader_csrf_secret(request)
            reader_known = secret is not None
            if secret is None:
                secret = random_csrf_string()
            token = masked_csrf_token(secret).encode()
        pieces = [body]
        for kind, part in zip(entry.holes, entry.parts[1:], strict=True):
            pieces.append(token if kind == CSRF_HOLE else spam.issue_form_token().encode())
            pieces.append(part)
        body = b"".join(pieces)
    entry_etag = etag(entry.content_hash, entry.holes, secret)
    headers = [
        *entry.headers,
        ("Content-Length", str(len(body))),
        ("ETag", entry_etag),
        ("Last-Modified", entry.last_modified_header),
        (X_CACHE, state),
    ]
    # A reader given a new CSRF cookie must get the page with tokens of that cookie.
    if reader_known and not_modified(request, entry_etag, entry.last_modified):
        kept = [(name, value) for name, value in headers if name.lower() in NOT_MODIFIED_HEADERS]
        return Answer(HTTPStatus.NOT_MODIFIED, [*kept, (X_CACHE, state)], b"", secret)
    return Answer(entry.status, headers, body, secret)
