"""Measure search latency on PostgreSQL with a large synthetic archive.

Run from the repository root against a dedicated database (see bench/README.md)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/commentary_search_bench \\
        .venv/bin/python bench/search.py [--articles 100000] [--runs 5]

Applies migrations, then tops the database up to ``--articles`` synthetic articles with
``manage.py generate_content`` (the large data set's generator) if it holds fewer. Then it
runs a fixed list of 30 queries through the search page's own code (``SearchView``'s
queryset, filters and pagination, without HTTP or template rendering): one warm-up run and
``--runs`` timed runs each, and prints the latency of every query and the p50, p95 and
maximum over all runs.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


QUERIES = [
    # single words
    "sanctions",
    "pipeline",
    "Arctic",
    "election",
    "nuclear",
    "Taiwan",
    "drones",
    "Mongolia",
    # phrases
    '"Black Sea"',
    '"arms control"',
    '"Belt and Road"',
    '"supply chains"',
    # several words, with an exclusion
    "China Russia energy",
    "NATO enlargement Finland",
    "Iran nuclear talks -Israel",
    "Beijing or Tokyo",
    # the last word as a prefix, as typed
    "Soch",
    "Kazakh",
    "semicond",
    "hypersonic miss",
    # Russian
    "санкциями",
    "Россия Китай",
    '"Чёрное море"',
    "выборы",
    "газопровод",
    "ядерн",
    "Центральной Азии",
    # misses that fall back to similar titles and author names
    "Weits",
    "Sotchi",
    # a miss with nothing similar
    "zyxwvut",
]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000, help="articles to have")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each query")
    return parser.parse_args(argv)


def setup_django():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/search.py needs PostgreSQL: set DATABASE_URL=postgres://… (not SQLite).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # as in production: no query log


def ensure_articles(target):
    """Top the database up to ``target`` articles with ``manage.py generate_content``, the
    generator of the large data set (English and Russian prose around a theme per article,
    with Zipf-like odds, so "Russia" and "sanctions" are common and "Mongolia" rare; columns,
    bylines, tags and every editorial state); return how many were added."""
    from django.core.management import call_command

    from commentary.generation import MIN_COMMENTS
    from commentary.models import Article

    existing = Article.objects.count()
    if existing >= target:
        return 0
    call_command("generate_content", articles=target - existing, comments=MIN_COMMENTS)
    return target - existing


def run_search(query):
    """What the search page does for ``?q=query``, short of rendering: the filters' options,
    the count, the first page with bylines, tags and snippets."""
    from django.test import RequestFactory

    from commentary.search_views import SearchView

    view = SearchView()
    view.setup(RequestFactory().get("/search/", {"q": query}))
    view.object_list = view.get_queryset()
    context = view.get_context_data()
    page = context["results"]
    for article in page:
        str(article.snippet), article.ordered_authors, list(article.tags.all())
    return context["paginator"].count, context["fuzzy"]


def measure(runs):
    rows, timings = [], []
    for query in QUERIES:
        count, fuzzy = run_search(query)  # warm-up
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            run_search(query)
            times.append((time.perf_counter() - started) * 1000)
        rows.append((query, count, fuzzy, statistics.median(times), max(times)))
        timings.extend(times)
    return rows, timings


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv=None):
    args = parse_args(argv)
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from commentary.models import Article

    call_command("migrate", verbosity=0)
    print(f"Database: {connection.settings_dict['NAME']}")
    created = ensure_articles(args.articles)
    with connection.cursor() as cursor:
        # After a bulk load: set hint bits and the visibility map, as autovacuum would, so
        # that the timed runs measure a settled table rather than the first reads' writes.
        cursor.execute("VACUUM (ANALYZE) commentary_article" if created else "ANALYZE")
    total = Article.objects.published().count()
    print(f"Published articles: {total}")
    print(f"{len(QUERIES)} queries, 1 warm-up + {args.runs} timed runs each\n")
    rows, timings = measure(args.runs)
    print(f"{'query':<28} {'found':>7} {'median ms':>10} {'max ms':>8}")
    for query, count, fuzzy, median, worst in rows:
        found = f"{count}{'~' if fuzzy else ''}"
        print(f"{query:<28} {found:>7} {median:>10.1f} {worst:>8.1f}")
    print("\n(~ = found by the trigram fallback)")
    print(
        f"All runs: p50 {percentile(timings, 0.5):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
        f"max {max(timings):.1f} ms over {len(timings)} runs on {total} articles"
    )


if __name__ == "__main__":
    main()
