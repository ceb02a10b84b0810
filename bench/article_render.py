"""Measure the article page, uncached, as a reader gets it: SQL queries and in-process time.

Run from the repository root against the large data set (see bench/README.md)::

    .venv/bin/python bench/article_render.py [--renders 500] [--warmup 50] [--profile]

``DATABASE_URL`` defaults to the benchmark database (100,000 articles, 1,000,000 comments).
The script runs Django as in production: ``DEBUG`` off (with a random ``SECRET_KEY`` for
the run when none is set), the page cache off (``PAGE_CACHE_SECONDS=0``). It picks the
article with 50 approved comments (``bench.dataset.fifty_comment_article``), renders it
``--warmup`` times, then times ``--renders`` anonymous GETs of its page twice over:

* through the test ``Client``: the whole stack, middleware included;
* through ``RequestFactory`` and the view: the view and its templates only.

It prints the SQL queries of one render (on PostgreSQL the page's queries run as prepared
statements, see ``commentary.prepared``: they read ``EXECUTE commentary_prepared_N(…)``)
and the median, p90 and p99 of each series in milliseconds, and the median CPU time of this
process (which leaves out the time spent waiting for the database and, on a busy machine,
for a processor). ``--profile`` adds the 40 most expensive functions of the view renders
(``cProfile``, by cumulative time, or as ``--sort`` says).
"""

import argparse
import cProfile
import io
import os
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def configure():
    """Production-like settings, read before Django starts: DEBUG off, page cache off."""
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48)[:50])
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    from bench.dataset import setup_django

    url = setup_django()
    from django.conf import settings

    settings.PAGE_CACHE_SECONDS = 0
    # Hashed static names need an up-to-date collectstatic; the plain storage names the files
    # instead (a dictionary look-up less per {% static %}, nothing else).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return url


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(name, timings):
    wall = [value * 1000 for value, _cpu in timings]
    cpu = [value * 1000 for _wall, value in timings]
    return (
        f"{name:<34} median {statistics.median(wall):6.2f} ms   p90 {percentile(wall, 0.9):6.2f}"
        f" ms   p99 {percentile(wall, 0.99):6.2f} ms   ({len(wall)} renders; CPU median"
        f" {statistics.median(cpu):.2f} ms)"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=500, help="timed renders of each kind")
    parser.add_argument("--warmup", type=int, default=50, help="untimed renders first")
    parser.add_argument("--profile", action="store_true", help="profile the view renders")
    parser.add_argument(
        "--sort", default="cumulative", help="profile order: cumulative (default), tottime, …"
    )
    options = parser.parse_args(argv)

    url = configure()
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.urls import resolve
    from django.utils import translation

    from bench.dataset import fifty_comment_article

    article = fifty_comment_article()
    if article is None:
        sys.exit("No published article with 50 approved comments: build the data set first.")
    translation.activate(article.language)
    path = article.get_absolute_url()
    print(f"database: {url.rsplit('/', 1)[-1]} ({connection.vendor})")
    print(f"article:  {path} (id {article.pk})")

    client = Client()
    factory = RequestFactory()
    # The view gets the decoded path, as Django's handler gives it (a Cyrillic slug).
    match = resolve(unquote(path))

    def client_render():
        client.cookies.clear()
        response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"{path} answered {response.status_code}")
        return response

    def view_render():
        request = factory.get(path)
        request.LANGUAGE_CODE = article.language
        request.session = {}
        request.user = AnonymousUser()
        request.resolver_match = match
        response = match.func(request, *match.args, **match.kwargs)
        response.render()
        if response.status_code != 200:
            sys.exit(f"the view answered {response.status_code}")
        return response

    for _ in range(options.warmup):
        client_render()
        view_render()

    with CaptureQueriesContext(connection) as queries:
        size = len(client_render().content)
    print(f"page:     {size:,} bytes, {len(queries.captured_queries)} SQL queries per render")
    for number, query in enumerate(queries.captured_queries, 1):
        print(f"  {number}. {query['time']} s  {query['sql'][:150]}")

    def timed(render):
        timings = []
        for _ in range(options.renders):
            started, cpu_started = time.perf_counter(), time.process_time()
            render()
            timings.append((time.perf_counter() - started, time.process_time() - cpu_started))
        return timings

    print(summary("test Client (whole stack)", timed(client_render)))
    print(summary("RequestFactory + view (view only)", timed(view_render)))

    if options.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(options.renders):
            view_render()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(options.sort).print_stats(40)
        print(out.getvalue())


if __name__ == "__main__":
    main()
