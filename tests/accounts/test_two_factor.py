"""Two-factor log-in for staff: the code step, setting up an authenticator app, backup codes,
enforcement on every staff tool, and the administrators' reset.

``STAFF_TWO_FACTOR`` is on by default except in the test suite (config/settings.py); these
tests turn it on, as production has it.
"""

import base64
import datetime
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.roles import MODERATORS
from tests.accounts.two_factor import (
    PASSWORD,
    code_for_secret,
    give_authenticator,
    log_in_with_two_factor,
    totp_code_for,
)
from tests.factories import (
    AdministratorFactory,
    ArticleFactory,
    CommentFactory,
    ContributorFactory,
    UserFactory,
)
from tests.test_settings import load_settings

pytestmark = pytest.mark.django_db

WRONG_CODE = "That code is not right."
CODE_PAGE = "/en/accounts/two-factor/"
SETUP_PAGE = "/en/accounts/two-factor/set-up/"


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.STAFF_TWO_FACTOR = True


def log_in(client, user, *, url_name="accounts:log-in", **extra):
    return client.post(
        reverse(url_name), {"username": user.username, "password": PASSWORD, **extra}
    )


def enter_code(client, code, next_url=""):
    data = {"code": code, **({"next": next_url} if next_url else {})}
    return client.post(reverse("accounts:two-factor"), data)


def is_verified(client):
    return DEVICE_ID_SESSION_KEY in client.session


def wrong_code(user):
    right = totp_code_for(user)
    return f"{(int(right) + 1) % 1_000_000:06d}"


# The code step


def test_staff_are_asked_for_the_code_after_their_password(client, editor):
    give_authenticator(editor)

    response = log_in(client, editor, next="/admin/")

    assert response.status_code == 302
    assert response.url == f"{CODE_PAGE}?next=%2Fadmin%2F"
    page = client.get(response.url)
    assert page.status_code == 200
    assert "<h1>Enter your code</h1>" in page.text
    assert 'autocomplete="one-time-code"' in page.text
    assert '<input type="hidden" name="next" value="/admin/">' in page.text
    assert not is_verified(client)


def test_the_right_code_opens_the_admin(client, editor):
    response = log_in_with_two_factor(client, editor, next_url="/admin/")

    assert response.url == "/admin/"
    assert is_verified(client)
    admin = client.get("/admin/")
    assert admin.status_code == 200
    assert "Commentary editorial desk" in admin.text


def test_the_admin_log_in_leads_to_the_code_step_and_back(client, editor):
    give_authenticator(editor)

    password = log_in(client, editor, url_name="admin:login", next="/admin/")
    admin_before = client.get(password.url)
    code = enter_code(client, totp_code_for(editor), next_url="/admin/")

    assert password.status_code == 302
    assert admin_before.status_code == 302
    assert admin_before.url == f"{CODE_PAGE}?next=%2Fadmin%2F"
    assert code.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_readers_log_in_with_their_password_alone(client, reader):
    response = log_in(client, reader)

    assert response.url == reverse("accounts:profile")
    assert client.get(response.url).status_code == 200
    assert client.get(reverse("accounts:two-factor")).url == reverse("accounts:profile")


def test_a_wrong_code_is_refused_and_counted_as_a_failed_log_in(client, editor):
    give_authenticator(editor)
    log_in(client, editor)

    response = enter_code(client, wrong_code(editor))

    assert response.status_code == 200
    assert WRONG_CODE in response.text
    assert not is_verified(client)
    assert client.get("/admin/").status_code == 302
    assert AccessAttempt.objects.get(username=editor.username).failures_since_start == 1


def test_wrong_codes_lock_out_like_wrong_passwords(client, editor, settings):
    # django-otp's own slowing down is tested below; here only the lock-out counts.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    give_authenticator(editor)
    log_in(client, editor)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert WRONG_CODE in enter_code(client, wrong_code(editor)).text

    locked = enter_code(client, wrong_code(editor))

    assert locked.status_code == 429
    assert "Logging in is paused" in locked.text
    assert SESSION_KEY not in client.session
    # Back to the password, which is refused too until the cool-off is over.
    assert log_in(client, editor).status_code == 429


def test_code_guessing_is_slowed_down(client, editor):
    give_authenticator(editor)
    log_in(client, editor)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        enter_code(client, wrong_code(editor))
        clock.shift(datetime.timedelta(seconds=1.5))
        enter_code(client, wrong_code(editor))

        throttled = enter_code(client, totp_code_for(editor))
        clock.shift(datetime.timedelta(seconds=3))
        accepted = enter_code(client, totp_code_for(editor))

    assert "Too many wrong codes in a row. Please try again in 2 seconds." in throttled.text
    assert accepted.status_code == 302
    assert is_verified(client)


def test_a_code_works_only_once(client, editor):
    give_authenticator(editor)
    log_in(client, editor)
    code = totp_code_for(editor)
    enter_code(client, code)
    client.post(reverse("accounts:log-out"))

    log_in(client, editor)
    response = enter_code(client, code)

    assert WRONG_CODE in response.text
    assert not is_verified(client)


def test_a_backup_code_works_once(client, editor):
    give_authenticator(editor)
    codes = two_factor.two_factor_new_backup_codes(user=editor)
    log_in(client, editor)

    response = enter_code(client, codes[0].upper()[:4] + " " + codes[0][4:])

    assert response.status_code == 302
    assert is_verified(client)
    profile = client.get(response.url)
    assert "You used a backup code: 9 are left." in profile.text
    assert "You have 9 unused backup codes." in profile.text
    client.post(reverse("accounts:log-out"))
    log_in(client, editor)
    assert WRONG_CODE in enter_code(client, codes[0]).text


def test_the_code_page_costs_a_fixed_number_of_queries(client, editor, django_assert_num_queries):
    give_authenticator(editor)
    log_in(client, editor)

    # The session, the user, whether an app is set up, and the header's two permission
    # lookups (the user's own and their groups').
    with django_assert_num_queries(5):
        response = client.get(reverse("accounts:two-factor"))

    assert response.status_code == 200


# What a session without the code can open


def test_a_staff_session_without_the_code_opens_no_staff_tool(client, editor, moderator):
    article = ArticleFactory(status="draft", published_at=None)
    comment = CommentFactory()
    for person in (editor, moderator):
        client.force_login(person)
        for url in (
            "/admin/",
            "/admin/commentary/article/",
            "/admin/login/",
            reverse("moderation:queue"),
            reverse("moderation:comment", args=[comment.pk]),
            reverse("commentary:preview", args=[article.pk]),
            reverse("accounts:profile"),
            reverse("commentary:home"),
        ):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.url == f"{CODE_PAGE}?next={url.replace('/', '%2F')}", url


def test_a_decision_without_the_code_changes_nothing(client, moderator):
    comment = CommentFactory()
    client.force_login(moderator)

    response = client.post(
        reverse("moderation:decide", args=[comment.pk]),
        {"action": "approve", "expected_status": "pending"},
    )

    assert response.status_code == 302
    assert response.url == CODE_PAGE
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_a_session_without_the_code_may_still_log_out(client, editor):
    client.force_login(editor)

    response = client.post(reverse("accounts:log-out"))

    assert response.url == reverse("commentary:home")
    assert SESSION_KEY not in client.session


def test_moderators_without_the_admins_staff_flag_need_the_code_too(client):
    person = UserFactory(is_staff=False)
    person.groups.add(Group.objects.get(name=MODERATORS))
    client.force_login(person)

    response = client.get(reverse("moderation:queue"))

    assert response.status_code == 302
    assert response.url.startswith(CODE_PAGE)


def test_contributors_need_the_code_for_the_admin(client):
    contributor = ContributorFactory()
    client.force_login(contributor)

    assert client.get("/admin/").url.startswith(CODE_PAGE)


def test_the_moderation_queue_opens_after_the_code(client, moderator):
    log_in_with_two_factor(client, moderator)

    response = client.get(reverse("moderation:queue"))

    assert response.status_code == 200


def test_with_the_setting_off_staff_log_in_with_the_password_alone(client, editor, settings):
    settings.STAFF_TWO_FACTOR = False

    response = log_in(client, editor)

    assert response.url == reverse("accounts:profile")
    assert client.get("/admin/").status_code == 200


# Setting up an authenticator app


def test_staff_without_an_app_are_sent_to_set_one_up(client, editor):
    response = log_in(client, editor, next="/admin/")
    code_page = client.get(response.url)

    assert code_page.status_code == 302
    assert code_page.url == f"{SETUP_PAGE}?next=%2Fadmin%2F"


def setup_page(client):
    page = client.get(reverse("accounts:two-factor-setup") + "?next=/admin/")
    secret = re.search(r'<code class="two-factor-secret">([A-Z2-7 ]+)</code>', page.text).group(1)
    return page, secret


def test_the_set_up_page_shows_a_qr_code_and_the_key(client, editor):
    log_in(client, editor)

    page, secret = setup_page(client)

    assert page.status_code == 200
    assert "<h1>Set up two-factor authentication</h1>" in page.text
    qr = re.search(r'<img class="qr-code" src="data:image/svg\+xml;base64,([^"]+)"', page.text)
    svg = base64.b64decode(qr.group(1)).decode()
    assert svg.startswith("<svg") and "<script" not in svg
    device = TOTPDevice.objects.get(user=editor)
    assert not device.confirmed
    assert secret.replace(" ", "") == base64.b32encode(device.bin_key).decode().rstrip("=")
    # The same key on a reload, so a code already scanned stays good.
    assert setup_page(client)[1] == secret
    # Rendered on the server: nothing inline for the strict Content-Security-Policy.
    assert "<script" not in page.text and "style=" not in page.text
    policy = page["Content-Security-Policy"]
    assert "img-src 'self' data:" in policy and "unsafe-inline" not in policy


def test_the_first_code_turns_two_factor_on_and_shows_ten_backup_codes_once(client, editor):
    log_in(client, editor)
    _page, secret = setup_page(client)

    with time_machine.travel(timezone.now(), tick=False) as clock:
        wrong = client.post(reverse("accounts:two-factor-setup"), {"code": "000000"})
        # A wrong code makes the next attempt wait a second (django-otp's throttling).
        clock.shift(datetime.timedelta(seconds=2))
        done = client.post(
            reverse("accounts:two-factor-setup"),
            {"code": code_for_secret(secret), "next": "/admin/"},
        )

    assert WRONG_CODE in wrong.text
    assert done.status_code == 200
    assert "<h1>Your backup codes</h1>" in done.text
    shown = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.text)
    assert len(shown) == 10
    stored = StaticToken.objects.filter(device__user=editor).values_list("token", flat=True)
    assert sorted(shown) == sorted(stored)
    assert '<a class="button" href="/admin/">' in done.text
    assert "no-store" in done["Cache-Control"]
    assert TOTPDevice.objects.get(user=editor).confirmed
    assert is_verified(client)
    assert client.get("/admin/").status_code == 200


def test_an_app_cannot_be_replaced_with_the_password_alone(client, editor):
    give_authenticator(editor)
    log_in(client, editor)

    response = client.get(reverse("accounts:two-factor-setup"))

    assert response.status_code == 302
    assert response.url.startswith(CODE_PAGE)
    assert TOTPDevice.objects.filter(user=editor).count() == 1


def test_readers_have_nothing_to_set_up(client, reader):
    client.force_login(reader)

    response = client.get(reverse("accounts:two-factor-setup"))

    assert response.url == reverse("accounts:profile")
    assert not TOTPDevice.objects.exists()


# Backup codes from the profile


def test_new_backup_codes_replace_the_old_ones(client, editor):
    old = two_factor.two_factor_new_backup_codes(user=editor)
    log_in_with_two_factor(client, editor)

    profile = client.get(reverse("accounts:profile"))
    response = client.post(reverse("accounts:two-factor-backup-codes"))

    assert "Make new backup codes" in profile.text
    assert response.status_code == 200
    shown = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.text)
    assert len(shown) == 10
    assert "Your earlier backup codes no longer work." in response.text
    assert not StaticToken.objects.filter(token__in=old).exists()
    assert StaticDevice.objects.filter(user=editor).count() == 1


def test_new_backup_codes_need_a_verified_session(client, editor, settings):
    settings.STAFF_TWO_FACTOR = False
    client.force_login(editor)

    response = client.post(reverse("accounts:two-factor-backup-codes"))

    assert response.status_code == 403
    assert not StaticToken.objects.exists()


# Administrators' reset


def test_an_administrator_resets_a_persons_two_factor_from_the_admin(client, editor):
    give_authenticator(editor)
    two_factor.two_factor_new_backup_codes(user=editor)
    administrator = AdministratorFactory()
    log_in_with_two_factor(client, administrator)

    users = client.get(reverse("admin:accounts_user_changelist"))
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [editor.pk]},
        follow=True,
    )

    assert 'value="reset_two_factor"' in users.text
    assert "Two-factor authentication reset for 1 user" in response.text
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not StaticDevice.objects.filter(user=editor).exists()
    assert LogEntry.objects.get(object_id=str(editor.pk)).change_message == (
        "Two-factor authentication reset."
    )
    client.post(reverse("accounts:log-out"))
    code_page = client.get(log_in(client, editor).url)
    assert code_page.url.startswith(SETUP_PAGE)


def test_a_reset_ends_the_verified_state_of_open_sessions(client, editor):
    log_in_with_two_factor(client, editor)

    two_factor.two_factor_reset(user=editor)

    assert client.get("/admin/").url.startswith(CODE_PAGE)


def test_moderators_cannot_reset_anyones_two_factor(client, moderator, editor):
    give_authenticator(editor)
    log_in_with_two_factor(client, moderator)

    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [editor.pk]},
    )

    assert TOTPDevice.objects.filter(user=editor).exists()


def test_the_user_list_shows_who_has_two_factor(client, editor, reader):
    give_authenticator(editor)
    administrator = AdministratorFactory()
    log_in_with_two_factor(client, administrator)

    response = client.get(reverse("admin:accounts_user_changelist"))

    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", response.text, re.S)

    def row(user):
        return next(cells for cells in rows if f">{user.username}</a>" in cells)

    def two_factor_cell(user):
        return re.search(r'<td class="field-has_two_factor">(.*?)</td>', row(user)).group(1)

    assert 'alt="True"' in two_factor_cell(editor)
    assert 'alt="False"' in two_factor_cell(reader)


def test_two_factor_is_on_by_default_outside_the_test_suite():
    default = load_settings("settings.STAFF_TWO_FACTOR")
    off = load_settings("settings.STAFF_TWO_FACTOR", STAFF_TWO_FACTOR="0")

    assert default.stdout.strip() == "True", default.stderr
    assert off.stdout.strip() == "False", off.stderr


def test_the_test_helper_logs_staff_in_twice_within_one_time_step(client, editor):
    with time_machine.travel(timezone.now(), tick=False):
        log_in_with_two_factor(client, editor)
        client.post(reverse("accounts:log-out"))
        log_in_with_two_factor(client, editor)

    assert is_verified(client)
