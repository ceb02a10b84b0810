"""Steps that several browser tests share."""

import re

from playwright.sync_api import Page, expect

from commentary.importing import parse_article_file
from commentary.management.commands.load_demo import DEMO_DIR, SEED_FILE
from commentary.models import Article

PASSWORD = "correct-horse-battery"  # UserFactory's password


def seed_path():
    """The address of the seed article, once the demo content is loaded."""
    title = parse_article_file(DEMO_DIR / SEED_FILE).title
    return Article.objects.get(title=title).get_absolute_url()


def log_in(page: Page, site, *, username, password=PASSWORD, next_path=""):
    """Log in through the site's log-in page, as a person would, and land on ``next_path``.

    Every browser test that needs an account logs in here, so a further step of the log-in
    (a second factor, say) is added in this one place.
    """
    query = f"?next={next_path}" if next_path else ""
    page.goto(site.url(f"/en/accounts/log-in/{query}"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Log in").click()
    # Logged in is: off the log-in page, wherever ``next`` pointed.
    expect(page).not_to_have_url(re.compile(r"/accounts/log-in/"))


def tab_to(page: Page, selector, *, limit=300):
    """Press Tab until the element matching ``selector`` has the focus, and return it.

    Fails when the element is not reached: it is then not in the keyboard's tab order.
    """
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return target
    raise AssertionError(f"{selector} was not reached with Tab in {limit} presses")


def focus_is_visible(page: Page):
    """Whether the focused element shows a focus indicator (an outline or a box shadow)."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
            return outline || style.boxShadow !== "none";
        }"""
    )
