from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from commentary import page_cache
from commentary.generation import MIN_COMMENTS, ContentGenerator, GenerationError
from commentary.generation.content import DEFAULT_BATCH, DEFAULT_SEED


class Command(BaseCommand):
    help = (
        "Add synthetic content for load tests: publications, columns, authors, tags, English "
        "and Russian articles in every editorial state, and threaded comments in every "
        "moderation state. Rows are written in batches (COPY on PostgreSQL) without signals; "
        "the search index and the planner's statistics are brought up to date afterwards. "
        f"The last article generated has exactly 50 approved comments and some pending ones "
        f"(so --comments must be {MIN_COMMENTS} or more)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, required=True, metavar="N")
        parser.add_argument("--comments", type=int, required=True, metavar="M")
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            metavar="S",
            help=f"random seed: the same seed gives the same content (default: {DEFAULT_SEED})",
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=DEFAULT_BATCH,
            metavar="B",
            help="articles written per transaction, with their bylines, tags and comments "
            f"(default: {DEFAULT_BATCH})",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias")

    def handle(self, *args, articles, comments, seed, batch, database, **options):
        try:
            generator = ContentGenerator(
                articles=articles,
                comments=comments,
                seed=seed,
                batch=batch,
                using=database,
                progress=self._progress,
            )
        except GenerationError as error:
            raise CommandError(str(error)) from error
        result = generator.run()
        # Bulk inserts send no signals: tell the page cache that every page may have changed.
        page_cache.invalidate(page_cache.CONTENT, page_cache.COMMENTS)
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {result.articles:,} articles, {result.comments:,} comments and "
                f"{result.reports:,} reports in {result.seconds:.1f} s; article "
                f"{result.featured_article_id} has exactly 50 approved comments."
            )
        )

    def _progress(self, line):
        self.stdout.write(line)
        self.stdout.flush()
