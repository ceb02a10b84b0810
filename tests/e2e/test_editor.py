"""An editor writes and schedules an article in the admin; it goes live by itself."""

import datetime
import io

import pytest
import time_machine
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from commentary.models import Article
from tests.factories import AuthorFactory, ColumnFactory, EditorFactory

from .helpers import log_in

pytestmark = pytest.mark.e2e

ALT = "An icebreaker leading a tanker through pack ice"
TITLE = "Ice Roads and Icebreakers: The Northern Sea Route Opens for Business"


def lead_image_png():
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 675), (38, 70, 83)).save(buffer, "PNG")
    return buffer.getvalue()


def choose_autocomplete(page, select_id, text):
    """Pick ``text`` in one of the admin's autocomplete (select2) boxes."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()
    expect(page.locator(f"#{select_id}")).not_to_have_value("")


def test_editor_schedules_an_article_that_appears_on_the_home_column_and_feed_pages_when_due(
    page, browser, site, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    column = ColumnFactory(name="Arctic Notes", slug="arctic-notes")
    AuthorFactory(name="Kari Nordmann", slug="kari-nordmann")
    AuthorFactory(name="Ivan Petrov", slug="ivan-petrov")
    editor = EditorFactory()
    go_live = timezone.localtime() + datetime.timedelta(days=1)
    go_live = go_live.replace(hour=9, minute=30, second=0, microsecond=0)

    log_in(page, site, username=editor.username, next_path="/admin/commentary/article/add/")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_summary").fill("A warmer Arctic makes the route shorter, not simpler.")
    page.locator("[contenteditable=true].ProseMirror").click()
    page.keyboard.type("Shipping along Russia's Arctic coast doubled last summer.")
    page.keyboard.press("Enter")
    page.keyboard.type("Insurers and navies are still catching up.")
    page.locator("#id_tags").fill("Arctic, Shipping")
    choose_autocomplete(page, "id_column", "Arctic Notes")
    choose_autocomplete(page, "id_article_authors-0-author", "Kari Nordmann")
    choose_autocomplete(page, "id_article_authors-1-author", "Ivan Petrov")
    page.locator("#id_article_authors-1-position").fill("1")
    page.locator("#id_status").select_option(Article.Status.PUBLISHED)
    page.locator("#id_published_at_0").fill(go_live.strftime("%Y-%m-%d"))
    page.locator("#id_published_at_1").fill(go_live.strftime("%H:%M:%S"))
    page.locator("#id_lead_image").set_input_files(
        files=[{"name": "icebreaker.png", "mimeType": "image/png", "buffer": lead_image_png()}]
    )
    page.locator("#id_lead_image_alt").fill(ALT)
    page.locator("#id_lead_image_caption").fill("The route east of Novaya Zemlya.")
    page.locator("input[name=_save]").click()

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.locator("#result_list")).to_contain_text("Scheduled for")
    article = Article.objects.get(title=TITLE)
    assert [author.name for author in article.ordered_authors] == ["Kari Nordmann", "Ivan Petrov"]
    assert article.column == column
    assert sorted(tag.name for tag in article.tags.all()) == ["Arctic", "Shipping"]
    assert article.lead_image.name
    assert article.state == "scheduled"

    reader = browser.new_context(locale="en-GB")
    try:
        reading = reader.new_page()
        reading.goto(site.url("/en/"))
        expect(reading.locator("main")).not_to_contain_text(TITLE)

        with time_machine.travel(go_live + datetime.timedelta(minutes=1), tick=True):
            reading.goto(site.url("/en/"))
            teaser = reading.locator(".teaser", has_text=TITLE)
            expect(teaser).to_contain_text("Arctic Notes")
            expect(teaser).to_contain_text("Kari Nordmann and Ivan Petrov")

            reading.goto(site.url(column.get_absolute_url()))
            expect(reading.get_by_role("link", name=TITLE)).to_be_visible()

            feed = reading.request.get(site.url("/en/feeds/rss/"))
            assert feed.ok
            assert TITLE in feed.text()

            reading.get_by_role("link", name=TITLE).click()
            expect(reading.locator("h1")).to_contain_text(TITLE)
            image = reading.locator(".lead-image img")
            expect(image).to_have_attribute("alt", ALT)
            expect(reading.locator(".lead-image figcaption")).to_contain_text("Novaya Zemlya")
            expect(reading.locator(".article__tags")).to_contain_text("Shipping")
    finally:
        reader.close()
