from django.core.management.base import BaseCommand, CommandError

from commentary.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_site: check its checksums, then replace the database "
        "and the contents of MEDIA_ROOT with it. Refuses a backup that is incomplete or altered."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", metavar="BACKUP_DIR", help="a directory made by backup_site")

    def handle(self, *args, backup, **options):
        try:
            counts = backup_restore(source=backup)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {backup}: {counts['articles']} articles, {counts['comments']} comments, "
            f"{counts['users']} users."
        )
