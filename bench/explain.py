"""The query plan of every list query the site runs, on the large data set.

Run from the repository root against the benchmark database (see bench/README.md)::

    .venv/bin/python bench/explain.py [--database-url URL] [--only NAME] [--summary-only]

Each page is requested through Django's test client, as a reader or signed in as a superuser
(made here if missing, signed in with ``bench/sessions.py``), and every SELECT it sends is
captured (``CaptureQueriesContext``), so the plans are those of the SQL the real code writes:
views' querysets, the admin's change lists, feeds, sitemaps, search and the moderation queue.
Each captured query is then run again under ``EXPLAIN (ANALYZE, BUFFERS)``.

It prints each plan, then a table: page, query, execution time, and whether the plan reads
a large table (articles, comments, bylines, tagged items) with a sequential scan, with the
rows that scan read.  It exits with status 1 when any plan does, so it can guard the
indexes; 0 otherwise.
"""

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import dataset  # noqa: E402 - needs ROOT on the path

# A sequential scan of these is a full read of a table that grows with the archive. The tags
# table itself (a few hundred rows) is read whole by design.
LARGE_TABLES = {
    "commentary_article",
    "commentary_comment",
    "commentary_articleauthor",
    "commentary_taggedarticle",
}
SUPERUSER = "bench-superuser"


@dataclass
class Page:
    name: str
    url: str
    signed_in: bool = False


@dataclass
class Explained:
    page: str
    number: int
    sql: str
    plan: str
    milliseconds: float
    seq_scans: list = field(default_factory=list)

    @property
    def tables(self):
        """The large tables read sequentially, with the rows read: "comment (15,153)"."""
        read = {}
        for table, rows in self.seq_scans:
            read[table] = read.get(table, 0) + rows
        return [f"{table.removeprefix('commentary_')} ({rows:,})" for table, rows in read.items()]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=dataset.database_url())
    parser.add_argument("--only", action="append", default=[], help="page names to explain")
    parser.add_argument("--summary-only", action="store_true", help="print the table only")
    return parser.parse_args(argv)


def pages():
    """The pages whose queries are explained, with the objects they show picked from the
    data: the most used tag, the most prolific author, the latest month and so on."""
    from django.db.models import Count, Max
    from django.urls import reverse

    from commentary.models import Article, Author, Column, Comment, Tag

    article = dataset.fifty_comment_article()
    if article is None:
        sys.exit("No article with 50 approved comments: run manage.py generate_content first.")
    column = Column.objects.filter(articles__isnull=False).order_by("pk").first()
    weekly = Column.objects.filter(name="Global Insights").first() or column
    author = Author.objects.annotate(total=Count("bylines")).order_by("-total", "pk").first()
    tag = Tag.objects.annotate(total=Count("tagged_articles")).order_by("-total", "pk").first()
    rare_tag = Tag.objects.annotate(total=Count("tagged_articles")).filter(total__gt=0)
    rare_tag = rare_tag.order_by("total", "pk").first()
    latest = Article.objects.published().aggregate(latest=Max("published_at"))["latest"]
    comment = Comment.objects.filter(article=article).order_by("pk").first()
    word = "sanctions"

    def url(name, *args, query=None, **kwargs):
        address = reverse(name, args=args, kwargs=kwargs or None)
        return f"{address}?{urlencode(query)}" if query else address

    admin_comments = url("admin:commentary_comment_changelist")
    admin_articles = url("admin:commentary_article_changelist")
    public = [
        Page("home", url("commentary:home")),
        Page("home, page 500", url("commentary:home", query={"page": 500})),
        Page("column", url("commentary:column", slug=weekly.slug)),
        Page("author", url("commentary:author", slug=author.slug)),
        Page("tag (most used)", url("commentary:tag", slug=tag.slug)),
        Page("tag (rare)", url("commentary:tag", slug=rare_tag.slug)),
        Page("archive, year", url("commentary:archive_year", year=latest.year)),
        Page(
            "archive, month",
            url("commentary:archive_month", year=latest.year, month=latest.month),
        ),
        Page("article (50 comments)", article.get_absolute_url()),
        Page("corrections", url("commentary:corrections")),
        Page("search", url("commentary:search", query={"q": word})),
        Page("search, Russian", url("commentary:search", query={"q": "санкции"})),
        Page("search, phrase", url("commentary:search", query={"q": '"arms control"'})),
        Page("search, misspelt", url("commentary:search", query={"q": "Weits"})),
        Page(
            "search, filtered",
            url("commentary:search", query={"q": word, "column": weekly.slug, "language": "en"}),
        ),
        Page("feed, site", url("commentary:feed_site_rss")),
        Page("feed, language", url("commentary:feed_language_rss", language="ru")),
        Page("feed, column", url("commentary:feed_column_rss", slug=weekly.slug)),
        Page("feed, author", url("commentary:feed_author_atom", slug=author.slug)),
        Page("feed, tag", url("commentary:feed_tag_json", slug=tag.slug)),
        Page("sitemap index", url("sitemap")),
        Page("sitemap, articles", url("sitemap_section", section="articles")),
        Page("sitemap, articles p20", url("sitemap_section", section="articles", query={"p": 17})),
        Page("sitemap, authors", url("sitemap_section", section="authors")),
        Page("sitemap, tags", url("sitemap_section", section="tags")),
        Page("sitemap, columns", url("sitemap_section", section="columns")),
        Page("sitemap, news", url("sitemap_news")),
    ]
    staff = [
        Page(f"queue, {tab}", url("moderation:queue", query={"tab": tab}), True)
        for tab in ("pending", "reported", "approved", "rejected", "spam")
    ]
    staff += [
        Page("queue, pending p40", url("moderation:queue", query={"page": 40}), True),
        Page("queue, search", url("moderation:queue", query={"q": word}), True),
        Page(
            "queue, search approved",
            url("moderation:queue", query={"q": "Kremlin plan", "tab": "approved"}),
            True,
        ),
        Page("queue, comment", url("moderation:comment", pk=comment.pk), True),
        Page("admin comments", admin_comments, True),
        Page("admin comments, p100", f"{admin_comments}?p=100", True),
        Page("admin comments, pending", f"{admin_comments}?status__exact=pending", True),
        Page("admin comments, approved", f"{admin_comments}?status__exact=approved", True),
        Page("admin comments, reported", f"{admin_comments}?reported=yes", True),
        Page("admin comments, search", f"{admin_comments}?q={word}", True),
        Page(
            "admin comments, by day",
            f"{admin_comments}?created_at__year={latest.year}&created_at__month={latest.month}",
            True,
        ),
        Page("admin articles", admin_articles, True),
        Page("admin articles, column", f"{admin_articles}?column__id__exact={column.pk}", True),
        Page("admin articles, tag", f"{admin_articles}?tags__id__exact={tag.pk}", True),
        Page("admin articles, search", f"{admin_articles}?q={word}", True),
    ]
    return public + staff


def superuser():
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username=SUPERUSER,
        defaults={"is_staff": True, "is_superuser": True, "email": "bench@example.org"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def signed_in_client():
    from django.conf import settings
    from django.test import Client

    from bench.sessions import signed_in_cookie

    client = Client()
    name, value = signed_in_cookie(superuser()).split("=", 1)
    assert name == settings.SESSION_COOKIE_NAME
    client.cookies[name] = value
    return client


def capture(client, page):
    """The SELECTs that ``page`` sends, in order, without repeats."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(page.url)
        elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{page.name}: {page.url} answered {response.status_code}")
    selects = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.lstrip("( \n").upper().startswith(("SELECT", "WITH")) and sql not in selects:
            selects.append(sql)
    return selects, elapsed


def explain(sql):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
        (document,) = cursor.fetchone()
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        text = "\n".join(row[0] for row in cursor.fetchall())
    if isinstance(document, str):
        document = json.loads(document)
    root = document[0]
    milliseconds = root.get("Planning Time", 0) + root.get("Execution Time", 0)
    return text, milliseconds, list(seq_scans(root["Plan"]))


def seq_scans(node):
    """``(table, rows read)`` of every sequential scan of a large table in the plan."""
    if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in LARGE_TABLES:
        loops = node.get("Actual Loops", 1)
        rows = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops
        yield node["Relation Name"], int(rows)
    for child in node.get("Plans", []):
        yield from seq_scans(child)


def describe(sql, width=60):
    """The query in a few words: what it selects from."""
    text = " ".join(sql.split())
    upper = text.upper()
    start = upper.find(" FROM ")
    head = text[start + 6 :] if start >= 0 else text
    if upper.startswith("SELECT COUNT(") or "COUNT(*)" in upper[:60]:
        head = "count: " + head
    return head[:width] + ("…" if len(head) > width else "")


def main(argv=None):
    args = parse_args(argv or sys.argv[1:])
    # The in-process cache, emptied before each page: never a shared Redis.
    os.environ.pop("REDIS_URL", None)
    # Each query as SQL that EXPLAIN takes, not as EXECUTE of a prepared statement.
    os.environ["DATABASE_PREPARED_STATEMENTS"] = "0"
    dataset.setup_django(args.database_url)
    from django.conf import settings

    # Measured as an editor works, past the second factor (bench/sessions.py marks the
    # session verified) and with the page cache bypassed for the signed-in pages anyway.
    settings.PAGE_CACHE_SECONDS = 0
    from django.core.cache import cache
    from django.test import Client

    reader, staff = Client(), signed_in_client()
    results, page_times = [], []
    for page in pages():
        if args.only and page.name not in args.only:
            continue
        client = staff if page.signed_in else reader
        capture(client, page)  # warm-up: the plans below are those of a warm buffer cache
        # The application cache is emptied: the page's own queries must run (bench/README.md
        # measures cached pages separately).
        cache.clear()
        selects, elapsed = capture(client, page)
        page_times.append((page.name, elapsed, len(selects)))
        for number, sql in enumerate(selects, 1):
            plan, milliseconds, scans = explain(sql)
            results.append(Explained(page.name, number, sql, plan, milliseconds, scans))
            if not args.summary_only:
                print(f"=== {page.name} #{number}  {page.url}")
                print(sql)
                print(plan)
                print()
    print_summary(results, page_times)
    flagged = [result for result in results if result.seq_scans]
    if flagged:
        print(f"\n{len(flagged)} plan(s) read a large table with a sequential scan.")
        return 1
    print("\nNo plan reads a large table with a sequential scan.")
    return 0


def print_summary(results, page_times):
    print(f"{'page':28} {'#':>2} {'ms':>9}  {'seq scan (rows read)':30} query")
    for result in results:
        scans = ", ".join(result.tables) or "-"
        print(
            f"{result.page:28} {result.number:>2} {result.milliseconds:9.2f}  {scans:30} "
            f"{describe(result.sql)}"
        )
    print(f"\n{'page':28} {'request ms':>10} {'queries':>8}")
    for name, elapsed, count in page_times:
        print(f"{name:28} {elapsed:10.1f} {count:>8}")


if __name__ == "__main__":
    sys.exit(main())
