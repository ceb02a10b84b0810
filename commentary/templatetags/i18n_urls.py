"""Our pages in each language: the language switcher's targets, the ``hreflang`` links of a
page's head, and an article's published translations.

Readers' pages carry their interface language in the address (``/en/…``, ``/ru/…``, see
``config/urls.py``), so every such page has one address per language, found with
``django.urls.translate_url``. Staff pages (admin, moderation) have one address for all.

What ``hreflang`` says, and why an article page differs from the rest:

* A list page (home, column, author, tag, archive, corrections, …) is the same page in every
  language: its links name that page under each language prefix, and ``x-default`` names it
  under the default language (``LANGUAGE_CODE``).
* An article's text is in one language whatever the interface around it, so on an article
  page ``hreflang`` states the *content's* language: the article under its own language's
  prefix, each published translation under its language's prefix, and ``x-default`` the
  original (the version that translates no other). The same text under the other interface
  prefix (an English article at ``/ru/articles/…``) is not announced as an alternate: calling
  it "ru" would send Russian searchers to an English article. Readers reach it with the
  language switcher, and the page then says the article exists in English only, or links to
  its translation.
* Previews, staff pages and addresses that match no page have none.
"""

import functools
from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, translate_url
from django.utils import translation
from django.utils.encoding import escape_uri_path, iri_to_uri

from .. import related
from ..addresses import cached_reverse
from ..models import Article

register = template.Library()

ARTICLE_VIEW = "commentary:article"
# The attribute that holds an article's translations as versions once looked up: the head's
# hreflang links and the links under the byline share them.
_VERSIONS_CACHE = "_translation_versions"


@dataclass(frozen=True)
class PageVersion:
    """The current page in one language.

    ``path`` is where the language switcher sends the reader (query string kept, so a reader
    on page 2 stays on page 2); ``url`` is the absolute address for ``hreflang`` (only the page
    number kept of the query string).
    """

    language: str
    name: str
    path: str
    url: str
    is_current: bool


@dataclass(frozen=True)
class ArticleVersion:
    """An article in its own language, at its address under that language's prefix."""

    article: Article
    language: str
    path: str


@dataclass(frozen=True)
class Hreflang:
    hreflang: str
    href: str


def _languages():
    return [code for code, _name in settings.LANGUAGES]


def _query(request, *, page_only):
    if not page_only:
        return iri_to_uri(request.META.get("QUERY_STRING", ""))
    page = request.GET.get("page", "")
    return f"page={page}" if page.isdigit() and page != "1" else ""


def page_path_in(request, language, *, page_only=False):
    """The path of the page ``request`` asked for, in ``language``, with its query string
    (the page number only, with ``page_only``).

    A page with no language prefix (a staff page) keeps its address. A prefixed address that
    matches no route (a page not found) has its prefix swapped, so that the switcher on it
    still changes the language.
    """
    path = request.path_info
    current = translation.get_language_from_path(path)
    if current is None or current == language:
        translated = escape_uri_path(request.path)
    else:
        translated = _translated_path(
            path, language, translation.get_language(), get_script_prefix(), get_urlconf()
        )
        if translated == path:
            rest = path[len(current) + 1 :]
            translated = escape_uri_path(f"{get_script_prefix()}{language}{rest}")
    query = _query(request, page_only=page_only)
    return f"{translated}?{query}" if query else translated


@functools.lru_cache(maxsize=1024)
def _translated_path(path, language, active, script_prefix, urlconf):
    """``translate_url(path, language)``, remembered: it resolves and reverses the path on
    every page with a language switcher. The other arguments are what the answer also
    depends on (the active language chooses the prefix that resolving accepts)."""
    return translate_url(path, language)


@register.simple_tag
def cached_url(viewname, *args):
    """``{% cached_url "commentary:home" %}``: ``{% url %}`` for the addresses every page
    links (the navigation), remembered per language (``commentary.addresses``)."""
    return cached_reverse(viewname, args=args)


@register.simple_tag(takes_context=True)
def alternate_urls(context):
    """``{% alternate_urls as versions %}``: the current page in each language of
    ``LANGUAGES``, as :class:`PageVersion` objects; empty without a request (the 500 page)."""
    request = context.get("request")
    if request is None:
        return []
    current = translation.get_language()
    info = {code: translation.get_language_info(code) for code in _languages()}
    return [
        PageVersion(
            language=code,
            name=info[code]["name_local"],
            path=page_path_in(request, code),
            url=request.build_absolute_uri(page_path_in(request, code, page_only=True)),
            is_current=code == current,
        )
        for code in _languages()
    ]


def article_path_in(article, language):
    """``article``'s address under ``language``'s prefix."""
    with translation.override(language):
        return article.get_absolute_url()


def public_translations(article):
    """``article``'s published translations as :class:`ArticleVersion` objects, in
    ``LANGUAGES`` order: see :func:`commentary.related.public_translations`. At most one
    query, which the article page has run already (its further reading); remembered on
    ``article`` for the rest of the page."""
    cached = getattr(article, _VERSIONS_CACHE, None)
    if cached is None:
        cached = [
            ArticleVersion(
                article=other, language=other.language, path=article_path_in(other, other.language)
            )
            for other in related.public_translations(article)
        ]
        setattr(article, _VERSIONS_CACHE, cached)
    return cached


@register.simple_tag
def article_translations(article):
    """``{% article_translations article as translations %}``: see :func:`public_translations`."""
    return public_translations(article)


def article_hreflang(article, request):
    """An article page's links: the article and its translations in their own languages;
    ``x-default`` the original (the article itself when the original is not public)."""
    own = ArticleVersion(
        article=article, language=article.language, path=article_path_in(article, article.language)
    )
    order = {code: index for index, code in enumerate(_languages())}
    versions = sorted(
        [own, *public_translations(article)],
        key=lambda version: order.get(version.language, len(order)),
    )
    original = next(
        (version for version in versions if version.article.translation_of_id is None), own
    )
    links = [
        Hreflang(version.language, request.build_absolute_uri(version.path)) for version in versions
    ]
    return [*links, Hreflang("x-default", request.build_absolute_uri(original.path))]


@register.simple_tag(takes_context=True)
def hreflang_links(context):
    """``{% hreflang_links as links %}``: the ``<link rel="alternate" hreflang>`` set of the
    current page (see the module's docstring), as :class:`Hreflang` objects."""
    request = context.get("request")
    if request is None or context.get("preview"):
        return []
    match = getattr(request, "resolver_match", None)
    if match is None or translation.get_language_from_path(request.path_info) is None:
        return []
    article = context.get("article")
    if match.view_name == ARTICLE_VIEW and isinstance(article, Article):
        return article_hreflang(article, request)
    versions = {version.language: version for version in alternate_urls(context)}
    links = [Hreflang(code, version.url) for code, version in versions.items()]
    default = versions.get(settings.LANGUAGE_CODE)
    if default is not None:
        links.append(Hreflang("x-default", default.url))
    return links
