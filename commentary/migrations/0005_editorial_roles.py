from django.db import migrations

from accounts.roles import sync_roles_in_migration


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_email_ci_unique"),
        ("commentary", "0004_editorial_workflow"),
    ]

    operations = [migrations.RunPython(sync_roles_in_migration, migrations.RunPython.noop)]
