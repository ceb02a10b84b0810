from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .feeds import feed_links, language_feed_title
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
    links = feed_links("site", {}, request, settings.SITE_NAME)
    language = get_language()
    if language in Article.Language.values:
        links += feed_links(
            "language", {"language": language}, request, language_feed_title(language)
        )
    match = request.resolver_match
    if match is not None and match.view_name in _SCOPED_FEED_PAGES and "slug" in match.kwargs:
        scope, title = _SCOPED_FEED_PAGES[match.view_name]
        links += feed_links(scope, {"slug": match.kwargs["slug"]}, request, title)
    return {"feed_links": links}
