"""Roles are groups holding exactly the permissions ``accounts.roles`` lists."""

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from accounts.models import User
from accounts.roles import (
    ADMINISTRATORS,
    ALL_PERMISSIONS,
    CONTRIBUTORS,
    EDITORS,
    MODERATORS,
    ROLE_PERMISSIONS,
    sync_roles,
)
from tests.factories import AdministratorFactory, ContributorFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTED_ROLES = [CONTRIBUTORS, EDITORS, MODERATORS]


def held_permissions(group_name):
    group = Group.objects.get(name=group_name)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def every_permission():
    return set(Permission.objects.values_list("content_type__app_label", "codename"))


def expected_permissions(group_name):
    wanted = ROLE_PERMISSIONS[group_name]
    return every_permission() if wanted == ALL_PERMISSIONS else wanted


def test_the_roles_are_exactly_contributors_editors_moderators_and_administrators():
    assert set(ROLE_PERMISSIONS) == {CONTRIBUTORS, EDITORS, MODERATORS, ADMINISTRATORS}
    assert ROLE_PERMISSIONS[ADMINISTRATORS] == ALL_PERMISSIONS
    assert set(Group.objects.values_list("name", flat=True)) == {
        "Contributors",
        "Editors",
        "Moderators",
        "Administrators",
    }


@pytest.mark.parametrize("group_name", LISTED_ROLES)
def test_each_role_holds_exactly_its_listed_permissions(group_name):
    assert held_permissions(group_name) == ROLE_PERMISSIONS[group_name]


def test_administrators_hold_every_permission_after_migrating():
    assert held_permissions(ADMINISTRATORS) == every_permission()


def test_administrator_may_do_everything_without_being_a_superuser():
    administrator = AdministratorFactory()

    assert not administrator.is_superuser
    for permission in (
        "commentary.publish_article",
        "commentary.change_any_article",
        "commentary.delete_article",
        "commentary.moderate_comment",
        "commentary.delete_correction",
        "accounts.change_user",
        "auth.change_group",
    ):
        assert administrator.has_perm(permission), permission


def test_contributors_write_and_submit_but_do_not_publish():
    contributor = ContributorFactory()

    for permission in (
        "commentary.add_article",
        "commentary.change_article",
        "commentary.submit_article",
        "commentary.view_author",
        "commentary.view_column",
        "commentary.view_tag",
    ):
        assert contributor.has_perm(permission), permission
    for permission in (
        "commentary.publish_article",
        "commentary.change_any_article",
        "commentary.delete_article",
        "commentary.add_author",
        "commentary.change_column",
        "commentary.add_correction",
        "commentary.view_comment",
        "commentary.moderate_comment",
    ):
        assert not contributor.has_perm(permission), permission


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
    Group.objects.get(name=CONTRIBUTORS).permissions.add(
        Permission.objects.get(codename="publish_article")
    )
    Group.objects.get(name=ADMINISTRATORS).permissions.clear()

    sync_roles(django_apps)

    for group_name in ROLE_PERMISSIONS:
        assert held_permissions(group_name) == expected_permissions(group_name), group_name


@pytest.mark.parametrize("group_name", [CONTRIBUTORS, MODERATORS, ADMINISTRATORS])
def test_sync_roles_recreates_a_deleted_group(group_name):
    Group.objects.filter(name=group_name).delete()

    sync_roles(django_apps)

    assert held_permissions(group_name) == expected_permissions(group_name)


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
