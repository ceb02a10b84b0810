"""The number of SQL queries each public page runs is fixed, whatever the amount of content.

Every page is built twice, with one item and with many (articles on list pages; comments,
tags and authors on the article page), and must run exactly the pinned number of queries
both times: a count that grows with the data is an N+1 query. The counts are the same on
SQLite and PostgreSQL.

Anonymous readers have no session cookie, so no page reads a session or a user row.
"""

import datetime
from types import SimpleNamespace

import pytest
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
START = datetime.datetime(2014, 2, 1, 8, tzinfo=UTC)
NEIGHBOURS = [
    datetime.datetime(2013, 12, 31, tzinfo=UTC),
    datetime.datetime(2014, 1, 15, tzinfo=UTC),
    datetime.datetime(2014, 3, 15, tzinfo=UTC),
    datetime.datetime(2015, 1, 15, tzinfo=UTC),
]
SIZES = [pytest.param(1, id="one"), pytest.param(30, id="thirty")]


def build_list_data(n):
    """``n`` public articles in February 2014 sharing a column, an author and a tag, each
    also with an author and a tag of its own; ``n`` active columns on the home page."""
    column = ColumnFactory(slug="shared-column", authors=[AuthorFactory()])
    author = AuthorFactory(slug="shared-author")
    tag = TagFactory(name="Shared")
    for index in range(n):
        ArticleFactory(
            column=column if index % 2 == 0 else ColumnFactory(),
            authors=[author, AuthorFactory()],
            tags=[tag, TagFactory()],
            published_at=START + datetime.timedelta(hours=index),
        )
    # Even articles are in the shared column: give it as many as the other pages list.
    for index in range(n // 2):
        ArticleFactory(
            column=column,
            authors=[AuthorFactory()],
            tags=[TagFactory()],
            published_at=START + datetime.timedelta(hours=index, minutes=30),
        )
    # Neighbours for the archives' previous and next links: other years and months.
    for published_at in NEIGHBOURS:
        ArticleFactory(authors=[AuthorFactory()], tags=[TagFactory()], published_at=published_at)
    return SimpleNamespace(column=column, author=author, tag=tag)


def build_article(size):
    """One article with ``size`` approved comments and tags, 1 or 3 authors."""
    authors = [AuthorFactory() for _ in range(1 if size == 1 else 3)]
    column = ColumnFactory(publication=PublicationFactory(), authors=authors)
    article = ArticleFactory(
        column=column,
        authors=authors,
        tags=[TagFactory() for _ in range(size)],
        source_publication=PublicationFactory(name="The Diplomat"),
        original_published_on=datetime.date(2014, 2, 11),
        original_url="https://thediplomat.com/2014/02/original/",
    )
    for _ in range(size):
        CommentFactory(article=article, approved=True)
    # Comments readers do not see cost nothing either.
    CommentFactory(article=article)
    CommentFactory(article=article, rejected=True)
    return article


def assert_page(client, url, *, expected_count, min_articles=1):
    response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["articles"]) >= min_articles
    return response


# Pinned query counts, per page. Each comment says what the queries are.
HOME_QUERIES = 5  # count, articles+column, bylines+authors, tags, active columns
LIST_QUERIES = 6  # owner, count, articles+column, bylines+authors, tags (+ column's authors)
# owner, count, articles+column, bylines+authors, tags
LIST_QUERIES_NO_EXTRA = 5
YEAR_QUERIES = 5  # months, count, articles+column, bylines+authors, tags
# month has articles?, count, articles+column, bylines+authors, tags, previous, next month
MONTH_QUERIES = 7
# article+column+publication+source, tags, bylines+authors, approved comments
ARTICLE_QUERIES = 4
ARTICLE_POST_INVALID_QUERIES = 4


@pytest.mark.parametrize("n", SIZES)
def test_home_page_query_count_is_fixed(client, django_assert_num_queries, n):
    build_list_data(n)

    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(reverse("commentary:home"))

    assert response.status_code == 200
    assert len(response.context["articles"]) == min(n + n // 2, 10)


@pytest.mark.parametrize("n", SIZES)
def test_column_page_query_count_is_fixed(client, django_assert_num_queries, n):
    data = build_list_data(n)

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(data.column.get_absolute_url())

    assert response.status_code == 200
    assert response.context["articles"]


@pytest.mark.parametrize("n", SIZES)
def test_author_page_query_count_is_fixed(client, django_assert_num_queries, n):
    data = build_list_data(n)

    with django_assert_num_queries(LIST_QUERIES_NO_EXTRA):
        response = client.get(data.author.get_absolute_url())

    assert response.status_code == 200
    assert response.context["articles"]


@pytest.mark.parametrize("n", SIZES)
def test_tag_page_query_count_is_fixed(client, django_assert_num_queries, n):
    data = build_list_data(n)

    with django_assert_num_queries(LIST_QUERIES_NO_EXTRA):
        response = client.get(data.tag.get_absolute_url())

    assert response.status_code == 200
    assert response.context["articles"]


@pytest.mark.parametrize("n", SIZES)
def test_year_archive_query_count_is_fixed(client, django_assert_num_queries, n):
    build_list_data(n)

    with django_assert_num_queries(YEAR_QUERIES):
        response = client.get(reverse("commentary:archive_year", kwargs={"year": 2014}))

    assert response.status_code == 200
    assert response.context["articles"]


@pytest.mark.parametrize("n", SIZES)
def test_month_archive_query_count_is_fixed(client, django_assert_num_queries, n):
    build_list_data(n)

    with django_assert_num_queries(MONTH_QUERIES):
        response = client.get(
            reverse("commentary:archive_month", kwargs={"year": 2014, "month": 2})
        )

    assert response.status_code == 200
    assert response.context["articles"]


@pytest.mark.parametrize("size", SIZES)
def test_article_page_query_count_is_fixed(client, django_assert_num_queries, size):
    article = build_article(size)

    with django_assert_num_queries(ARTICLE_QUERIES):
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["comments"]) == size
    assert len(response.context["authors"]) == (1 if size == 1 else 3)


@pytest.mark.parametrize("size", SIZES)
def test_article_post_with_invalid_comment_query_count_is_fixed(
    client, django_assert_num_queries, size
):
    article = build_article(size)
    data = {"author_name": "Reader", "author_email": "reader@example.net", "body": "example.com"}

    with django_assert_num_queries(ARTICLE_POST_INVALID_QUERIES):
        response = client.post(article.get_absolute_url(), data)

    assert response.status_code == 400
    assert response.context["form"].errors["body"]
    assert len(response.context["comments"]) == size
