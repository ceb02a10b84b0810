"""A moderator clears the queue with the keyboard alone; readers see the outcome."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commentary.models import Comment, RejectionReason
from tests.factories import CommentFactory, ModeratorFactory

from .helpers import focus_is_visible, log_in

pytestmark = pytest.mark.e2e

WORTHWHILE = "The section on arms sales matches what the export registers show."
OFF_TOPIC = "Does anyone know a good hotel in Sochi for the next Olympics?"


def test_moderator_clears_the_queue_by_keyboard_and_readers_see_only_the_approved_comment(
    page, browser, site, seed_article
):
    earlier = timezone.now() - datetime.timedelta(hours=2)
    approved = CommentFactory(
        article=seed_article, author_name="Ines Faria", body=WORTHWHILE, created_at=earlier
    )
    rejected = CommentFactory(
        article=seed_article,
        author_name="Tom Idle",
        body=OFF_TOPIC,
        created_at=earlier + datetime.timedelta(minutes=5),
    )
    moderator = ModeratorFactory()

    log_in(page, site, username=moderator.username, next_path="/moderation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")
    cards = page.locator(".mod-card")
    expect(cards).to_have_count(2)

    # j focuses the first card, a approves it; the focus comes back to the queue.
    page.keyboard.press("j")
    expect(cards.first).to_be_focused()
    assert focus_is_visible(page)
    expect(cards.first).to_contain_text(WORTHWHILE)
    page.keyboard.press("a")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(OFF_TOPIC)
    expect(cards.first).to_be_focused()

    # r goes to the reason; the arrow keys choose one, Tab and typing add a note, Enter sends.
    page.keyboard.press("r")
    reason = cards.first.get_by_label("Reason for the rejection")
    expect(reason).to_be_focused()
    assert focus_is_visible(page)
    page.keyboard.press("ArrowDown")
    expect(reason).to_have_value(RejectionReason.OFF_TOPIC)
    page.keyboard.press("Tab")
    page.keyboard.type("Travel question")
    page.keyboard.press("Enter")

    expect(page.locator(".mod-card")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Nothing here.")

    approved.refresh_from_db()
    rejected.refresh_from_db()
    assert approved.status == Comment.Status.APPROVED
    assert rejected.status == Comment.Status.REJECTED
    assert rejected.rejection_reason == RejectionReason.OFF_TOPIC

    reader = browser.new_context(locale="en-GB")
    try:
        article_page = reader.new_page()
        article_page.goto(site.url(seed_article.get_absolute_url()))
        comments = article_page.locator("#comments")
        expect(comments.locator(".comment")).to_have_count(1)
        expect(comments).to_contain_text(WORTHWHILE)
        expect(comments).not_to_contain_text(OFF_TOPIC)
    finally:
        reader.close()
