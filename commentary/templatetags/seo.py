"""``{% article_meta article %}``: an article page's description, Open Graph and Twitter tags
and its schema.org JSON-LD, for the ``meta`` block of its head."""

from html import escape

from django import template
from django.utils.formats import localize
from django.utils.safestring import mark_safe

from ..structured_data import article_description
from ..structured_data import article_meta as build_article_meta

register = template.Library()


@register.simple_tag(takes_context=True)
def article_meta(context, article):
    """The ``<meta>`` tags and JSON-LD of ``article``'s page (see :func:`meta_html`).

    A preview gets the description only: it is kept out of search engines and link
    previews, and its addresses (our page's, the authors') may not be public yet.
    """
    request = context.get("request")
    if context.get("preview") or request is None:
        return meta_html(article_description(article), None)
    meta = build_article_meta(article, request=request)
    return meta_html(meta.description, meta)


def meta_html(description, meta):
    """The description's ``<meta>`` and, with ``meta`` (a
    ``commentary.structured_data.ArticleMeta``), the Open Graph and Twitter ``<meta>`` tags
    and the JSON-LD ``<script>``, one a line.

    Written in Python: a template's loops and conditions over some twenty tags cost a tenth
    of the article page's time. Every value is escaped, numbers localised as a template
    writes them; the JSON-LD is escaped for a ``<script>`` by ``json_for_script``.
    """
    parts = []
    if description:
        parts.append(f'<meta name="description" content="{escape(description)}">')
    if meta is None:
        return mark_safe("".join(parts))  # noqa: S308 (escaped above)
    title = escape(meta.title)
    summary = escape(meta.description) if meta.description else ""
    parts.append(
        '\n  <meta property="og:type" content="article">\n'
        f'  <meta property="og:title" content="{title}">\n  '
    )
    if summary:
        parts.append(f'<meta property="og:description" content="{summary}">')
    parts.append(
        f'\n  <meta property="og:url" content="{escape(meta.url)}">\n'
        f'  <meta property="og:site_name" content="{escape(meta.site_name)}">\n'
        f'  <meta property="og:locale" content="{escape(meta.locale)}">\n  '
    )
    parts.extend(
        f'<meta property="og:locale:alternate" content="{escape(locale)}">\n  '
        for locale in meta.locale_alternates
    )
    image = meta.image
    if image:
        parts.append(f'<meta property="og:image" content="{escape(image.url)}">\n  ')
        if image.alt:
            parts.append(f'<meta property="og:image:alt" content="{escape(image.alt)}">')
        parts.append("\n  ")
        if image.width and image.height:
            parts.append(
                f'<meta property="og:image:width" content="{escape(localize(image.width))}">\n'
                '  <meta property="og:image:height" '
                f'content="{escape(localize(image.height))}">'
            )
        parts.append("\n  ")
    if meta.published_time:
        parts.append(
            '<meta property="article:published_time" '
            f'content="{escape(meta.published_time)}">\n'
            '  <meta property="article:modified_time" '
            f'content="{escape(meta.modified_time)}">\n  '
        )
    parts.extend(
        f'<meta property="article:author" content="{escape(url)}">\n  ' for url in meta.author_urls
    )
    if meta.section:
        parts.append(f'<meta property="article:section" content="{escape(meta.section)}">\n  ')
    parts.extend(f'<meta property="article:tag" content="{escape(tag)}">\n  ' for tag in meta.tags)
    parts.append(
        f'<meta name="twitter:card" content="{escape(meta.twitter_card)}">\n'
        f'  <meta name="twitter:title" content="{title}">\n  '
    )
    if summary:
        parts.append(f'<meta name="twitter:description" content="{summary}">')
    parts.append(f'\n  <script type="application/ld+json">{meta.json_ld_script}</script>')
    return mark_safe("".join(parts))  # noqa: S308 (escaped above)
