"""The reading design, measured in the browser; the screenshots in docs/screenshots/.

The demo content is loaded at a fixed moment (10 April 2014, a week after its newest article),
so that the screenshots show the same dates on every run.
"""

import datetime
import io
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from .helpers import log_in, seed_path

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DEMO_MOMENT = datetime.datetime(2014, 4, 10, 9, 0, tzinfo=datetime.UTC)
PHONE = {"width": 390, "height": 844}
NARROWEST = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

# Characters per line of the article's body text: the longest of the longer paragraphs' lines,
# and their average, leaving out each paragraph's last (short) line.
MEASURE_SCRIPT = """() => {
    const counts = [];
    for (const paragraph of document.querySelectorAll(".article__body p")) {
        const text = paragraph.firstChild;
        if (!text || text.nodeType !== Node.TEXT_NODE) continue;
        const range = document.createRange();
        let top = null, count = 0;
        const lines = [];
        for (let i = 0; i < text.length; i++) {
            range.setStart(text, i);
            range.setEnd(text, i + 1);
            const rect = range.getClientRects()[0];
            if (!rect) continue;
            if (top !== null && rect.top > top + 2) { lines.push(count); count = 0; }
            top = rect.top;
            count++;
        }
        lines.push(count);
        if (lines.length >= 3) counts.push(...lines.slice(0, -1));
    }
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    return {mean, max: Math.max(...counts), lines: counts.length};
}"""


@pytest.fixture
def demo(site):
    """The demo content as it stood a week after its newest article."""
    with time_machine.travel(DEMO_MOMENT, tick=False):
        call_command("load_demo", force=True, verbosity=0, stdout=io.StringIO())
    return site


def test_article_body_keeps_a_measure_of_60_to_75_characters(page, demo):
    page.set_viewport_size(DESKTOP)
    page.goto(demo.url(seed_path()))

    measure = page.evaluate(MEASURE_SCRIPT)

    assert measure["lines"] >= 20
    assert 60 <= measure["mean"] <= 75, measure
    assert measure["max"] <= 80, measure


def test_pages_fit_the_narrowest_phone_without_sideways_scrolling(page, demo):
    log_in(page, demo, username="moderator", password="moderator-demo-pass")
    page.set_viewport_size(NARROWEST)
    too_wide = {}
    for path in ["/en/", seed_path(), "/en/search/?q=Russia", "/en/archive/2014/", "/moderation/"]:
        page.goto(demo.url(path))
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            too_wide[path] = overflow

    assert not too_wide, f"pixels wider than a 360px screen: {too_wide}"


def test_dark_mode_follows_the_system_setting(page, demo):
    page.goto(demo.url(seed_path()))
    light = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    page.emulate_media(color_scheme="dark")
    dark = page.evaluate("() => getComputedStyle(document.body).backgroundColor")

    assert light != dark
    channels = [int(part) for part in dark[dark.index("(") + 1 : -1].split(",")[:3]]
    assert max(channels) < 60, f"the dark background is dark: {dark}"


def test_print_shows_the_article_without_the_site_around_it(page, demo):
    page.goto(demo.url(seed_path()))
    page.emulate_media(media="print")

    for hidden in (".site-header", ".site-footer", ".comment-form", ".related"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator(".article__body").is_visible()
    assert page.locator(".article__title").is_visible()


def test_screenshots_of_the_design(page, browser, demo):
    """Writes the screenshots the README shows: look at them after changing the design."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    article = seed_path()
    # The moderator logs in now: a log-in while the clock shows 2014 gives an expired cookie.
    moderator = browser.new_context(locale="en-GB", viewport=DESKTOP)
    phone = browser.new_context(locale="en-GB", viewport=PHONE)
    try:
        moderating = moderator.new_page()
        log_in(moderating, demo, username="moderator", password="moderator-demo-pass")
        with time_machine.travel(DEMO_MOMENT + datetime.timedelta(hours=3), tick=True):
            reading = phone.new_page()
            reading.goto(demo.url(article))
            reading.screenshot(path=SCREENSHOTS / "article-390.png")
            page.set_viewport_size(DESKTOP)
            page.goto(demo.url(article))
            page.screenshot(path=SCREENSHOTS / "article-1280.png", full_page=True)
            page.goto(demo.url("/en/"))
            page.screenshot(path=SCREENSHOTS / "home-1280.png", full_page=True)
            moderating.goto(demo.url("/moderation/"))
            moderating.screenshot(path=SCREENSHOTS / "moderation-1280.png", full_page=True)
    finally:
        phone.close()
        moderator.close()

    for name in ("article-390", "article-1280", "home-1280", "moderation-1280"):
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000, name
