"""The reader's profile: who they are, and the name shown beside their comments."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_profile_needs_a_signed_in_user(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url == "/en/accounts/log-in/?next=/en/accounts/profile/"


def test_the_profile_shows_username_address_and_display_name(client):
    reader = UserFactory(username="olga", email="olga@example.org", display_name="Olga B.")
    client.force_login(reader)

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 200
    assert "<dd>olga</dd>" in response.text
    assert "<dd>olga@example.org</dd>" in response.text
    assert 'name="display_name" value="Olga B."' in response.text


def test_a_reader_changes_the_display_name(client, reader):
    client.force_login(reader)

    response = client.post(
        reverse("accounts:profile"), {"display_name": "  Vasily Grossman  "}, follow=True
    )

    assert response.redirect_chain == [(reverse("accounts:profile"), 302)]
    assert "Your profile has been saved." in response.text
    reader.refresh_from_db()
    assert reader.display_name == "Vasily Grossman"
    assert '<a href="/en/accounts/profile/">Vasily Grossman</a>' in response.text


def test_an_empty_display_name_shows_the_username_instead(client):
    reader = UserFactory(username="olga", display_name="Olga B.")
    client.force_login(reader)

    response = client.post(reverse("accounts:profile"), {"display_name": ""}, follow=True)

    reader.refresh_from_db()
    assert reader.display_name == ""
    assert reader.public_name == "olga"
    assert '<a href="/en/accounts/profile/">olga</a>' in response.text


def test_a_display_name_that_is_too_long_is_refused(client, reader):
    client.force_login(reader)

    response = client.post(reverse("accounts:profile"), {"display_name": "x" * 101})

    assert response.status_code == 200
    assert "Ensure this value has at most 100 characters (it has 101)." in response.text
    reader.refresh_from_db()
    assert reader.display_name == "Careful Reader"


def test_the_profile_form_cannot_change_anything_but_the_display_name(client, reader):
    client.force_login(reader)
    username, email = reader.username, reader.email

    client.post(
        reverse("accounts:profile"),
        {
            "display_name": "New name",
            "username": "someone",
            "email": "x@example.org",
            "is_staff": "on",
        },
    )

    reader.refresh_from_db()
    assert (reader.display_name, reader.username, reader.email) == ("New name", username, email)
    assert not reader.is_staff
