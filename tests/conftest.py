import io
import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest
from django.test import Client as DjangoClient
from django.utils import translation

from tests.factories import EditorFactory, ModeratorFactory, UserFactory

ON_CI = os.environ.get("CI", "").lower() == "true"
# Django's Redis backend, or config.cache's subclass that survives Redis being down.
REDIS_BACKENDS = {
    "django.core.cache.backends.redis.RedisCache",
    "config.cache.ResilientRedisCache",
}


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` run only against PostgreSQL, and tests marked ``redis`` only
    with the Redis cache; elsewhere they are deselected, not skipped, because the same suite
    runs on PostgreSQL with Redis (REDIS_URL) in CI."""
    missing = set()
    if connection.vendor != "postgresql":
        missing.add("postgres")
    if settings.CACHES["default"]["BACKEND"] not in REDIS_BACKENDS:
        missing.add("redis")
    if not missing:
        return
    selected, deselected = [], []
    for item in items:
        needs = {marker.name for marker in item.iter_markers()} & missing
        (deselected if needs else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test fails the run: nothing may hide behind a skip."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not ON_CI or reporter is None:
        return
    skipped = reporter.stats.get("skipped", [])
    if skipped:
        reporter.write_line(
            f"CI=true: {len(skipped)} test(s) skipped; a skip is a failure in CI.", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """Compile the .po catalogues before any test renders a page, so Russian pages are tested
    against the catalogue in the working tree, not a stale (or missing, git-ignored) .mo."""
    call_command("compile_translations", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language. A request activates the language of its URL
    (LocaleMiddleware) in the test's thread and nothing switches it back, so without this a
    page visited in /ru/ would make every later test's reverse() answer /ru/ addresses."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: rate limits and cached pages must not leak."""
    cache.clear()
    yield
    cache.clear()


class Client(DjangoClient):
    """Django's test client, whose ``login()`` shortcut hands ``authenticate()`` a request as
    the log-in pages do: django-axes counts failures per client and refuses to authenticate
    without one (its documented remedy for tests is a blank ``HttpRequest``)."""

    def login(self, **credentials):
        credentials.setdefault("request", HttpRequest())
        return super().login(**credentials)


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def editor(db):
    return EditorFactory()


@pytest.fixture
def moderator(db):
    return ModeratorFactory()


@pytest.fixture
def reader(db):
    return UserFactory(display_name="Careful Reader")
