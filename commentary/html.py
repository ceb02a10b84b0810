"""HTML rules for article bodies: what editors may store and how plain text becomes HTML."""

import nh3
from django.utils.html import escape

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "ul", "ol", "li", "blockquote", "q", "cite", "a", "abbr", "hr", "figure", "figcaption",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "li": {"id"},
    "sup": {"id"},
}


def sanitize_html(html):
    """Keep only the tags and attributes an article body may carry; links get ``rel``."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def paragraphs_to_html(paragraphs):
    """Turn plain-text paragraphs into escaped ``<p>`` elements."""
    return "\n".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)
