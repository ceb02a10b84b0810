"""What an article page tells machines about itself: the meta description, the Open Graph and
Twitter values that link previews read, and the schema.org ``NewsArticle`` in JSON-LD that
search engines read.

Everything is built from what the article page has already loaded (column and its
publication, source publication, bylines, tags and corrections, see
``ArticlePageMixin.load_for_page``): building it runs no query. Every URL is absolute, made
from the request, and names our own page; the canonical link (which may point at the
original of a republished piece) stays the template's business.
"""

import json
import logging
import re
from dataclasses import dataclass, field
from html import unescape

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from . import images

logger = logging.getLogger(__name__)

# Link previews and Google ask for images at least 1200 pixels wide.
SHARE_IMAGE_WIDTH = 1200
DESCRIPTION_LENGTH = 160
# Google's Article guidance: longer headlines may be cut.
HEADLINE_LENGTH = 110

# Open Graph names locales language_TERRITORY; our languages, in the territory meant.
OG_LOCALES = {"en": "en_US", "ru": "ru_RU"}

SCHEMA_TYPES = {
    "opinion": "OpinionNewsArticle",
    "analysis": "AnalysisNewsArticle",
    "background": "BackgroundNewsArticle",
    "interview": "NewsArticle",
}
# schema.org has no interview subtype of NewsArticle: an interview is a NewsArticle of that genre.
SCHEMA_GENRES = {"interview": "Interview"}

# Footnote markers (``<sup>1</sup>``, ``<sup>[1]</sup>``, see commentary.html) are not text.
_FOOTNOTE_MARKER = re.compile(r"<sup\b[^>]*>\s*\[?\s*\d{1,4}\s*\]?\s*</sup>", re.IGNORECASE)
# Block ends get a space, so that paragraphs do not run into each other once tags are gone.
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote)\s*>|<br\s*/?>|<hr\s*/?>", re.IGNORECASE)
# What must not appear raw inside <script>: "</script>" or "<!--" would end or upset it.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@dataclass(frozen=True)
class ShareImage:
    """The lead image as link previews show it: its 1200-wide rendition (or the original's
    width, when narrower), with its dimensions when known."""

    url: str
    alt: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class ArticleMeta:
    """Everything ``{% article_meta %}`` writes into an article page's head."""

    description: str
    url: str
    title: str
    site_name: str
    locale: str
    locale_alternates: list
    published_time: str
    modified_time: str
    author_urls: list
    section: str
    tags: list
    image: ShareImage | None
    twitter_card: str
    json_ld: dict = field(repr=False)

    @property
    def json_ld_script(self):
        return json_for_script(self.json_ld)


def plain_text(html):
    """The text of an article body: no tags, footnote markers or entities, one space between
    words."""
    html = _BLOCK_END.sub(lambda match: f"{match.group(0)} ", _FOOTNOTE_MARKER.sub("", html))
    return " ".join(unescape(strip_tags(html)).split())


def article_description(article):
    """The summary, or the body's first 160 characters (ending in "…" when cut)."""
    summary = " ".join(article.summary.split())
    if summary:
        return summary
    return Truncator(plain_text(str(article.body or ""))).chars(DESCRIPTION_LENGTH)


def tag_names(article):
    """The article's tags by name (as ``Tag`` orders them; the prefetch does not)."""
    return sorted(tag.name for tag in article.tags.all())


def og_locale(language):
    return OG_LOCALES.get(language) or translation.to_locale(language)


def iso_datetime(value):
    """ISO 8601 in the site's time zone, to the second; ``""`` for no date."""
    if value is None:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def modified_at(article):
    """When the article last changed for readers: its latest correction, else publication.

    Reads the prefetched corrections; edits without a correction note do not count, as
    they are not substantive (that is what corrections are for).
    """
    dates = [correction.published_at for correction in article.corrections.all()]
    if article.published_at is not None:
        dates.append(article.published_at)
    return max(dates, default=None)


def share_image(article, *, request):
    """The lead image for link previews, or ``None`` without one (or when it cannot be read).

    The rendition is normally made already, by the figure on the same page, and the cache
    says so: no Pillow work and no storage access on a page view after the first.
    """
    image_field = article.lead_image
    if not image_field:
        return None
    try:
        url = images.rendition_url(image_field, SHARE_IMAGE_WIDTH)
        # rendition_url resizes to min(width, original width); the original's size is cached
        # by the call above, so this reads the cache only. (images has no public helper that
        # returns a rendition's size; _original and _scaled_height are what it uses itself.)
        original = images._original(image_field) if url else None
    except Exception:
        # A storage outage must not take the article down with its picture.
        logger.exception("Share image of article %s could not be made", article.pk)
        return None
    if not url:
        return None
    width = height = None
    if original is not None:
        width = max(1, min(SHARE_IMAGE_WIDTH, original["width"]))
        height = images._scaled_height(original, width)
    return ShareImage(
        url=request.build_absolute_uri(url), alt=article.lead_image_alt, width=width, height=height
    )


def _absolute(request, url):
    return request.build_absolute_uri(url)


def _organization(publication):
    organization = {"@type": "Organization", "name": publication.name}
    if publication.homepage_url:
        organization["url"] = publication.homepage_url
    return organization


def article_json_ld(article, *, request, image=None):
    """The schema.org ``NewsArticle`` (or its subtype by ``article_type``) for ``article``.

    ``image`` is the article's :class:`ShareImage`, if any. Follows Google's Article
    guidance: headline, dates, authors with name and URL, image when there is one.
    """
    url = _absolute(request, article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(article.article_type, "NewsArticle"),
    }
    if article.article_type in SCHEMA_GENRES:
        data["genre"] = SCHEMA_GENRES[article.article_type]
    data.update(
        {
            "headline": Truncator(str(article.display_title)).chars(HEADLINE_LENGTH),
            "description": article_description(article),
            "url": url,
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "inLanguage": article.language,
        }
    )
    if article.published_at is not None:
        data["datePublished"] = iso_datetime(article.published_at)
        data["dateModified"] = iso_datetime(modified_at(article))
    if image is not None:
        image_object = {"@type": "ImageObject", "url": image.url}
        if image.width and image.height:
            image_object.update(width=image.width, height=image.height)
        data["image"] = [image_object]
    data["author"] = [_person(author, request=request) for author in article.ordered_authors]
    data["publisher"] = {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": _absolute(request, reverse("commentary:home")),
    }
    if article.column_id:
        column = article.column
        data["isPartOf"] = {
            "@type": "CreativeWorkSeries",
            "name": column.name,
            "url": _absolute(request, column.get_absolute_url()),
        }
        data["articleSection"] = column.name
    tags = tag_names(article)
    if tags:
        data["keywords"] = tags
    if article.is_republished:
        source = _organization(article.source_publication)
        original = {"@type": "NewsArticle"}
        if article.original_url:
            original["url"] = article.original_url
        if article.original_published_on:
            original["datePublished"] = article.original_published_on.isoformat()
        original["publisher"] = source
        data["isBasedOn"] = original
        data["sourceOrganization"] = source
    licence = " ".join(article.licence_note.split())
    if licence:
        data["creditText"] = licence
    return data


def _person(author, *, request):
    person = {
        "@type": "Person",
        "name": author.name,
        "url": _absolute(request, author.get_absolute_url()),
    }
    if author.tagline:
        person["description"] = author.tagline
    return person


def json_for_script(data):
    """``data`` as JSON that is safe inside ``<script type="application/ld+json">``.

    Like ``django.utils.html.json_script``, which writes ``type="application/json"`` and so
    cannot be used as it is: ``<``, ``>`` and ``&`` are written as ``\\u`` escapes, so no
    value (a title with "</script>" in it, say) can end the element; JSON readers decode
    them back.
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_JSON_SCRIPT_ESCAPES))  # noqa: S308


def article_meta(article, *, request):
    """The description, Open Graph, Twitter and JSON-LD values for ``article``'s page."""
    image = share_image(article, request=request)
    languages = [code for code, _name in settings.LANGUAGES]
    return ArticleMeta(
        description=article_description(article),
        url=_absolute(request, article.get_absolute_url()),
        title=str(article.display_title),
        site_name=settings.SITE_NAME,
        locale=og_locale(article.language),
        # The page is also served with the site in our other languages (the language
        # switcher changes the navigation and labels, not the article).
        locale_alternates=[og_locale(code) for code in languages if code != article.language],
        published_time=iso_datetime(article.published_at),
        modified_time=iso_datetime(modified_at(article)),
        author_urls=[
            _absolute(request, author.get_absolute_url()) for author in article.ordered_authors
        ],
        section=article.column.name if article.column_id else "",
        tags=tag_names(article),
        image=image,
        twitter_card="summary_large_image" if image is not None else "summary",
        json_ld=article_json_ld(article, request=request, image=image),
    )
