"""Rich previews: the article page's meta description, Open Graph and Twitter tags, and its
schema.org JSON-LD, read back from the rendered page as a crawler would."""

import datetime
import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from commentary import structured_data
from commentary.models import Article
from commentary.views import ArticlePageMixin
from tests.commentary.test_query_counts import ARTICLE_QUERIES
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    CorrectionFactory,
    PublicationFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
PUBLISHED = datetime.datetime(2014, 2, 11, 9, 30, tzinfo=UTC)
CORRECTED = datetime.datetime(2014, 2, 13, 16, 5, tzinfo=UTC)
JSON_LD = re.compile(r'<script type="application/ld\+json">(?P<data>.*?)</script>', re.DOTALL)
HOST = "http://testserver"
WPR = "https://www.worldpoliticsreview.com/"
ORIGINAL_URL = "https://www.worldpoliticsreview.com/articles/13558/russias-olympic-gamble"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Lead images and their renditions go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    settings.MEDIA_URL = "/media/"
    settings.IMAGE_RENDITION_WIDTHS = [480, 800, 1200, 1600]
    settings.SITE_NAME = "Commentary"
    return tmp_path


class HeadTags(HTMLParser):
    """The ``<meta>`` tags of a page, as ``(name or property, content)`` pairs in order."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            self.tags.append((attrs.get("property") or attrs.get("name"), attrs["content"]))


def absolute(path):
    return f"{HOST}{path}"


def meta_tags(response):
    parser = HeadTags()
    parser.feed(response.content.decode())
    return parser.tags


def meta_values(response, key):
    return [content for name, content in meta_tags(response) if name == key]


def meta_value(response, key):
    values = meta_values(response, key)
    assert len(values) == 1, f"{key}: {values}"
    return values[0]


def json_ld_blocks(response):
    return JSON_LD.findall(response.content.decode())


def json_ld(response):
    blocks = json_ld_blocks(response)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def stored_jpeg(size=(1600, 900), name="articles/2014/02/sochi.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 40, 200)).save(buffer, "JPEG", quality=90)
    assert default_storage.save(name, buffer) == name
    return name


def global_insights_piece(**fields):
    """A republished "Global Insights" analysis by Richard Weitz, with two tags and two
    corrections, in the shape of the column we publish."""
    weitz = AuthorFactory(
        name="Richard Weitz",
        slug="richard-weitz",
        tagline="a senior fellow at the Hudson Institute",
    )
    column = ColumnFactory(name="Global Insights", slug="global-insights", authors=[weitz])
    defaults = {
        "title": "Russia’s Olympic Gamble",
        "slug": "russias-olympic-gamble",
        "column": column,
        "authors": [weitz],
        "tags": [TagFactory(name="Russia"), TagFactory(name="Olympics")],
        "summary": "Sochi is a  bet on\nprestige.",
        "published_at": PUBLISHED,
        "article_type": Article.ArticleType.ANALYSIS,
        "source_publication": PublicationFactory(),
        "original_published_on": datetime.date(2014, 2, 4),
        "original_url": ORIGINAL_URL,
        "licence_note": "Republished with permission\nof World Politics Review.",
    }
    article = ArticleFactory(**{**defaults, **fields})
    CorrectionFactory(article=article, published_at=PUBLISHED + datetime.timedelta(hours=1))
    CorrectionFactory(article=article, published_at=CORRECTED)
    return article


def page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response


# --- JSON-LD -----------------------------------------------------------------------------------


def test_json_ld_has_what_google_requires_of_an_article(client):
    article = global_insights_piece()

    data = json_ld(page(client, article))

    assert data["@context"] == "https://schema.org"
    assert data["headline"] == "Global Insights: Russia’s Olympic Gamble"
    assert data["description"] == "Sochi is a bet on prestige."
    assert data["datePublished"] == "2014-02-11T09:30:00+00:00"
    assert data["dateModified"] == "2014-02-13T16:05:00+00:00"
    assert data["inLanguage"] == "en"
    assert data["url"] == absolute(article.get_absolute_url())
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": data["url"]}
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Richard Weitz",
            "url": absolute(reverse("commentary:author", kwargs={"slug": "richard-weitz"})),
            "description": "a senior fellow at the Hudson Institute",
        }
    ]
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "Commentary",
        "url": absolute(reverse("commentary:home")),
    }
    assert data["keywords"] == ["Olympics", "Russia"]
    assert data["creditText"] == "Republished with permission of World Politics Review."
    assert "image" not in data


def test_json_ld_lists_every_author_in_byline_order_with_name_and_url(client):
    authors = [AuthorFactory(name="Richard Weitz"), AuthorFactory(name="Anna Borshchevskaya")]
    article = ArticleFactory(authors=authors)

    data = json_ld(page(client, article))

    assert [(person["name"], person["url"]) for person in data["author"]] == [
        (author.name, absolute(author.get_absolute_url())) for author in authors
    ]


@pytest.mark.parametrize(
    ("article_type", "schema_type", "genre"),
    [
        ("opinion", "OpinionNewsArticle", None),
        ("analysis", "AnalysisNewsArticle", None),
        ("background", "BackgroundNewsArticle", None),
        ("interview", "NewsArticle", "Interview"),
    ],
)
def test_json_ld_type_follows_the_article_type(client, article_type, schema_type, genre):
    article = ArticleFactory(article_type=article_type)

    data = json_ld(page(client, article))

    assert data["@type"] == schema_type
    assert data.get("genre") == genre


def test_column_piece_is_part_of_its_column_series(client):
    article = global_insights_piece()

    data = json_ld(page(client, article))

    assert data["isPartOf"] == {
        "@type": "CreativeWorkSeries",
        "name": "Global Insights",
        "url": absolute(reverse("commentary:column", kwargs={"slug": "global-insights"})),
    }
    assert data["articleSection"] == "Global Insights"


def test_article_outside_a_column_is_part_of_no_series(client):
    data = json_ld(page(client, ArticleFactory(column=None)))

    assert "isPartOf" not in data
    assert "articleSection" not in data
    assert "keywords" not in data


def test_republished_piece_is_based_on_the_original_from_its_source(client):
    article = global_insights_piece()

    data = json_ld(page(client, article))

    world_politics_review = {"@type": "Organization", "name": "World Politics Review", "url": WPR}
    assert data["isBasedOn"] == {
        "@type": "NewsArticle",
        "url": ORIGINAL_URL,
        "datePublished": "2014-02-04",
        "publisher": world_politics_review,
    }
    assert data["sourceOrganization"] == world_politics_review


def test_republished_piece_without_original_url_or_source_homepage_names_what_is_known(client):
    source = PublicationFactory(name="The Diplomat", homepage_url="")
    article = ArticleFactory(source_publication=source, original_url="")

    data = json_ld(page(client, article))

    diplomat = {"@type": "Organization", "name": "The Diplomat"}
    assert data["isBasedOn"] == {"@type": "NewsArticle", "publisher": diplomat}
    assert data["sourceOrganization"] == diplomat


def test_our_own_piece_is_based_on_nothing(client):
    data = json_ld(page(client, ArticleFactory(licence_note="")))

    assert "isBasedOn" not in data
    assert "sourceOrganization" not in data
    assert "creditText" not in data


def test_a_title_cannot_break_out_of_the_json_ld_block(client):
    title = "Hostile </script><script>alert(1)</script> & <!-- title"
    article = ArticleFactory(title=title, column=None, summary="x </script><b>")

    response = page(client, article)

    html = response.content.decode()
    assert "</script><script>" not in html
    assert "<script>alert(1)" not in html
    (block,) = json_ld_blocks(response)
    assert "<" not in block
    assert ">" not in block
    data = json.loads(block)
    assert data["headline"] == title
    assert data["description"] == "x </script><b>"


def test_headline_is_cut_to_110_characters(client):
    article = ArticleFactory(title="A" * 200, column=None)

    data = json_ld(page(client, article))

    assert data["headline"] == "A" * 109 + "…"


def test_json_ld_image_is_the_1200_wide_rendition(client):
    article = global_insights_piece(
        lead_image=stored_jpeg((1600, 900)), lead_image_alt="The Olympic rings at Sochi"
    )

    data = json_ld(page(client, article))

    (image,) = data["image"]
    assert image["@type"] == "ImageObject"
    assert re.fullmatch(
        rf"{HOST}/media/renditions/articles/2014/02/sochi-\w{{8}}-1200w\.jpg", image["url"]
    )
    assert (image["width"], image["height"]) == (1200, 675)
    assert default_storage.exists(image["url"].removeprefix(f"{HOST}/media/"))


def test_preview_has_no_structured_data(client, editor):
    article = global_insights_piece(status=Article.Status.DRAFT, published_at=None)
    client.force_login(editor)

    response = client.get(reverse("commentary:preview", kwargs={"pk": article.pk}))

    assert response.status_code == 200
    assert json_ld_blocks(response) == []
    assert meta_values(response, "og:type") == []
    assert meta_value(response, "description") == "Sochi is a bet on prestige."


# --- meta description, Open Graph, Twitter -----------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("description", "Sochi is a bet on prestige."),
        ("og:type", "article"),
        ("og:title", "Global Insights: Russia’s Olympic Gamble"),
        ("og:description", "Sochi is a bet on prestige."),
        ("og:url", lambda article: absolute(article.get_absolute_url())),
        ("og:site_name", "Commentary"),
        ("og:locale", "en_US"),
        ("og:locale:alternate", "ru_RU"),
        ("article:published_time", "2014-02-11T09:30:00+00:00"),
        ("article:modified_time", "2014-02-13T16:05:00+00:00"),
        ("article:section", "Global Insights"),
        ("twitter:card", "summary"),
        ("twitter:title", "Global Insights: Russia’s Olympic Gamble"),
        ("twitter:description", "Sochi is a bet on prestige."),
    ],
)
def test_article_page_has_open_graph_and_twitter_values(client, key, expected):
    article = global_insights_piece()
    if callable(expected):
        expected = expected(article)

    assert meta_value(page(client, article), key) == expected


def test_russian_article_is_in_the_russian_locale(client):
    article = ArticleFactory(language=Article.Language.RUSSIAN)

    response = page(client, article)

    assert meta_value(response, "og:locale") == "ru_RU"
    assert meta_values(response, "og:locale:alternate") == ["en_US"]
    assert json_ld(response)["inLanguage"] == "ru"


def test_article_page_names_each_author_and_tag(client):
    authors = [AuthorFactory(), AuthorFactory(), AuthorFactory()]
    tags = [TagFactory(name="Arms trade"), TagFactory(name="China"), TagFactory(name="Russia")]
    article = ArticleFactory(authors=authors, tags=tags)

    response = page(client, article)

    assert meta_values(response, "article:author") == [
        absolute(author.get_absolute_url()) for author in authors
    ]
    assert meta_values(response, "article:tag") == ["Arms trade", "China", "Russia"]


def test_article_without_corrections_was_modified_when_published(client):
    article = ArticleFactory(published_at=PUBLISHED)

    response = page(client, article)

    assert meta_value(response, "article:modified_time") == "2014-02-11T09:30:00+00:00"
    assert json_ld(response)["dateModified"] == "2014-02-11T09:30:00+00:00"


def test_description_falls_back_to_the_start_of_the_body_as_plain_text(client):
    body = (
        "<p>Russia&rsquo;s bet<sup>1</sup> on <strong>Sochi</strong> &amp; prestige.</p>"
        "<p>" + "Moscow hopes the Games will change how the world sees it. " * 5 + "</p>"
    )
    article = ArticleFactory(summary="", body=body)

    response = page(client, article)

    description = meta_value(response, "description")
    assert description.startswith("Russia’s bet on Sochi & prestige. Moscow hopes the Games")
    assert len(description) == 160
    assert description.endswith("…")
    assert meta_value(response, "og:description") == description
    assert json_ld(response)["description"] == description


def test_article_with_a_lead_image_offers_it_to_link_previews(client):
    article = global_insights_piece(
        lead_image=stored_jpeg((1600, 900)), lead_image_alt="The Olympic rings at Sochi"
    )

    response = page(client, article)

    assert meta_value(response, "og:image") == json_ld(response)["image"][0]["url"]
    assert meta_value(response, "og:image").startswith(f"{HOST}/media/renditions/")
    assert meta_value(response, "og:image:alt") == "The Olympic rings at Sochi"
    assert meta_value(response, "og:image:width") == "1200"
    assert meta_value(response, "og:image:height") == "675"
    assert meta_value(response, "twitter:card") == "summary_large_image"


def test_narrow_lead_image_is_offered_at_its_own_width(client):
    article = ArticleFactory(lead_image=stored_jpeg((1000, 500)), lead_image_alt="A map")

    response = page(client, article)

    assert meta_value(response, "og:image").endswith("-1000w.jpg")
    assert meta_value(response, "og:image:width") == "1000"
    assert meta_value(response, "og:image:height") == "500"


def test_article_without_a_lead_image_has_no_image_tags(client):
    response = page(client, global_insights_piece())

    names = {name for name, _ in meta_tags(response)}
    assert not {"og:image", "og:image:alt", "og:image:width", "og:image:height"} & names
    assert meta_value(response, "twitter:card") == "summary"


def test_unreadable_lead_image_leaves_the_page_up_without_image_tags(client):
    name = "articles/2014/02/broken.jpg"
    default_storage.save(name, io.BytesIO(b"not an image"))
    article = ArticleFactory(lead_image=name, lead_image_alt="Broken")

    response = page(client, article)

    assert meta_values(response, "og:image") == []
    assert meta_value(response, "twitter:card") == "summary"
    assert "image" not in json_ld(response)


def test_other_pages_describe_the_site(client):
    response = client.get(reverse("commentary:home"))

    assert meta_value(response, "og:type") == "website"
    assert meta_value(response, "og:site_name") == "Commentary"
    assert meta_value(response, "og:title") == "Commentary"
    assert meta_value(response, "og:description") == "Analysis and commentary on world politics."
    assert json_ld_blocks(response) == []


# --- queries -----------------------------------------------------------------------------------


def test_rich_previews_add_no_query_to_the_article_page(client, django_assert_num_queries):
    """A republished column piece with an image, tags, corrections and two authors runs the
    article page's pinned count (the first view, which makes the renditions, included)."""
    article = global_insights_piece(
        lead_image=stored_jpeg(), lead_image_alt="The Olympic rings at Sochi"
    )
    article.article_authors.create(author=AuthorFactory(), position=1)

    with django_assert_num_queries(ARTICLE_QUERIES):
        response = page(client, article)

    data = json_ld(response)
    assert len(data["author"]) == 2
    assert data["image"] and data["isPartOf"] and data["isBasedOn"]


def test_meta_is_built_from_what_the_article_page_loaded(django_assert_num_queries, rf):
    """Whatever else the page comes to load, the rich previews themselves read no table."""
    piece = global_insights_piece(
        lead_image=stored_jpeg(), lead_image_alt="The Olympic rings at Sochi"
    )
    structured_data.share_image(piece, request=rf.get("/"))  # the renditions, made once
    article = ArticlePageMixin.load_for_page(Article.objects.published()).get(pk=piece.pk)

    with django_assert_num_queries(0):
        meta = structured_data.article_meta(article, request=rf.get("/"))
        str(meta.json_ld_script)

    assert meta.tags == ["Olympics", "Russia"]
    assert meta.modified_time == "2014-02-13T16:05:00+00:00"
    assert meta.image.width == 1200
