"""How fast the moderators' pages answer with a million comments.

Run from the repository root against the benchmark database (see bench/README.md)::

    .venv/bin/python bench/admin_scale.py [--database-url URL] [--runs 20] [--query WORD]

Signed in as a superuser (``bench/explain.py`` makes one if missing; the session passes the
second factor, see ``bench/sessions.py``), it requests each page through Django's test client:
the whole request, middleware, queries and template, without HTTP. Two warm-up requests, then
``--runs`` timed ones per page; it prints the median (p50), the 90th percentile and the
slowest, with the number of queries a request sends. The target is a median under 300 ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import dataset  # noqa: E402 - needs ROOT on the path

TARGET_MS = 300


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=dataset.database_url())
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument("--query", default="sanctions", help="the word searched for")
    return parser.parse_args(argv)


def pages(word):
    from django.urls import reverse

    from commentary.models import Comment

    comments = reverse("admin:commentary_comment_changelist")
    queue = reverse("moderation:queue")
    commenter = (
        Comment.objects.filter(status=Comment.Status.PENDING).order_by("pk").first().author_email
    )
    return [
        ("admin comment change list", comments),
        ("admin, filtered: approved", f"{comments}?{urlencode({'status__exact': 'approved'})}"),
        ("admin, filtered: reported", f"{comments}?reported=yes"),
        ("admin, page 500", f"{comments}?{urlencode({'p': 500})}"),
        ("admin, search", f"{comments}?{urlencode({'q': word})}"),
        ("queue, pending tab", queue),
        ("queue, approved tab", f"{queue}?{urlencode({'tab': 'approved'})}"),
        ("queue, pending page 400", f"{queue}?{urlencode({'page': 400})}"),
        ("queue, search", f"{queue}?{urlencode({'q': word})}"),
        ("queue, search e-mail", f"{queue}?{urlencode({'q': commenter})}"),
    ]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv=None):
    args = parse_args(argv or sys.argv[1:])
    os.environ.pop("REDIS_URL", None)  # the in-process cache: never a shared Redis
    dataset.setup_django(args.database_url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.explain import signed_in_client
    from commentary.models import Comment

    client = signed_in_client()
    print(f"{Comment.objects.count():,} comments; {args.runs} timed requests a page")
    print(f"{'page':28} {'p50 ms':>8} {'p90 ms':>8} {'max ms':>8} {'queries':>8}")
    slow = []
    for name, url in pages(args.query):
        for _ in range(2):
            response = client.get(url)
            if response.status_code != 200:
                sys.exit(f"{name}: {url} answered {response.status_code}")
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries = len(captured.captured_queries)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        if median >= TARGET_MS:
            slow.append(name)
        print(
            f"{name:28} {median:8.1f} {percentile(times, 0.9):8.1f} {max(times):8.1f} {queries:>8}"
        )
    if slow:
        print(f"Over {TARGET_MS} ms at the median: {', '.join(slow)}")
        return 1
    print(f"Every page under {TARGET_MS} ms at the median.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
