"""Middleware that is about operating the site rather than about its pages."""

import base64
import functools
import hashlib
import re
import uuid

from django.conf import settings
from django.urls import reverse

from config.logging import request_id

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
    """Gives a staff member's session a lifetime of ``STAFF_SESSION_AGE`` seconds, whatever
    the site-wide ``SESSION_COOKIE_AGE``: a forgotten admin log-in should not stay open for
    weeks. The age is set whenever the session is written anyway -- at log-in, which always
    writes it, and on any later change -- so requests that leave the session alone cost no
    extra query and pages that never read the session do not start to vary on the cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.modified:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and user.is_staff:
                session.set_expiry(settings.STAFF_SESSION_AGE)
        return response
