"""The log-in lock-out (django-axes): whose address a failure counts against, what a
locked-out person sees, and counting failed two-factor codes like failed passwords.

``config/settings.py`` names these functions in ``AXES_CLIENT_IP_CALLABLE`` and
``AXES_LOCKOUT_CALLABLE``; the lock-out rules themselves are django-axes' settings there.
"""

import ipaddress

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

LOCKED_OUT_TEMPLATE = "registration/locked_out.html"
ADMIN_LOCKED_OUT_TEMPLATE = "admin/accounts/locked_out.html"


def client_ip_address(request):
    """The address of the client that sent ``request``.

    ``REMOTE_ADDR``, unless ``TRUSTED_PROXY_COUNT`` proxies stand in front of the site: then
    the address the outermost of them saw, which is that many entries from the right of
    ``X-Forwarded-For`` (entries further left are whatever the client chose to send). Anything
    that is not an IP address counts as no address.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def retry_at(request, credentials=None):
    """When the locked-out ``request`` may try to log in again: the cool-off after the last
    failure that counted towards the lock-out."""
    handler = AxesProxyHandler.get_implementation()
    failures = [
        attempts.aggregate(latest=Max("attempt_time"))["latest"]
        for attempts in handler.get_user_attempts(request, credentials)
    ]
    latest = max((moment for moment in failures if moment is not None), default=timezone.now())
    return latest + get_cool_off(request)


def is_admin_request(request):
    return request.path_info.startswith(reverse("admin:index"))


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out person gets instead of the log-in form's answer: HTTP 429, what
    happened, when they may try again, and that an administrator can unlock them sooner. In
    the admin's style for the admin's log-in, in the site's elsewhere.

    django-axes calls this (``AXES_LOCKOUT_CALLABLE``) for every refused attempt.
    """
    moment = retry_at(request, credentials)
    context = {"retry_at": moment, "username": get_client_username(request, credentials) or ""}
    if is_admin_request(request):
        template = ADMIN_LOCKED_OUT_TEMPLATE
        context.update(admin.site.each_context(request))
    else:
        template = LOCKED_OUT_TEMPLATE
    response = render(request, template, context, status=429)
    wait = (moment - timezone.now()).total_seconds()
    response["Retry-After"] = str(max(1, int(wait + 0.999)))
    return response


def credentials_for(user):
    """What django-axes counts a failure of ``user``'s against, as for a wrong password."""
    return {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}


def is_locked_out(request, user):
    """Whether ``user`` is locked out from the address ``request`` came from."""
    return not AxesProxyHandler.is_allowed(request, credentials_for(user))


def record_failure(request, user):
    """Count a wrong second-factor code against ``user`` and the address, like a wrong
    password; returns whether that locked them out. The lock-out middleware then answers
    with the lock-out page."""
    user_login_failed.send(sender=__name__, credentials=credentials_for(user), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def record_success(request, user):
    """Clear ``user``'s failures from this address once both factors have passed, as a
    successful password alone does (``AXES_RESET_ON_SUCCESS``)."""
    if settings.AXES_RESET_ON_SUCCESS:
        AxesProxyHandler.update_request(request)
        AxesProxyHandler.get_implementation().reset_user_attempts(request, credentials_for(user))
