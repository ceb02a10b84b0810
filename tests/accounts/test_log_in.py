"""Logging in and out, and the account links in the header."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # what UserFactory sets
CONFIRM_FIRST = "Please confirm your e-mail address first."
INVALID_LOGIN = "Please enter a correct username and password."


def log_in(client, username, password=PASSWORD, **extra):
    return client.post(
        reverse("accounts:log-in"), {"username": username, "password": password, **extra}
    )


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


def test_log_in_page_shows_the_form_without_touching_the_database(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(reverse("accounts:log-in"))
    assert response.status_code == 200
    assert 'name="username"' in response.text
    assert 'name="password"' in response.text
    assert 'href="/en/accounts/password-reset/"' in response.text
    # The header names the site, not the request's host (Django's LoginView sets both).
    assert '<a class="site-name" href="/en/">Commentary</a>' in response.text


def test_a_confirmed_reader_logs_in_and_lands_on_the_profile(client):
    user = UserFactory()

    response = log_in(client, user.username)

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    assert logged_in_user_id(client) == str(user.pk)


def test_log_in_follows_a_safe_next_and_ignores_an_outside_one(client):
    user = UserFactory()

    inside = log_in(client, user.username, next="/en/accounts/password-change/")
    client.post(reverse("accounts:log-out"))
    outside = log_in(client, user.username, next="https://evil.example/")

    assert inside.url == "/en/accounts/password-change/"
    assert outside.url == reverse("accounts:profile")


def test_log_in_works_only_after_the_address_is_confirmed(client, mailoutbox):
    client.post(
        reverse("accounts:sign-up"),
        {
            "username": "natasha",
            "email": "natasha@example.org",
            "password1": "quiet-harbour-lanterns-1917",
            "password2": "quiet-harbour-lanterns-1917",
        },
    )

    refused = log_in(client, "natasha", "quiet-harbour-lanterns-1917")

    assert refused.status_code == 200
    assert logged_in_user_id(client) is None
    assert CONFIRM_FIRST in refused.text
    assert 'href="/en/accounts/confirm/resend/"' in refused.text

    link = re.search(r"http://testserver(/en/accounts/confirm/\S+/)", mailoutbox[0].body).group(1)
    client.get(link)
    client.post(reverse("accounts:log-out"))
    assert logged_in_user_id(client) is None

    accepted = log_in(client, "natasha", "quiet-harbour-lanterns-1917")

    assert accepted.status_code == 302
    assert logged_in_user_id(client) == str(User.objects.get(username="natasha").pk)


def test_an_unconfirmed_account_with_a_wrong_password_gets_the_usual_error(client):
    UserFactory(username="natasha", is_active=False)

    response = log_in(client, "natasha", "not-the-password")

    assert INVALID_LOGIN in response.text
    assert CONFIRM_FIRST not in response.text
    assert "/accounts/confirm/resend/" not in response.text


def test_a_deactivated_account_is_not_told_to_confirm_its_address(client):
    UserFactory(username="banned", is_active=False, last_login=timezone.now())

    response = log_in(client, "banned")

    assert logged_in_user_id(client) is None
    assert INVALID_LOGIN in response.text
    assert CONFIRM_FIRST not in response.text


def test_signed_in_users_are_sent_from_log_in_to_their_profile(client, reader):
    client.force_login(reader)

    response = client.get(reverse("accounts:log-in"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")


def test_log_out_needs_post(client, reader):
    client.force_login(reader)

    refused = client.get(reverse("accounts:log-out"))

    assert refused.status_code == 405
    assert logged_in_user_id(client) == str(reader.pk)

    response = client.post(reverse("accounts:log-out"))

    assert response.status_code == 302
    assert response.url == reverse("commentary:home")
    assert logged_in_user_id(client) is None


def test_the_admin_keeps_its_own_log_in_page(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


# The header


def nav(response):
    return re.search(r'<nav class="site-nav".*?</nav>', response.text, re.S).group(0)


def test_the_header_offers_anonymous_visitors_log_in_and_sign_up(client):
    header = nav(client.get(reverse("accounts:sign-up")))

    assert '<a href="/en/accounts/log-in/">Log in</a>' in header
    assert '<a href="/en/accounts/sign-up/">Sign up</a>' in header
    assert "/accounts/log-out/" not in header
    assert "/accounts/profile/" not in header


def test_the_header_shows_signed_in_readers_their_name_and_a_log_out_button(client):
    reader = UserFactory(display_name="Anna <Karenina>")
    client.force_login(reader)

    header = nav(client.get(reverse("accounts:profile")))

    assert '<a href="/en/accounts/profile/">Anna &lt;Karenina&gt;</a>' in header
    assert re.search(
        r'<form class="log-out-form" action="/en/accounts/log-out/" method="post">\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">\s*'
        r'<button type="submit" class="button--link">Log out</button>',
        header,
    )
    assert "/accounts/log-in/" not in header
    assert "/accounts/sign-up/" not in header
