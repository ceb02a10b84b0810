"""The number of SQL queries each public page runs is pinned, whatever the amount of content.

Every page is built twice, with one item and with many (articles on the list pages; approved
comments, tags and authors on the article page), and must run exactly the pinned number of
queries both times: a count that grows with the data is an N+1 query. The counts are the
same on SQLite and PostgreSQL.

The test client sends anonymous readers without a session cookie, so no page below reads a
session, a user or a permission row; a signed-in reader costs four more queries (session,
user, the user's permissions and their groups' permissions).
"""

import datetime
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    CommentFactory,
    PublicationFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
PER_PAGE = django_settings.ARTICLES_PER_PAGE
FEBRUARY_2014 = datetime.datetime(2014, 2, 1, 8, tzinfo=UTC)
# Articles around February 2014, so the archives have previous and next years and months.
NEIGHBOURS = [
    datetime.datetime(2013, 12, 31, tzinfo=UTC),
    datetime.datetime(2014, 1, 15, tzinfo=UTC),
    datetime.datetime(2014, 3, 15, tzinfo=UTC),
    datetime.datetime(2015, 1, 15, tzinfo=UTC),
]
SIZES = [pytest.param(1, id="one"), pytest.param(30, id="thirty")]

# The pinned counts. Each names its queries in order.
#   count; articles + column; bylines + authors; tags; active columns
HOME_QUERIES = 5
#   column; column's authors; count; articles + column; bylines + authors; tags
COLUMN_QUERIES = 6
#   author (or tag); count; articles + column; bylines + authors; tags
AUTHOR_QUERIES = TAG_QUERIES = 5
#   year has articles?; months; next year; previous year; count; articles + column;
#   bylines + authors; tags
YEAR_QUERIES = 8
#   month has articles?; days; next month; previous month; count; articles + column;
#   bylines + authors; tags
MONTH_QUERIES = 8
#   article + column + publication + source; tags; bylines + authors; approved comments
ARTICLE_QUERIES = 4
#   the same four: an invalid comment is refused by the form, before any query of its own
ARTICLE_POST_INVALID_QUERIES = 4
#   the anonymous reader's four, plus session; user; the user's own and group permissions
#   (the header shows moderators a link to the queue)
ARTICLE_SIGNED_IN_QUERIES = 8


def build_articles(n):
    """``n`` public articles in February 2014, sharing a column, an author and a tag and each
    with an author, a tag and (every other one) a column of its own, plus the neighbours."""
    shared = SimpleNamespace(
        column=ColumnFactory(authors=[AuthorFactory(), AuthorFactory()]),
        author=AuthorFactory(),
        tag=TagFactory(),
    )
    for index in range(n):
        ArticleFactory(
            column=shared.column if index % 2 == 0 else ColumnFactory(),
            authors=[AuthorFactory(), shared.author],
            tags=[TagFactory(), shared.tag],
            published_at=FEBRUARY_2014 + datetime.timedelta(hours=index),
        )
    for published_at in NEIGHBOURS:
        ArticleFactory(column=shared.column, tags=[TagFactory()], published_at=published_at)
    return shared


def build_article(size):
    """A republished column piece with ``size`` approved comments and tags, and 1 or 3
    authors; pending and rejected comments too, which readers do not see."""
    authors = [AuthorFactory() for _ in range(1 if size == 1 else 3)]
    article = ArticleFactory(
        column=ColumnFactory(authors=authors),
        authors=authors,
        tags=[TagFactory() for _ in range(size)],
        source_publication=PublicationFactory(name="The Diplomat", short_name=""),
        original_published_on=datetime.date(2014, 2, 11),
        original_url="https://thediplomat.com/2014/02/original/",
    )
    CommentFactory.create_batch(size, article=article, approved=True)
    CommentFactory(article=article)
    CommentFactory(article=article, rejected=True)
    return article


def get_list_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("n", SIZES)
def test_home_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    build_articles(n)

    with django_assert_num_queries(HOME_QUERIES):
        response = get_list_page(client, reverse("commentary:home"))

    assert len(response.context["articles"]) == min(n + len(NEIGHBOURS), PER_PAGE)
    assert len(response.context["columns"]) == 1 + n // 2


@pytest.mark.parametrize("n", SIZES)
def test_column_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    shared = build_articles(n)

    with django_assert_num_queries(COLUMN_QUERIES):
        response = get_list_page(client, shared.column.get_absolute_url())

    assert len(response.context["articles"]) == min((n + 1) // 2 + len(NEIGHBOURS), PER_PAGE)


@pytest.mark.parametrize("n", SIZES)
def test_author_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    shared = build_articles(n)

    with django_assert_num_queries(AUTHOR_QUERIES):
        response = get_list_page(client, shared.author.get_absolute_url())

    assert len(response.context["articles"]) == min(n, PER_PAGE)


@pytest.mark.parametrize("n", SIZES)
def test_tag_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    shared = build_articles(n)

    with django_assert_num_queries(TAG_QUERIES):
        response = get_list_page(client, shared.tag.get_absolute_url())

    assert len(response.context["articles"]) == min(n, PER_PAGE)


@pytest.mark.parametrize("n", SIZES)
def test_year_archive_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    build_articles(n)

    with django_assert_num_queries(YEAR_QUERIES):
        response = get_list_page(client, reverse("commentary:archive_year", kwargs={"year": 2014}))

    assert len(response.context["articles"]) == min(n + 2, PER_PAGE)
    assert response.context["previous_year"].year == 2013
    assert response.context["next_year"].year == 2015


@pytest.mark.parametrize("n", SIZES)
def test_month_archive_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    build_articles(n)

    with django_assert_num_queries(MONTH_QUERIES):
        response = get_list_page(
            client, reverse("commentary:archive_month", kwargs={"year": 2014, "month": 2})
        )

    assert len(response.context["articles"]) == min(n, PER_PAGE)
    assert response.context["previous_month"] == datetime.date(2014, 1, 1)
    assert response.context["next_month"] == datetime.date(2014, 3, 1)


@pytest.mark.parametrize("size", SIZES)
def test_article_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    article = build_article(size)

    with django_assert_num_queries(ARTICLE_QUERIES):
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["comments"]) == size
    assert len(response.context["author_notes"]) == (1 if size == 1 else 3)
    assert len(response.context["article"].tags.all()) == size


@pytest.mark.parametrize("size", SIZES)
def test_article_page_for_a_signed_in_reader_adds_only_session_user_and_permissions(
    client, django_assert_num_queries, reader, size
):
    article = build_article(size)
    client.force_login(reader)

    with django_assert_num_queries(ARTICLE_SIGNED_IN_QUERIES):
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert response.context["form"]["author_name"].value() == "Careful Reader"


@pytest.mark.parametrize("size", SIZES)
def test_refused_comment_post_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, size
):
    article = build_article(size)
    data = {"author_name": "Reader", "author_email": "reader@example.net", "body": "example.com"}

    with django_assert_num_queries(ARTICLE_POST_INVALID_QUERIES):
        response = client.post(article.get_absolute_url(), data)

    assert response.status_code == 400
    assert response.context["form"].errors["body"]
    assert len(response.context["comments"]) == size
