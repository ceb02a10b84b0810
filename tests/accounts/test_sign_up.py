"""Signing up: an inactive account, a confirmation e-mail, and the link that activates it."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts import services
from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "quiet-harbour-lanterns-1917"
EMAIL_TAKEN = (
    "An account with this e-mail address already exists. If it is yours, log in or reset "
    "your password."
)
CSRF_INPUT = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">')


def sign_up(client, **overrides):
    data = {
        "username": "natasha",
        "email": "Natasha@Example.org",
        "display_name": "Natasha R.",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post(reverse("accounts:sign-up"), data)


def confirmation_path(message):
    """The path of the confirmation link in an e-mail (the test server's host in front)."""
    match = re.search(r"^http://testserver(/en/accounts/confirm/[^/\s]+/)$", message.body, re.M)
    assert match, message.body
    return match.group(1)


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


def test_sign_up_page_shows_the_form_without_touching_the_database(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(reverse("accounts:sign-up"))
    assert response.status_code == 200
    for name in ("username", "email", "display_name", "password1", "password2"):
        assert f'name="{name}"' in response.text
    assert 'action="/en/accounts/sign-up/"' in response.text


def test_sign_up_creates_an_inactive_account_and_sends_one_confirmation_email(client, mailoutbox):
    response = sign_up(client)

    assert response.status_code == 302
    assert response.url == reverse("accounts:sign-up-done")
    user = User.objects.get(username="natasha")
    assert not user.is_active
    assert user.email == "Natasha@example.org"  # the domain is normalised, the name kept
    assert user.display_name == "Natasha R."
    assert user.check_password(PASSWORD)
    assert logged_in_user_id(client) is None

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["Natasha@example.org"]
    assert message.subject == "Confirm your e-mail address for Commentary"
    assert "Hello Natasha R.," in message.body
    assert "natasha" in message.body
    assert "http://testserver/en/accounts/confirm/resend/" in message.body
    assert confirmation_path(message).startswith("/en/accounts/confirm/")

    done = client.get(response.url)
    assert "We have sent you an e-mail with a link" in done.text
    assert "valid for 3 days" in done.text


def test_the_confirmation_link_activates_the_account_and_logs_in(client, mailoutbox):
    sign_up(client)
    user = User.objects.get(username="natasha")

    response = client.get(confirmation_path(mailoutbox[0]), follow=True)

    assert response.redirect_chain == [(reverse("accounts:profile"), 302)]
    user.refresh_from_db()
    assert user.is_active
    assert user.last_login is not None
    assert logged_in_user_id(client) == str(user.pk)
    assert "your e-mail address is confirmed" in response.text


def test_a_used_link_does_not_log_anyone_in_again(client, mailoutbox):
    sign_up(client)
    path = confirmation_path(mailoutbox[0])
    client.get(path)
    client.post(reverse("accounts:log-out"))

    response = client.get(path)

    assert response.status_code == 200
    assert "Your address is already confirmed" in response.text
    assert 'href="/en/accounts/log-in/"' in response.text
    assert logged_in_user_id(client) is None


@pytest.mark.parametrize(
    ("age", "accepted"),
    [
        (datetime.timedelta(days=3) - datetime.timedelta(minutes=1), True),
        (datetime.timedelta(days=3) + datetime.timedelta(minutes=1), False),
    ],
    ids=["just-inside-three-days", "just-past-three-days"],
)
def test_the_link_expires_after_three_days(client, mailoutbox, age, accepted):
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        sign_up(client)
        traveller.move_to(start + age)
        response = client.get(confirmation_path(mailoutbox[0]))
        # Still in the travelled time: the session would have expired by the real clock.
        user_id = logged_in_user_id(client)

    user = User.objects.get(username="natasha")
    if accepted:
        assert response.status_code == 302
        assert user.is_active
        assert user_id == str(user.pk)
    else:
        assert response.status_code == 400
        assert "This link has expired" in response.text
        assert 'href="/en/accounts/confirm/resend/"' in response.text
        assert not user.is_active
        assert user_id is None


def tamper_signature(token):
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def tamper_payload(token):
    payload, rest = token.split(":", 1)
    return payload[:-1] + ("A" if payload[-1] != "A" else "B") + ":" + rest


@pytest.mark.parametrize(
    "tamper",
    [tamper_signature, tamper_payload, lambda token: "not-a-token"],
    ids=["signature", "payload", "garbage"],
)
def test_a_tampered_link_is_refused_with_a_way_to_get_a_new_one(client, mailoutbox, tamper):
    sign_up(client)
    token = confirmation_path(mailoutbox[0]).split("/")[-2]

    response = client.get(reverse("accounts:confirm-email", args=[tamper(token)]))

    assert response.status_code == 400
    assert "This link does not work" in response.text
    assert "This confirmation link is not valid." in response.text
    assert 'href="/en/accounts/confirm/resend/"' in response.text
    assert not User.objects.get(username="natasha").is_active
    assert logged_in_user_id(client) is None


def test_a_link_dies_when_the_address_changes(client, mailoutbox):
    sign_up(client)
    User.objects.filter(username="natasha").update(email="someone-else@example.org")

    response = client.get(confirmation_path(mailoutbox[0]))

    assert response.status_code == 400
    assert not User.objects.get(username="natasha").is_active


def test_a_link_cannot_reactivate_an_account_that_staff_deactivated(client, mailoutbox):
    sign_up(client)
    path = confirmation_path(mailoutbox[0])
    client.get(path)
    client.post(reverse("accounts:log-out"))
    User.objects.filter(username="natasha").update(is_active=False)

    response = client.get(path)

    assert response.status_code == 400
    assert not User.objects.get(username="natasha").is_active
    assert logged_in_user_id(client) is None


def test_an_address_in_use_in_another_case_is_refused_and_the_other_inputs_kept(client, mailoutbox):
    UserFactory(username="existing", email="natasha@example.org")

    response = sign_up(client, email="NATASHA@example.ORG")

    assert response.status_code == 400
    assert response.context["form"].errors == {"email": [EMAIL_TAKEN]}
    assert EMAIL_TAKEN in response.text
    assert 'name="username" value="natasha"' in response.text
    assert 'name="email" value="NATASHA@example.ORG"' in response.text
    assert 'name="display_name" value="Natasha R."' in response.text
    assert PASSWORD not in response.text
    assert not User.objects.filter(username="natasha").exists()
    assert mailoutbox == []


def test_a_username_taken_in_another_case_is_refused(client, mailoutbox):
    UserFactory(username="Natasha", email="another@example.org")

    response = sign_up(client)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["username"]
    assert User.objects.filter(username__iexact="natasha").count() == 1
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password", "This password is too common."),
        ("58390217", "This password is entirely numeric."),
        ("x7#q", "This password is too short. It must contain at least 8 characters."),
        ("natasha-example", "The password is too similar to the email address."),
    ],
)
def test_a_weak_password_is_refused(client, mailoutbox, password, message):
    response = sign_up(
        client, email="natasha-example@example.org", password1=password, password2=password
    )

    assert response.status_code == 400
    assert message in response.context["form"].errors["password2"]
    assert message in response.text
    assert not User.objects.filter(username="natasha").exists()
    assert mailoutbox == []


def test_mismatched_passwords_are_refused(client):
    response = sign_up(client, password2=PASSWORD + "!")

    assert response.status_code == 400
    assert "The two password fields didn’t match." in response.context["form"].errors["password2"]
    assert not User.objects.exists()


def test_signed_in_users_are_sent_from_sign_up_to_their_profile(client, reader):
    client.force_login(reader)

    response = client.get(reverse("accounts:sign-up"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")


def test_the_service_refuses_a_taken_address_on_its_own():
    UserFactory(email="natasha@example.org")

    with pytest.raises(ValidationError) as caught:
        services.user_sign_up(username="natasha", email="Natasha@EXAMPLE.org", password=PASSWORD)

    assert caught.value.message_dict == {"email": [EMAIL_TAKEN]}


def test_the_database_refuses_an_address_in_another_case_but_allows_many_empty_ones():
    UserFactory(username="one", email="reader@example.org")
    UserFactory(username="two", email="")
    UserFactory(username="three", email="")  # staff accounts may have no address

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="four", email="READER@example.org")


# Asking for a new link


def resend(client, email):
    return client.post(reverse("accounts:resend-confirmation"), {"email": email})


def test_resend_page_shows_the_form_without_touching_the_database(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(reverse("accounts:resend-confirmation"))
    assert response.status_code == 200
    assert 'name="email"' in response.text


def test_resend_mails_a_new_working_link_to_an_account_awaiting_confirmation(client, mailoutbox):
    sign_up(client)
    mailoutbox.clear()

    response = resend(client, "natasha@EXAMPLE.org")

    assert response.status_code == 302
    assert response.url == reverse("accounts:resend-confirmation-done")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["Natasha@example.org"]
    client.get(confirmation_path(mailoutbox[0]))
    assert User.objects.get(username="natasha").is_active


def without_csrf_tokens(text):
    return CSRF_INPUT.sub("", text)


def test_resend_answers_the_same_whether_or_not_the_address_has_an_account(client, mailoutbox):
    sign_up(client)
    UserFactory(email="active@example.org")
    mailoutbox.clear()

    answers = {}
    for email in ("natasha@example.org", "nobody@example.org", "active@example.org"):
        response = resend(client, email)
        followed = client.get(response.url)
        answers[email] = (
            response.status_code,
            response.url,
            followed.status_code,
            without_csrf_tokens(followed.text),
        )

    assert answers["nobody@example.org"] == answers["natasha@example.org"]
    assert answers["active@example.org"] == answers["natasha@example.org"]
    assert (
        "If an account with that address is waiting to be confirmed"
        in (answers["nobody@example.org"][3])
    )
    # Only the account awaiting confirmation got a link.
    assert [message.to for message in mailoutbox] == [["Natasha@example.org"]]


def test_resend_rejects_something_that_is_not_an_address(client, mailoutbox):
    response = resend(client, "not an address")

    assert response.status_code == 200
    assert "Enter a valid email address." in response.text
    assert mailoutbox == []
