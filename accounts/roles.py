"""The site's roles, as Django groups and the permissions each one holds.

Roles are checked with ``user.has_perm(...)``; group membership is only how permissions are
handed out.  ``sync_roles`` runs from a data migration and may be run again at any time: it
makes each group hold exactly the permissions listed here.
"""

CONTRIBUTORS = "Contributors"
EDITORS = "Editors"
MODERATORS = "Moderators"
ADMINISTRATORS = "Administrators"
ALL_PERMISSIONS = "__all__"

# The staff tools outside the admin: a person holding one of these is staff even without the
# admin's is_staff flag.
STAFF_TOOL_PERMISSIONS = ("commentary.moderate_comment",)

_CONTENT_MODELS = [
    ("commentary", "article"),
    ("commentary", "articleauthor"),
    ("commentary", "author"),
    ("commentary", "column"),
    ("commentary", "publication"),
    ("commentary", "tag"),
    ("commentary", "taggedarticle"),
    ("commentary", "tagredirect"),
    ("commentary", "correction"),
    ("commentary", "columnskip"),
]


def _crud(app_label, model):
    return {(app_label, f"{action}_{model}") for action in ("add", "change", "delete", "view")}


ROLE_PERMISSIONS = {
    # Column writers: their own drafts only, which they submit for review; never publish.
    # Which articles are "their own" is decided by ArticleQuerySet.editable_by.
    CONTRIBUTORS: {
        ("commentary", "add_article"),
        ("commentary", "change_article"),
        ("commentary", "view_article"),
        ("commentary", "submit_article"),
        ("commentary", "add_articleauthor"),
        ("commentary", "change_articleauthor"),
        ("commentary", "delete_articleauthor"),
        ("commentary", "view_articleauthor"),
        ("commentary", "view_author"),
        ("commentary", "view_column"),
        ("commentary", "view_publication"),
        ("commentary", "view_tag"),
    },
    # Editors run the content; they may read comments but not decide them.
    EDITORS: set().union(*(_crud(app, model) for app, model in _CONTENT_MODELS))
    | {
        ("commentary", "publish_article"),
        ("commentary", "change_any_article"),
        ("commentary", "submit_article"),
        ("commentary", "view_comment"),
    },
    # Moderators decide comments; they may read articles to judge context, never change them.
    MODERATORS: {
        ("commentary", "view_comment"),
        ("commentary", "change_comment"),
        ("commentary", "moderate_comment"),
        ("commentary", "view_commentreport"),
        ("commentary", "view_moderationevent"),
        ("commentary", "view_article"),
        # To pick an account when banning one in the admin.
        ("accounts", "view_user"),
    }
    | _crud("commentary", "ban")
    | _crud("commentary", "bannedword"),
    # Administrators hold every permission there is, users and groups included.
    ADMINISTRATORS: ALL_PERMISSIONS,
}


def sync_roles(apps, *, allow_missing=False):
    """Create the role groups and give each exactly its permissions.

    Migrations pass ``allow_missing=True``: an early migration runs before later models (and
    their permissions) exist, and a later migration syncs again once they do.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        if wanted == ALL_PERMISSIONS:
            group.permissions.set(Permission.objects.all())
            continue
        permissions = []
        for app_label, codename in sorted(wanted):
            try:
                permissions.append(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )
            except Permission.DoesNotExist as missing:
                if allow_missing:
                    continue
                raise LookupError(f"permission {app_label}.{codename} does not exist") from missing
        group.permissions.set(permissions)


def sync_roles_in_migration(apps, schema_editor):
    """``RunPython`` entry point: a migration that adds models or roles calls this.

    Django creates permissions only after all migrations have run, so the permissions of
    models created so far are made here first, then the groups are synced.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps, allow_missing=True)


def is_staff_member(user):
    """Whether ``user`` can reach a staff tool: the admin (``is_staff``, the admin's own gate)
    or the moderation queue (``STAFF_TOOL_PERMISSIONS``). Staff sessions are short and need
    a second factor."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_staff or any(user.has_perm(perm) for perm in STAFF_TOOL_PERMISSIONS)
