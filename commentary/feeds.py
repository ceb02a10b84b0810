"""The public feeds: RSS 2.0, Atom and JSON Feed 1.1 for the whole site, each column, author,
tag and language, built on :mod:`django.contrib.syndication`.

One base class, :class:`ArticleFeed`, says what an item is (the newest 20 public articles of
a scope, in fixed queries); one subclass per scope says which articles and how the feed is
titled; :class:`AtomFeedMixin` and :class:`JsonFeedMixin` switch the format. Each format has
a generator of its own, because Django's stock generators write one author per item and no
body: every item here carries all its authors in byline order (a ``dc:creator`` each in RSS,
an ``<author>`` each in Atom), the tags and the column as categories, the summary with the
source of a republished piece as description, and the sanitised body as content.
"""

import copy
import json
import re
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils import feedgenerator, translation
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import Article, Author, Column, Correction, Tag, TagRedirect

FEED_ITEMS = 20

RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
JSON_FEED_TYPE = "application/feed+json"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"
CONTENT_NAMESPACE = "http://purl.org/rss/1.0/modules/content/"

# (format in route names, MIME type, name shown to readers); the order of the links in pages.
FORMATS = [
    ("rss", RSS_TYPE, "RSS"),
    ("atom", ATOM_TYPE, "Atom"),
    ("json", JSON_FEED_TYPE, "JSON Feed"),
]


# Generators ---------------------------------------------------------------------------------

# Characters XML 1.0 cannot hold at all, not even escaped; Django's writer raises on them.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(value):
    """``value`` (a string, or lists, tuples and dicts of them) without XML-illegal
    characters, so that a stray control character in a title cannot break the whole feed."""
    if isinstance(value, str):
        return XML_ILLEGAL.sub("", value)
    if isinstance(value, (list, tuple)):
        return type(value)(xml_safe(part) for part in value)
    if isinstance(value, dict):
        return {key: xml_safe(part) for key, part in value.items()}
    return value


class XmlSafeFeedMixin:
    def write(self, outfile, encoding):
        self.feed = xml_safe(self.feed)
        self.items = [xml_safe(item) for item in self.items]
        super().write(outfile, encoding)


class ArticleRssFeed(XmlSafeFeedMixin, feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with a ``dc:creator`` for every author and the body in ``content:encoded``.

    Django writes the first author (``item_author_name``) itself; the others follow it.
    """

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:dc": DC_NAMESPACE,
            "xmlns:content": CONTENT_NAMESPACE,
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for author in item["authors"][1:]:
            handler.addQuickElement("dc:creator", author["name"])
        handler.addQuickElement("content:encoded", item["content_html"])


class ArticleAtomFeed(XmlSafeFeedMixin, feedgenerator.Atom1Feed):
    """Atom with an ``<author>`` for every author, the body as ``<content>`` and each entry's
    language."""

    def item_attributes(self, item):
        return {**super().item_attributes(item), "xml:lang": item["language"]}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for author in item["authors"][1:]:
            handler.startElement("author", {})
            handler.addQuickElement("name", author["name"])
            handler.addQuickElement("uri", author["url"])
            handler.endElement("author")
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


def rfc3339(moment):
    return moment.isoformat(timespec="seconds") if moment else None


class JsonFeedGenerator(feedgenerator.SyndicationFeed):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written from the same items as
    the XML feeds; ``_commentary`` is our extension with the column and the source."""

    content_type = f"{JSON_FEED_TYPE}; charset=utf-8"

    def as_data(self):
        feed = self.feed
        data = {
            "version": JSON_FEED_VERSION,
            "title": feed["title"],
            "home_page_url": feed["link"],
            "feed_url": feed["feed_url"],
            "description": feed["description"],
            "language": feed["language"],
            "authors": [{"name": feed["author_name"], "url": feed["author_link"]}],
            "items": [self.item_data(item) for item in self.items],
        }
        return {key: value for key, value in data.items() if value is not None}

    def item_data(self, item):
        data = {
            "id": item["unique_id"],
            "url": item["link"],
            "external_url": item["external_url"],
            "title": item["title"],
            "content_html": item["content_html"],
            "summary": item["summary_text"],
            "image": item["image"],
            "date_published": rfc3339(item["pubdate"]),
            "date_modified": rfc3339(item["updateddate"]),
            "authors": item["authors"],
            "tags": item["categories"],
            "language": item["language"],
            "_commentary": item["commentary"],
        }
        return {key: value for key, value in data.items() if value not in (None, "")}

    def write(self, outfile, encoding):
        json.dump(self.as_data(), outfile, ensure_ascii=False, indent=2)


# What each item says ------------------------------------------------------------------------


def source_attribution(article, *, html=False):
    """“Source: World Politics Review, 11 Feb 2014” for a republished article, in the active
    language, or an empty string; with ``html`` the outlet's name links to the original."""
    if not article.is_republished:
        return ""
    publication = article.source_publication.name
    if html:
        publication = (
            format_html('<a href="{}">{}</a>', article.original_url, publication)
            if article.original_url
            else escape(publication)
        )
    if article.original_published_on:
        template = _("Source: {publication}, {date}")
        date = date_format(article.original_published_on, "DATE_FORMAT")
    else:
        template = _("Source: {publication}")
        date = ""
    if html:
        return format_html(template, publication=publication, date=date)
    return template.format(publication=publication, date=date)


def feed_articles():
    """The public articles with all an item shows, newest first, in three queries however many:
    articles (with column, source and the date of the latest correction), bylines, tags."""
    latest_correction = (
        Correction.objects.filter(article=OuterRef("pk"))
        .order_by("-published_at")
        .values("published_at")[:1]
    )
    return (
        Article.objects.published()
        .for_listing()
        .select_related("source_publication")
        .annotate(last_corrected_at=Subquery(latest_correction))
    )


class ArticleFeed(Feed):
    """The newest public articles of the whole site, as RSS 2.0. Scopes override
    :meth:`filter_articles` and the feed's own title, link and description."""

    feed_type = ArticleRssFeed

    def __call__(self, request, *args, **kwargs):
        # urls.py builds one instance for every request, so the request (for absolute
        # addresses in items) goes on a copy, never on the shared instance.
        feed = copy.copy(self)
        feed.request = request
        return super(ArticleFeed, feed).__call__(request, *args, **kwargs)

    def absolute(self, path):
        return self.request.build_absolute_uri(path)

    # The feed.

    def title(self, obj):
        return settings.SITE_NAME

    def link(self, obj):
        return reverse("commentary:home")

    def description(self, obj):
        return _("Analysis and commentary on world politics.")

    def author_name(self, obj):
        # Atom wants a feed author for entries that might have none; ours is the site.
        return settings.SITE_NAME

    def author_link(self, obj):
        return self.absolute(reverse("commentary:home"))

    def filter_articles(self, articles, obj):
        return articles

    def items(self, obj):
        return self.filter_articles(feed_articles(), obj)[:FEED_ITEMS]

    # Each item.

    def item_title(self, article):
        # Plain text: the XML writer escapes it once, as Atom and JSON Feed expect.
        return article.display_title

    def item_guid(self, article):
        """A tag URI on the article's primary key: it survives a change of slug."""
        host = urlsplit(f"//{self.request.get_host()}").hostname
        return f"tag:{host},{article.created_at:%Y-%m-%d}:article:{article.pk}"

    item_guid_is_permalink = False

    def item_description(self, article):
        paragraphs = [article.summary, source_attribution(article, html=True)]
        return "".join(format_html("<p>{}</p>", text) for text in paragraphs if text)

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        """The latest correction's date, or the publication's when none is later."""
        return max(filter(None, [article.published_at, article.last_corrected_at]))

    def item_author_name(self, article):
        authors = article.ordered_authors
        return authors[0].name if authors else None

    def item_author_link(self, article):
        return self.absolute(article.ordered_authors[0].get_absolute_url())

    def item_categories(self, article):
        names = [tag.name for tag in article.tags.all()]
        return names + [article.column.name] if article.column_id else names

    def item_extra_kwargs(self, article):
        return {
            "authors": [
                {"name": author.name, "url": self.absolute(author.get_absolute_url())}
                for author in article.ordered_authors
            ],
            "content_html": article.body,
            "language": article.language,
            "summary_text": "\n\n".join(
                text for text in [article.summary, source_attribution(article)] if text
            ),
            "external_url": article.original_url if article.is_republished else "",
            "image": self.absolute(article.lead_image.url) if article.lead_image else "",
            "commentary": self.commentary_extension(article),
        }

    def commentary_extension(self, article):
        """JSON Feed's ``_commentary``: the column and, for a republished piece, its source."""
        column = article.column
        source = article.source_publication
        return {
            "article_type": article.article_type,
            "column": {"name": column.name, "url": self.absolute(column.get_absolute_url())}
            if column
            else None,
            "source": {
                "publication": source.name,
                "publication_url": source.homepage_url or None,
                "original_url": article.original_url or None,
                "original_published_on": article.original_published_on.isoformat()
                if article.original_published_on
                else None,
                "original_author": article.original_author or None,
                "attribution": source_attribution(article),
            }
            if source
            else None,
        }


class AtomFeedMixin:
    feed_type = ArticleAtomFeed

    def subtitle(self, obj):
        return self.description(obj)


class JsonFeedMixin:
    feed_type = JsonFeedGenerator


# Scopes -------------------------------------------------------------------------------------


class SiteFeed(ArticleFeed):
    pass


class ColumnFeed(ArticleFeed):
    def get_object(self, request, slug):
        return Column.objects.get(slug=slug)

    def title(self, column):
        return f"{column.name} · {settings.SITE_NAME}"

    def link(self, column):
        return column.get_absolute_url()

    def description(self, column):
        return column.description or _("Every article of the column %(column)s.") % {
            "column": column.name
        }

    def filter_articles(self, articles, column):
        return articles.filter(column=column)


class AuthorFeed(ArticleFeed):
    def get_object(self, request, slug):
        return Author.objects.get(slug=slug)

    def title(self, author):
        return f"{author.name} · {settings.SITE_NAME}"

    def link(self, author):
        return author.get_absolute_url()

    def description(self, author):
        return _("Articles by %(name)s.") % {"name": author.name}

    def author_name(self, author):
        return author.name

    def author_link(self, author):
        return self.absolute(author.get_absolute_url())

    def filter_articles(self, articles, author):
        return articles.filter(authors=author)


class TagMoved(Exception):
    """Raised by :meth:`TagFeed.get_object` for the old slug of a merged tag."""

    def __init__(self, tag):
        super().__init__(tag.slug)
        self.tag = tag


class TagFeed(ArticleFeed):
    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except TagMoved as moved:
            # A merged tag's old feed address keeps its subscribers.
            url = reverse(request.resolver_match.view_name, kwargs={"slug": moved.tag.slug})
            return HttpResponsePermanentRedirect(url)

    def get_object(self, request, slug):
        try:
            return Tag.objects.get(slug=slug)
        except Tag.DoesNotExist:
            redirect = TagRedirect.objects.select_related("tag").filter(old_slug=slug).first()
            if redirect is None:
                raise
            raise TagMoved(redirect.tag) from None

    def title(self, tag):
        return f"{tag.name} · {settings.SITE_NAME}"

    def link(self, tag):
        return tag.get_absolute_url()

    def description(self, tag):
        return tag.description or _("Articles tagged “%(tag)s”.") % {"tag": tag.name}

    def filter_articles(self, articles, tag):
        return articles.filter(tags=tag)


def language_feed_title(language):
    """The title of the feed of the articles in ``language``, in the active language."""
    titles = {
        "en": _("%(site)s: articles in English"),
        "ru": _("%(site)s: articles in Russian"),
    }
    return titles[language] % {"site": settings.SITE_NAME}


class LanguageFeed(ArticleFeed):
    """The articles written in one language; the feed itself speaks that language too."""

    def __call__(self, request, *args, language, **kwargs):
        if language not in Article.Language.values:
            raise Http404("No articles are written in this language.")
        with translation.override(language):
            return super().__call__(request, *args, language=language, **kwargs)

    def get_object(self, request, language):
        return language

    def title(self, language):
        return language_feed_title(language)

    def description(self, language):
        return {
            "en": _("Analysis and commentary on world politics, in English."),
            "ru": _("Analysis and commentary on world politics, in Russian."),
        }[language]

    def filter_articles(self, articles, language):
        return articles.filter(language=language)


# One class per scope and format, named as in urls.py.
class SiteAtomFeed(AtomFeedMixin, SiteFeed):
    pass


class SiteJsonFeed(JsonFeedMixin, SiteFeed):
    pass


class ColumnAtomFeed(AtomFeedMixin, ColumnFeed):
    pass


class ColumnJsonFeed(JsonFeedMixin, ColumnFeed):
    pass


class AuthorAtomFeed(AtomFeedMixin, AuthorFeed):
    pass


class AuthorJsonFeed(JsonFeedMixin, AuthorFeed):
    pass


class TagAtomFeed(AtomFeedMixin, TagFeed):
    pass


class TagJsonFeed(JsonFeedMixin, TagFeed):
    pass


class LanguageAtomFeed(AtomFeedMixin, LanguageFeed):
    pass


class LanguageJsonFeed(JsonFeedMixin, LanguageFeed):
    pass


# Autodiscovery ------------------------------------------------------------------------------


class FeedLink(NamedTuple):
    """One ``<link rel="alternate">`` in a page's head."""

    title: str
    url: str
    type: str


def feed_links(name, url_kwargs, request, title):
    """The three formats of one feed (route ``commentary:feed_<name>_<format>``)."""
    return [
        FeedLink(
            pgettext("feed link title", "%(feed)s (%(format)s)") % {"feed": title, "format": label},
            request.build_absolute_uri(reverse(f"commentary:feed_{name}_{fmt}", kwargs=url_kwargs)),
            mime_type,
        )
        for fmt, mime_type, label in FORMATS
    ]
