"""Resetting a forgotten password by e-mail, and changing it while signed in."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OLD_PASSWORD = "correct-horse-battery"  # what UserFactory sets
NEW_PASSWORD = "amber-steppe-caravan-88"


def request_reset(client, email):
    return client.post(reverse("accounts:password-reset"), {"email": email})


def reset_path(message):
    match = re.search(
        r"^http://testserver(/en/accounts/password-reset/[^/\s]+/[^/\s]+/)$", message.body, re.M
    )
    assert match, message.body
    return match.group(1)


def test_reset_page_shows_the_form_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("accounts:password-reset"))
    assert response.status_code == 200
    assert 'name="email"' in response.text
    assert "Reset your password" in response.text


def test_the_reset_email_arrives_and_its_link_sets_a_new_password(client, mailoutbox):
    user = UserFactory(username="pavel", email="pavel@example.org", display_name="Pavel K.")

    response = request_reset(client, "PAVEL@example.org")

    assert response.status_code == 302
    assert response.url == reverse("accounts:password-reset-done")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["pavel@example.org"]
    assert message.subject == "Reset your password for Commentary"
    assert "Hello Pavel K.," in message.body
    assert "Your username, in case you forget it: pavel" in message.body

    form_page = client.get(reset_path(message), follow=True)
    assert form_page.status_code == 200
    assert 'name="new_password1"' in form_page.text
    set_password_url = form_page.redirect_chain[-1][0]

    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert done.status_code == 302
    assert done.url == reverse("accounts:password-reset-complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(OLD_PASSWORD)
    assert 'href="/en/accounts/log-in/"' in client.get(done.url).text

    # The link works once.
    again = client.get(reset_path(message), follow=True)
    assert "This link does not work" in again.text
    assert 'name="new_password1"' not in again.text


def test_the_reset_link_refuses_a_weak_new_password(client, mailoutbox):
    user = UserFactory()
    request_reset(client, user.email)
    form_page = client.get(reset_path(mailoutbox[0]), follow=True)

    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )

    assert response.status_code == 200
    assert "This password is entirely numeric." in response.text
    user.refresh_from_db()
    assert user.check_password(OLD_PASSWORD)


def test_reset_answers_the_same_for_an_unknown_address_and_sends_nothing(client, mailoutbox):
    response = request_reset(client, "nobody@example.org")

    assert response.status_code == 302
    assert response.url == reverse("accounts:password-reset-done")
    assert mailoutbox == []


def test_an_account_awaiting_confirmation_gets_no_reset_link(client, mailoutbox):
    UserFactory(email="waiting@example.org", is_active=False)

    response = request_reset(client, "waiting@example.org")

    assert response.url == reverse("accounts:password-reset-done")
    assert mailoutbox == []
    assert 'href="/en/accounts/confirm/resend/"' in client.get(response.url).text


# Changing the password while signed in


def test_password_change_needs_a_signed_in_user(client):
    response = client.get(reverse("accounts:password-change"))

    assert response.status_code == 302
    assert response.url == "/en/accounts/log-in/?next=/en/accounts/password-change/"


def test_a_signed_in_reader_changes_the_password_and_stays_signed_in(client, reader):
    client.force_login(reader)

    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": OLD_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )

    assert response.redirect_chain == [(reverse("accounts:profile"), 302)]
    assert "Your password has been changed." in response.text
    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)
    assert client.session.get(SESSION_KEY) == str(reader.pk)


def test_password_change_refuses_a_wrong_current_password(client, reader):
    client.force_login(reader)

    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly." in response.text
    reader.refresh_from_db()
    assert reader.check_password(OLD_PASSWORD)


def test_the_admin_keeps_its_own_password_change_page(client, editor):
    client.force_login(editor)

    response = client.get(reverse("admin:password_change"))

    assert response.status_code == 200
    assert "admin/base.html" in [template.name for template in response.templates]
    assert "accounts/password_change.html" not in [t.name for t in response.templates]
