"""How the article page loads and writes what it shows: the article with its tags, byline
and corrections in one query (``ArticleQuerySet.for_page``), and the comment threads written
in Python (``{% comment_thread %}``), escaped like any template value.

The same on SQLite and PostgreSQL: the JSON the two databases write differs (dates above
all), what the page reads from it does not.
"""

import datetime

import pytest
from django.db import connection
from django.db.models import Count, F
from django.db.models.functions import JSONObject
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from commentary.models import Article, ArticleAuthor, Correction
from commentary.models.expressions import JSONRows
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    CommentFactory,
    CorrectionFactory,
    PublicationFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
PUBLISHED = datetime.datetime(2014, 2, 11, 10, 0, tzinfo=UTC)


def load(article):
    return Article.objects.published().for_page().get(pk=article.pk)


@pytest.fixture
def piece():
    """A column piece with tags added out of alphabetical order, a byline whose positions
    differ from the order it was written in, and corrections dated out of order."""
    publication = PublicationFactory(name="World Politics Review", short_name="WPR")
    article = ArticleFactory(
        column=ColumnFactory(name="Global Insights", publication=publication),
        authors=[],
        published_at=PUBLISHED,
        source_publication=PublicationFactory(name="The Diplomat"),
    )
    article.tags.add(TagFactory(name="Russia"))
    article.tags.add(TagFactory(name="Arms trade"))
    article.tags.add(TagFactory(name="China"))
    second = AuthorFactory(name="Second Author", tagline="a fellow", pronoun="she")
    first = AuthorFactory(name="Richard Weitz", tagline="a senior fellow", pronoun="he")
    ArticleAuthor.objects.create(article=article, author=second, position=1)
    ArticleAuthor.objects.create(article=article, author=first, position=0)
    for day, note in ((13, "Middle."), (20, "Latest."), (12, "Earliest.")):
        CorrectionFactory(
            article=article,
            note=note,
            published_at=datetime.datetime(2014, 2, day, 16, 5, 30, 123456, tzinfo=UTC),
        )
    return article


def test_the_article_comes_with_its_tags_byline_and_corrections_in_one_query(piece):
    with CaptureQueriesContext(connection) as queries:
        article = load(piece)
        tags = [tag.name for tag in article.tags.all()]
        authors = article.ordered_authors
        notes = article.author_notes()
        corrections = list(article.corrections.all())
        column = article.column.publication.short_name
        source = article.source_publication.name

    assert len(queries) == 1
    assert tags == ["Russia", "Arms trade", "China"]  # in the order they were added
    assert [author.name for author in authors] == ["Richard Weitz", "Second Author"]
    assert [note["schedule"][:3] for note in notes] == ["His", "Her"]
    assert notes[0]["tagline"] == "Richard Weitz is a senior fellow."
    assert [correction.note for correction in corrections] == ["Latest.", "Middle.", "Earliest."]
    assert (column, source) == ("WPR", "The Diplomat")


def test_what_the_json_becomes_equals_what_the_tables_hold(piece):
    article = load(piece)

    assert list(article.tags.all()) == list(piece.tags.all())  # the manager's own order
    assert [link.pk for link in article.article_authors.all()] == list(
        piece.article_authors.order_by("position").values_list("pk", flat=True)
    )
    stored = {c.pk: c.published_at for c in Correction.objects.filter(article=piece)}
    for correction in article.corrections.all():
        assert correction.published_at == stored[correction.pk]  # aware, to the microsecond
        assert correction.published_at.tzinfo is not None
        assert correction.article is article
    assert all(link.article is article for link in article.article_authors.all())


def test_an_article_with_nothing_around_it_has_empty_lists(db):
    article = load(ArticleFactory(authors=[]))

    assert list(article.tags.all()) == []
    assert article.ordered_authors == []
    assert list(article.corrections.all()) == []


def test_what_is_not_loaded_is_still_read_on_demand(piece):
    """Author fields the page does not show are deferred, not wrong."""
    AuthorFactory._meta.model.objects.filter(name="Richard Weitz").update(bio="A long bio.")
    author = load(piece).ordered_authors[0]

    with CaptureQueriesContext(connection) as queries:
        bio = author.bio

    assert bio == "A long bio."
    assert len(queries) == 1


def test_json_rows_gathers_a_groups_rows_on_either_database(piece):
    rows = (
        Correction.objects.filter(article=piece)
        .order_by()
        .values("article")
        .annotate(count=Count("pk"), rows=JSONRows(JSONObject(note=F("note"))))
        .get()
    )

    assert rows["count"] == 3
    assert sorted(row["note"] for row in rows["rows"]) == ["Earliest.", "Latest.", "Middle."]


def test_the_page_shows_what_was_loaded(client, piece):
    response = client.get(piece.get_absolute_url())

    assertContains(response, 'href="/en/authors/', count=2)
    assertContains(response, "By <a", count=1)
    assertContains(
        response, '<time datetime="2014-02-20T16:05:30+00:00">20 Feb 2014</time>', count=2
    )
    assertContains(response, 'rel="tag">Russia</a>')


# --- comment threads ----------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script> & O\'Brien'


def test_commenter_names_and_bodies_are_escaped_everywhere_they_appear(client):
    article = ArticleFactory()
    comment = CommentFactory(
        article=article, approved=True, author_name=HOSTILE, body=f"{HOSTILE}\nsecond line"
    )

    response = client.get(article.get_absolute_url())

    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; O&#x27;Brien"
    assertNotContains(response, "<script>alert")
    assertContains(response, f'<span class="comment__author">{escaped}</span>')
    assertContains(response, f'<div class="comment__body"><p>{escaped}<br>second line</p></div>')
    assertContains(response, f'aria-label="Reply to {escaped}"')
    assertContains(response, f'aria-label="Report the comment by {escaped}"')
    report_url = reverse("commentary:report_comment", args=[comment.pk])
    assertContains(response, f'href="{report_url}" rel="nofollow"')


def test_a_comment_shows_its_time_as_the_template_filters_did(client, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    article = ArticleFactory()
    CommentFactory(
        article=article,
        approved=True,
        created_at=datetime.datetime(2014, 2, 11, 21, 30, 15, 500, tzinfo=UTC),
    )

    response = client.get(article.get_absolute_url())

    assertContains(response, '<time datetime="2014-02-12T01:30:15+04:00">12 Feb 2014, 01:30</time>')


def test_comment_labels_and_report_addresses_follow_the_language(client):
    article = ArticleFactory()
    comment = CommentFactory(article=article, approved=True, author_name="Anna")

    with translation.override("ru"):
        url = article.get_absolute_url()
        report_url = reverse("commentary:report_comment", args=[comment.pk])
    response = client.get(url, headers={"accept-language": "ru"})

    assert report_url.startswith("/ru/")
    assertContains(response, f'href="{report_url}"')
    assertNotContains(response, 'aria-label="Reply to Anna"')
    assertNotContains(response, ">Report</a>")
