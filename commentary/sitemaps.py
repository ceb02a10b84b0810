"""What search engines are told: a sitemap index, a Google News sitemap and robots.txt.

``/sitemap.xml`` indexes four sections (``/sitemap-<section>.xml``): articles, active columns,
and the authors and tags with at least one public article. ``/sitemap-news.xml`` lists the
articles of the last 48 hours for Google News. ``/robots.txt`` closes the private parts of the
site and names both sitemaps.

Every address is absolute and built from the request, as ``django.contrib.sitemaps`` does
without the Sites framework: the host the crawler asked for and the request's scheme. Behind
a TLS-terminating proxy, ``BEHIND_HTTPS_PROXY`` (``SECURE_PROXY_SSL_HEADER``) makes that scheme
``https``; no domain or protocol is configured twice.

Each page of a sitemap runs a fixed number of queries (a count and the page's rows), however
many items it lists; the index runs two per section (its latest change and its page count).
Each reads the public articles once, whatever the number of authors or tags, and a page of
articles is chosen from the ``article_indexable`` index before anything else is read about
its rows, so a deep page costs what the first one does.
"""

import datetime

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.views import generic
from django.views.decorators.cache import cache_page

from .models import Article, ArticleAuthor, Author, Column, Correction, Tag, TaggedArticle

# Well under the protocol's 50,000 URLs (and 50 MB) per file, so a page stays quick to build.
SITEMAP_PAGE_SIZE = 5000


def indexable(articles):
    """The articles whose page on this site search engines should index.

    A republished piece is left out when its syndication policy keeps our copy out of search
    engines (``noindex``) or points them at the original (a canonical link to the source's
    address): a sitemap lists canonical, indexable addresses only, or it contradicts the page.
    """
    policy = Article.SyndicationPolicy
    return articles.filter(
        Q(source_publication__isnull=True)
        | Q(syndication_policy=policy.SELF_CANONICAL)
        | Q(syndication_policy=policy.CANONICAL_TO_SOURCE, original_url="")
    )


def latest_public_article(**filters):
    """The publication time of the latest public article matching ``filters`` (which name the
    outer row with ``OuterRef``), as a subquery to annotate on columns, authors or tags."""
    latest = (
        Article.objects.published()
        .filter(**filters)
        .order_by("-published_at")
        .values("published_at")[:1]
    )
    return Subquery(latest)


def public_articles(path):
    """``Article.objects.published()`` as a condition on the articles at the end of the
    relation ``path``: in one ``filter()``, their join is the one an aggregate after it
    reads, so the articles are joined once rather than once more in an ``IN`` subquery."""
    now = timezone.now()
    return Q(**{f"{path}__status": Article.Status.PUBLISHED, f"{path}__published_at__lte": now}) & (
        Q(**{f"{path}__expires_at__isnull": True}) | Q(**{f"{path}__expires_at__gt": now})
    )


class Listing:
    """A sitemap's items as its paginator reads them: ``count()`` from ``counted`` (a cheaper
    query of the same rows), a slice of ``listed``."""

    def __init__(self, counted, listed):
        self.counted = counted
        self.listed = listed

    def count(self):
        return self.counted.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, window):
        return list(self.listed[window])


class PublicSitemap(Sitemap):
    """A section of the index. Addresses are those of the site's default language, whatever
    language the crawler's request negotiates, so a page is listed under one address."""

    limit = SITEMAP_PAGE_SIZE

    def language_of(self, item):
        return settings.LANGUAGE_CODE

    def location(self, item):
        with translation.override(self.language_of(item)):
            return item.get_absolute_url()


class ArticlePages:
    """The articles a sitemap lists, as its paginator reads them: ``count()`` counts
    ``articles``; a slice is one query that picks the slice's ids from ``articles`` in a
    subquery and reads those rows only, with the time of their latest correction.

    Annotating ``articles`` itself would make the database work out the correction subquery
    for every row before the page, skipped ones included (OFFSET sorts after projecting).
    """

    def __init__(self, articles):
        self.articles = articles

    def count(self):
        return self.articles.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, window):
        if not isinstance(window, slice):
            raise TypeError("a sitemap page is a slice of the articles")
        last_corrected_at = Subquery(
            Correction.objects.filter(article=OuterRef("pk"))
            .order_by()
            .values("article")
            .annotate(latest=Max("published_at"))
            .values("latest")
        )
        page = self.articles.values("pk")[window]
        return list(
            Article.objects.filter(pk__in=page)
            .annotate(last_corrected_at=last_corrected_at)
            .only("slug", "language", "published_at")
            .order_by(*self.articles.query.order_by)
        )


class ArticleSitemap(PublicSitemap):
    """Public, indexable articles, oldest first so that earlier pages stay the same as the
    archive grows. ``lastmod`` is the later of the publication and the latest correction."""

    def items(self):
        return ArticlePages(indexable(Article.objects.published()).order_by("published_at", "pk"))

    def language_of(self, article):
        # An article is listed under the address of the language it is written in.
        return article.language

    def lastmod(self, article):
        return max(filter(None, [article.published_at, article.last_corrected_at]))

    def get_latest_lastmod(self):
        latest = indexable(Article.objects.published()).aggregate(
            published=Max("published_at"), corrected=Max("corrections__published_at")
        )
        return max(filter(None, latest.values()), default=None)


class LatestArticleSitemap(PublicSitemap):
    """Objects listed with the time of their latest public article as ``lastmod``."""

    def lastmod(self, item):
        return item.last_published_at


class ColumnSitemap(LatestArticleSitemap):
    """Active columns, with or without a public article yet. A few dozen rows: the latest
    article of each is read from the ``article_column_list`` index."""

    def items(self):
        latest = latest_public_article(column=OuterRef("pk"))
        return (
            Column.objects.filter(is_active=True)
            .annotate(last_published_at=latest)
            .only("slug")
            .order_by("pk")
        )

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("last_published_at"))["latest"]


class LinkedArticleSitemap(LatestArticleSitemap):
    """The objects linked to at least one public article through ``link_model`` (whose
    ``link_field`` names the object and ``article_field`` the article).

    The public articles and their links are joined once and grouped by object, rather than
    a subquery per object (which, for a prolific author, walks the archive).
    """

    model = None
    link_model = None
    link_field = None
    article_field = None

    def items(self):
        link = self.link_model._meta.get_field(self.link_field).remote_field.name
        article = f"{link}__{self.article_field}"
        listed = (
            self.model.objects.filter(public_articles(article))
            # After the filter, on its join: the latest of the public articles only.
            .annotate(last_published_at=Max(f"{article}__published_at"))
            .only("slug")
            .order_by("pk")
        )
        # Counting needs no grouping: one public article is enough, found per object.
        public_links = self.link_model.objects.filter(
            public_articles(self.article_field), **{self.link_field: OuterRef("pk")}
        )
        return Listing(self.model.objects.filter(Exists(public_links)), listed)

    def get_latest_lastmod(self):
        # The latest of every object's latest public article is the latest public article
        # with a link at all: read from the newest end of the ``article_public_list`` index.
        linked = self.link_model.objects.filter(**{self.article_field: OuterRef("pk")})
        latest = (
            Article.objects.published()
            .filter(Exists(linked))
            .order_by("-published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        return latest


class AuthorSitemap(LinkedArticleSitemap):
    """Authors with at least one public article."""

    model = Author
    link_model = ArticleAuthor
    link_field = "author"
    article_field = "article"


class TagSitemap(LinkedArticleSitemap):
    """Tags with at least one public article."""

    model = Tag
    link_model = TaggedArticle
    link_field = "tag"
    article_field = "content_object"


# The sections of /sitemap.xml, in the order the index lists them.
SITEMAPS = {
    "articles": ArticleSitemap,
    "columns": ColumnSitemap,
    "authors": AuthorSitemap,
    "tags": TagSitemap,
}


class NewsSitemap(PublicSitemap):
    """Google News: the indexable articles published in the last 48 hours, newest first,
    at most 1,000 (both Google's limits). Rendered by ``sitemaps/news.xml``."""

    limit = 1000
    window = datetime.timedelta(hours=48)

    def items(self):
        since = timezone.now() - self.window
        return (
            indexable(Article.objects.published())
            .filter(published_at__gte=since)
            .select_related("column")
            .only("slug", "title", "language", "published_at", "column__name")
            .order_by("-published_at", "-pk")[: self.limit]
        )

    def language_of(self, article):
        return article.language


# Closed to crawlers: private, per-user or endless (search results) pages. Each is closed with
# and without a language prefix, whichever way the public pages are prefixed.
ROBOTS_DISALLOWED_PATHS = [
    "/admin/",
    "/moderation/",
    "/preview/",
    "/accounts/",
    "/search/",
    "/comments/",
]
ROBOTS_CACHE_SECONDS = 60 * 60


@method_decorator(cache_page(ROBOTS_CACHE_SECONDS), name="dispatch")
class RobotsTxtView(generic.TemplateView):
    """``/robots.txt``: everything public is open; the sitemaps are named by absolute URL."""

    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"

    def get_context_data(self, **kwargs):
        prefixes = [""] + [f"/{code}" for code, _name in settings.LANGUAGES]
        return super().get_context_data(
            disallowed=[prefix + path for path in ROBOTS_DISALLOWED_PATHS for prefix in prefixes],
            sitemap_urls=[
                self.request.build_absolute_uri(reverse(name))
                for name in ("sitemap", "sitemap_news")
            ],
            **kwargs,
        )
