"""What template tags write in Python for speed.

Where a template stays in use elsewhere, the tag must write its HTML: the article page's
comment form (``{% comment_form %}`` for the form every reader gets;
``commentary/_comment_form.html`` renders a form sent back with errors) and the byline
(``{% byline %}``; ``includes/_byline.html`` on search results). Where the tag replaced its
template (``{% article_meta %}``, ``{% further_reading %}``, ``{% feed_link_tags %}``,
``{% hreflang_link_tags %}``), the HTML is pinned here."""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, RequestContext, engines
from django.test import RequestFactory
from django.utils import timezone, translation
from pytest_django.asserts import assertContains

from commentary.feeds import FeedLink
from commentary.structured_data import ArticleMeta, ShareImage
from commentary.templatetags.article_tags import (
    BYLINE_TEMPLATE,
    COMMENT_FORM_TEMPLATE,
    _comment_form_html,
    byline,
)
from commentary.templatetags.head_links import feed_link_tags
from commentary.templatetags.seo import meta_html
from commentary.views import ArticleDetailView
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    CommentFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def both_renderings(article, *, user=None, query=None):
    """The comment form of ``article``'s page as the template writes it and as the tag does."""
    request = RequestFactory().get(article.get_absolute_url(), query)
    request.user = user or AnonymousUser()
    request.session = {}
    response = ArticleDetailView.as_view()(request, slug=article.slug)
    context = RequestContext(request, response.context_data)
    template = engines["django"].engine.get_template(COMMENT_FORM_TEMPLATE)
    expected = template.render(context)
    with context.bind_template(template):  # as in a page: with the context processors' values
        written = _comment_form_html(context, response.context_data["form"])
    # Each rendering masks the CSRF secret afresh.
    return tuple(CSRF_VALUE.sub('value="…"', html) for html in (expected, written))


CSRF_VALUE = re.compile(r'(?<=name="csrfmiddlewaretoken" )value="[^"]+"')


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(
    "reader",
    ["anonymous", "signed in with an e-mail address", "signed in without one", "replying"],
)
def test_the_form_written_in_python_is_the_templates_html(settings, language, reader):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 28 if reader != "anonymous" else 0
    article = ArticleFactory(title='Fish & "chips"')
    comment = CommentFactory(article=article, approved=True, author_name="Ann <O'Neil>")
    user, query = None, None
    if reader == "signed in with an e-mail address":
        user = UserFactory(first_name="Ann & Bob")
    elif reader == "signed in without one":
        user = UserFactory(email="")
    elif reader == "replying":
        query = {"reply_to": comment.pk}

    with translation.override(language):
        expected, written = both_renderings(article, user=user, query=query)

    assert written == expected
    assert 'name="csrfmiddlewaretoken"' in written
    assert ("Ann &lt;O&#x27;Neil&gt;" in written) is (reader == "replying")


def test_a_form_sent_back_with_errors_is_rendered_by_the_template(client):
    article = ArticleFactory()

    response = client.post(article.get_absolute_url(), {"author_name": "", "body": ""})

    assert response.status_code == 400
    assertContains(response, 'class="field field--invalid"', status_code=400)
    assertContains(response, 'aria-invalid="true"', status_code=400)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("authors", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("dated", [True, False], ids=["dated", "undated"])
def test_the_byline_written_in_python_is_the_templates_html(language, authors, dated):
    names = ["Richard Weitz", "Ann <O'Neil>", "Bob & Co", "Вера Иванова"]
    article = ArticleFactory(
        authors=[AuthorFactory(name=name) for name in names[:authors]],
        published_at=datetime.datetime(2014, 2, 11, 23, 30, 15, 123, tzinfo=datetime.UTC),
    )
    if not dated:
        article.published_at = None
    template = engines["django"].engine.get_template(BYLINE_TEMPLATE)

    with translation.override(language), timezone.override("Europe/Moscow"):
        expected = template.render(
            Context({"authors": article.ordered_authors, "article": article})
        )
        written = byline(article.ordered_authors, article)

    assert written == expected
    assert ("2014-02-12T03:30:15+04:00" in written) is dated
    assert ("Ann &lt;O&#x27;Neil&gt;" in written) is (authors >= 2)


# --- written in Python alone: the HTML is pinned here -------------------------------------


def test_the_article_meta_is_one_tag_a_line_with_every_value_escaped():
    meta = ArticleMeta(
        description='Sanctions & "swaps" <now>',
        url="https://example.org/en/articles/a/",
        title="Global Insights: Fish & chips",
        site_name="Commentary",
        locale="en_US",
        locale_alternates=["ru_RU"],
        published_time="2014-02-11T10:00:00+00:00",
        modified_time="2014-02-12T16:05:30+00:00",
        author_urls=["https://example.org/en/authors/a/", "https://example.org/en/authors/b/"],
        section="Global Insights",
        tags=["Arms trade", "Russia"],
        image=ShareImage(url="https://example.org/m/a.jpg", alt="A <b>", width=1200, height=675),
        twitter_card="summary_large_image",
        json_ld={"@type": "NewsArticle", "headline": "</script>"},
    )
    summary = "Sanctions &amp; &quot;swaps&quot; &lt;now&gt;"

    assert meta_html(meta.description, meta) == (
        f'<meta name="description" content="{summary}">\n'
        '  <meta property="og:type" content="article">\n'
        '  <meta property="og:title" content="Global Insights: Fish &amp; chips">\n'
        f'  <meta property="og:description" content="{summary}">\n'
        '  <meta property="og:url" content="https://example.org/en/articles/a/">\n'
        '  <meta property="og:site_name" content="Commentary">\n'
        '  <meta property="og:locale" content="en_US">\n'
        '  <meta property="og:locale:alternate" content="ru_RU">\n'
        '  <meta property="og:image" content="https://example.org/m/a.jpg">\n'
        '  <meta property="og:image:alt" content="A &lt;b&gt;">\n'
        '  <meta property="og:image:width" content="1200">\n'
        '  <meta property="og:image:height" content="675">\n'
        '  <meta property="article:published_time" content="2014-02-11T10:00:00+00:00">\n'
        '  <meta property="article:modified_time" content="2014-02-12T16:05:30+00:00">\n'
        '  <meta property="article:author" content="https://example.org/en/authors/a/">\n'
        '  <meta property="article:author" content="https://example.org/en/authors/b/">\n'
        '  <meta property="article:section" content="Global Insights">\n'
        '  <meta property="article:tag" content="Arms trade">\n'
        '  <meta property="article:tag" content="Russia">\n'
        '  <meta name="twitter:card" content="summary_large_image">\n'
        '  <meta name="twitter:title" content="Global Insights: Fish &amp; chips">\n'
        f'  <meta name="twitter:description" content="{summary}">\n'
        '  <script type="application/ld+json">'
        '{"@type": "NewsArticle", "headline": "\\u003C/script\\u003E"}</script>'
    )
    # A preview's head: the description alone.
    assert meta_html("Only <this>", None) == '<meta name="description" content="Only &lt;this&gt;">'


def test_further_reading_lists_the_installments_and_the_related_articles(client):
    column = ColumnFactory(name="Global <Insights>")
    russia = TagFactory(name="Russia")
    moment = datetime.datetime(2014, 2, 11, 10, 0, tzinfo=datetime.UTC)
    week = datetime.timedelta(days=7)
    ArticleFactory(
        column=column, slug="previous", title="Before & after", published_at=moment - week
    )
    article = ArticleFactory(column=column, slug="current", published_at=moment, tags=[russia])
    ArticleFactory(column=column, slug="next", title="Next one", published_at=moment + week)
    ArticleFactory(
        slug="related",
        title="Related <one>",
        published_at=moment - 2 * week,
        article_type="opinion",
        tags=[russia],
    )

    html = client.get(article.get_absolute_url()).content.decode()

    assert (
        '\n<nav class="installments" aria-label="More from Global &lt;Insights&gt;">\n'
        '  <ul class="installments__list">\n    \n'
        '    <li class="installments__previous"><a rel="prev" href="/en/articles/previous/">'
        '<span aria-hidden="true">←</span> Previous in Global &lt;Insights&gt;: '
        '<span lang="en">Before &amp; after</span></a></li>\n'
        '    <li class="installments__next"><a rel="next" href="/en/articles/next/">Next: '
        '<span lang="en">Next one</span> <span aria-hidden="true">→</span></a></li>\n'
        "    \n  </ul>\n</nav>\n"
        '\n<section class="related" aria-labelledby="related-heading">\n'
        '  <h2 id="related-heading">Related reading</h2>\n'
        '  <ul class="column-list related__list">\n    \n'
        '    <li class="related__item">\n'
        '      <p class="kicker"><span class="kicker__type">Opinion</span></p>\n'
        '      <h3 class="teaser__title"><a href="/en/articles/related/" lang="en">'
        "Related &lt;one&gt;</a></h3>\n"
        '      <p class="byline"><time datetime="2014-01-28T10:00:00+00:00">28 Jan 2014</time>'
        "</p>\n"
        "    </li>\n    \n  </ul>\n</section>\n\n\n"
    ) in html


def test_feed_links_are_one_element_a_line_with_the_views_own_last():
    context = Context(
        {
            "feed_links": [
                FeedLink("News & views", "https://example.org/f/", "application/rss+xml")
            ],
            "feeds": [("Column <1>", "https://example.org/c/?a=1&b=2", "application/atom+xml")],
        }
    )

    assert feed_link_tags(context) == (
        '<link rel="alternate" type="application/rss+xml" title="News &amp; views" '
        'href="https://example.org/f/">\n  '
        '<link rel="alternate" type="application/atom+xml" title="Column &lt;1&gt;" '
        'href="https://example.org/c/?a=1&amp;b=2">\n  '
    )
    assert feed_link_tags(Context({})) == ""


def test_a_pages_head_has_its_hreflang_then_its_feed_links(client):
    column = ColumnFactory(slug="global-insights")

    html = client.get(column.get_absolute_url()).content.decode()

    host = "http://testserver"
    assert (
        f'  <link rel="alternate" hreflang="en" href="{host}/en/columns/global-insights/">\n'
        f'  <link rel="alternate" hreflang="ru" href="{host}/ru/columns/global-insights/">\n'
        f'  <link rel="alternate" hreflang="x-default" href="{host}/en/columns/global-insights/">'
        "\n  \n\n"
        '  <link rel="alternate" type="application/rss+xml" title="Commentary (RSS)" '
    ) in html
    assert html.count('<link rel="alternate" type=') == 9  # site, language, column × 3
