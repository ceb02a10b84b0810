import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .feeds import FeedLink, feed_links, language_feed_title
from .models import Article


def site(request):
    """The site's name, for the header, the footer and page titles."""
    return {"site_name": settings.SITE_NAME}


# Pages whose own feeds are offered beside the site's: route name → what the link calls it.
_SCOPED_FEED_PAGES = {
    "commentary:column": ("column", _("This column")),
    "commentary:author": ("author", _("This author")),
    "commentary:tag": ("tag", _("This tag")),
}


def feeds(request):
    """The feeds a page offers for autodiscovery (``<link rel="alternate">`` in its head):
    the site's, the active language's, and on a column, author or tag page that one's.

    Read from the route alone (its name and slug), so no page runs a query for them. A view
    may add feeds of its own in a ``feeds`` context variable of ``(title, url, type)``.
    """
    language = get_language()
    links = [
        FeedLink(title, request.build_absolute_uri(path), mime_type)
        for title, path, mime_type in _site_feeds(
            language, settings.SITE_NAME, get_script_prefix(), get_urlconf()
        )
    ]
    match = request.resolver_match
    if match is not None and match.view_name in _SCOPED_FEED_PAGES and "slug" in match.kwargs:
        scope, title = _SCOPED_FEED_PAGES[match.view_name]
        links += feed_links(scope, {"slug": match.kwargs["slug"]}, request, title)
    return {"feed_links": links}


class _PathOnly:
    """Stands for the request in ``feed_links``: the links are kept as paths, made absolute
    for each request's host."""

    @staticmethod
    def build_absolute_uri(location):
        return location


@functools.lru_cache(maxsize=32)
def _site_feeds(language, site_name, script_prefix, urlconf):
    """The site's feeds and ``language``'s, as (title, path, type): the same on every page
    in ``language`` (the active one), so reversed and translated once, not per request. The
    other arguments are what the titles and paths also depend on."""
    links = feed_links("site", {}, _PathOnly, site_name)
    if language in Article.Language.values:
        links += feed_links(
            "language", {"language": language}, _PathOnly, language_feed_title(language)
        )
    return tuple(links)
