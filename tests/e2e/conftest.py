"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

The browser is Debian's package (``/usr/bin/chromium``, installed by ``.ci/run``), never one
that a tool downloads. Where it is missing the browser tests skip with the reason shown; in CI
a skip fails the run (see ``tests/conftest.py``).
"""

import io
import os
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from playwright.sync_api import sync_playwright

from accounts.roles import sync_roles
from commentary.importing import parse_article_file
from commentary.management.commands.load_demo import DEMO_DIR, DEMO_TAGS, SEED_FILE
from commentary.services import article_import

# Playwright must never fetch a browser of its own: it drives the system's Chromium.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# As root in a container Chromium needs --no-sandbox; the rest stop it from calling home
# (which, without a network, only makes every launch slow).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(config, items):
    """Browser tests skip, visibly, where Debian's Chromium is not installed."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"no Chromium at {CHROMIUM}: apt-get install chromium (as .ci/run does)"
    )
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(skip)


@pytest.fixture(scope="package")
def playwright(_pw_api_request_contexts):
    """Playwright for this package's tests only, stopped when they are done.

    Sync Playwright leaves its event loop set as the running loop of the test's thread, and
    Django refuses database queries from a thread with a running loop. The queries here
    (factories, assertions, flushing) never overlap with Playwright's own work, so the check
    is switched off while Playwright runs, and the loop is gone before any other test.
    """
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    instance = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(instance)
    try:
        yield instance
    finally:
        instance.stop()
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def browser(browser_type, browser_type_launch_args):
    """One Chromium for all the browser tests; each test gets a fresh context and page."""
    instance = browser_type.launch(**browser_type_launch_args)
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args():
    # An English-speaking reader by default: "/" redirects by the Accept-Language header.
    return {"locale": "en-GB", "viewport": VIEWPORT}


@pytest.fixture
def page(page):
    """pytest-playwright's page, made the browser's active one: a test that checks where the
    keyboard focus is must not find its document inactive because an earlier test's window
    was the last to be shown."""
    page.bring_to_front()
    return page


@pytest.fixture
def site(live_server, transactional_db, settings):
    """The live server with the roles in place, ready for a person in a browser.

    ``site.url("/en/")`` is the absolute address of a path.
    """
    # Flushing after an earlier transactional test removed the groups a migration made.
    sync_roles(apps)
    # Playwright fills a form faster than any person; the anti-bot minimum would refuse it.
    settings.COMMENTS_MIN_FILL_SECONDS = 0
    return Site(live_server.url)


class Site:
    def __init__(self, base_url):
        self.base_url = base_url

    def url(self, path):
        return f"{self.base_url}{path}"


@pytest.fixture
def seed_article(site):
    """The seed article, imported from its plain-text file like any other import."""
    article, _changed = article_import(
        parsed=parse_article_file(DEMO_DIR / SEED_FILE), tags=DEMO_TAGS[SEED_FILE]
    )
    return article


@pytest.fixture
def demo(site):
    """The live server with the demo content: articles, comments and the demo log-ins."""
    call_command("load_demo", force=True, verbosity=0, stdout=io.StringIO())
    return site


@pytest.fixture
def java():
    """The Nu HTML checker runs on Java; skip, saying so, where there is none."""
    path = shutil.which("java")
    if path is None:
        pytest.skip("no Java runtime: apt-get install default-jre-headless")
    return path
