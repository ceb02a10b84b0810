from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from commentary.backups import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, or a copy of the SQLite file), the contents of "
        "MEDIA_ROOT and a manifest with checksums into a new directory named by the UTC time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=str(settings.VAR_DIR / "backups"),
            metavar="DIR",
            help="where to create the backup directory (default: var/backups)",
        )

    def handle(self, *args, output_dir, **options):
        try:
            directory = backup_create(destination=output_dir)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(directory))
