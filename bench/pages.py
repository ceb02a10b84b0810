"""Measure the site's pages over HTTP, as production serves them, and compare each with the
fastest that the same HTTP server can answer with the same bytes.

Run it through ``bench/run`` (see bench/README.md); every option has a default::

    bench/run [--database-url URL] [--redis-url URL] [--duration 10] [--no-write]

1. **The data.** ``DATABASE_URL`` (default: the benchmark database, ``commentary_bench``) is
   created if missing and migrated; while it holds fewer than ``--articles`` articles (in
   every state; default 100,000) or ``--comments`` comments (default 1,000,000),
   ``manage.py generate_content`` adds what is missing first (about half an hour for the
   full set; once). Static files are collected.
2. **The pages.** Home, the newest article with exactly 50 approved comments, that article's
   column, the most used tag, a search, the site's RSS feed, and the moderation queue signed
   in as a moderator (made here, with a session made in the database:
   ``bench/sessions.py``). All in English, the default language.
3. **Three servers side by side**, under the same gunicorn settings (``gunicorn_options``):
   the site with the page cache off (``PAGE_CACHE_SECONDS=0``: "cold"), the site with the
   page cache on and warmed ("cached": the anonymous pages it serves, ``X-Cache: hit``), and
   the baseline (``bench/baseline_app.py``) answering each address with the site's bytes
   from memory. Production settings: ``DEBUG`` off, a random ``SECRET_KEY``, hashed static
   files, no HTTPS redirect (plain http on loopback), warnings-only logs, Redis as the cache.
4. **wrk** runs ``--warmup`` seconds at one connection (not counted), then ``--duration``
   seconds at ``--connections`` (16) for every page and mode, and at one connection for the
   search and the queue, one server at a time, a page's modes one after the other; after
   each run the server is left to finish what wrk left in flight. Latency percentiles are
   wrk's ``--latency`` figures, with a 10-second timeout so that slow answers count instead
   of being dropped.
5. It **prints** the tables and the targets beside the figures, and appends them, dated, with
   the machine's description, to bench/RESULTS.md (``--no-write`` skips that).
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import dataset  # noqa: E402 - needs ROOT on the path

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/8"
# Keys of the benchmark servers carry this prefix; only they are cleared between runs, so a
# Redis database shared by mistake loses nothing else.
CACHE_KEY_PREFIX = "bench"
PORTS = range(8150, 8200)
SEARCH_QUERY = "sanctions"
# generate_content's least: the article with 50 approved comments and a few others.
MIN_GENERATED_COMMENTS = 58
MODERATOR_USERNAME = "bench-moderator"
RESULTS = ROOT / "bench" / "RESULTS.md"

# Targets, printed beside the figures.
ARTICLE_COLD_MIN_SHARE = 5.0  # % of baseline requests/s
CACHED_MIN_SHARE = 70.0  # % of baseline requests/s, every cached anonymous page
SEARCH_P50_MAX_MS = 50.0  # at one connection
QUEUE_P50_MAX_MS = 100.0  # at one connection
CACHED_P99_MAX_MS = 60.0  # at --connections, every cached anonymous page

COLD, CACHED, BASELINE, SIGNED_IN = "cold", "cached", "baseline", "signed in"
# Measured at one connection too (without the page cache, and the baseline's).
ONE_CONNECTION_PAGES = {"search", "queue"}


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    public: bool = True  # anonymous, so the page cache may serve it
    note: str = ""


@dataclass(frozen=True)
class Measurement:
    page: str
    mode: str
    connections: int
    requests_per_second: float
    p50_ms: float | None  # None: no request finished within the run
    p99_ms: float | None
    requests: int
    errors: int


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:PORT
    quick_path: str  # an address it answers at once, to tell when it is idle
    idle_seconds: float  # how long quick_path takes when the server is idle
    log_path: Path


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=dataset.database_url())
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "").strip() or DEFAULT_REDIS_URL
    )
    parser.add_argument("--articles", type=int, default=100_000, help="fill below this")
    parser.add_argument("--comments", type=int, default=1_000_000, help="fill below this")
    parser.add_argument(
        "--fill",
        action="store_true",
        help="fill a small database whose name does not say 'bench' (others are filled anyway)",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before each run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--search", default=SEARCH_QUERY, help="the search page's query")
    parser.add_argument("--page-cache-seconds", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--threads", type=int, default=4, help="per worker, with gthread")
    parser.add_argument("--no-write", action="store_true", help="leave bench/RESULTS.md alone")
    return parser.parse_args()


# --- the servers ------------------------------------------------------------------------------


def gunicorn_options(args):
    """The same for the site and the baseline. gthread: each worker keeps HTTP keep-alive
    connections open (as a proxy's upstream pool or wrk does), so neither side pays a TCP
    handshake per request, and while one thread waits for PostgreSQL or Redis another runs;
    few threads, because Python runs one of them at a time per process."""
    options = ["--workers", str(args.workers), "--worker-class", args.worker_class]
    if args.worker_class == "gthread":
        # A gthread worker accepts every connection it can: left alone, one worker may take
        # all of wrk's connections while the other idles, and a run measures one core or two
        # by chance (site and baseline alike, 2,000 or 7,000 requests a second from one run to
        # the next). Capping each worker's share spreads them evenly.
        share = -(-args.connections // args.workers)
        options += [
            *("--threads", str(args.threads), "--keep-alive", "5"),
            *("--worker-connections", str(share)),
        ]
    return [*options, "--log-level", "warning", "--timeout", "60"]


def site_environment(args, secret_key):
    """Production settings on loopback: what ``docker-compose.yml`` sets, minus HTTPS."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "DATABASE_URL": args.database_url,
        "CONN_MAX_AGE": "60",
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": CACHE_KEY_PREFIX,
        # Warnings and errors only: a line per request would cost more than some pages.
        "LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def free_port():
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    sys.exit(f"No free port in {PORTS.start}-{PORTS.stop - 1}.")


@contextlib.contextmanager
def gunicorn(app, *, env, args, log_dir, name, ready_path):
    """Serve ``app`` on a free loopback port until the block ends; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = log_dir / f"gunicorn-{name}.log"
    command = [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [*command, *gunicorn_options(args)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                sys.exit(f"gunicorn ({name}) stopped:\n{log_path.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                status, _headers, _body = fetch(base + ready_path)
                if status == 200:
                    break
                sys.exit(f"{name}: {ready_path} answered {status}; see {log_path}")
            if time.monotonic() > deadline:
                sys.exit(f"gunicorn ({name}) did not answer within 60 s; see {log_path}")
            time.sleep(0.2)
        timings = []
        for _ in range(5):
            started = time.monotonic()
            fetch(base + ready_path)
            timings.append(time.monotonic() - started)
        yield Server(base, ready_path, idle_seconds=sorted(timings)[2], log_path=log_path)
    finally:
        process.terminate()  # gunicorn finishes the requests in flight, then exits
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def fetch(url, cookie=""):
    """``(status, headers, body)`` of one GET, redirects not followed."""
    # Only our own http://127.0.0.1 addresses are fetched.
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with _opener.open(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


# --- wrk ----------------------------------------------------------------------------------------

_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_PERCENTILE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_REQUESTS_PER_SECOND = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def wrk(url, *, connections, seconds, cookie=""):
    """wrk's output for one run; one thread (the other core serves), a 10-second timeout."""
    command = [
        shutil.which("wrk") or "wrk",
        "--latency",
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
    ]
    if cookie:
        command += ["--header", f"Cookie: {cookie}"]
    result = subprocess.run(  # noqa: S603 - wrk with our own arguments
        [*command, url], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"wrk failed on {url}:\n{result.stdout}{result.stderr}")
    return result.stdout


def parse_wrk(output, *, page, mode, connections):
    percentiles = {
        int(match[1]): float(match[2]) * _UNIT_MS[match[3]]
        for match in _PERCENTILE.finditer(output)
    }
    rps = _REQUESTS_PER_SECOND.search(output)
    total = _TOTAL.search(output)
    if rps is None or total is None or set(percentiles) != {50, 99}:
        raise ValueError(f"Unexpected wrk output:\n{output}")
    if int(total[1]) == 0:  # wrk then prints zeros, which are no latencies
        percentiles = {50: None, 99: None}
    non_2xx = _NON_2XX.search(output)
    socket_errors = _SOCKET_ERRORS.search(output)
    errors = int(non_2xx[1]) if non_2xx else 0
    if socket_errors:
        errors += sum(int(count) for count in socket_errors.groups())
    return Measurement(
        page=page,
        mode=mode,
        connections=connections,
        requests_per_second=float(rps[1]),
        p50_ms=percentiles[50],
        p99_ms=percentiles[99],
        requests=int(total[1]),
        errors=errors,
    )


def milliseconds(value):
    return "—" if value is None else f"{value:.1f}"


def settle(server):
    """Wait until the server has finished what the last run left in flight: wrk stops
    without waiting for answers, and a slow page's leftovers would slow the next run."""
    deadline = time.monotonic() + 120
    quick_enough = max(3 * server.idle_seconds, 0.02)
    quick = 0
    while quick < 3 and time.monotonic() < deadline:
        started = time.monotonic()
        fetch(server.base + server.quick_path)
        quick = quick + 1 if time.monotonic() - started < quick_enough else 0


def measure(server, page, *, mode, connections, args, cookie=""):
    """Warm up at one connection (nothing left queued), then one measured wrk run."""
    url = server.base + page.path
    if args.warmup:
        wrk(url, connections=1, seconds=args.warmup, cookie=cookie)
        settle(server)
    output = wrk(url, connections=connections, seconds=args.duration, cookie=cookie)
    settle(server)
    result = parse_wrk(output, page=page.name, mode=mode, connections=connections)
    errors = f", {result.errors} errors" if result.errors else ""
    print(
        f"  {page.name:<8} {mode:<9} c={connections:<3} {result.requests_per_second:>9.1f} req/s"
        f"  p50 {milliseconds(result.p50_ms):>7} ms  p99 {milliseconds(result.p99_ms):>7} ms"
        f"  ({result.requests} requests{errors})",
        flush=True,
    )
    return result


# --- the data -----------------------------------------------------------------------------------


def ensure_database(args):
    """Create the database if it is missing; apply migrations; fill it while it is small."""
    import psycopg2
    from psycopg2 import sql

    url = urllib.parse.urlsplit(args.database_url)
    name = urllib.parse.unquote(url.path.lstrip("/"))
    maintenance = urllib.parse.urlunsplit(url._replace(path="/postgres"))
    server = psycopg2.connect(maintenance)
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        created = cursor.fetchone() is None
        if created:
            print(f"Creating the database {name}.", flush=True)
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    server.close()

    from django.core.management import call_command, get_commands

    call_command("migrate", interactive=False, verbosity=0)
    articles, comments = dataset_size(published=False)
    if articles < args.articles or comments < args.comments:
        if "generate_content" not in get_commands():
            sys.exit(f"{name} is small, and manage.py generate_content is missing.")
        # A DATABASE_URL left in the shell must not get 100,000 made-up articles by surprise.
        if not (created or "bench" in name or args.fill):
            sys.exit(
                f"{name} holds {articles:,} articles and {comments:,} comments, fewer than "
                f"--articles {args.articles:,} and --comments {args.comments:,}. Fill it with "
                "synthetic content by running again with --fill, or pick another database "
                "with --database-url."
            )
        # generate_content adds to what is there: ask for what is missing.
        more_articles = max(args.articles - articles, 1)
        more_comments = max(args.comments - comments, MIN_GENERATED_COMMENTS)
        print(
            f"{name} holds {articles:,} articles and {comments:,} comments; filling it: "
            f"manage.py generate_content --articles {more_articles} --comments {more_comments} "
            "(about half an hour for the full data set).",
            flush=True,
        )
        call_command("generate_content", articles=more_articles, comments=more_comments)
    call_command("collectstatic", interactive=False, verbosity=0)


def dataset_size(*, published=True):
    """How many (published) articles and how many comments the database holds."""
    from commentary.models import Article, Comment

    articles = Article.objects.published() if published else Article.objects.all()
    return articles.count(), Comment.objects.count()


def benchmark_article():
    """The data set's article with 50 approved comments; on a data set without one, the
    article whose approved comments come nearest to 50."""
    from django.db.models import Count, F, Q
    from django.db.models.functions import Abs

    from commentary.models import Article, Comment

    article = dataset.fifty_comment_article()
    if article is not None:
        return article, 50
    nearest = (
        Article.objects.published()
        .annotate(approved=Count("comments", filter=Q(comments__status=Comment.Status.APPROVED)))
        .order_by(Abs(F("approved") - 50), "-pk")
        .first()
    )
    if nearest is None:
        sys.exit("The database holds no published article.")
    return nearest, nearest.approved


def choose_pages(args):
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import translation

    from commentary.models import Column, Tag

    with translation.override("en"):
        article, approved = benchmark_article()
        column = (
            article.column
            or Column.objects.annotate(total=Count("articles")).order_by("-total").first()
        )
        tag = Tag.objects.annotate(total=Count("tagged_articles")).order_by("-total").first()
        pages = [
            Page("home", reverse("commentary:home")),
            Page("article", article.get_absolute_url(), note=f"{approved} approved comments"),
        ]
        if column is not None:
            pages.append(Page("column", column.get_absolute_url(), note=column.name))
        if tag is not None:
            pages.append(Page("tag", tag.get_absolute_url(), note=f"{tag.name}, most used"))
        query = urllib.parse.urlencode({"q": args.search})
        pages += [
            Page("search", f"{reverse('commentary:search')}?{query}"),
            Page("rss", reverse("commentary:feed_site_rss")),
            Page("queue", reverse("moderation:queue"), public=False, note="pending tab"),
        ]
    return pages


def moderator_cookie():
    """A moderator (``bench-moderator``, made once, no usable password) signed in."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from accounts.roles import MODERATORS
    from bench.sessions import signed_in_cookie
    from commentary.services import MODERATE_PERMISSION

    user, created = get_user_model().objects.get_or_create(
        username=MODERATOR_USERNAME,
        defaults={"email": "bench-moderator@example.org", "is_staff": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=MODERATORS))
    if not user.has_perm(MODERATE_PERMISSION):
        sys.exit(f"{MODERATOR_USERNAME} may not moderate comments.")
    return signed_in_cookie(user)


def clear_cache(redis_url):
    """Delete the benchmark servers' keys (and only theirs)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{CACHE_KEY_PREFIX}:*", count=1000):
        client.delete(key)


# --- the machine ----------------------------------------------------------------------------


def machine(args):
    """What the figures depend on, for the record."""
    import django
    import gunicorn as gunicorn_package
    import redis
    from django.db import connection

    cpu = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GB of memory, "
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    redis_version = redis.Redis.from_url(args.redis_url).info("server")["redis_version"]
    wrk_version = (
        subprocess.run(  # noqa: S603
            [shutil.which("wrk") or "wrk", "--version"], capture_output=True, text=True, check=False
        )
        .stdout.split("[")[0]
        .strip()
    )
    # Other work on the machine slows every figure; the load says how much there was.
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    workers = f"{args.workers} {args.worker_class} workers"
    if args.worker_class == "gthread":
        workers += f" × {args.threads} threads"
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory}PostgreSQL {postgres} "
        f"(shared_buffers {shared_buffers}), Redis {redis_version}, Python "
        f"{platform.python_version()}, Django {django.get_version()}, gunicorn "
        f"{gunicorn_package.__version__} ({workers}), {wrk_version}; load average {load} "
        "at the start"
    )


# --- the report ---------------------------------------------------------------------------------


def share(result, baseline):
    if baseline is None or not baseline.requests_per_second:
        return None
    return 100 * result.requests_per_second / baseline.requests_per_second


def _row(result, baseline):
    percent = share(result, baseline)
    return [
        result.page,
        result.mode,
        f"{result.requests_per_second:,.1f}",
        milliseconds(result.p50_ms),
        milliseconds(result.p99_ms),
        "" if percent is None or result.mode == BASELINE else f"{percent:.1f} %",
        f"{result.requests:,}",
        str(result.errors) if result.errors else "",
    ]


HEADER = [
    "page",
    "mode",
    "requests/s",
    "p50 ms",
    "p99 ms",
    "% of baseline",
    "requests",
    "errors",
]


def tables(results, pages, connections):
    """The main table (at ``connections``) and the one-connection table, as rows."""
    baselines = {(r.page, r.connections): r for r in results if r.mode == BASELINE}
    order = {page.name: index for index, page in enumerate(pages)}
    modes = {COLD: 0, SIGNED_IN: 0, CACHED: 1, BASELINE: 2}

    def rows(selected):
        selected = sorted(selected, key=lambda r: (order[r.page], modes[r.mode]))
        return [_row(r, baselines.get((r.page, r.connections))) for r in selected]

    many = rows(r for r in results if r.connections == connections)
    one = rows(r for r in results if r.connections == 1)
    return many, one


def targets(results, connections):
    """``(target, measured, met)`` for each target."""
    by_key = {(r.page, r.mode, r.connections): r for r in results}
    checks = []

    def base(page, conns):
        return by_key.get((page, BASELINE, conns))

    article = by_key.get(("article", COLD, connections))
    if article:
        percent = share(article, base("article", connections)) or 0.0
        checks.append(
            (
                f"article, page cache off: ≥ {ARTICLE_COLD_MIN_SHARE:g} % of baseline",
                f"{percent:.1f} %",
                percent >= ARTICLE_COLD_MIN_SHARE,
            )
        )
    for result in results:
        if result.mode == CACHED and result.connections == connections:
            percent = share(result, base(result.page, connections)) or 0.0
            checks.append(
                (
                    f"{result.page}, cached: ≥ {CACHED_MIN_SHARE:g} % of baseline",
                    f"{percent:.1f} %",
                    percent >= CACHED_MIN_SHARE,
                )
            )
    for page, mode, limit in (
        ("search", COLD, SEARCH_P50_MAX_MS),
        ("queue", SIGNED_IN, QUEUE_P50_MAX_MS),
    ):
        result = by_key.get((page, mode, 1))
        if result:
            checks.append(
                (
                    f"{page}, one connection: p50 ≤ {limit:g} ms",
                    f"{milliseconds(result.p50_ms)} ms",
                    result.p50_ms is not None and result.p50_ms <= limit,
                )
            )
    for result in results:
        if result.mode == CACHED and result.connections == connections:
            checks.append(
                (
                    f"{result.page}, cached, {connections} connections: "
                    f"p99 ≤ {CACHED_P99_MAX_MS:g} ms",
                    f"{milliseconds(result.p99_ms)} ms",
                    result.p99_ms is not None and result.p99_ms <= CACHED_P99_MAX_MS,
                )
            )
    return checks


def text_table(header, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = [
        "  ".join(
            cell.rjust(width) if index >= 2 else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        for line in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(header, rows):
    align = ["---" if index < 2 else "---:" for index in range(len(header))]
    return "\n".join("| " + " | ".join(line) + " |" for line in [header, align, *rows])


def report(*, results, uncached, pages, args, machine_text, data_text, started):
    many, one = tables(results, pages, args.connections)
    checks = targets(results, args.connections)
    check_rows = [[name, measured, "met" if met else "MISSED"] for name, measured, met in checks]
    check_header = ["target", "measured", ""]
    notes = [
        f"{page.name}: {urllib.parse.unquote(page.path)}" + (f" ({page.note})" if page.note else "")
        for page in pages
    ]
    not_cached = "; ".join(f"{name} (X-Cache: {state})" for name, state in uncached.items())
    if not_cached:
        not_cached = f"Not served from the page cache, so measured cold only: {not_cached}."

    print()
    print(f"At {args.connections} connections, {args.duration} s per run:")
    print(text_table(HEADER, many))
    print()
    print("At one connection:")
    print(text_table(HEADER, one))
    print()
    print(text_table(check_header, check_rows))
    print()
    print("Pages: " + "; ".join(notes))
    if not_cached:
        print(not_cached)
    print(f"Data: {data_text}")
    print(f"Machine: {machine_text}")
    if any(r.errors for r in results):
        print("Some runs had errors (non-2xx answers, socket errors or timeouts): see the table.")

    section = "\n".join(
        [
            "",
            f"## Pages over HTTP, {started:%d %B %Y %H:%M} UTC",
            "",
            f"`bench/run` (see [README.md](README.md#run)), on this machine: {machine_text}.",
            f"Data: {data_text}. Pages: " + "; ".join(f"`{note}`" for note in notes) + ".",
            "",
            f"At {args.connections} connections, {args.duration} s per run after "
            f"{args.warmup} s of warm-up; cold = page cache off (`PAGE_CACHE_SECONDS=0`), "
            "cached = anonymous, page cache on and warmed, baseline = "
            "`bench/baseline_app.py` serving the same bytes under the same gunicorn settings:",
            "",
            markdown_table(HEADER, many),
            "",
            "At one connection:",
            "",
            markdown_table(HEADER, one),
            "",
            markdown_table(check_header, check_rows),
            "",
            *([not_cached, ""] if not_cached else []),
        ]
    )
    if not args.no_write:
        with open(RESULTS, "a", encoding="utf-8") as results_file:
            results_file.write(section)
        print(f"Appended to {RESULTS.relative_to(ROOT)}.")


# --- the run ------------------------------------------------------------------------------------


def page_cache_state(server, page):
    """The page cache's ``X-Cache`` answer (hit, miss, bypass) for ``page`` once it has been
    requested twice: hit when the page cache serves it."""
    fetch(server.base + page.path)
    _status, headers, _body = fetch(server.base + page.path)
    return headers.get("X-Cache", "no X-Cache header")


def connection_counts(page, args):
    return [args.connections, 1] if page.name in ONE_CONNECTION_PAGES else [args.connections]


def save_baseline_pages(server, pages, folder, cookie):
    """Fetch each page once from the site, check it, and write it for the baseline."""
    manifest = {}
    for index, page in enumerate(pages):
        status, headers, body = fetch(server.base + page.path, cookie="" if page.public else cookie)
        if status != 200:
            log = server.log_path.read_text()[-3000:]
            sys.exit(f"{page.name} ({page.path}) answered {status}, not 200. Server log:\n{log}")
        name = f"page-{index}.bin"
        (folder / name).write_bytes(body)
        manifest[page.path] = {"file": name, "content_type": headers.get("Content-Type", "")}
        print(f"  {page.name:<8} {page.path}  {len(body):,} bytes", flush=True)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def main():
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: sudo apt-get install wrk")
    started = datetime.datetime.now(datetime.UTC)
    secret_key = secrets.token_urlsafe(50)
    site_env = site_environment(args, secret_key)
    # This process signs the moderator's session: it needs the servers' key and database.
    os.environ.update(site_env)
    dataset.setup_django(args.database_url)

    ensure_database(args)
    articles, comments = dataset_size()
    data_text = (
        f"{articles:,} published articles, {comments:,} comments "
        f"(`{urllib.parse.urlsplit(args.database_url).path.lstrip('/')}`)"
    )
    pages = choose_pages(args)
    cookie = moderator_cookie()
    machine_text = machine(args)
    from django.db import connections as databases

    databases.close_all()
    clear_cache(args.redis_url)

    results, uncached = [], {}
    site = "config.wsgi:application"
    with tempfile.TemporaryDirectory(prefix="bench-") as temporary, contextlib.ExitStack() as up:
        folder = Path(temporary)
        print(f"Data: {data_text}. Pages:", flush=True)
        cold = up.enter_context(
            gunicorn(
                site,
                env={**site_env, "PAGE_CACHE_SECONDS": "0"},
                args=args,
                log_dir=folder,
                name="cold",
                ready_path="/healthz",
            )
        )
        save_baseline_pages(cold, pages, folder, cookie)
        cached = up.enter_context(
            gunicorn(
                site,
                env={**site_env, "PAGE_CACHE_SECONDS": str(args.page_cache_seconds)},
                args=args,
                log_dir=folder,
                name="cached",
                ready_path="/healthz",
            )
        )
        baseline = up.enter_context(
            gunicorn(
                "bench.baseline_app:application",
                env={**os.environ, "BENCH_BASELINE_DIR": str(folder)},
                args=args,
                log_dir=folder,
                name="baseline",
                ready_path=pages[0].path,
            )
        )
        # The three servers run side by side but are measured one at a time, a page's modes
        # one after the other: whatever else the machine does then weighs on all of them.
        print("Runs:", flush=True)
        for page in pages:
            for connections in connection_counts(page, args):
                results.append(
                    measure(
                        cold,
                        page,
                        mode=COLD if page.public else SIGNED_IN,
                        connections=connections,
                        args=args,
                        cookie="" if page.public else cookie,
                    )
                )
                if page.public and connections == args.connections:
                    state = page_cache_state(cached, page)
                    if state == "hit":
                        results.append(
                            measure(cached, page, mode=CACHED, connections=connections, args=args)
                        )
                    else:
                        uncached[page.name] = state
                        print(f"  {page.name:<8} not served from the page cache (X-Cache: {state})")
                results.append(
                    measure(baseline, page, mode=BASELINE, connections=connections, args=args)
                )
    clear_cache(args.redis_url)

    report(
        results=results,
        uncached=uncached,
        pages=pages,
        args=args,
        machine_text=machine_text,
        data_text=data_text,
        started=started,
    )


if __name__ == "__main__":
    main()
