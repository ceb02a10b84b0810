from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from commentary.services import comments_purge_ip_hashes


class Command(BaseCommand):
    help = (
        "Erase the keyed IP address hashes of comments older than the retention period "
        "(COMMENTS_IP_RETENTION_DAYS unless --days is given). Run it daily, e.g. from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            metavar="N",
            help="erase the hashes of comments older than N days "
            f"(default: COMMENTS_IP_RETENTION_DAYS, now {settings.COMMENTS_IP_RETENTION_DAYS})",
        )

    def handle(self, *args, days, **options):
        if days is None:
            days = settings.COMMENTS_IP_RETENTION_DAYS
        if days < 0:
            raise CommandError(f"--days must be 0 or more, not {days}.")
        erased = comments_purge_ip_hashes(older_than_days=days)
        self.stdout.write(f"Erased the IP hashes of {erased} comments older than {days} days.")
