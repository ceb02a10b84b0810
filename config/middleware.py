"""Middleware that is about operating the site rather than about its pages."""

import base64
import functools
import hashlib
import logging
import re
import sys
import uuid

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from accounts.roles import is_staff_member
from config.logging import request_id

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's or client's id is kept only when it is a short, plain token: it ends up in log
# lines and response headers, where anything else could forge lines or inject headers.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestIdMiddleware:
    """Gives every request an id: ``request.request_id``, the ``X-Request-ID`` response header
    and the ``request_id`` of every log record written while the request is handled.

    An incoming ``X-Request-ID`` (from a load balancer or a client) is reused when it is a safe
    token; otherwise a new uuid4 hex is generated. First in ``MIDDLEWARE``, so that the other
    middleware's log lines carry the id too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


class PermissionsPolicyMiddleware:
    """Adds a ``Permissions-Policy`` header that turns off the browser features named in
    ``PERMISSIONS_POLICY_DENIED`` (camera, microphone, …) for every page."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENIED)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response


@functools.cache
def admin_importmap_hash():
    """The CSP source (``'sha256-…'``) of the ``<script type="importmap">`` that
    django-prose-editor prints on admin pages. Computed on first use, not at import time,
    because the static files' hashed names are known only once collectstatic has run."""
    from django_prose_editor.widgets import importmap

    match = re.fullmatch(r"<script[^>]*>(.*)</script>", importmap.render(), re.DOTALL)
    digest = hashlib.sha256(match.group(1).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


class AdminContentSecurityPolicyMiddleware:
    """Allows, on admin pages only, exactly the inline import map of the rich-text editor,
    by its hash; the rest of the policy stays as strict as the public site's. Sits inside
    ``csp.middleware.CSPMiddleware``, which writes the header afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(reverse("admin:index")):
            update = dict(getattr(response, "_csp_update", None) or {})
            update["script-src"] = [*update.get("script-src", []), admin_importmap_hash()]
            # The admin's templates and editor widgets set style attributes; a style attribute
            # cannot run script, and public pages keep the stricter policy.
            update["style-src-attr"] = ["'unsafe-inline'"]
            response._csp_update = update
        return response


class StaffSessionExpiryMiddleware:
    """Gives a staff member's session (``accounts.roles.is_staff_member``: the admin or the
    moderation queue) a lifetime of ``STAFF_SESSION_AGE`` seconds, whatever the site-wide
    ``SESSION_COOKIE_AGE``: a forgotten admin log-in should not stay open for weeks.

    The age is set whenever the session is written anyway -- at log-in, which always writes
    it, at the second factor, and on any later change -- so requests that leave the session
    alone cost no extra query and pages that never read the session do not start to vary on
    the cookie. The session therefore ends ``STAFF_SESSION_AGE`` after the log-in, however
    busy its owner has been since: staff log in (with their second factor) once a day.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.modified:
            user = getattr(request, "user", None)
            if user is not None and is_staff_member(user):
                session.set_expiry(settings.STAFF_SESSION_AGE)
        return response


# How the database failing to answer looks from Django (connection refused, server shutting
# down, connection lost mid-request).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# Seconds a client is told to wait before trying again while the database is away.
DATABASE_RETRY_AFTER = 30


def database_unavailable_cause(error):
    """The database error behind ``error`` (itself, or what it was raised from), or None."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, DATABASE_UNAVAILABLE):
            return error
        error = error.__cause__ or error.__context__
        seen += 1
    return None


def database_unavailable_response(request, error):
    """The 503 page for a request the database could not serve, with the cause logged.

    ``503.html`` is rendered without the request, so no context processor runs (the user,
    the session and the feeds may all query the database), and it extends nothing.
    """
    logger.error(
        "Database unavailable: %s %s answered 503",
        request.method,
        request.path,
        exc_info=(type(error), error, error.__traceback__),
        extra={"request": request, "status_code": 503},
    )
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language()
    with translation.override(language):
        body = render_to_string("503.html")
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    # A cache or proxy must not keep serving the outage once the database is back.
    add_never_cache_headers(response)
    return response


def _note_database_failure(sender, request=None, **kwargs):
    """``got_request_exception`` receiver: remember that a request failed for want of the
    database, for ``DatabaseUnavailableMiddleware`` to answer 503 instead of Django's 500."""
    cause = database_unavailable_cause(sys.exc_info()[1])
    if request is not None and cause is not None:
        request.database_error = cause


class DatabaseUnavailableMiddleware:
    """Answers a friendly 503 page with ``Retry-After`` -- never a traceback, never a 500 --
    while the database cannot be reached, and logs the cause. When the database returns the
    next request simply succeeds: ``CONN_HEALTH_CHECKS`` replaces the dead connection.

    A view's failure (or its template's) arrives in ``process_exception``. A failure in a
    middleware further in -- the session saved on the way out, for instance -- has already
    been made a 500 response by Django when it gets here; the ``got_request_exception``
    receiver marks the request, and ``__call__`` exchanges that 500 for the 503. So it sits
    before ``SessionMiddleware`` (and after the middleware that add security headers, which
    the 503 keeps).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(
            _note_database_failure, dispatch_uid="config.middleware.database_unavailable"
        )

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, "database_error", None)
        if error is not None and response.status_code == 500 and not settings.DEBUG:
            return database_unavailable_response(request, error)
        return response

    def process_exception(self, request, exception):
        cause = database_unavailable_cause(exception)
        # With DEBUG on, Django's debug page shows the developer what went wrong instead
        # (a missing migration on SQLite is an OperationalError too).
        if cause is None or settings.DEBUG:
            return None
        return database_unavailable_response(request, cause)
