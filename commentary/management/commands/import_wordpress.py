from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from commentary.services import WordpressImportError, wordpress_import
from commentary.wordpress import WxrError, parse_wxr


class Command(BaseCommand):
    help = (
        "Import a WordPress site from its export file (Tools → Export, WXR): posts become "
        "articles, authors become authors (never user accounts), categories become columns, "
        "tags stay tags and comments go to the moderation queue or stay approved. Comments "
        "with links wait for a moderator. Running it again with the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="EXPORT.xml", help="the WordPress export file")
        parser.add_argument(
            "--column-map",
            action="append",
            default=[],
            metavar='"WP Category=Our Column"',
            help=(
                "put posts of a WordPress category in one of our columns (repeat for several); "
                "with it, unmapped categories give no column. Without it every category a post "
                "is filed under first becomes a column of the same name."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="import inside a transaction that is rolled back: report, save nothing",
        )

    def handle(self, *args, path, column_map, dry_run, **options):
        # Read and check everything first, so a bad argument or file writes nothing.
        mapping = self.parse_column_map(column_map) if column_map else None
        export = Path(path)
        if not export.is_file():
            raise CommandError(f"{export}: no such file")
        try:
            site = parse_wxr(export)
        except WxrError as error:
            raise CommandError(f"{export}: {error}") from error
        except OSError as error:
            raise CommandError(f"{export}: cannot read the file ({error.strerror})") from error

        try:
            with transaction.atomic():
                result = wordpress_import(site=site, column_for_category=mapping)
                if dry_run:
                    transaction.set_rollback(True)
        except WordpressImportError as error:
            raise CommandError(f"{export}: {error}") from error

        for line in summary_lines(result):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("dry run: nothing was saved")

    def parse_column_map(self, values):
        mapping = {}
        for value in values:
            category, equals, column = (part.strip() for part in value.partition("="))
            if not (equals and category and column):
                raise CommandError(f'--column-map "{value}": write it as "WP Category=Our Column"')
            if mapping.get(category, column) != column:
                raise CommandError(
                    f'--column-map: "{category}" is mapped to both "{mapping[category]}" '
                    f'and "{column}"'
                )
            mapping[category] = column
        return mapping


def summary_lines(result):
    """One line per kind, e.g. "articles: 2 created, 0 updated, 0 unchanged"."""
    held = result.comments_held_for_links
    skipped = ", ".join(f"{count} {reason}" for reason, count in result.skipped.items())
    return [
        f"articles: {result.articles_created} created, {result.articles_updated} updated, "
        f"{result.articles_unchanged} unchanged",
        f"authors: {result.authors_created} created, {result.authors_updated} updated, "
        f"{result.authors_unchanged} unchanged",
        f"columns: {result.columns_created} created, {result.columns_updated} updated, "
        f"{result.columns_unchanged} unchanged",
        f"tags: {result.tags_created} created, {result.tags_unchanged} already there",
        f"comments: {result.comments_created} created, {result.comments_unchanged} unchanged; "
        f"{result.comments_pending} waiting for moderation, {held} of them held for links",
        f"skipped: {skipped or 'nothing'}",
    ]
