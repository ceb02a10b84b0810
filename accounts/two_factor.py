"""Two-factor log-in for staff: a code from an authenticator app (TOTP) after the password.

Devices are django-otp's: one ``TOTPDevice`` per person (unconfirmed until its first code
is entered) and one ``StaticDevice`` holding their ten single-use backup codes. A session has
passed the second factor when ``request.user.is_verified()`` (``OTPMiddleware``).

The views, the admin and ``StaffTwoFactorMiddleware`` call the functions here; none of them
changes a device itself.
"""

import base64
import math
import re
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import is_staff_member

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
# An authenticator app's code; anything else is tried as a backup code.
TOTP_CODE = re.compile(r"\d{6}")

INVALID_CODE_MESSAGE = _(
    "That code is not right. Enter the newest code from your authenticator app, or an unused "
    "backup code."
)
THROTTLED_MESSAGE = _("Too many wrong codes in a row. Please try again in %(wait)s.")


def is_required(user):
    """Whether ``user`` must pass the second factor: staff, while ``STAFF_TWO_FACTOR`` is on."""
    return settings.STAFF_TWO_FACTOR and is_staff_member(user)


def is_verified(user):
    """Whether this request's ``user`` has passed the second factor in this session."""
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


def is_pending(user):
    """Whether ``user`` has given a password but still owes the second factor: such a
    session reaches nothing but the two-factor pages and log-out."""
    return user.is_authenticated and is_required(user) and not is_verified(user)


def second_step_url(next_url=""):
    """The page that asks for the code (or sets the app up first), returning to
    ``next_url`` afterwards."""
    url = reverse("accounts:two-factor")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def totp_device(user, *, confirmed=True):
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def has_device(user):
    """Whether ``user`` has set up an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_backup_codes(device):
    return isinstance(device, StaticDevice)


def unused_backup_code_count(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalize_code(code):
    """The code as typed, without the spaces, hyphens and capitals people add."""
    return re.sub(r"[\s-]", "", code or "").lower()


def two_factor_setup_start(*, user):
    """The authenticator device being set up for ``user``: unconfirmed, with a new secret the
    first time and the same one on every reload, so a QR code already scanned stays valid."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def two_factor_setup_confirm(*, user, code):
    """Confirm ``user``'s new authenticator app with a code from it, and return it with a
    fresh set of backup codes: ``(device, codes)``.

    Raises ``ValidationError`` (code ``invalid`` or ``throttled``) for a wrong code; wrong
    codes slow down further attempts (django-otp's throttling).
    """
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        error = _check_code(device, normalize_code(code))
        if error is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # One app per person: setting up another replaces the old one.
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            codes = two_factor_new_backup_codes(user=user)
    # Raised outside the transaction, which must keep the failure django-otp counted.
    if error is not None:
        raise error
    return device, codes


def two_factor_verify(*, user, code):
    """The device that accepts ``code`` from ``user``: the authenticator app for six digits,
    else the backup codes (each works once).

    Raises ``ValidationError`` with code ``invalid`` (wrong code) or ``throttled`` (too many
    wrong codes in a row: django-otp makes each further attempt wait twice as long).
    """
    code = normalize_code(code)
    model = TOTPDevice if TOTP_CODE.fullmatch(code) else StaticDevice
    with transaction.atomic():
        # Locked, so that two requests cannot both spend one code.
        device = (
            model.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        error = _check_code(device, code)
    # Raised outside the transaction, which must keep the failure django-otp counted.
    if error is not None:
        raise error
    return device


def _check_code(device, code):
    """``None`` when ``device`` accepts ``code`` (which it then spends), else the error."""
    if device is None or not code:
        return ValidationError(INVALID_CODE_MESSAGE, code="invalid")
    allowed, details = device.verify_is_allowed()
    if not allowed:
        if details and details.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            return ValidationError(
                THROTTLED_MESSAGE,
                code="throttled",
                params={"wait": _wait(details["locked_until"])},
            )
        return ValidationError(INVALID_CODE_MESSAGE, code="invalid")
    if not device.verify_token(code):
        return ValidationError(INVALID_CODE_MESSAGE, code="invalid")
    return None


def _wait(until):
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    return timeuntil(until)


def mark_verified(request, device):
    """Record in the session that this person passed the second factor with ``device``,
    under a new session key (the session now holds more than it did)."""
    request.session.cycle_key()
    django_otp.login(request, device)


@transaction.atomic
def two_factor_new_backup_codes(*, user):
    """Replace ``user``'s backup codes with ``BACKUP_CODE_COUNT`` new ones and return them.
    They are shown once; the old ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": BACKUP_DEVICE_NAME, "confirmed": True}
    )
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_reset(*, user):
    """Remove ``user``'s authenticator app and backup codes; they set up a new app at their
    next log-in. Returns how many devices were removed."""
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    backups, _by_model = StaticDevice.objects.filter(user=user).delete()
    return removed + backups


def secret_for_typing(device):
    """The device's secret in base32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device):
    """The device's ``otpauth://`` address as a QR code: an SVG image in a ``data:`` URI,
    made on the server (the page needs no script, and the policy allows ``img-src data:``)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
