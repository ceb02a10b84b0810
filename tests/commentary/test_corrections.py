"""Corrections, as readers see them: at the end of the article, in its byline, and on the
site-wide corrections page, which lists those of public articles only."""

import datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import (
    ArticleFactory,
    ColumnFactory,
    CorrectionFactory,
    DraftArticleFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
PER_PAGE = django_settings.ARTICLES_PER_PAGE
PUBLISHED = datetime.datetime(2014, 2, 10, 9, tzinfo=UTC)
FIRST_FIX = datetime.datetime(2014, 2, 11, 15, tzinfo=UTC)
SECOND_FIX = datetime.datetime(2014, 2, 12, 8, tzinfo=UTC)
CORRECTIONS_URL = "/en/corrections/"


def page_text(response):
    return " ".join(strip_tags(response.content.decode()).split())


@pytest.fixture
def article():
    return ArticleFactory(
        title="Xi and Putin in Sochi",
        column=ColumnFactory(name="Global Insights"),
        published_at=PUBLISHED,
    )


@pytest.fixture
def corrected(article):
    CorrectionFactory(
        article=article, published_at=FIRST_FIX, note="The summit took place on Feb. 6."
    )
    CorrectionFactory(
        article=article, published_at=SECOND_FIX, note="Xi's title was given wrongly."
    )
    return article


# --- the article page ----------------------------------------------------------------------


def test_article_lists_its_corrections_newest_first_with_date_and_note(client, corrected):
    response = client.get(corrected.get_absolute_url())

    assertContains(
        response,
        '<section class="corrections" id="corrections" aria-labelledby="corrections-heading">',
    )
    assertContains(response, '<h2 id="corrections-heading">Corrections</h2>', html=True)
    assertContains(
        response,
        '<time datetime="2014-02-12T08:00:00+00:00">12 Feb 2014</time>: '
        "Xi&#x27;s title was given wrongly.",
    )
    text = page_text(response)
    assert "11 Feb 2014: The summit took place on Feb. 6." in text
    assert text.index("12 Feb 2014: Xi") < text.index("11 Feb 2014: The summit")


def test_byline_says_updated_on_the_latest_correction_date(client, corrected):
    response = client.get(corrected.get_absolute_url())

    assertContains(
        response,
        '<p class="byline article__updated"><a href="#corrections">Updated '
        '<time datetime="2014-02-12T08:00:00+00:00">12 Feb 2014</time></a></p>',
        html=True,
    )
    assert "Updated 11 Feb 2014" not in page_text(response)


def test_an_edit_without_a_correction_does_not_make_the_article_updated(client, article):
    with time_machine.travel(SECOND_FIX, tick=False):
        article.title = "Xi and Putin in Sochi, with a typo fixed"
        article.save()
    assert article.updated_at == SECOND_FIX

    response = client.get(article.get_absolute_url())

    assert "Updated" not in page_text(response)
    assertNotContains(response, 'id="corrections"')
    assertNotContains(response, "article__updated")


def test_corrections_show_dates_in_the_readers_language(client, corrected):
    with translation.override("ru"):
        response = client.get(corrected.get_absolute_url())

    assert "12 февраля 2014" in page_text(response)


# --- the corrections page ------------------------------------------------------------------


def test_corrections_route_is_named():
    assert reverse("commentary:corrections") == CORRECTIONS_URL


def test_corrections_page_lists_corrections_newest_first_linking_to_each_article(client, corrected):
    other = ArticleFactory(title="A standalone essay", column=None)
    CorrectionFactory(
        article=other,
        published_at=datetime.datetime(2014, 3, 1, tzinfo=UTC),
        note="The map was mislabelled.",
    )

    response = client.get(CORRECTIONS_URL)

    assertContains(response, "<h1>Corrections</h1>", html=True)
    assertContains(
        response,
        f'<a href="{corrected.get_absolute_url()}#corrections">'
        "Global Insights: Xi and Putin in Sochi</a>",
        html=True,
        count=2,
    )
    assertContains(
        response,
        f'<a href="{other.get_absolute_url()}#corrections">A standalone essay</a>',
        html=True,
    )
    text = page_text(response)
    assert (
        text.index("1 Mar 2014")
        < text.index("12 Feb 2014")
        < text.index("11 Feb 2014")
        < text.index("The summit took place on Feb. 6.")
    )
    assert "The map was mislabelled." in text


def test_corrections_page_leaves_out_articles_readers_cannot_see(client):
    now = datetime.datetime(2014, 2, 20, 12, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        public = ArticleFactory(published_at=PUBLISHED)
        hidden = [
            DraftArticleFactory(),
            ArticleFactory(published_at=now + datetime.timedelta(days=1)),
            ArticleFactory(published_at=PUBLISHED, expires_at=now - datetime.timedelta(hours=1)),
        ]
        CorrectionFactory(article=public, note="A correction readers may read.")
        for article in hidden:
            CorrectionFactory(article=article, note=f"Hidden fix of {article.title}.")

        response = client.get(CORRECTIONS_URL)

    text = page_text(response)
    assert "A correction readers may read." in text
    for article in hidden:
        assert f"Hidden fix of {article.title}." not in text
        assertNotContains(response, article.get_absolute_url())


def test_corrections_page_says_so_when_there_are_none(client):
    CorrectionFactory(article=DraftArticleFactory())

    response = client.get(CORRECTIONS_URL)

    assert "No corrections yet." in page_text(response)
    assertNotContains(response, 'class="corrections-list"')


def test_corrections_page_splits_into_pages(client, article):
    start = datetime.datetime(2014, 3, 1, tzinfo=UTC)
    for day in range(PER_PAGE + 1):
        CorrectionFactory(
            article=article, published_at=start + datetime.timedelta(days=day), note=f"Fix {day}."
        )

    first = client.get(CORRECTIONS_URL)
    second = client.get(CORRECTIONS_URL, {"page": 2})

    assert f"Fix {PER_PAGE}." in page_text(first)
    assert "Fix 0." not in page_text(first)
    assert "Page 1 of 2" in page_text(first)
    assert "Fix 0." in page_text(second)
    assert client.get(CORRECTIONS_URL, {"page": 3}).status_code == 404


def test_corrections_page_never_shows_licence_notes(client):
    article = ArticleFactory(licence_note="Under licence from WPR, agreement no. 42.")
    CorrectionFactory(article=article)

    response = client.get(CORRECTIONS_URL)

    assertNotContains(response, "agreement no. 42")


def test_site_footer_links_to_the_corrections_page(client, article):
    for url in (reverse("commentary:home"), article.get_absolute_url(), CORRECTIONS_URL):
        response = client.get(url)
        assertContains(response, '<a href="/en/corrections/">Corrections</a>', html=True)
