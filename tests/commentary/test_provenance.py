"""Where an article comes from, and what kind of piece it is, as readers and search engines
see it: the type kicker, the source line, the original byline, the licence note in small
print, the lead image with its credit, the canonical link and the robots rule."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from commentary.models import Article
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    DraftArticleFactory,
    PublicationFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

ORIGINAL_URL = "https://www.worldpoliticsreview.com/articles/13551/in-sochi-xi-and-putin"
LICENCE = "Republished with the permission of World Politics Review."
Policy = Article.SyndicationPolicy


def page_text(response):
    return " ".join(strip_tags(response.content.decode()).split())


@pytest.fixture
def weitz():
    return AuthorFactory(name="Richard Weitz", slug="richard-weitz")


@pytest.fixture
def column(weitz):
    return ColumnFactory(name="Global Insights", slug="global-insights", authors=[weitz])


def republished(**values):
    defaults = {
        "source_publication": PublicationFactory(),
        "original_published_on": datetime.date(2014, 2, 11),
        "original_url": ORIGINAL_URL,
    }
    return ArticleFactory(**{**defaults, **values})


# --- article type ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("article_type", "label"),
    [
        (Article.ArticleType.ANALYSIS, "Analysis"),
        (Article.ArticleType.OPINION, "Opinion"),
        (Article.ArticleType.BACKGROUND, "Background"),
        (Article.ArticleType.INTERVIEW, "Interview"),
    ],
)
def test_article_page_shows_its_type_as_a_kicker_above_the_heading(
    client, column, weitz, article_type, label
):
    article = ArticleFactory(column=column, authors=[weitz], article_type=article_type)

    response = client.get(article.get_absolute_url())

    assertContains(response, f'<p class="kicker article__kicker">{label}</p>', html=True)
    content = response.content.decode()
    assert content.index("article__kicker") < content.index('id="article-title"')


def test_teasers_show_the_type_before_the_column_name(client, column, weitz):
    ArticleFactory(column=column, authors=[weitz], article_type=Article.ArticleType.OPINION)
    ArticleFactory(column=None, article_type=Article.ArticleType.INTERVIEW)

    response = client.get(reverse("commentary:home"))

    assertContains(
        response,
        '<p class="kicker"><span class="kicker__type">Opinion</span> · '
        '<a href="/en/columns/global-insights/">Global Insights</a></p>',
        html=True,
    )
    assertContains(
        response, '<p class="kicker"><span class="kicker__type">Interview</span></p>', html=True
    )


def test_type_label_is_translated(client):
    article = ArticleFactory(article_type=Article.ArticleType.OPINION)

    with translation.override("ru"):
        response = client.get(reverse("commentary:home"))

    assert response.context["articles"][0] == article
    assertContains(response, '<span class="kicker__type">Мнение</span>', html=True)


# --- source line and original byline ---------------------------------------------------------


def test_source_line_is_generated_from_the_record_and_links_the_original(client):
    article = republished()

    response = client.get(article.get_absolute_url())

    assert "Source: World Politics Review, 11 Feb 2014" in page_text(response)
    assertContains(
        response, f'<a href="{ORIGINAL_URL}" rel="noopener">World Politics Review</a>', html=True
    )


def test_original_byline_is_given_when_the_source_credits_someone_else(client, weitz):
    article = republished(authors=[weitz], original_author="R. Weitz and the WPR Staff")

    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        '<p class="article__source article__original-byline">Originally published by World '
        "Politics Review under the byline R. Weitz and the WPR Staff.</p>",
        html=True,
    )


@pytest.mark.parametrize(
    "credited",
    ["Richard Weitz and Jane Doe", "  richard   WEITZ, jane doe ", "Richard Weitz & Jane Doe"],
)
def test_original_byline_is_left_out_when_it_matches_ours(client, weitz, credited):
    jane = AuthorFactory(name="Jane Doe")
    article = republished(authors=[weitz, jane], original_author=credited)

    response = client.get(article.get_absolute_url())

    assertNotContains(response, "Originally published")


def test_original_byline_needs_a_source(client):
    article = ArticleFactory(original_author="Someone Else")

    response = client.get(article.get_absolute_url())

    assertNotContains(response, "Originally published")
    assertNotContains(response, "Someone Else")


# --- licence note ----------------------------------------------------------------------------


def test_licence_note_is_small_print_on_the_article_page(client):
    article = republished(licence_note=LICENCE)

    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        f'<p class="article__source article__licence"><small>{LICENCE}</small></p>',
        html=True,
    )


def test_licence_notes_appear_on_no_list_page(client, column, weitz):
    tag = TagFactory(name="Russia")
    article = republished(
        column=column,
        authors=[weitz],
        tags=[tag],
        licence_note=LICENCE,
        published_at=datetime.datetime(2014, 2, 11, tzinfo=datetime.UTC),
    )
    list_pages = [
        reverse("commentary:home"),
        column.get_absolute_url(),
        weitz.get_absolute_url(),
        tag.get_absolute_url(),
        reverse("commentary:archive_year", kwargs={"year": 2014}),
        reverse("commentary:archive_month", kwargs={"year": 2014, "month": 2}),
        reverse("commentary:corrections"),
    ]

    for url in list_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assertNotContains(response, "permission of World Politics Review")
    assertContains(client.get(article.get_absolute_url()), LICENCE)


def test_a_drafts_licence_note_is_never_public(client, column, weitz):
    draft = DraftArticleFactory(
        column=column, authors=[weitz], licence_note="Draft agreement, not signed yet."
    )

    assert client.get(draft.get_absolute_url()).status_code == 404
    for url in (reverse("commentary:home"), column.get_absolute_url(), weitz.get_absolute_url()):
        assertNotContains(client.get(url), "Draft agreement")


# --- lead image --------------------------------------------------------------------------------


def test_lead_image_is_shown_with_its_description_caption_and_credit(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (800, 450), "navy").save(buffer, format="PNG")
    article = ArticleFactory(
        lead_image_alt="Xi Jinping and Vladimir Putin shake hands in Sochi",
        lead_image_caption="The two leaders in Sochi.",
        lead_image_credit="Kremlin press office",
    )
    article.lead_image.save("sochi.png", ContentFile(buffer.getvalue()))

    response = client.get(article.get_absolute_url())

    page = response.content.decode()
    figure = page[page.index('<figure class="lead-image"') : page.index("</figure>")]
    assert 'alt="Xi Jinping and Vladimir Putin shake hands in Sochi"' in figure
    assert 'srcset="' in figure and " 480w" in figure
    assert "The two leaders in Sochi." in figure
    assert "Photo: Kremlin press office" in figure


def test_article_without_lead_image_has_no_figure(client):
    response = client.get(ArticleFactory().get_absolute_url())

    assertNotContains(response, "<figure")


# --- canonical link and robots -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "canonical"),
    [
        pytest.param({}, "own", id="our-own-article"),
        pytest.param(
            {"syndication_policy": Policy.CANONICAL_TO_SOURCE}, "original", id="to-source"
        ),
        pytest.param(
            {"syndication_policy": Policy.CANONICAL_TO_SOURCE, "original_url": ""},
            "own",
            id="to-source-without-url",
        ),
        pytest.param({"syndication_policy": Policy.SELF_CANONICAL}, "own", id="self"),
        pytest.param({"syndication_policy": Policy.NOINDEX}, "own", id="noindex"),
    ],
)
def test_canonical_link_follows_the_syndication_policy(client, values, canonical):
    # Without values: our own piece (no source), even with an original URL on record.
    article = republished(**values) if values else ArticleFactory(original_url=ORIGINAL_URL)

    response = client.get(article.get_absolute_url())

    expected = (
        ORIGINAL_URL
        if canonical == "original"
        else f"http://testserver{article.get_absolute_url()}"
    )
    assertContains(response, f'<link rel="canonical" href="{expected}">', html=True)
    assertContains(response, 'rel="canonical"', count=1)


def test_canonical_link_is_absolute_for_a_cyrillic_address(client):
    article = ArticleFactory(slug="россия-и-китай")

    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        '<link rel="canonical" href="http://testserver/en/articles/'
        '%D1%80%D0%BE%D1%81%D1%81%D0%B8%D1%8F-%D0%B8-%D0%BA%D0%B8%D1%82%D0%B0%D0%B9/">',
        html=True,
    )


def test_noindex_policy_keeps_a_republished_copy_out_of_search_engines(client):
    article = republished(syndication_policy=Policy.NOINDEX)

    response = client.get(article.get_absolute_url())

    assertContains(response, '<meta name="robots" content="noindex">', html=True)
    assert "X-Robots-Tag" not in response


@pytest.mark.parametrize("policy", [Policy.CANONICAL_TO_SOURCE, Policy.SELF_CANONICAL])
def test_other_policies_let_search_engines_index_the_page(client, policy):
    article = republished(syndication_policy=policy)

    response = client.get(article.get_absolute_url())

    assertNotContains(response, 'name="robots"')


def test_noindex_policy_applies_only_to_republished_pieces(client):
    article = ArticleFactory(syndication_policy=Policy.NOINDEX)

    response = client.get(article.get_absolute_url())

    assertNotContains(response, 'name="robots"')
