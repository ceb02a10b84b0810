"""Two app servers sharing one PostgreSQL database and one Redis, as behind a load balancer.

Each test starts two gunicorn instances of the site (two workers each) on loopback, with
production settings and the page cache on, pointed at this test session's database and
Redis. What one instance does, the other shows at once: no instance keeps state of its own
(sessions are in the database; the cache, rate limits and locks in Redis), and what an
instance's workers keep in memory they forget as soon as either instance changes it.

The tests are transactional, so what the test writes is committed and the servers see it.
Servers are started per test: the database flush between transactional tests gives content
types new ids, which a long-running server would still hold in its in-process cache (in
production those ids never change).
"""

import contextlib
import http.cookies
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection

from bench.sessions import signed_in_cookie
from commentary.models import Article, Comment
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    DraftArticleFactory,
    EditorFactory,
    ModeratorFactory,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

PORTS = range(8100, 8150)
SECRET_KEY = secrets.token_urlsafe(50)
RATE_LIMIT = 3
STARTUP_TIMEOUT = 45
CSRF_TOKEN = secrets.token_hex(16)  # 32 characters, as Django's own
SITE_HOST = "localhost"
TOKEN_INPUT = re.compile(r'<input type="hidden" name="form_token" value="([^"]+)"')
RATE_LIMITED = "You have posted several comments in a short time."
OWN_PENDING = "Awaiting moderation — only you can see this."


def database_url(settings_dict):
    """A ``DATABASE_URL`` naming the database ``settings_dict`` points at (the test one)."""
    credentials = urllib.parse.quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        credentials += ":" + urllib.parse.quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{settings_dict['NAME']}"


def free_ports(count):
    ports = []
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    raise RuntimeError(f"fewer than {count} free ports in {PORTS.start}-{PORTS.stop - 1}")


@pytest.fixture(scope="module")
def server_environment(tmp_path_factory):
    """Production settings on loopback, with hashed static files collected once."""
    folder = tmp_path_factory.mktemp("instances")
    cache = django_settings.CACHES["default"]
    environment = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "CONN_MAX_AGE": "0",
        "REDIS_URL": cache["LOCATION"],
        "CACHE_KEY_PREFIX": cache.get("KEY_PREFIX", ""),
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "PAGE_CACHE_SECONDS": "300",
        "COMMENTS_RATE_LIMIT_COUNT": str(RATE_LIMIT),
        "COMMENTS_MIN_FILL_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    subprocess.run(  # noqa: S603 - our interpreter, our command
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=django_settings.BASE_DIR,
        env={**environment, "DATABASE_URL": "sqlite:///:memory:"},
        check=True,
        capture_output=True,
        timeout=120,
    )
    return environment, folder


@contextlib.contextmanager
def gunicorn_instances(count, environment, folder):
    """``count`` instances of the site, each serving until the block ends; yields their
    base URLs."""
    processes, bases = [], []
    try:
        for index, port in enumerate(free_ports(count)):
            log = open(folder / f"instance-{index}.log", "w")  # noqa: SIM115 - closed below
            processes.append(
                (
                    subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
                        [
                            sys.executable,
                            "-m",
                            "gunicorn",
                            "config.wsgi:application",
                            "--bind",
                            f"127.0.0.1:{port}",
                            "--workers",
                            "2",
                            # Django starts once per instance, then its workers fork.
                            "--preload",
                            "--log-level",
                            "warning",
                        ],
                        cwd=django_settings.BASE_DIR,
                        env=environment,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    ),
                    log,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        for (process, log), base in zip(processes, bases, strict=True):
            _wait_until_healthy(process, log, base)
        yield bases
    finally:
        for process, _log in processes:
            process.terminate()
        for process, log in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
            # Captured output: pytest shows it with a failing test, the servers' errors too.
            with open(log.name) as written:
                print(f"--- {log.name}\n{written.read()[-5000:]}")


def _wait_until_healthy(process, log, base):
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with contextlib.suppress(OSError):
            if Browser().get(base, "/healthz").status == 200:
                return
        time.sleep(0.2)
    log.flush()
    with open(log.name) as written:
        raise RuntimeError(f"{base} did not become healthy:\n{written.read()[-3000:]}")


@pytest.fixture
def instances(server_environment, settings):
    """Two instances sharing this test's database and Redis. Sessions made in this process
    are signed with the instances' key."""
    environment, folder = server_environment
    environment = {**environment, "DATABASE_URL": database_url(connection.settings_dict)}
    settings.SECRET_KEY = SECRET_KEY
    with gunicorn_instances(2, environment, folder) as bases:
        yield bases


def redis_page_reads():
    """How many reads of several keys (a page with its versions) Redis has answered."""
    client = redis.Redis.from_url(django_settings.CACHES["default"]["LOCATION"])
    with client:
        return client.info("commandstats").get("cmdstat_mget", {}).get("calls", 0)


# --- a browser ------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


@dataclass
class Answer:
    status: int
    text: str
    location: str
    cache: str  # the page cache's X-Cache header: hit, miss, bypass


class Browser:
    """One person's browser: its cookies go with every request, to whichever instance the
    load balancer picks. It holds a CSRF cookie of its own choosing from the start, as
    Django accepts, and posts the cookie's value with each form."""

    def __init__(self, cookie=""):
        self.cookies = {django_settings.CSRF_COOKIE_NAME: CSRF_TOKEN}
        if cookie:
            name, value = cookie.split("=", 1)
            self.cookies[name] = value

    def get(self, base, path):
        return self._send(base + path)

    def post(self, base, path, data):
        token = self.cookies[django_settings.CSRF_COOKIE_NAME]
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **data}).encode()
        return self._send(base + path, data=body)

    def _send(self, url, data=None):
        # Only http://127.0.0.1 addresses of the instances started here.
        request = urllib.request.Request(url, data=data)  # noqa: S310
        # One site name whichever instance answers, as behind a load balancer.
        request.add_header("Host", SITE_HOST)
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = _opener.open(request, timeout=30)  # noqa: S310
        except urllib.error.HTTPError as error:
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in http.cookies.SimpleCookie(header).items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.value
                    else:  # deleted
                        self.cookies.pop(name, None)
            return Answer(
                status=response.status,
                text=response.read().decode(),
                location=response.headers.get("Location", ""),
                cache=response.headers.get("X-Cache", ""),
            )


def post_comment(browser, base, article, body):
    """Open the article through ``base`` and send its comment form there."""
    page = browser.get(base, article.get_absolute_url())
    assert page.status == 200
    [token] = TOKEN_INPUT.findall(page.text)
    return browser.post(
        base,
        article.get_absolute_url(),
        {
            "author_name": "Careful Reader",
            "author_email": "careful.reader@example.net",
            "body": body,
            "website": "",
            "form_token": token,
        },
    )


# --- the tests ------------------------------------------------------------------------------


def test_a_comment_approved_through_one_instance_shows_at_once_through_the_other(instances):
    first, second = instances
    article = ArticleFactory(title="Tariffs on the Caspian route")
    comment = CommentFactory(article=article, body="The ferry tariffs decide everything here.")
    reader = Browser()
    pages = [reader.get(base, article.get_absolute_url()) for base in (second, first)]
    assert [page.status for page in pages] == [200, 200]
    assert [page.cache for page in pages] == ["miss", "hit"]  # one page cache for both
    assert "Tariffs on the Caspian route" in pages[1].text
    assert "The ferry tariffs decide everything here." not in pages[1].text
    # Each worker reads the page from Redis once more, then answers it from its own memory.
    reads = redis_page_reads()
    answers = [reader.get(base, article.get_absolute_url()) for base in (second, first) * 10]
    assert {answer.cache for answer in answers} == {"hit"}
    assert redis_page_reads() - reads <= 8

    moderator = Browser(signed_in_cookie(ModeratorFactory()))
    decided = moderator.post(
        first,
        f"/moderation/comments/{comment.pk}/decide/",
        {"action": "approve", "expected_status": "pending"},
    )

    assert decided.status == 302, decided.text[:2000]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    for base in (second, first) * 4:  # every worker of both
        assert (
            "The ferry tariffs decide everything here."
            in reader.get(base, article.get_absolute_url()).text
        )


def test_an_article_published_through_one_instance_is_on_the_others_home_page(instances):
    first, second = instances
    ArticleFactory(title="Already on the front page")
    draft = DraftArticleFactory(title="Water politics in the Fergana Valley")
    reader = Browser()
    pages = [reader.get(base, "/en/") for base in (first, second)]
    assert [page.status for page in pages] == [200, 200]
    assert [page.cache for page in pages] == ["miss", "hit"]
    assert "Already on the front page" in pages[1].text
    assert "Water politics in the Fergana Valley" not in pages[1].text
    reads = redis_page_reads()
    assert {reader.get(base, "/en/").cache for base in (first, second) * 10} == {"hit"}
    assert redis_page_reads() - reads <= 8

    editor = Browser(signed_in_cookie(EditorFactory()))
    published = editor.post(
        first,
        f"/{django_settings.ADMIN_URL}commentary/article/",
        {"action": "publish_selected", "_selected_action": str(draft.pk), "index": "0"},
    )

    assert published.status == 302, published.text[:2000]
    assert Article.objects.published().filter(pk=draft.pk).exists()
    for base in (second, first) * 4:
        assert "Water politics in the Fergana Valley" in reader.get(base, "/en/").text


def test_comment_rate_limits_count_across_instances(instances):
    first, second = instances
    article = ArticleFactory()
    reader = Browser()

    for number in range(RATE_LIMIT):
        sent = post_comment(reader, first, article, f"Remark number {number} on the argument.")
        assert sent.status == 302, sent.text[:2000]
    # The reader's session (in the database) is known to the other instance too.
    assert OWN_PENDING in reader.get(second, article.get_absolute_url()).text
    refused = post_comment(reader, second, article, "One remark too many on the argument.")

    assert refused.status == 400
    assert RATE_LIMITED in refused.text
    assert Comment.objects.filter(article=article).count() == RATE_LIMIT
