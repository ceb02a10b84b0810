from django.contrib.auth.management import create_permissions
from django.db import migrations


def resync_roles(apps, schema_editor):
    from accounts.roles import sync_roles

    # Contributors and Administrators join, and the new models' permissions must exist first.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps, allow_missing=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_email_ci_unique"),
        ("commentary", "0004_editorial_workflow"),
    ]

    operations = [migrations.RunPython(resync_roles, migrations.RunPython.noop)]
