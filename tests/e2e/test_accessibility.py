"""Accessibility: axe-core on every kind of page, in light and dark; the skip link; focus."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .helpers import focus_is_visible, log_in, seed_path

pytestmark = pytest.mark.e2e

# Impacts that fail the test. Minor and moderate findings are printed, not hidden.
BLOCKING = {"serious", "critical"}


PAGES = {
    "home": lambda: "/en/",
    "article": seed_path,
    "column": lambda: "/en/columns/global-insights/",
    "author": lambda: "/en/authors/richard-weitz/",
    "tag": lambda: "/en/tags/russia/",
    "archive": lambda: "/en/archive/2014/",
    "archive-month": lambda: "/en/archive/2014/2/",
    "search": lambda: "/en/search/?q=Russia",
    "log-in": lambda: "/en/accounts/log-in/",
    "sign-up": lambda: "/en/accounts/sign-up/",
    "moderation": lambda: "/moderation/",
    "home-russian": lambda: "/ru/",
}


@pytest.fixture(scope="session")
def axe():
    return Axe()


def describe(violations):
    lines = []
    for violation in violations:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} at {targets}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violations_in_light_or_dark(page, demo, axe, name):
    path = PAGES[name]()
    if name == "moderation":
        log_in(page, demo, username="moderator", password="moderator-demo-pass")
    page.goto(demo.url(path))
    assert page.locator("main h1").count() == 1

    blocking = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        violations = axe.run(page).response["violations"]
        if violations:
            print(f"{name} ({scheme}):\n{describe(violations)}")
        blocking += [violation for violation in violations if violation["impact"] in BLOCKING]

    assert not blocking, describe(blocking)


def test_skip_link_is_the_first_stop_and_moves_the_focus_to_the_content(page, demo):
    page.goto(demo.url(seed_path()))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert focus_is_visible(page)
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0, "the skip link is on screen"

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    in_main = page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert in_main, "after the skip link, Tab continues inside the content"


def test_every_link_and_control_in_the_header_shows_its_focus(page, demo):
    page.goto(demo.url("/en/"))
    stops = page.locator("header a, header button, header input:not([type=hidden])")
    count = stops.count()
    assert count >= 5
    for _ in range(count + 1):  # the skip link, then the header's stops
        page.keyboard.press("Tab")
        assert focus_is_visible(page), page.evaluate("() => document.activeElement.outerHTML")
