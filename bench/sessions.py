"""A signed-in session for a user, made directly in the session store, for HTTP clients that
cannot fill in the log-in form (wrk, a test driving gunicorn).

The one place that knows what a signed-in session holds: when log-in gains a step (a second
factor), this function learns it and every caller keeps working.
"""

from django.conf import settings
from django.test import Client


def signed_in_cookie(user):
    """A ``Cookie`` header value (``sessionid=…``) that signs ``user`` in on any app server
    sharing this database and ``SECRET_KEY``.

    ``Client.force_login`` runs Django's own ``login()`` (session keys, the password hash that
    ends the session on a password change, the staff session age). When two-factor
    authentication is installed, the session is also marked as verified with one of the
    user's confirmed devices (one is made if the user has none), as ``django_otp.login``
    does after a correct code.
    """
    client = Client()
    client.force_login(user)
    session = client.session
    if "django_otp" in settings.INSTALLED_APPS:
        session[_otp_session_key()] = _otp_device(user).persistent_id
        session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _otp_session_key():
    from django_otp import DEVICE_ID_SESSION_KEY

    return DEVICE_ID_SESSION_KEY


def _otp_device(user):
    """A confirmed second-factor device of ``user``: one they have, else a new static one
    (single-use backup codes, which need no clock or secret shared with a phone)."""
    from django_otp import devices_for_user

    for device in devices_for_user(user, confirmed=True):
        return device
    if "django_otp.plugins.otp_static" in settings.INSTALLED_APPS:
        from django_otp.plugins.otp_static.models import StaticDevice

        return StaticDevice.objects.create(user=user, name="benchmark", confirmed=True)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
