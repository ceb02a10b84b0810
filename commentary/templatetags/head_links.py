"""``{% hreflang_link_tags %}`` and ``{% feed_link_tags %}``: the ``<link rel="alternate">``
elements of every page's head, one a line.

Written in Python rather than as template loops: every page has them, and a loop of a few
links cost a template as much as a page's navigation. Values are escaped as a template
escapes them (``conditional_escape``).
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from .i18n_urls import hreflang_links

register = template.Library()

# Each element is followed by a new line and the head's indentation, as the template wrote it.
_AFTER = "\n  "


@register.simple_tag(takes_context=True)
def hreflang_link_tags(context):
    """The page in each language (see ``i18n_urls.hreflang_links``)."""
    html = "".join(
        f'<link rel="alternate" hreflang="{conditional_escape(link.hreflang)}" '
        f'href="{conditional_escape(link.href)}">{_AFTER}'
        for link in hreflang_links(context)
    )
    return mark_safe(html + "\n")  # noqa: S308 (escaped above)


@register.simple_tag(takes_context=True)
def feed_link_tags(context):
    """The feeds the page offers: the context processor's ``feed_links`` (the site's, the
    language's, the column's, author's or tag's), then the view's own ``feeds``."""
    links = [*(context.get("feed_links") or ()), *(context.get("feeds") or ())]
    html = "".join(
        f'<link rel="alternate" type="{conditional_escape(kind)}" '
        f'title="{conditional_escape(title)}" href="{conditional_escape(url)}">{_AFTER}'
        for title, url, kind in links
    )
    return mark_safe(html)  # noqa: S308 (escaped above)
