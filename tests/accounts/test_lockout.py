"""Locking out repeated failed log-ins (django-axes), what a locked-out person sees, and how
an administrator unlocks them."""

import datetime
import io

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.lockout import client_ip_address
from tests.factories import AdministratorFactory, UserFactory
from tests.test_settings import load_settings

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # what UserFactory sets
PAUSED = "Logging in is paused"
ASK_AN_ADMINISTRATOR = "If you need to log in sooner, ask an administrator to unlock your account."
INVALID_LOGIN = "Please enter a correct username and password."


def log_in(client, username, password=PASSWORD, *, url_name="accounts:log-in", ip="10.0.0.1"):
    return client.post(
        reverse(url_name), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def fail(client, username, times, **kwargs):
    return [log_in(client, username, "wrong-password", **kwargs) for _ in range(times)][-1]


def test_wrong_passwords_below_the_limit_get_the_usual_error(client, settings):
    user = UserFactory()

    response = fail(client, user.username, settings.AXES_FAILURE_LIMIT - 1)

    assert response.status_code == 200
    assert INVALID_LOGIN in response.text
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == 4


def test_the_failure_limit_locks_the_account_out_with_a_clear_page(client, settings):
    settings.TIME_ZONE = "UTC"
    user = UserFactory()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 15, tzinfo=datetime.UTC), tick=False):
        fail(client, user.username, settings.AXES_FAILURE_LIMIT - 1)
        response = log_in(client, user.username, "wrong-password")

    assert response.status_code == 429
    assert f"<h1>{PAUSED}</h1>" in response.text
    assert "You can try again at 10:15 UTC, in 1\xa0hour." in response.text
    assert ASK_AN_ADMINISTRATOR in response.text
    assert response["Retry-After"] == "3600"
    assert 'name="password"' not in response.text


def test_a_locked_out_account_is_refused_even_with_the_right_password(client, settings):
    user = UserFactory()
    fail(client, user.username, settings.AXES_FAILURE_LIMIT)

    response = log_in(client, user.username)

    assert response.status_code == 429
    assert PAUSED in response.text
    assert SESSION_KEY not in client.session
    # Refused attempts are not counted: the time given on the page holds.
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == 5


def test_the_lock_is_per_username_and_address(client, settings):
    user, other = UserFactory(), UserFactory()
    fail(client, user.username, settings.AXES_FAILURE_LIMIT)

    from_elsewhere = log_in(client, user.username, ip="10.9.9.9")
    client.post(reverse("accounts:log-out"))
    other_user = log_in(client, other.username)

    assert from_elsewhere.status_code == 302
    assert other_user.status_code == 302


def test_locking_per_username_from_any_address_is_available_as_a_setting(client, settings):
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
    user = UserFactory()
    for number in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, user.username, "wrong-password", ip=f"10.0.1.{number}")

    response = log_in(client, user.username, ip="10.9.9.9")

    assert response.status_code == 429


def test_the_lock_ends_after_the_cool_off(client, settings):
    user = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail(client, user.username, settings.AXES_FAILURE_LIMIT)
        clock.shift(datetime.timedelta(minutes=59))
        still_locked = log_in(client, user.username)
        clock.shift(datetime.timedelta(minutes=2))
        unlocked = log_in(client, user.username)

    assert still_locked.status_code == 429
    assert unlocked.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_a_successful_log_in_clears_the_failures(client, settings):
    user = UserFactory()
    fail(client, user.username, settings.AXES_FAILURE_LIMIT - 1)
    log_in(client, user.username)
    client.post(reverse("accounts:log-out"))

    response = fail(client, user.username, settings.AXES_FAILURE_LIMIT - 1)

    assert response.status_code == 200
    assert INVALID_LOGIN in response.text


def test_the_admin_log_in_shows_the_lock_out_in_the_admins_style(client, settings, editor):
    fail(client, editor.username, settings.AXES_FAILURE_LIMIT, url_name="admin:login")

    response = log_in(client, editor.username, url_name="admin:login")

    assert response.status_code == 429
    assert "admin/accounts/locked_out.html" in [t.name for t in response.templates]
    assert "Commentary editorial desk" in response.text
    assert PAUSED in response.text
    assert ASK_AN_ADMINISTRATOR in response.text
    assert 'href="/admin/login/"' in response.text


def test_failures_on_the_site_and_the_admin_count_together(client, settings, editor):
    fail(client, editor.username, settings.AXES_FAILURE_LIMIT - 1)

    response = log_in(client, editor.username, "wrong-password", url_name="admin:login")

    assert response.status_code == 429


def test_failures_are_recorded_for_administrators_without_the_password(client, settings):
    user = UserFactory()

    fail(client, user.username, 2)

    logged = AccessFailureLog.objects.filter(username=user.username)
    assert logged.count() == 2
    attempt = AccessAttempt.objects.get(username=user.username)
    assert attempt.ip_address == "10.0.0.1"
    assert "wrong-password" not in attempt.post_data


# Unlocking


def test_an_administrator_unlocks_a_user_from_the_user_list(client, settings):
    user = UserFactory()
    fail(client, user.username, settings.AXES_FAILURE_LIMIT)
    administrator = AdministratorFactory()
    client.force_login(administrator)

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock", "_selected_action": [user.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "1 user may log in again at once." in response.text
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    assert LogEntry.objects.filter(object_id=str(user.pk), user=administrator).exists()
    client.post(reverse("accounts:log-out"))
    assert log_in(client, user.username).status_code == 302


def test_moderators_cannot_unlock_accounts(client, settings, moderator):
    user = UserFactory()
    fail(client, user.username, settings.AXES_FAILURE_LIMIT)
    client.force_login(moderator)

    changelist = client.get(reverse("admin:accounts_user_changelist"))
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock", "_selected_action": [user.pk]},
    )

    assert changelist.status_code == 200
    assert 'value="unlock"' not in changelist.text
    assert AccessAttempt.objects.filter(username=user.username).exists()


def test_administrators_see_and_clear_attempts_in_the_admin(client, settings):
    user = UserFactory(username="locked-out-person")
    fail(client, user.username, settings.AXES_FAILURE_LIMIT)
    client.force_login(AdministratorFactory())

    attempts = client.get(reverse("admin:axes_accessattempt_changelist"))
    failures = client.get(reverse("admin:axes_accessfailurelog_changelist"))

    assert attempts.status_code == 200
    assert "locked-out-person" in attempts.text
    assert failures.status_code == 200
    assert "locked-out-person" in failures.text


def test_the_axes_reset_username_command_unlocks(client, settings):
    user = UserFactory()
    fail(client, user.username, settings.AXES_FAILURE_LIMIT)

    call_command("axes_reset_username", user.username, stdout=io.StringIO())

    assert log_in(client, user.username).status_code == 302


# Whose address a failure counts against


def request_from(remote_addr, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().post("/", REMOTE_ADDR=remote_addr, **headers)


def test_the_client_is_remote_addr_and_a_forwarded_header_is_ignored_by_default(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip_address(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_trusted_proxies_the_client_is_what_the_outermost_one_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    spoofed = "1.2.3.4, 198.51.100.1"

    assert client_ip_address(request_from("10.0.0.2", spoofed)) == "198.51.100.1"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip_address(request_from("10.0.0.2", spoofed)) == "1.2.3.4"
    # A request that did not come through every proxy: its own address.
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip_address(request_from("10.0.0.2", spoofed)) == "10.0.0.2"


def test_something_that_is_not_an_address_counts_as_none(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip_address(request_from("10.0.0.2", "not-an-address")) is None


def test_behind_a_proxy_two_clients_are_counted_apart(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("accounts:log-in"),
            {"username": user.username, "password": "wrong-password"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )

    response = client.post(
        reverse("accounts:log-in"),
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )

    assert response.status_code == 302


# The settings outside the test suite


def test_lock_out_settings_come_from_the_environment():
    expression = (
        "settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds(), "
        "settings.AXES_LOCKOUT_PARAMETERS, settings.TRUSTED_PROXY_COUNT"
    )

    defaults = load_settings(expression)
    changed = load_settings(
        expression,
        AXES_FAILURE_LIMIT="8",
        AXES_COOLOFF_MINUTES="15",
        AXES_LOCK_OUT_USERNAME="1",
        TRUSTED_PROXY_COUNT="1",
    )

    assert defaults.stdout.strip() == "5 3600.0 [['username', 'ip_address']] 0", defaults.stderr
    assert changed.stdout.strip() == ("8 900.0 [['username', 'ip_address'], 'username'] 1"), (
        changed.stderr
    )
