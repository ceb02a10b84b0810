from django.contrib.auth.management import create_permissions
from django.db import migrations


def resync_roles(apps, schema_editor):
    from accounts.roles import sync_roles

    # The new models' permissions must exist before the groups can be given them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps, allow_missing=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("commentary", "0002_comment_moderation"),
    ]

    operations = [migrations.RunPython(resync_roles, migrations.RunPython.noop)]
