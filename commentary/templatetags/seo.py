"""``{% article_meta article %}``: an article page's description, Open Graph and Twitter tags
and its schema.org JSON-LD, for the ``meta`` block of its head."""

from django import template

from ..structured_data import article_description
from ..structured_data import article_meta as build_article_meta

register = template.Library()


@register.inclusion_tag("includes/_article_meta.html", takes_context=True)
def article_meta(context, article):
    """Render ``includes/_article_meta.html`` for ``article``.

    A preview gets the description only: it is kept out of search engines and link
    previews, and its addresses (our page's, the authors') may not be public yet.
    """
    request = context.get("request")
    if context.get("preview") or request is None:
        return {"description": article_description(article), "meta": None}
    meta = build_article_meta(article, request=request)
    return {"description": meta.description, "meta": meta}
