"""Staff sessions end STAFF_SESSION_AGE after log-in; readers keep Django's two weeks."""

import datetime

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.roles import MODERATORS
from tests.accounts.two_factor import PASSWORD, give_authenticator, totp_code_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def log_in(client, user):
    response = client.post(
        reverse("accounts:log-in"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return response


def test_a_staff_session_ends_after_the_staff_session_age_however_busy(client, editor, settings):
    settings.STAFF_SESSION_AGE = 8 * 3600
    with time_machine.travel(timezone.now(), tick=False) as clock:
        log_in(client, editor)
        for _hour in range(7):
            clock.shift(HOUR)
            assert client.get("/admin/").status_code == 200
        clock.shift(HOUR - datetime.timedelta(minutes=1))
        last_minute = client.get("/admin/")
        clock.shift(datetime.timedelta(minutes=2))
        expired = client.get("/admin/")

    assert last_minute.status_code == 200
    assert expired.status_code == 302
    assert expired.url == "/admin/login/?next=/admin/"


def test_a_readers_session_outlives_a_staff_one(client, reader, settings):
    settings.STAFF_SESSION_AGE = 8 * 3600
    with time_machine.travel(timezone.now(), tick=False) as clock:
        log_in(client, reader)
        clock.shift(13 * 24 * HOUR)
        response = client.get(reverse("accounts:profile"))

    assert response.status_code == 200
    assert client.session[SESSION_KEY] == str(reader.pk)


def test_moderators_without_the_admins_staff_flag_get_the_staff_session_age(client, settings):
    settings.STAFF_SESSION_AGE = 3600
    person = UserFactory(is_staff=False)
    person.groups.add(Group.objects.get(name=MODERATORS))

    log_in(client, person)

    assert client.session.get_expiry_age() == 3600


def test_the_second_factor_starts_the_staff_session_age_afresh(client, editor, settings):
    settings.STAFF_TWO_FACTOR = True
    settings.STAFF_SESSION_AGE = 3600
    give_authenticator(editor)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        code_page = log_in(client, editor).url
        clock.shift(datetime.timedelta(minutes=50))
        client.post(code_page, {"code": totp_code_for(editor)})
        clock.shift(datetime.timedelta(minutes=50))
        still_open = client.get("/admin/")

    assert still_open.status_code == 200
    assert client.session.get_expiry_age() == 3600
