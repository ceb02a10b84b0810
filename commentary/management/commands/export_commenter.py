import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from commentary.services import CommenterNotFound, commenter_export


def find_commenter(*, email, username):
    """Return ``(email, user)`` from the command's options, or raise a one-line CommandError."""
    if bool(email) == bool(username):
        raise CommandError("Give exactly one of --email and --username.")
    if email:
        return email, None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No account with the username {username!r}.")
    return None, user


def add_commenter_arguments(parser):
    parser.add_argument("--email", metavar="ADDRESS", help="the commenter's e-mail address")
    parser.add_argument("--username", metavar="NAME", help="the commenter's account")


class Command(BaseCommand):
    help = (
        "Write everything the site holds about one commenter as JSON (a data access request). "
        "IP address hashes and the password hash are never included."
    )

    def add_arguments(self, parser):
        add_commenter_arguments(parser)
        parser.add_argument(
            "--output", metavar="FILE", help="write to FILE instead of standard output"
        )

    def handle(self, *args, email, username, output, **options):
        email, user = find_commenter(email=email, username=username)
        try:
            data = commenter_export(email=email, user=user)
        except CommenterNotFound:
            raise CommandError(f"Nothing on the site names {email}.") from None
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if output:
            try:
                with open(output, "w", encoding="utf-8") as file:
                    file.write(text)
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
            self.stderr.write(f"Wrote {output}.")
        else:
            self.stdout.write(text, ending="")
