"""The sitemap index and its sections, the Google News sitemap and robots.txt.

The XML is parsed as a crawler would read it, with its namespaces; every listed address is
absolute. Only what the public may see is listed, and each page runs a fixed number of
queries however many items it lists.
"""

import datetime
import urllib.robotparser
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from commentary import sitemaps
from commentary.models import Article
from commentary.sitemaps import ArticleSitemap, NewsSitemap
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
NOW = datetime.datetime(2025, 3, 11, 12, 0, tzinfo=UTC)
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"sm": SITEMAP_NS, "news": NEWS_NS}
ORIGINAL_URL = "https://www.worldpoliticsreview.com/original/"
SECTIONS = ["articles", "columns", "authors", "tags"]
SIZES = [pytest.param(1, id="one"), pytest.param(50, id="fifty")]

# The pinned counts.
#   per section: its latest change; its number of pages (a count)
INDEX_QUERIES = 8
#   count; the page's rows (articles carry their latest correction in the same query)
SECTION_QUERIES = 2
#   count; the articles with their column
NEWS_QUERIES = 2
#   none: robots.txt reads no table
ROBOTS_QUERIES = 0


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def get_xml(client, path, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)  # noqa: S314 (our own response)


def index_entries(root):
    """The index's sitemaps in order, as (address, lastmod) pairs."""
    assert root.tag == f"{{{SITEMAP_NS}}}sitemapindex"
    return [
        (entry.findtext("sm:loc", namespaces=NS), entry.findtext("sm:lastmod", namespaces=NS))
        for entry in root.findall("sm:sitemap", NS)
    ]


def url_entries(root):
    """A sitemap's URLs in order, as (address, lastmod) pairs."""
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    return [
        (entry.findtext("sm:loc", namespaces=NS), entry.findtext("sm:lastmod", namespaces=NS))
        for entry in root.findall("sm:url", NS)
    ]


def listed(client, section, **extra):
    return dict(url_entries(get_xml(client, f"/sitemap-{section}.xml", **extra)))


def address(obj, host="http://testserver"):
    """Where a sitemap lists ``obj``: an article under its own language, the rest under the
    site's default one."""
    with translation.override(getattr(obj, "language", django_settings.LANGUAGE_CODE)):
        return host + obj.get_absolute_url()


def test_sitemaps_and_robots_live_at_the_root():
    assert reverse("sitemap") == "/sitemap.xml"
    assert reverse("sitemap_news") == "/sitemap-news.xml"
    assert reverse("sitemap_section", kwargs={"section": "articles"}) == "/sitemap-articles.xml"
    assert reverse("robots_txt") == "/robots.txt"


def test_sitemap_index_lists_each_section_with_its_latest_change(client, frozen):
    tag = TagFactory()
    article = ArticleFactory(column=ColumnFactory(), tags=[tag], published_at=NOW - 3 * DAY)
    CorrectionFactory(article=article, published_at=NOW - DAY)

    entries = index_entries(get_xml(client, "/sitemap.xml"))

    assert entries == [
        ("http://testserver/sitemap-articles.xml", (NOW - DAY).isoformat()),
        ("http://testserver/sitemap-columns.xml", (NOW - 3 * DAY).isoformat()),
        ("http://testserver/sitemap-authors.xml", (NOW - 3 * DAY).isoformat()),
        ("http://testserver/sitemap-tags.xml", (NOW - 3 * DAY).isoformat()),
    ]


def test_sitemap_index_dates_sections_by_public_content_only(client, frozen):
    column, tag = ColumnFactory(), TagFactory()
    ArticleFactory(column=column, tags=[tag], published_at=NOW - 5 * DAY)
    draft = DraftArticleFactory(column=column, tags=[tag])
    CorrectionFactory(article=draft, published_at=NOW - HOUR)
    ArticleFactory(column=column, tags=[tag], published_at=NOW + DAY)
    expired = ArticleFactory(
        column=column, tags=[tag], published_at=NOW - 2 * DAY, expires_at=NOW - HOUR
    )
    CorrectionFactory(article=expired, published_at=NOW - 2 * HOUR)

    entries = index_entries(get_xml(client, "/sitemap.xml"))

    assert [lastmod for _loc, lastmod in entries] == [(NOW - 5 * DAY).isoformat()] * 4


def test_sitemap_addresses_follow_the_request_host_and_scheme(client, frozen, settings):
    settings.ALLOWED_HOSTS = ["commentary.example"]
    article = ArticleFactory()
    extra = {"secure": True, "HTTP_HOST": "commentary.example"}

    entries = index_entries(get_xml(client, "/sitemap.xml", **extra))
    urls = listed(client, "articles", **extra)

    assert entries[0][0] == "https://commentary.example/sitemap-articles.xml"
    assert list(urls) == [address(article, host="https://commentary.example")]


def test_article_sitemap_lists_only_public_articles(client, frozen):
    public = ArticleFactory(published_at=NOW - DAY)
    DraftArticleFactory()
    ArticleFactory(status=Article.Status.IN_REVIEW)
    ArticleFactory(published_at=NOW + HOUR)
    ArticleFactory(published_at=NOW - 3 * DAY, expires_at=NOW - DAY)

    assert list(listed(client, "articles")) == [address(public)]


def test_article_lastmod_is_its_latest_correction_or_else_its_publication(client, frozen):
    plain = ArticleFactory(published_at=datetime.datetime(2025, 3, 1, 9, tzinfo=UTC))
    corrected = ArticleFactory(published_at=datetime.datetime(2025, 3, 2, 9, tzinfo=UTC))
    CorrectionFactory(article=corrected, published_at=datetime.datetime(2025, 3, 5, 9, tzinfo=UTC))
    CorrectionFactory(article=corrected, published_at=datetime.datetime(2025, 3, 4, 9, tzinfo=UTC))

    assert listed(client, "articles") == {
        address(plain): "2025-03-01",
        address(corrected): "2025-03-05",
    }


def test_republished_articles_that_search_engines_should_not_index_here_are_left_out(
    client, frozen
):
    policy = Article.SyndicationPolicy
    source = PublicationFactory()
    articles = [
        ArticleFactory(),
        ArticleFactory(
            source_publication=source,
            original_url=ORIGINAL_URL,
            syndication_policy=policy.SELF_CANONICAL,
        ),
        ArticleFactory(source_publication=source, syndication_policy=policy.CANONICAL_TO_SOURCE),
        ArticleFactory(
            source_publication=source,
            original_url=ORIGINAL_URL,
            syndication_policy=policy.CANONICAL_TO_SOURCE,
        ),
        ArticleFactory(source_publication=source, syndication_policy=policy.NOINDEX),
    ]
    # The same rule as the article page's <link rel="canonical"> and robots meta tag.
    own_canonical = [a for a in articles if not a.canonical_url and not a.robots_noindex]

    assert len(own_canonical) == 3
    assert set(listed(client, "articles")) == {address(a) for a in own_canonical}


def test_column_sitemap_lists_active_columns_dated_by_their_latest_public_article(client, frozen):
    active = ColumnFactory()
    ArticleFactory(column=active, published_at=NOW - 3 * DAY)
    ArticleFactory(column=active, published_at=NOW - 2 * DAY)
    DraftArticleFactory(column=active)
    ArticleFactory(column=active, published_at=NOW + DAY)
    starting = ColumnFactory()
    inactive = ColumnFactory(is_active=False)
    ArticleFactory(column=inactive)

    assert listed(client, "columns") == {address(active): "2025-03-09", address(starting): None}


def test_author_sitemap_lists_only_authors_with_a_public_article(client, frozen):
    regular, guest = AuthorFactory(), AuthorFactory()
    ArticleFactory(authors=[regular], published_at=NOW - 3 * DAY)
    ArticleFactory(authors=[regular, guest], published_at=NOW - 2 * DAY)
    ArticleFactory(authors=[regular], published_at=NOW + DAY)
    DraftArticleFactory(authors=[AuthorFactory()])
    ArticleFactory(authors=[AuthorFactory()], published_at=NOW + HOUR)
    ArticleFactory(authors=[AuthorFactory()], published_at=NOW - 3 * DAY, expires_at=NOW - DAY)
    AuthorFactory()

    assert listed(client, "authors") == {
        address(regular): "2025-03-09",
        address(guest): "2025-03-09",
    }


def test_tag_sitemap_lists_only_tags_with_a_public_article(client, frozen):
    russia, china = TagFactory(name="Russia"), TagFactory(name="China")
    ArticleFactory(tags=[russia, china], published_at=NOW - 4 * DAY)
    ArticleFactory(tags=[russia], published_at=NOW - 2 * DAY)
    DraftArticleFactory(tags=[russia, TagFactory(name="Arms trade")])
    ArticleFactory(tags=[TagFactory(name="Iran")], published_at=NOW + HOUR)
    TagFactory(name="Unused")

    assert listed(client, "tags") == {address(russia): "2025-03-09", address(china): "2025-03-07"}


def test_unknown_sitemap_section_is_not_found(client):
    assert client.get("/sitemap-comments.xml").status_code == 404


def test_article_sitemap_is_split_into_pages_that_the_index_lists(client, frozen, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    articles = [ArticleFactory(published_at=NOW - (10 - days) * DAY) for days in range(5)]

    entries = index_entries(get_xml(client, "/sitemap.xml"))
    pages = [
        [loc for loc, _ in url_entries(get_xml(client, f"/sitemap-articles.xml?p={page}"))]
        for page in (1, 2, 3)
    ]

    assert [loc for loc, _ in entries if "articles" in loc] == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-articles.xml?p=2",
        "http://testserver/sitemap-articles.xml?p=3",
    ]
    # Oldest first: the pages already crawled stay the same as new articles are published.
    assert pages == [
        [address(articles[0]), address(articles[1])],
        [address(articles[2]), address(articles[3])],
        [address(articles[4])],
    ]
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404


def test_author_sitemap_pages_count_only_authors_with_a_public_article(client, frozen, monkeypatch):
    monkeypatch.setattr(sitemaps.AuthorSitemap, "limit", 2)
    authors = [AuthorFactory() for _ in range(3)]
    for days, author in enumerate(authors):
        ArticleFactory(authors=[author], published_at=NOW - (days + 1) * DAY)
        ArticleFactory(authors=[author], published_at=NOW + DAY)
    DraftArticleFactory(authors=[AuthorFactory()])
    AuthorFactory()

    entries = index_entries(get_xml(client, "/sitemap.xml"))
    pages = [listed(client, "authors", QUERY_STRING=f"p={page}") for page in (1, 2)]

    assert [loc for loc, _ in entries if "authors" in loc] == [
        "http://testserver/sitemap-authors.xml",
        "http://testserver/sitemap-authors.xml?p=2",
    ]
    assert pages == [
        {address(authors[0]): "2025-03-10", address(authors[1]): "2025-03-09"},
        {address(authors[2]): "2025-03-08"},
    ]
    assert client.get("/sitemap-authors.xml?p=3").status_code == 404


def test_a_hundred_thousand_articles_make_twenty_pages_of_five_thousand(client, monkeypatch):
    # Counting pages needs only the number of articles: a range stands in for 100,000 rows.
    monkeypatch.setattr(ArticleSitemap, "items", lambda self: range(100_000))

    entries = index_entries(get_xml(client, "/sitemap.xml"))

    assert ArticleSitemap.limit == 5000
    assert [loc for loc, _ in entries if "articles" in loc] == [
        "http://testserver/sitemap-articles.xml",
        *(f"http://testserver/sitemap-articles.xml?p={page}" for page in range(2, 21)),
    ]


def test_sitemaps_list_the_same_addresses_whatever_language_the_crawler_asks_for(client, frozen):
    column, author, tag = ColumnFactory(), AuthorFactory(), TagFactory()
    english = ArticleFactory(column=column, authors=[author], tags=[tag], published_at=NOW - HOUR)
    russian = ArticleFactory(language="ru", authors=[author], published_at=NOW - HOUR)
    expected = {
        "articles": {address(english), address(russian)},
        "columns": {address(column)},
        "authors": {address(author)},
        "tags": {address(tag)},
    }

    # Readers' pages carry their language in the address: an article is listed under its
    # own language's, the rest under the default language's, never the crawler's.
    assert address(russian) == f"http://testserver/ru/articles/{russian.slug}/"
    for language in ["en", "ru"]:
        for section, addresses in expected.items():
            assert set(listed(client, section, HTTP_ACCEPT_LANGUAGE=language)) == addresses
        news = get_xml(client, "/sitemap-news.xml", HTTP_ACCEPT_LANGUAGE=language)
        assert {loc for loc, _ in url_entries(news)} == expected["articles"]


def build_site(n):
    """``n`` public articles of the last hours, each with its own column, author and tag and
    a correction, beside a draft that no sitemap lists."""
    for index in range(n):
        article = ArticleFactory(
            column=ColumnFactory(),
            tags=[TagFactory()],
            published_at=NOW - datetime.timedelta(minutes=10 * (index + 1)),
        )
        CorrectionFactory(article=article, published_at=NOW - datetime.timedelta(minutes=5))
    DraftArticleFactory(column=ColumnFactory(is_active=False), tags=[TagFactory()])


@pytest.mark.parametrize("n", SIZES)
def test_sitemap_index_runs_a_fixed_number_of_queries(client, frozen, django_assert_num_queries, n):
    build_site(n)

    with django_assert_num_queries(INDEX_QUERIES):
        entries = index_entries(get_xml(client, "/sitemap.xml"))

    assert len(entries) == len(SECTIONS)


@pytest.mark.parametrize("n", SIZES)
def test_sitemap_sections_run_a_fixed_number_of_queries(
    client, frozen, django_assert_num_queries, n
):
    build_site(n)

    for section in SECTIONS:
        with django_assert_num_queries(SECTION_QUERIES):
            urls = listed(client, section)
        assert len(urls) == n, section
        assert all(urls.values()), section


@pytest.mark.parametrize("n", SIZES)
def test_news_sitemap_runs_a_fixed_number_of_queries(client, frozen, django_assert_num_queries, n):
    build_site(n)

    with django_assert_num_queries(NEWS_QUERIES):
        root = get_xml(client, "/sitemap-news.xml")

    assert len(root.findall("sm:url/news:news/news:title", NS)) == n


def test_news_sitemap_lists_the_public_articles_of_the_last_48_hours_newest_first(client, frozen):
    latest = ArticleFactory(published_at=NOW - HOUR)
    oldest_in_window = ArticleFactory(published_at=NOW - 48 * HOUR)
    ArticleFactory(published_at=NOW - 48 * HOUR - datetime.timedelta(seconds=1))
    ArticleFactory(published_at=NOW + HOUR)
    DraftArticleFactory()
    ArticleFactory(published_at=NOW - 2 * HOUR, expires_at=NOW - HOUR)
    ArticleFactory(
        published_at=NOW - 2 * HOUR,
        source_publication=PublicationFactory(),
        original_url=ORIGINAL_URL,
    )

    root = get_xml(client, "/sitemap-news.xml")

    assert [loc for loc, _ in url_entries(root)] == [address(latest), address(oldest_in_window)]


def test_news_sitemap_lists_at_most_its_limit(client, frozen, monkeypatch):
    monkeypatch.setattr(NewsSitemap, "limit", 2)
    articles = [ArticleFactory(published_at=NOW - hours * HOUR) for hours in (1, 2, 3)]

    root = get_xml(client, "/sitemap-news.xml")

    assert [loc for loc, _ in url_entries(root)] == [address(articles[0]), address(articles[1])]


def test_news_sitemap_allows_google_news_maximum_of_a_thousand():
    assert NewsSitemap.limit == 1000


def test_news_sitemap_describes_each_article_for_google_news(client, frozen, settings):
    settings.SITE_NAME = "Geopolitics Weekly"
    article = ArticleFactory(
        column=ColumnFactory(name="Global Insights"),
        title="Guns & <butter> in Moscow",
        language="ru",
        published_at=NOW - 90 * datetime.timedelta(minutes=1),
    )

    response = client.get("/sitemap-news.xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own response)
    news = root.find("sm:url/news:news", NS)

    assert b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' in response.content
    assert b"Guns &amp; &lt;butter&gt; in Moscow" in response.content
    assert news.findtext("news:publication/news:name", namespaces=NS) == "Geopolitics Weekly"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "ru"
    published = news.findtext("news:publication_date", namespaces=NS)
    assert published == "2025-03-11T10:30:00+00:00"
    assert datetime.datetime.fromisoformat(published) == article.published_at
    assert (
        news.findtext("news:title", namespaces=NS) == "Global Insights: Guns & <butter> in Moscow"
    )


def test_news_sitemap_is_valid_and_empty_without_fresh_articles(client, frozen):
    ArticleFactory(published_at=NOW - 3 * DAY)

    assert url_entries(get_xml(client, "/sitemap-news.xml")) == []


def parse_robots(response):
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(response.content.decode().splitlines())
    return parser


def test_robots_txt_closes_private_pages_and_opens_public_ones(client, django_assert_num_queries):
    with django_assert_num_queries(ROBOTS_QUERIES):
        response = client.get("/robots.txt")
    robots = parse_robots(response)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for private in ["/admin/", "/moderation/", "/preview/", "/accounts/", "/search/", "/comments/"]:
        assert f"Disallow: {private}" in lines
        assert not robots.can_fetch("*", f"http://testserver{private}anything/")
        for prefix in ["/en", "/ru"]:
            assert not robots.can_fetch("*", f"http://testserver{prefix}{private}anything/")
    for public in [
        "/",
        "/articles/the-new-cold-war/",
        "/columns/global-insights/",
        "/authors/richard-weitz/",
        "/tags/russia/",
        "/archive/2025/",
        "/corrections/",
        "/en/articles/the-new-cold-war/",
        "/ru/articles/the-new-cold-war/",
        "/en/columns/global-insights/",
        "/sitemap.xml",
        "/sitemap-news.xml",
    ]:
        assert robots.can_fetch("*", f"http://testserver{public}"), public


def test_robots_txt_names_both_sitemaps_by_absolute_address(client):
    robots = parse_robots(client.get("/robots.txt", secure=True))

    assert robots.site_maps() == [
        "https://testserver/sitemap.xml",
        "https://testserver/sitemap-news.xml",
    ]


def test_robots_txt_is_cached_for_an_hour(client, monkeypatch):
    first = client.get("/robots.txt")
    monkeypatch.setattr(sitemaps, "ROBOTS_DISALLOWED_PATHS", ["/changed/"])
    second = client.get("/robots.txt")

    assert "max-age=3600" in first["Cache-Control"]
    assert second.content == first.content
