from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from commentary import search
from commentary.models import Article


class Command(BaseCommand):
    help = (
        "Rebuild the stored full-text search vector of every article (PostgreSQL), in batches "
        "of one UPDATE each. Saving an article or changing its tags keeps its vector up to "
        "date; run this after bulk imports, restores, or a change to how vectors are built."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            metavar="N",
            help="articles per UPDATE statement (default: 1000)",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias")

    def handle(self, *args, batch_size, database, **options):
        if batch_size < 1:
            raise CommandError(f"--batch-size must be 1 or more, not {batch_size}.")
        if connections[database].vendor != "postgresql":
            self.stdout.write("Nothing to do: the search index is kept on PostgreSQL only.")
            return
        articles = Article.objects.using(database).order_by("pk")
        updated, last_pk = 0, 0
        while True:
            batch = list(articles.filter(pk__gt=last_pk).values_list("pk", flat=True)[:batch_size])
            if not batch:
                break
            updated += search.update_search_vectors(articles.filter(pk__in=batch))
            last_pk = batch[-1]
            if options["verbosity"] > 1:
                self.stdout.write(f"  {updated} articles…")
        self.stdout.write(f"Rebuilt the search vectors of {updated} articles.")
