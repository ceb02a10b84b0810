import sys

from django.core.management.base import BaseCommand, CommandError

from commentary.services import commenter_erase

from .export_commenter import add_commenter_arguments, find_commenter


class Command(BaseCommand):
    help = (
        "Erase one commenter's personal data (an erasure request): their comments are "
        "anonymised, their reports lose their note, their account is deactivated and "
        "anonymised. Bans are kept. Asks for confirmation unless --yes is given."
    )

    def add_arguments(self, parser):
        add_commenter_arguments(parser)
        parser.add_argument(
            "--keep-text",
            action="store_true",
            help="keep the comments' text (remove only the name, address and IP hash)",
        )
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, email, username, keep_text, yes, **options):
        email, user = find_commenter(email=email, username=username)
        who = email or f"the account {user.username}"
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError("Refusing to erase without confirmation: add --yes.")
            answer = input(f"Erase the personal data of {who}? This cannot be undone. [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing erased.")
        counts = commenter_erase(email=email, user=user, keep_text=keep_text)
        self.stdout.write(
            f"Erased {who}: {counts.comments} comments anonymised, {counts.reports} reports "
            f"cleared, {counts.accounts} accounts anonymised, {counts.bans_kept} bans kept."
        )
