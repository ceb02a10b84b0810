"""The article page is light, entirely our own, and needs no JavaScript to read or comment."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from commentary.importing import parse_article_file
from commentary.management.commands.load_demo import DEMO_DIR, SEED_FILE
from commentary.models import Article, Comment

pytestmark = pytest.mark.e2e

BUDGET = 100 * 1024  # bytes on the wire for HTML, CSS, scripts and fonts; images not counted


@pytest.fixture
def seed(demo):
    return Article.objects.get(title=parse_article_file(DEMO_DIR / SEED_FILE).title)


def test_article_page_transfers_at_most_100_kb_without_images_all_from_our_own_origin(
    page, site, seed
):
    requests = []
    page.on("requestfinished", lambda request: requests.append(request))

    page.goto(site.url(seed.get_absolute_url()))
    page.wait_for_load_state("networkidle")

    origin = urlsplit(site.base_url).netloc
    foreign = [request.url for request in requests if urlsplit(request.url).netloc != origin]
    assert not foreign, f"requests to other origins: {foreign}"
    counted = {}
    for request in requests:
        if request.resource_type == "image":
            continue
        sizes = request.sizes()
        counted[request.url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]
    total = sum(counted.values())
    kinds = {request.resource_type for request in requests}
    print(f"article page: {total / 1024:.1f} KB without images, {counted}")
    assert {"document", "stylesheet"} <= kinds
    assert "font" not in kinds, "system fonts only"
    assert total <= BUDGET, f"{total / 1024:.1f} KB: {counted}"


def test_reader_reads_and_comments_with_javascript_off(browser, site, seed, settings):
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.url(seed.get_absolute_url()))
        expect(page.locator(".article__body p").first).to_be_visible()
        expect(page.locator(".comment").first).to_be_visible()

        page.get_by_label("Name").fill("Pavel Reader")
        page.get_by_label("E-mail").fill("pavel@example.org")
        body = page.get_by_role("textbox", name="Comment", exact=True)
        body.fill("Thoughtful, though the energy question deserves more.")
        page.get_by_role("button", name="Post comment").click()

        expect(page.locator(".messages")).to_contain_text("awaiting moderation")
        expect(page.locator(".comment--pending")).to_contain_text("energy question")
    finally:
        context.close()
    assert Comment.objects.pending().filter(author_name="Pavel Reader").exists()
