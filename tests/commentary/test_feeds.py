"""The public feeds (RSS 2.0, Atom and JSON Feed 1.1 for the site, each column, author, tag and
language) and the autodiscovery links every page carries to them.

The XML feeds are read with feedparser, as a feed reader would read them, and must parse
without a single complaint; the JSON feeds are read as JSON. The clock is frozen on 4 March
2014, among a draft, a scheduled and an expired article that share every scope with the
public ones and must show up in no feed.
"""

import datetime
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import SimpleNamespace

import feedparser
import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags

from commentary.feeds import FEED_ITEMS, JSON_FEED_VERSION
from commentary.models import Article, TagRedirect
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    CorrectionFactory,
    DraftArticleFactory,
    PublicationFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2014, 3, 4, 12, tzinfo=UTC)
SOCHI_TITLE = "In Sochi, Xi and Putin Put China-Russia Ties on Display"
ORIGINAL_URL = "https://www.worldpoliticsreview.com/articles/13551/in-sochi-xi-and-putin"
CORRECTED_AT = datetime.datetime(2014, 3, 1, 15, tzinfo=UTC)

FORMATS = ["rss", "atom", "json"]
CONTENT_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
RFC_3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


# --- reading feeds ----------------------------------------------------------------------


@dataclass
class Item:
    title: str
    link: str
    authors: list
    categories: list
    summary: str
    content: str
    published: str = ""
    updated: str = ""


@dataclass
class ParsedFeed:
    title: str
    link: str
    language: str
    updated: str
    items: list = field(default_factory=list)

    @property
    def titles(self):
        return [item.title for item in self.items]


def read_feed(response, fmt):
    """The feed in ``response`` as a reader sees it; fails on any flaw feedparser finds."""
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == CONTENT_TYPES[fmt]
    if fmt == "json":
        data = json.loads(response.content)
        return ParsedFeed(
            title=data["title"],
            link=data["home_page_url"],
            language=data["language"],
            updated="",
            items=[
                Item(
                    title=item["title"],
                    link=item["url"],
                    authors=[author["name"] for author in item["authors"]],
                    categories=item.get("tags", []),
                    summary=item.get("summary", ""),
                    content=item["content_html"],
                    published=item["date_published"],
                    updated=item["date_modified"],
                )
                for item in data["items"]
            ],
        )
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return ParsedFeed(
        title=parsed.feed.title,
        link=parsed.feed.link,
        language=parsed.feed.get("language", ""),
        updated=parsed.feed.get("updated", ""),
        items=[
            Item(
                title=entry.title,
                link=entry.link,
                authors=[author["name"] for author in entry.get("authors", [])],
                categories=[tag.term for tag in entry.get("tags", [])],
                summary=entry.get("summary", ""),
                content=entry.content[0].value if "content" in entry else "",
                published=entry.get("published", ""),
                # RSS items have no updated date (feedparser would warn and fall back).
                updated=entry.get("updated", "") if fmt == "atom" else "",
            )
            for entry in parsed.entries
        ],
    )


def feed_url(scope, fmt, **kwargs):
    return reverse(f"commentary:feed_{scope}_{fmt}", kwargs=kwargs)


def get_feed(client, scope, fmt, **kwargs):
    return read_feed(client.get(feed_url(scope, fmt, **kwargs)), fmt)


# --- the articles -----------------------------------------------------------------------


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(frozen):
    """Three public articles (a two-author republished column piece, a piece outside any
    column, a Russian column piece) and three hidden ones in every scope."""
    weitz = AuthorFactory(name="Richard Weitz", slug="richard-weitz")
    cohen = AuthorFactory(name="Ariel Cohen", slug="ariel-cohen")
    column = ColumnFactory(name="Global Insights", slug="global-insights", authors=[weitz])
    russia, china, arms = (TagFactory(name=name) for name in ["Russia", "China", "Arms trade"])
    sochi = ArticleFactory(
        title=SOCHI_TITLE,
        slug="in-sochi",
        column=column,
        authors=[weitz, cohen],
        tags=[russia, china],
        summary="Sochi has seen a remarkable show of solidarity.",
        body="<p>Xi and Putin met in Sochi.</p><script>alert(1)</script>",
        published_at=datetime.datetime(2014, 2, 11, 9, 30, tzinfo=UTC),
        source_publication=PublicationFactory(),
        original_published_on=datetime.date(2014, 2, 11),
        original_url=ORIGINAL_URL,
    )
    CorrectionFactory(article=sochi, published_at=CORRECTED_AT)
    caucasus = ArticleFactory(
        title="Arms and the Caucasus",
        slug="arms-and-the-caucasus",
        authors=[cohen],
        tags=[arms],
        published_at=datetime.datetime(2014, 2, 18, 9, 30, tzinfo=UTC),
    )
    russian = ArticleFactory(
        title="Россия и Китай",
        slug="rossiya-i-kitay",
        language=Article.Language.RUSSIAN,
        column=column,
        authors=[weitz],
        tags=[russia],
        published_at=datetime.datetime(2014, 2, 25, 9, 30, tzinfo=UTC),
    )
    hidden = {"column": column, "authors": [weitz, cohen], "tags": [russia, arms]}
    draft = DraftArticleFactory(title="A draft", **hidden)
    scheduled = ArticleFactory(
        title="Not yet", published_at=NOW + datetime.timedelta(days=1), **hidden
    )
    expired = ArticleFactory(
        title="Withdrawn",
        published_at=datetime.datetime(2014, 1, 7, tzinfo=UTC),
        expires_at=datetime.datetime(2014, 3, 1, tzinfo=UTC),
        **hidden,
    )
    return SimpleNamespace(
        weitz=weitz,
        cohen=cohen,
        column=column,
        russia=russia,
        arms=arms,
        sochi=sochi,
        caucasus=caucasus,
        russian=russian,
        draft=draft,
        scheduled=scheduled,
        expired=expired,
    )


def titles_of(*articles):
    return [article.display_title for article in articles]


# Every scope, with the arguments of its address and the articles it lists, newest first.
SCOPES = {
    "site": (lambda w: {}, lambda w: [w.russian, w.caucasus, w.sochi]),
    "column": (lambda w: {"slug": w.column.slug}, lambda w: [w.russian, w.sochi]),
    "author": (lambda w: {"slug": w.cohen.slug}, lambda w: [w.caucasus, w.sochi]),
    "tag": (lambda w: {"slug": w.russia.slug}, lambda w: [w.russian, w.sochi]),
    "language": (lambda w: {"language": "en"}, lambda w: [w.caucasus, w.sochi]),
}


# --- every feed -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("scope", SCOPES)
def test_each_feed_lists_only_its_scopes_public_articles_newest_first(client, world, scope, fmt):
    kwargs, expected = SCOPES[scope]

    feed = get_feed(client, scope, fmt, **kwargs(world))

    assert feed.titles == titles_of(*expected(world))


@pytest.mark.parametrize("fmt", FORMATS)
def test_drafts_scheduled_and_expired_articles_stay_out_until_their_time(client, world, fmt):
    hidden = titles_of(world.draft, world.scheduled, world.expired)
    assert not set(hidden) & set(get_feed(client, "site", fmt).titles)

    with time_machine.travel(NOW + datetime.timedelta(days=2), tick=False):
        feed = get_feed(client, "site", fmt)

    assert feed.titles[0] == world.scheduled.display_title
    assert world.draft.display_title not in feed.titles
    assert world.expired.display_title not in feed.titles


@pytest.mark.parametrize("fmt", FORMATS)
def test_other_author_tag_and_language_feeds_filter_too(client, world, fmt):
    assert get_feed(client, "author", fmt, slug=world.weitz.slug).titles == titles_of(
        world.russian, world.sochi
    )
    assert get_feed(client, "tag", fmt, slug=world.arms.slug).titles == titles_of(world.caucasus)
    assert get_feed(client, "language", fmt, language="ru").titles == titles_of(world.russian)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_author_of_a_two_author_article_is_credited_in_byline_order(client, world, fmt):
    item = get_feed(client, "site", fmt).items[-1]

    assert item.title == world.sochi.display_title
    assert item.authors == ["Richard Weitz", "Ariel Cohen"]


def test_rss_credits_each_author_with_dc_creator_in_the_declared_namespace(client, world):
    response = client.get(feed_url("site", "rss"))
    xml = response.content.decode()

    assert 'xmlns:dc="http://purl.org/dc/elements/1.1/"' in xml.split("<channel>")[0]
    assert 'xmlns:content="http://purl.org/rss/1.0/modules/content/"' in xml.split("<channel>")[0]
    sochi = xml[xml.index(SOCHI_TITLE) :]
    assert re.findall(r"<dc:creator[^>]*>([^<]+)</dc:creator>", sochi) == [
        "Richard Weitz",
        "Ariel Cohen",
    ]


def test_atom_gives_each_author_a_name_and_the_address_of_their_page(client, world):
    parsed = feedparser.parse(client.get(feed_url("site", "atom")).content)
    sochi = parsed.entries[-1]

    assert [(author.name, author.href) for author in sochi.authors] == [
        ("Richard Weitz", "http://testserver" + world.weitz.get_absolute_url()),
        ("Ariel Cohen", "http://testserver" + world.cohen.get_absolute_url()),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_categories_are_the_tags_and_the_column(client, world, fmt):
    items = get_feed(client, "site", fmt).items

    assert sorted(items[-1].categories) == ["China", "Global Insights", "Russia"]
    assert items[1].categories == ["Arms trade"]  # outside any column


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_republished_piece_names_its_source_after_the_summary(client, world, fmt):
    items = get_feed(client, "site", fmt).items
    summary = strip_tags(items[-1].summary)

    assert summary.startswith("Sochi has seen a remarkable show of solidarity.")
    assert summary.rstrip().endswith("Source: World Politics Review, 11 Feb 2014")
    assert "Source:" not in items[1].summary  # our own piece


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_the_source_links_to_the_original_in_xml_feeds(client, world, fmt):
    sochi = get_feed(client, "site", fmt).items[-1]

    assert f'<a href="{ORIGINAL_URL}">World Politics Review</a>' in sochi.summary


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_content_is_the_sanitised_body(client, world, fmt):
    sochi = get_feed(client, "site", fmt).items[-1]

    assert sochi.content == "<p>Xi and Putin met in Sochi.</p>"
    assert world.sochi.body == sochi.content


@pytest.mark.parametrize("fmt", FORMATS)
def test_items_link_to_the_article_page(client, world, fmt):
    sochi = get_feed(client, "site", fmt).items[-1]

    assert sochi.link == "http://testserver" + world.sochi.get_absolute_url()


@pytest.mark.parametrize("fmt", ["atom", "json"])
def test_an_item_is_updated_by_its_latest_correction(client, world, fmt):
    items = get_feed(client, "site", fmt).items

    sochi, caucasus = items[-1], items[1]
    assert datetime.datetime.fromisoformat(sochi.published) == world.sochi.published_at
    assert datetime.datetime.fromisoformat(sochi.updated) == CORRECTED_AT
    assert datetime.datetime.fromisoformat(caucasus.updated) == world.caucasus.published_at


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_the_feed_is_as_recent_as_its_newest_change(client, world, fmt):
    feed = get_feed(client, "site", fmt)

    # The correction of 1 March is newer than the newest article (25 February).
    assert feed.updated
    parsed = feedparser.parse(client.get(feed_url("site", fmt)).content)
    assert datetime.datetime(*parsed.feed.updated_parsed[:6], tzinfo=UTC) == CORRECTED_AT


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("scope", "kwargs", "title", "link"),
    [
        ("site", lambda w: {}, "Commentary", lambda w: reverse("commentary:home")),
        (
            "column",
            lambda w: {"slug": w.column.slug},
            "Global Insights · Commentary",
            lambda w: w.column.get_absolute_url(),
        ),
        (
            "author",
            lambda w: {"slug": w.cohen.slug},
            "Ariel Cohen · Commentary",
            lambda w: w.cohen.get_absolute_url(),
        ),
        (
            "tag",
            lambda w: {"slug": w.russia.slug},
            "Russia · Commentary",
            lambda w: w.russia.get_absolute_url(),
        ),
        (
            "language",
            lambda w: {"language": "en"},
            "Commentary: articles in English",
            lambda w: reverse("commentary:home"),
        ),
    ],
    ids=["site", "column", "author", "tag", "language"],
)
def test_each_feed_has_its_own_title_link_and_language(
    client, world, settings, scope, kwargs, title, link, fmt
):
    settings.SITE_NAME = "Commentary"

    feed = get_feed(client, scope, fmt, **kwargs(world))

    assert feed.title == title
    assert feed.link == "http://testserver" + link(world)
    assert feed.language == "en"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_russian_feed_speaks_russian(client, world, settings, fmt):
    settings.SITE_NAME = "Commentary"

    feed = get_feed(client, "language", fmt, language="ru")

    assert feed.language == "ru"
    assert feed.title == "Commentary: статьи на русском"


def test_a_russian_reader_reads_the_source_line_in_russian(client, world):
    with translation.override("ru"):
        url = feed_url("site", "json")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ru"

    data = json.loads(client.get(url).content)

    assert data["items"][-1]["summary"].endswith("Источник: World Politics Review, 11 февраля 2014")


def test_a_feed_holds_the_twenty_newest_articles(client, frozen):
    articles = [
        ArticleFactory(published_at=NOW - datetime.timedelta(hours=hours))
        for hours in range(1, FEED_ITEMS + 6)
    ]

    feed = get_feed(client, "site", "rss")

    assert feed.titles == titles_of(*articles[:FEED_ITEMS])


@pytest.mark.parametrize(
    ("scope", "kwargs"),
    [
        ("column", {"slug": "no-such-column"}),
        ("author", {"slug": "no-such-author"}),
        ("tag", {"slug": "no-such-tag"}),
        ("language", {"language": "de"}),
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_feed_of_something_that_does_not_exist_is_not_found(client, db, scope, kwargs, fmt):
    response = client.get(feed_url(scope, fmt, **kwargs))

    assert response.status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_feed_of_a_merged_tag_moves_to_the_tag_it_was_merged_into(client, world, fmt):
    TagRedirect.objects.create(old_slug="russian-federation", tag=world.russia)

    response = client.get(feed_url("tag", fmt, slug="russian-federation"))

    assert response.status_code == 301
    assert response["Location"] == feed_url("tag", fmt, slug=world.russia.slug)


# --- JSON Feed --------------------------------------------------------------------------


def test_json_feed_follows_version_1_1(client, world):
    response = client.get(feed_url("site", "json"))
    data = json.loads(response.content)

    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    assert data["version"] == JSON_FEED_VERSION == "https://jsonfeed.org/version/1.1"
    assert data["title"]
    assert data["home_page_url"] == "http://testserver" + reverse("commentary:home")
    assert data["feed_url"] == "http://testserver" + feed_url("site", "json")
    assert data["language"] == "en"
    assert len(data["items"]) == 3
    for item in data["items"]:
        assert {"id", "url", "title", "content_html", "summary", "date_published"} <= set(item)
        assert {"date_modified", "authors", "language", "_commentary"} <= set(item)
        assert RFC_3339.match(item["date_published"]), item["date_published"]
        assert RFC_3339.match(item["date_modified"]), item["date_modified"]
        assert all(set(author) == {"name", "url"} for author in item["authors"])
    assert len({item["id"] for item in data["items"]}) == 3


def test_json_feed_items_carry_language_tags_and_the_commentary_extension(client, world):
    data = json.loads(client.get(feed_url("site", "json")).content)
    russian, caucasus, sochi = data["items"]

    assert [item["language"] for item in data["items"]] == ["ru", "en", "en"]
    assert sochi["date_published"] == "2014-02-11T09:30:00+00:00"
    assert sochi["date_modified"] == "2014-03-01T15:00:00+00:00"
    assert sochi["authors"] == [
        {"name": "Richard Weitz", "url": "http://testserver" + world.weitz.get_absolute_url()},
        {"name": "Ariel Cohen", "url": "http://testserver" + world.cohen.get_absolute_url()},
    ]
    assert sorted(sochi["tags"][:-1]) == ["China", "Russia"]
    assert sochi["tags"][-1] == "Global Insights"
    assert sochi["external_url"] == ORIGINAL_URL
    assert sochi["_commentary"]["column"] == {
        "name": "Global Insights",
        "url": "http://testserver" + world.column.get_absolute_url(),
    }
    source = sochi["_commentary"]["source"]
    assert source["publication"] == "World Politics Review"
    assert source["original_url"] == ORIGINAL_URL
    assert source["original_published_on"] == "2014-02-11"
    assert source["attribution"] == "Source: World Politics Review, 11 Feb 2014"
    assert caucasus["_commentary"]["column"] is None
    assert caucasus["_commentary"]["source"] is None
    assert "external_url" not in caucasus


def test_item_ids_stay_when_the_slug_changes(client, world):
    before = json.loads(client.get(feed_url("site", "json")).content)["items"][-1]["id"]
    world.sochi.slug = "sochi-summit"
    world.sochi.save()

    after = json.loads(client.get(feed_url("site", "json")).content)["items"][-1]

    assert after["id"] == before
    assert after["url"].endswith("/sochi-summit/")


# --- autodiscovery ----------------------------------------------------------------------


class FeedLinks(HTMLParser):
    """The ``<link rel="alternate">`` feed links of a page, as ``(type, title, href)``."""

    def __init__(self):
        super().__init__()
        self.links = []
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "alternate" and "type" in attrs:
            self.links.append((attrs["type"], attrs.get("title"), attrs["href"]))
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/ld+json":
            self.inline_scripts += 1


def feed_links_of(response):
    assert response.status_code == 200
    parser = FeedLinks()
    parser.feed(response.content.decode())
    return parser


def expected_links(scope, **kwargs):
    return [
        (CONTENT_TYPES[fmt], "http://testserver" + feed_url(scope, fmt, **kwargs))
        for fmt in FORMATS
    ]


def site_and_language_links(language="en"):
    return expected_links("site") + expected_links("language", language=language)


@pytest.mark.parametrize(
    "address",
    [
        lambda w: reverse("commentary:home"),
        lambda w: w.sochi.get_absolute_url(),
        lambda w: w.russian.get_absolute_url(),
        lambda w: reverse("commentary:corrections"),
    ],
    ids=["home", "article", "russian-article", "corrections"],
)
def test_every_page_offers_the_site_feeds_and_its_languages(client, world, address):
    parser = feed_links_of(client.get(address(world)))

    assert [(type_, href) for type_, _, href in parser.links] == site_and_language_links()
    assert parser.inline_scripts == 0


@pytest.mark.parametrize(
    ("address", "scope"),
    [
        (lambda w: w.column.get_absolute_url(), "column"),
        (lambda w: w.cohen.get_absolute_url(), "author"),
        (lambda w: w.russia.get_absolute_url(), "tag"),
    ],
    ids=["column", "author", "tag"],
)
def test_column_author_and_tag_pages_offer_their_own_feeds_too(client, world, address, scope):
    url = address(world)
    slug = url.rstrip("/").rsplit("/", 1)[-1]

    parser = feed_links_of(client.get(url))

    assert [(type_, href) for type_, _, href in parser.links] == (
        site_and_language_links() + expected_links(scope, slug=slug)
    )
    assert parser.inline_scripts == 0


def test_feed_links_are_titled_for_readers(client, world, settings):
    settings.SITE_NAME = "Commentary"

    parser = feed_links_of(client.get(world.column.get_absolute_url()))

    assert [title for _, title, _ in parser.links] == [
        "Commentary (RSS)",
        "Commentary (Atom)",
        "Commentary (JSON Feed)",
        "Commentary: articles in English (RSS)",
        "Commentary: articles in English (Atom)",
        "Commentary: articles in English (JSON Feed)",
        "This column (RSS)",
        "This column (Atom)",
        "This column (JSON Feed)",
    ]


def test_a_russian_reader_is_offered_the_russian_feed(client, world):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ru"
    with translation.override("ru"):
        url = reverse("commentary:home")
        expected = site_and_language_links("ru")

    parser = feed_links_of(client.get(url))

    assert [(type_, href) for type_, _, href in parser.links] == expected


# --- queries ----------------------------------------------------------------------------

#   articles + column + source + latest correction; bylines + authors; tags
SITE_FEED_QUERIES = 3
#   column (or tag); then the site feed's three
COLUMN_FEED_QUERIES = TAG_FEED_QUERIES = 4


def build_feed_articles(n):
    """``n`` public articles in one column and under one tag, each republished, corrected,
    with two authors and two tags of its own."""
    shared = SimpleNamespace(column=ColumnFactory(), tag=TagFactory())
    source = PublicationFactory()
    for index in range(n):
        article = ArticleFactory(
            column=shared.column,
            authors=[AuthorFactory(), AuthorFactory()],
            tags=[TagFactory(), shared.tag],
            published_at=NOW - datetime.timedelta(hours=index + 1),
            source_publication=source,
            original_published_on=datetime.date(2014, 2, 11),
        )
        CorrectionFactory(article=article, published_at=NOW - datetime.timedelta(minutes=index))
    return shared


QUERY_SIZES = [pytest.param(1, id="one"), pytest.param(FEED_ITEMS, id="twenty")]


@pytest.mark.parametrize("n", QUERY_SIZES)
def test_site_rss_feed_runs_a_fixed_number_of_queries(client, frozen, django_assert_num_queries, n):
    build_feed_articles(n)

    with django_assert_num_queries(SITE_FEED_QUERIES):
        feed = get_feed(client, "site", "rss")

    assert len(feed.items) == n
    assert all(len(item.authors) == 2 and len(item.categories) == 3 for item in feed.items)


@pytest.mark.parametrize("n", QUERY_SIZES)
def test_column_atom_feed_runs_a_fixed_number_of_queries(
    client, frozen, django_assert_num_queries, n
):
    shared = build_feed_articles(n)

    with django_assert_num_queries(COLUMN_FEED_QUERIES):
        feed = get_feed(client, "column", "atom", slug=shared.column.slug)

    assert len(feed.items) == n
    assert all(len(item.authors) == 2 for item in feed.items)


@pytest.mark.parametrize("n", QUERY_SIZES)
def test_tag_json_feed_runs_a_fixed_number_of_queries(client, frozen, django_assert_num_queries, n):
    shared = build_feed_articles(n)

    with django_assert_num_queries(TAG_FEED_QUERIES):
        feed = get_feed(client, "tag", "json", slug=shared.tag.slug)

    assert len(feed.items) == n
    assert all("Source:" in item.summary for item in feed.items)
