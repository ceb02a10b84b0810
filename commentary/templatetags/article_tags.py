"""Template filters for showing articles."""

from django import template
from django.utils.safestring import mark_safe

from ..html import link_footnotes

register = template.Library()


@register.filter
def footnotes(body):
    """An article body with its footnotes linked both ways: ``{{ article.body|footnotes }}``.

    Only for ``Article.body``, which is sanitised on save: the result is marked safe.
    """
    return mark_safe(link_footnotes(str(body or "")))  # noqa: S308
