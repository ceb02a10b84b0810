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
"""

import datetime

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.views import generic
from django.views.decorators.cache import cache_page

from .models import Article, Author, Column, Correction, Tag

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


class PublicSitemap(Sitemap):
    """A section of the index. Addresses are those of the site's default language, whatever
    language the crawler's request negotiates, so a page is listed under one address."""

    limit = SITEMAP_PAGE_SIZE

    def language_of(self, item):
        return settings.LANGUAGE_CODE

    def location(self, item):
        with translation.override(self.language_of(item)):
            return item.get_absolute_url()


class ArticleSitemap(PublicSitemap):
    """Public, indexable articles, oldest first so that earlier pages stay the same as the
    archive grows. ``lastmod`` is the later of the publication and the latest correction."""

    def items(self):
        # A correlated subquery rather than a join with GROUP BY: the paginator's count stays
        # a plain COUNT(*) of the articles.
        last_corrected_at = Subquery(
            Correction.objects.filter(article=OuterRef("pk"))
            .order_by()
            .values("article")
            .annotate(latest=Max("published_at"))
            .values("latest")
        )
        return (
            indexable(Article.objects.published())
            .annotate(last_corrected_at=last_corrected_at)
            .only("slug", "language", "published_at")
            .order_by("published_at", "pk")
        )

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

    model = None
    related_filter = None

    def items(self):
        latest = latest_public_article(**{self.related_filter: OuterRef("pk")})
        return self.model.objects.annotate(last_published_at=latest).only("slug").order_by("pk")

    def lastmod(self, item):
        return item.last_published_at

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("last_published_at"))["latest"]


class ColumnSitemap(LatestArticleSitemap):
    """Active columns, with or without a public article yet."""

    model = Column
    related_filter = "column"

    def items(self):
        return super().items().filter(is_active=True)


class AuthorSitemap(LatestArticleSitemap):
    """Authors with at least one public article."""

    model = Author
    related_filter = "authors"

    def items(self):
        return super().items().filter(last_published_at__isnull=False)


class TagSitemap(LatestArticleSitemap):
    """Tags with at least one public article."""

    model = Tag
    related_filter = "tags"

    def items(self):
        return super().items().filter(last_published_at__isnull=False)


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
