"""Roles are groups holding exactly the permissions ``accounts.roles`` lists."""

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from accounts.models import User
from accounts.roles import EDITORS, MODERATORS, ROLE_PERMISSIONS, sync_roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def held_permissions(group_name):
    group = Group.objects.get(name=group_name)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def test_the_roles_are_exactly_editors_and_moderators():
    assert set(ROLE_PERMISSIONS) == {EDITORS, MODERATORS}
    assert set(Group.objects.values_list("name", flat=True)) == {"Editors", "Moderators"}


@pytest.mark.parametrize("group_name", [EDITORS, MODERATORS])
def test_each_role_holds_exactly_its_listed_permissions(group_name):
    assert held_permissions(group_name) == ROLE_PERMISSIONS[group_name]


def test_editors_publish_but_do_not_moderate(editor):
    assert editor.has_perm("commentary.publish_article")
    assert editor.has_perm("commentary.change_article")
    assert editor.has_perm("commentary.view_comment")
    assert not editor.has_perm("commentary.moderate_comment")
    assert not editor.has_perm("commentary.change_comment")


def test_moderators_moderate_but_do_not_edit_articles(moderator):
    assert moderator.has_perm("commentary.moderate_comment")
    assert moderator.has_perm("commentary.view_article")
    assert not moderator.has_perm("commentary.change_article")
    assert not moderator.has_perm("commentary.publish_article")
    assert not moderator.has_perm("commentary.add_author")


def test_sync_roles_is_idempotent():
    before = {name: held_permissions(name) for name in ROLE_PERMISSIONS}
    group_ids = dict(Group.objects.values_list("name", "pk"))

    sync_roles(django_apps)
    sync_roles(django_apps)

    assert {name: held_permissions(name) for name in ROLE_PERMISSIONS} == before
    assert dict(Group.objects.values_list("name", "pk")) == group_ids


def test_sync_roles_restores_exactly_the_listed_permissions():
    editors = Group.objects.get(name=EDITORS)
    editors.permissions.add(Permission.objects.get(codename="moderate_comment"))
    Group.objects.get(name=MODERATORS).permissions.clear()

    sync_roles(django_apps)

    assert held_permissions(EDITORS) == ROLE_PERMISSIONS[EDITORS]
    assert held_permissions(MODERATORS) == ROLE_PERMISSIONS[MODERATORS]


def test_sync_roles_recreates_a_deleted_group():
    Group.objects.filter(name=MODERATORS).delete()

    sync_roles(django_apps)

    assert held_permissions(MODERATORS) == ROLE_PERMISSIONS[MODERATORS]


def test_the_user_model_is_the_accounts_user():
    assert settings.AUTH_USER_MODEL == "accounts.User"
    assert get_user_model() is User


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"display_name": "Careful Reader", "first_name": "Ann", "last_name": "Lee"},
            "Careful Reader",
        ),
        ({"display_name": "", "first_name": "Ann", "last_name": "Lee"}, "Ann Lee"),
        ({"display_name": "", "first_name": "", "last_name": ""}, "ann42"),
    ],
)
def test_public_name_falls_back_from_display_name_to_full_name_to_username(fields, expected):
    user = UserFactory(username="ann42", **fields)

    assert user.public_name == expected
    assert str(user) == expected
