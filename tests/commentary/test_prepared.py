"""Queries compiled once per process (``commentary.prepared``): they return what the ORM
returns for the same values, compile once per shape, refuse what cannot be reused, and on
PostgreSQL run as prepared statements of the session. The same on SQLite and PostgreSQL."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count, F
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commentary.models import Article, Comment
from commentary.prepared import PreparationError, prepared_query
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
NOW = datetime.datetime(2014, 3, 4, 12, 0, tzinfo=UTC)


def counting(build):
    """``build``, counting its calls in ``build.calls``."""

    def counted(*args, **kwargs):
        counted.calls += 1
        return build(*args, **kwargs)

    counted.calls = 0
    return counted


def public_page_queryset(*, slug, now):
    return Article.objects.published(now=now).for_page().filter(slug=slug)


def as_dicts(articles):
    """What a page reads of ``for_page`` articles, loaded fields and relations alike."""
    return [
        {
            **{
                field.attname: getattr(article, field.attname)
                for field in Article._meta.concrete_fields
            },
            "column": (article.column.name, article.column.publication.short_name),
            "source": article.source_publication and article.source_publication.name,
            "tags": [tag.name for tag in article.tags.all()],
            "authors": [author.name for author in article.ordered_authors],
            "corrections": [(c.published_at, c.note) for c in article.corrections.all()],
        }
        for article in articles
    ]


@pytest.fixture
def articles():
    column = ColumnFactory(name="Global Insights", publication=PublicationFactory(short_name="WPR"))
    first = ArticleFactory(
        slug="first",
        column=column,
        published_at=NOW - datetime.timedelta(days=3),
        authors=[AuthorFactory(name="Richard Weitz"), AuthorFactory(name="Ann Other")],
        source_publication=PublicationFactory(name="The Diplomat"),
    )
    first.tags.add(TagFactory(name="Russia"), TagFactory(name="China"))
    CorrectionFactory(article=first, note="Fixed.", published_at=NOW - datetime.timedelta(days=1))
    second = ArticleFactory(slug="second", column=column, published_at=NOW - datetime.timedelta(2))
    ArticleFactory(slug="scheduled", column=column, published_at=NOW + datetime.timedelta(days=1))
    return {"first": first, "second": second}


def test_a_prepared_query_returns_what_the_queryset_returns(articles):
    query = prepared_query(Article)(public_page_queryset)

    for slug in ("first", "second", "scheduled", "missing"):
        expected = list(public_page_queryset(slug=slug, now=NOW))
        assert as_dicts(query(slug=slug, now=NOW)) == as_dicts(expected)
    assert [article.slug for article in query(slug="first", now=NOW)] == ["first"]
    assert query(slug="scheduled", now=NOW) == []
    # The time is a parameter like any other: the scheduled article is public a day later.
    later = NOW + datetime.timedelta(days=2)
    assert [article.slug for article in query(slug="scheduled", now=later)] == ["scheduled"]


def test_a_prepared_query_is_built_and_compiled_once_then_runs_one_query_a_call(articles):
    build = counting(public_page_queryset)
    query = prepared_query(Article)(build)
    query(slug="first", now=NOW)
    built = build.calls  # twice: the SQL is compiled from two sets of stand-ins and compared

    with CaptureQueriesContext(connection) as queries:
        for slug in ("first", "second", "missing"):
            query(slug=slug, now=NOW)

    assert built == 2
    assert build.calls == built
    assert len(queries) == 3


def test_annotations_deferred_fields_and_values_come_back_as_the_orm_gives_them(articles):
    CommentFactory(article=articles["first"], approved=True)
    CommentFactory(article=articles["first"])

    @prepared_query(Article)
    def counted(*, since):
        return (
            Article.objects.filter(published_at__gte=since)
            .annotate(comment_total=Count("comments"), column_name=F("column__name"))
            .only("title", "published_at")
            .order_by("published_at", "pk")
        )

    @prepared_query(Article)
    def slugs(*, pks):
        return Article.objects.filter(pk__in=pks).order_by("slug").values_list("slug", flat=True)

    since = NOW - datetime.timedelta(days=10)
    found = counted(since=since)
    expected = list(counted.queryset(since=since))
    assert [(a.pk, a.title, a.comment_total, a.column_name) for a in found] == [
        (a.pk, a.title, a.comment_total, a.column_name) for a in expected
    ]
    assert found[0].comment_total == 2
    assert found[0].get_deferred_fields() == expected[0].get_deferred_fields()
    pks = [articles["second"].pk, articles["first"].pk]
    assert slugs(pks=pks) == ["first", "second"]


def test_lists_none_and_positional_values_each_compile_their_own_shape(articles):
    build = counting(
        lambda limit, *, pks, column: Article.objects.filter(pk__in=pks, column=column).order_by(
            "-pk"
        )[:limit]
    )
    query = prepared_query(Article)(build)
    first, second = articles["first"], articles["second"]

    assert query(1, pks=[first.pk, second.pk], column=first.column_id) == [second]
    assert query(1, pks=[first.pk], column=first.column_id) == [first]
    assert query(5, pks=[first.pk, second.pk], column=first.column_id) == [second, first]
    assert query(5, pks=[first.pk, second.pk], column=None) == []
    with CaptureQueriesContext(connection) as queries:
        assert query(5, pks=[], column=None) == []  # matches nothing: no query at all

    assert len(queries) == 0
    assert build.calls == 2 * 5
    query(5, pks=[second.pk, first.pk], column=first.column_id)
    assert build.calls == 2 * 5


def test_a_setting_change_forgets_the_compiled_sql(articles):
    build = counting(public_page_queryset)
    query = prepared_query(Article)(build)
    query(slug="first", now=NOW)

    with override_settings(SITE_NAME="Elsewhere"):
        assert [article.slug for article in query(slug="first", now=NOW)] == ["first"]

    assert build.calls == 4


@pytest.mark.parametrize(
    ("build", "values", "complaint"),
    [
        pytest.param(
            lambda *, limit: Article.objects.all()[:limit],
            {"limit": 1},
            "changes with the values",
            id="inlined",
        ),
        pytest.param(
            lambda *, title: Article.objects.filter(title__contains=title),
            {"title": "First"},
            "do not reach the SQL as parameters .*: title",
            id="transformed",
        ),
        pytest.param(
            lambda *, pk, unused: Article.objects.filter(pk=pk),
            {"pk": 1, "unused": 2},
            "do not reach the SQL as parameters .*: unused",
            id="unused",
        ),
        pytest.param(
            lambda *, pk: Article.objects.filter(pk=pk, published_at__lte=timezone.now()),
            {"pk": 1},
            "changes from one build to the next",
            id="clock",
        ),
    ],
)
def test_a_query_that_cannot_be_reused_is_refused_at_its_first_call(
    articles, build, values, complaint
):
    query = prepared_query(Article)(build)

    with pytest.raises(PreparationError, match=complaint):
        query(**values)


def test_a_related_manager_queryset_is_refused(articles):
    query = prepared_query(Comment)(
        lambda *, status: articles["first"].comments.filter(status=status)
    )

    with pytest.raises(PreparationError, match="related manager"):
        query(status="approved")


def test_a_mixed_list_is_refused(articles):
    query = prepared_query(Article)(lambda *, pks: Article.objects.filter(pk__in=pks))

    with pytest.raises(TypeError):
        query(pks=[1, "2"])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_it_runs_as_a_statement_prepared_with_its_first_run(articles):
    query = prepared_query(Article)(public_page_queryset)

    with CaptureQueriesContext(connection) as queries:
        query(slug="first", now=NOW)
        second = query(slug="second", now=NOW)

    assert [q["sql"].split()[0] for q in queries] == ["PREPARE", "EXECUTE"]
    assert [article.slug for article in second] == ["second"]
    # A new session has none of the old one's statements: it prepares it again.
    connection.close()
    with CaptureQueriesContext(connection) as queries:
        assert [article.slug for article in query(slug="first", now=NOW)] == ["first"]
    assert queries[0]["sql"].startswith("PREPARE")


@pytest.mark.postgres
def test_prepared_statements_can_be_turned_off_for_a_pooled_database(articles, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "DISABLE_PREPARED_STATEMENTS", True)
    query = prepared_query(Article)(public_page_queryset)

    with CaptureQueriesContext(connection) as queries:
        assert [article.slug for article in query(slug="first", now=NOW)] == ["first"]

    assert queries[0]["sql"].startswith("SELECT")
