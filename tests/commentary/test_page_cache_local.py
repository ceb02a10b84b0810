"""Pages kept in the process's memory (``commentary.page_cache.local``): answered with no round
trip to Redis, and forgotten the moment any process announces a change over the channel."""

import time
from unittest import mock

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache

from commentary.page_cache import local, versions
from commentary.page_cache.local import CHANNEL, LocalPages, local_pages
from commentary.page_cache.pages import Entry
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture(autouse=True)
def own_memory(settings):
    """Each test starts with a process memory of its own, listening anew."""
    settings.PAGE_CACHE_LOCAL_MB = 4
    settings.PAGE_CACHE_LOCAL_SECONDS = 30
    yield
    memory = local_pages()
    if memory is not None:
        memory.close()


@pytest.fixture
def redis_client():
    """Another process's connection to the same Redis."""
    client = redis.Redis.from_url(django_settings.CACHES["default"]["LOCATION"])
    yield client
    client.close()


@pytest.fixture
def article(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return ArticleFactory(title="Grain corridors of the Black Sea")


class CountingCache:
    """Counts the page cache's reads of Redis (``get_many``: a page and its versions)."""

    def __init__(self):
        self.reads = 0
        self._get_many = cache.get_many

    def get_many(self, *args, **kwargs):
        self.reads += 1
        return self._get_many(*args, **kwargs)


@pytest.fixture
def cache_reads():
    counting = CountingCache()
    with mock.patch.object(cache, "get_many", counting.get_many):
        yield counting


def visit(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.headers["X-Cache"]


def entry(version="v1", *, size=1000, valid_for=600, key="pc:v:a"):
    return Entry(
        versions=((key, version),),
        valid_until=time.time() + valid_for,
        status=200,
        headers=(),
        parts=(b"x" * size,),
        holes="",
        content_hash="h",
        last_modified=0,
        last_modified_header="",
    )


# --- through the site ---------------------------------------------------------------------------


def test_a_page_read_from_the_cache_is_then_answered_from_memory(client, article, cache_reads):
    url = article.get_absolute_url()
    assert [visit(client, url) for _ in range(2)] == ["miss", "hit"]
    reads = cache_reads.reads

    answers = [visit(client, url) for _ in range(5)]

    assert answers == ["hit"] * 5
    assert cache_reads.reads == reads  # no round trip to Redis
    assert "Grain corridors of the Black Sea" in client.get(url).content.decode()


def test_a_change_announced_by_another_process_is_heard_before_the_next_answer(
    client, article, cache_reads, redis_client
):
    url = article.get_absolute_url()
    [visit(client, url) for _ in range(3)]
    reads = cache_reads.reads

    # What versions.invalidate() sends, from another app server.
    redis_client.publish(cache.make_key(CHANNEL), versions.version_key(versions.CONTENT))

    assert visit(client, url) == "hit"  # the version in Redis is unchanged: read from there
    assert cache_reads.reads == reads + 1
    assert visit(client, url) == "hit"
    assert cache_reads.reads == reads + 1  # and kept in memory again


def test_an_edit_is_shown_at_once_though_the_page_was_in_memory(
    client, article, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    [visit(client, url) for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Grain corridors after the truce"
        article.save()

    response = client.get(url)
    assert response.headers["X-Cache"] == "miss"
    assert "Grain corridors after the truce" in response.content.decode()


def test_losing_the_channel_empties_memory_and_pages_come_from_the_cache(
    client, article, cache_reads, redis_client
):
    url = article.get_absolute_url()
    [visit(client, url) for _ in range(3)]
    reads = cache_reads.reads

    # This process's subscription, not other listeners of the same Redis.
    host, port = local_pages()._subscription.connection._sock.getsockname()[:2]
    killed = redis_client.client_kill_filter(_type="pubsub", addr=f"{host}:{port}")

    assert killed == 1
    assert visit(client, url) == "hit"
    assert cache_reads.reads == reads + 1
    # Not listening yet (a pause after the failure): every answer reads Redis.
    assert visit(client, url) == "hit"
    assert cache_reads.reads == reads + 2
    with mock.patch.object(local, "RETRY_SECONDS", 0):
        local_pages().close()
    [visit(client, url) for _ in range(2)]
    reads = cache_reads.reads
    assert visit(client, url) == "hit"
    assert cache_reads.reads == reads  # listening again: from memory


def test_clearing_the_cache_empties_every_process_memory(client, article, cache_reads):
    url = article.get_absolute_url()
    [visit(client, url) for _ in range(3)]

    cache.clear()

    assert visit(client, url) == "miss"


def test_no_memory_with_zero_megabytes(client, article, cache_reads, settings):
    settings.PAGE_CACHE_LOCAL_MB = 0
    url = article.get_absolute_url()
    [visit(client, url) for _ in range(2)]
    reads = cache_reads.reads

    [visit(client, url) for _ in range(3)]

    assert local_pages() is None
    assert cache_reads.reads == reads + 3


def test_a_failed_announcement_is_sent_again_before_the_next_request(
    django_capture_on_commit_callbacks,
):
    with (
        mock.patch.object(local, "announce", return_value=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        versions.invalidate(versions.CONTENT)

    assert versions.has_unsent()
    versions.send_unsent()
    assert not versions.has_unsent()


# --- the memory itself ----------------------------------------------------------------------------


@pytest.fixture
def memory():
    pages = LocalPages(max_bytes=10_000, max_age=30)
    yield pages
    pages.close()


def test_a_page_is_answered_only_with_the_versions_it_was_kept_under(memory, redis_client):
    memory.keep("p1", entry("v1"), memory.heard(), time.time())
    assert memory.page("p1", time.time()) is not None

    redis_client.publish(cache.make_key(CHANNEL), "pc:v:a")

    assert memory.page("p1", time.time()) is None


def test_an_announcement_between_reading_and_keeping_keeps_nothing(memory, redis_client):
    mark = memory.heard()
    redis_client.publish(cache.make_key(CHANNEL), "pc:v:other")

    memory.keep("p1", entry(), mark, time.time())

    assert memory.page("p1", time.time()) is None


def test_versions_are_trusted_for_page_cache_local_seconds_at_most(memory):
    now = time.time()
    memory.keep("p1", entry(), memory.heard(), now)

    assert memory.page("p1", now + 29) is not None
    assert memory.page("p1", now + 31) is None


def test_a_page_is_not_answered_past_its_own_expiry(memory):
    now = time.time()
    memory.keep("p1", entry(valid_for=5), memory.heard(), now)

    assert memory.page("p1", now + 6) is None


def test_memory_is_bounded_and_forgets_the_least_recently_served_first(memory):
    now = time.time()
    for name in ("p1", "p2", "p3"):  # about 3,000 bytes each, 10,000 at most
        memory.keep(name, entry(size=2000), memory.heard(), now)
    memory.page("p1", now)  # served lately: kept

    memory.keep("p4", entry(size=2000), memory.heard(), now)

    kept = {name for name in ("p1", "p2", "p3", "p4") if memory.page(name, now) is not None}
    assert kept == {"p1", "p3", "p4"}


def test_a_page_larger_than_the_memory_is_not_kept(memory):
    memory.keep("big", entry(size=20_000), memory.heard(), time.time())

    assert memory.page("big", time.time()) is None


def test_a_forked_child_forgets_its_parents_memory_and_listens_on_its_own(memory):
    memory.keep("p1", entry(), memory.heard(), time.time())

    with mock.patch("os.getpid", return_value=-1):
        assert memory.page("p1", time.time()) is None
        memory.keep("p1", entry(), memory.heard(), time.time())
        assert memory.page("p1", time.time()) is not None
