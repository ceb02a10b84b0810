from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commentary.importing import ArticleParseError, parse_article_file
from commentary.services import article_import


class Command(BaseCommand):
    help = (
        "Import articles from plain-text files in the site's article format (title with column "
        "prefix, byline, body, author tagline, schedule sentence, Source line). A folder imports "
        "every .txt file in it. Running it again with the same files changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="article files or folders")
        parser.add_argument(
            "--tags",
            default="",
            help='comma-separated tags to add to every imported article, e.g. "Russia,China"',
        )
        parser.add_argument(
            "--draft", action="store_true", help="import new articles as drafts, not published"
        )

    def handle(self, *args, paths, tags, draft, **options):
        tag_names = [name.strip() for name in tags.split(",") if name.strip()]
        files = self.collect_files(paths)
        # Parse everything first so one bad file stops the run before anything is written.
        parsed = []
        for path in files:
            try:
                parsed.append((path, parse_article_file(path)))
            except ArticleParseError as error:
                raise CommandError(str(error)) from error
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"{path}: cannot read the file ({error})") from error
        for path, article_data in parsed:
            article, changed = article_import(
                parsed=article_data, tags=tag_names, publish=not draft
            )
            state = "imported" if changed else "unchanged"
            self.stdout.write(f"{state}: {path} -> {article.get_absolute_url()}")

    def collect_files(self, paths):
        files = []
        for name in paths:
            path = Path(name)
            if path.is_dir():
                found = sorted(path.glob("*.txt"))
                if not found:
                    raise CommandError(f"{path}: the folder has no .txt article files")
                files.extend(found)
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{path}: no such file or folder")
        return files
