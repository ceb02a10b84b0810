"""The second factor in tests: what a staff member's authenticator app would show.

Any test that logs staff in with ``STAFF_TWO_FACTOR`` on -- through the test client or a
browser -- uses these, and never marks a session verified behind the site's back:

- ``give_authenticator(user)``: a confirmed authenticator app, as if set up already;
- ``totp_code_for(user)``: the six-digit code to type on the code page ("Code", "Verify");
- ``code_for_secret(secret)``: the code for the key shown on the set-up page;
- ``log_in_with_two_factor(client, user)``: both steps through the site's own pages.
"""

import base64
import time

from django.urls import reverse
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct-horse-battery"  # what UserFactory sets


def give_authenticator(user):
    """``user``'s confirmed authenticator app (a ``TOTPDevice``), created if need be."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app")


def _code(key, counter, digits=6):
    return f"{hotp(key, counter, digits=digits):0{digits}d}"


def totp_code_for(user):
    """The code ``user``'s authenticator app shows, one the site will still accept.

    The site takes each code once and only a later one after it (RFC 6238's replay rule),
    allowing one time step of clock difference. So when this step's code was used already,
    the next step's is given; when that was used too, this waits for the clock to move on.
    """
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    # The app's counter: time steps since t0, shifted by the clock difference the site noted.
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    wanted = max(now, device.last_t + 1)
    if wanted > now + device.tolerance:
        starts = device.t0 + (wanted - device.tolerance - device.drift) * device.step
        time.sleep(max(0, starts - time.time()) + 0.1)
    return _code(device.bin_key, wanted, device.digits)


def code_for_secret(secret):
    """The code an app shows now for ``secret``, the key as the set-up page shows it (base32,
    in groups of four)."""
    compact = secret.replace(" ", "").upper()
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    return _code(key, int(time.time()) // 30)


def log_in_with_two_factor(client, user, *, password=PASSWORD, next_url=""):
    """Log ``user`` in through the site's log-in page and the code page, as a person would;
    returns the code page's response (a redirect to ``next_url`` or the profile)."""
    give_authenticator(user)
    data = {"username": user.get_username(), "password": password}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("accounts:log-in"), data)
    assert response.status_code == 302, response
    assert response.url.startswith(reverse("accounts:two-factor")), response.url
    response = client.post(response.url, {"code": totp_code_for(user)})
    assert response.status_code == 302, response
    return response
