"""Every place a password is chosen applies Django's password validators (sign-up and the
reset link are tested beside their pages)."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import AdministratorFactory, UserFactory

pytestmark = pytest.mark.django_db

OLD_PASSWORD = "correct-horse-battery"  # what UserFactory sets
WEAK = [
    ("password", "This password is too common."),
    ("58390217", "This password is entirely numeric."),
    ("x7#q", "This password is too short. It must contain at least 8 characters."),
    ("natasha-example", "The password is too similar to the username."),
]


def test_the_four_validators_are_configured(settings):
    names = [validator["NAME"].rsplit(".", 1)[1] for validator in settings.AUTH_PASSWORD_VALIDATORS]

    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]


@pytest.mark.parametrize(
    ("factory", "form_url"),
    [(UserFactory, "accounts:password-change"), (AdministratorFactory, "admin:password_change")],
    ids=["site", "admin"],
)
@pytest.mark.parametrize(("password", "message"), WEAK)
def test_changing_ones_password_refuses_a_weak_one(client, factory, form_url, password, message):
    user = factory(username="natasha-example")
    client.force_login(user)

    response = client.post(
        reverse(form_url),
        {"old_password": OLD_PASSWORD, "new_password1": password, "new_password2": password},
    )

    assert response.status_code == 200
    assert message in response.text
    user.refresh_from_db()
    assert user.check_password(OLD_PASSWORD)


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_an_administrator_cannot_create_a_user_with_a_weak_password(client, password, message):
    client.force_login(AdministratorFactory())

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "natasha-example",
            "usable_password": "true",
            "password1": password,
            "password2": password,
        },
    )

    assert response.status_code == 200
    assert message in response.text
    assert not User.objects.filter(username="natasha-example").exists()


def test_an_administrator_creates_a_user_with_a_strong_password(client):
    client.force_login(AdministratorFactory())

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "natasha",
            "usable_password": "true",
            "password1": "quiet-harbour-lanterns-1917",
            "password2": "quiet-harbour-lanterns-1917",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(username="natasha").check_password("quiet-harbour-lanterns-1917")


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_an_administrator_cannot_set_someones_password_to_a_weak_one(client, password, message):
    user = UserFactory(username="natasha-example")
    client.force_login(AdministratorFactory())

    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"usable_password": "true", "password1": password, "password2": password},
    )

    assert response.status_code == 200
    assert message in response.text
    user.refresh_from_db()
    assert user.check_password(OLD_PASSWORD)
