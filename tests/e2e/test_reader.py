"""A reader in a real browser: reading, commenting, switching the language."""

import re

import pytest
from playwright.sync_api import expect

from commentary.models import Comment

from .helpers import focus_is_visible, tab_to

pytestmark = pytest.mark.e2e


def test_reader_comments_by_keyboard_after_the_link_in_their_comment_is_named(
    page, site, seed_article
):
    page.goto(site.url("/"))
    expect(page).to_have_url(re.compile(r"/en/$"))
    page.get_by_role("link", name=seed_article.title).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(seed_article.title)
    expect(page.get_by_role("heading", name="Leave a comment")).to_be_visible()

    # Keyboard alone: every field is reached with Tab and shows where the focus is.
    tab_to(page, "#id_author_name")
    assert focus_is_visible(page)
    page.keyboard.type("Olga Reader")
    page.keyboard.press("Tab")
    page.keyboard.type("olga@example.org")
    tab_to(page, "#id_body")
    assert focus_is_visible(page)
    text = "Worth reading alongside example.com/arms-sales, which has the figures."
    page.keyboard.type(text)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Post comment")).to_be_focused()
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    error = page.locator("#comment-form [role=alert], #comment-form .errorlist").first
    expect(error).to_contain_text("example.com/arms-sales")
    expect(page.locator("#id_body")).to_have_value(text)
    expect(page.locator("#id_author_name")).to_have_value("Olga Reader")
    assert not Comment.objects.exists()

    body = page.locator("#id_body")
    body.focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Worth reading alongside the published arms-sales figures.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    expect(page.locator(".messages")).to_contain_text("awaiting moderation")
    own = page.locator(".comment--pending")
    expect(own).to_contain_text("published arms-sales figures")
    expect(own).to_contain_text("Awaiting moderation")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.author_name == "Olga Reader"


def test_reader_switches_the_interface_to_russian(page, site, seed_article):
    page.goto(site.url(seed_article.get_absolute_url()))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Русский").click()
    page.wait_for_load_state()

    expect(page).to_have_url(re.compile(r"/ru/"))
    expect(page.get_by_role("heading", name="Оставить комментарий")).to_be_visible()
    date = seed_article.published_at
    months = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
    byline_date = page.locator(".article__header time").first
    expect(byline_date).to_contain_text(f"{date.day} {months.split()[date.month - 1]}")
    expect(byline_date).to_have_attribute("datetime", re.compile(rf"^{date:%Y-%m-%d}"))
