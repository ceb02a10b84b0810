from django.db import migrations

from accounts.roles import sync_roles_in_migration


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("commentary", "0002_comment_moderation"),
    ]

    operations = [migrations.RunPython(sync_roles_in_migration, migrations.RunPython.noop)]
