"""The number of SQL queries each public page runs is pinned, whatever the amount of content.

Every page is built twice, with one item and with many (articles on the list pages; approved
comments, tags and authors on the article page), and must run exactly the pinned number of
queries both times: a count that grows with the data is an N+1 query. The counts are the
same on SQLite and PostgreSQL.

The test client sends anonymous readers without a session cookie, so no page below reads a
session, a user or a permission row; a signed-in reader costs four more queries (session,
user, the user's permissions and their groups' permissions), and an anonymous reader whose
session remembers their own pending comments one (the session). The article page builds
its comment threads in Python from one query, however many comments and levels.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from commentary import spam
from commentary.models import Article
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
#   count; articles + column; bylines + authors; tags; active columns; most discussed this
#   week (articles + column, their approved comments of the week counted in the same query)
HOME_QUERIES = 6
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
#   article + column + publication + source, with its tags, byline + authors and corrections
#   gathered into JSON arrays by subqueries of the same query (ArticleQuerySet.for_page);
#   approved comments (with the session's own pending ones, in the same query); further
#   reading: the article's published translations, the column's previous and next
#   installments and the related articles (ranked by shared tags), one UNION ALL whose parts
#   name their role (related.further_reading). The same three for an article without a
#   column, tags, authors, translations, comments or corrections.
ARTICLE_QUERIES = 3
#   session (its own pending comments); then the anonymous reader's three
ARTICLE_WITH_OWN_COMMENTS_QUERIES = 4
#   the same three: an invalid comment is refused by the form, before any query of its own
ARTICLE_POST_INVALID_QUERIES = 3
#   the anonymous reader's three, plus session; user; the user's own and group permissions
#   (the header shows moderators a link to the queue)
ARTICLE_SIGNED_IN_QUERIES = 7
#   count; corrections + article + column (of public articles only, in the same query)
CORRECTIONS_QUERIES = 2
#   the comment + its article + column (the heading), if public and approved
REPORT_PAGE_QUERIES = 1
#   none: the link rule reads no table
CHECK_LINKS_QUERIES = 0


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
    """A republished column piece with ``size`` approved comments, tags and corrections, and
    1 or 3 authors; pending and rejected comments too, which readers do not see. Around it,
    the column's previous and next installments and ``size`` other articles sharing 1 to
    ``size`` of its tags (related reading).

    With 30 comments the threads use all three levels: 12 comments, 12 replies to them and
    6 replies to replies."""
    authors = [AuthorFactory() for _ in range(1 if size == 1 else 3)]
    tags = [TagFactory() for _ in range(size)]
    article = ArticleFactory(
        column=ColumnFactory(authors=authors),
        authors=authors,
        tags=tags,
        source_publication=PublicationFactory(name="The Diplomat", short_name=""),
        original_published_on=datetime.date(2014, 2, 11),
        original_url="https://thediplomat.com/2014/02/original/",
    )
    tops = CommentFactory.create_batch(max(1, size * 2 // 5), article=article, approved=True)
    replies = [
        CommentFactory(article=article, approved=True, parent=top, depth=1)
        for top in tops[: size * 2 // 5]
    ]
    for reply in replies[: size - len(tops) - len(replies)]:
        CommentFactory(article=article, approved=True, parent=reply, depth=2)
    CommentFactory(article=article)
    CommentFactory(article=article, rejected=True)
    CommentFactory(article=article, parent=tops[0], depth=1, rejected=True)
    CorrectionFactory.create_batch(size, article=article)
    for offset in (-1, 1):
        ArticleFactory(
            column=article.column,
            tags=tags[:1],
            published_at=article.published_at + datetime.timedelta(hours=offset),
        )
    for index in range(size):
        ArticleFactory(column=ColumnFactory(), tags=tags[: index + 1])
    assert article.comments.approved().count() == size
    return article


def remember_own_pending_comments(client, article):
    """Pending comments this browser session posted, one of them a reply, in its session."""
    top = article.comments.approved().filter(parent=None).first()
    own = [CommentFactory(article=article), CommentFactory(article=article, parent=top, depth=1)]
    session = client.session
    session["my_comment_ids"] = [comment.pk for comment in own]
    session.save()
    return own


def count_shown(comments):
    return sum(1 + count_shown(comment.thread_replies) for comment in comments)


def get_list_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("n", SIZES)
def test_home_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    build_articles(n)
    for article in Article.objects.all():
        CommentFactory.create_batch(2, article=article, approved=True)

    with django_assert_num_queries(HOME_QUERIES):
        response = get_list_page(client, reverse("commentary:home"))

    assert len(response.context["articles"]) == min(n + len(NEIGHBOURS), PER_PAGE)
    assert len(response.context["columns"]) == 1 + n // 2
    assert len(response.context["most_discussed"]) == min(n + len(NEIGHBOURS), 5)


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
    assert response.context["comment_count"] == size
    assert count_shown(response.context["comments"]) == size
    assert len(response.context["author_notes"]) == (1 if size == 1 else 3)
    assert len(response.context["article"].tags.all()) == size
    assert len(response.context["corrections"]) == size
    assert response.context["column_neighbours"].previous is not None
    assert response.context["column_neighbours"].next is not None
    assert len(response.context["related_articles"]) == min(size, 4)


def test_article_page_with_nothing_around_it_runs_the_same_queries(
    client, django_assert_num_queries
):
    """No column, tags, authors, translations, comments or corrections: the same count."""
    article = ArticleFactory(authors=[])

    with django_assert_num_queries(ARTICLE_QUERIES):
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert response.context["comment_count"] == 0
    assert response.context["authors"] == []
    assert response.context["corrections"] == []
    assert not response.context["column_neighbours"]
    assert response.context["related_articles"] == []


@pytest.mark.parametrize("size", SIZES)
def test_article_page_with_the_readers_own_pending_comments_adds_only_the_session(
    client, django_assert_num_queries, size
):
    article = build_article(size)
    own = remember_own_pending_comments(client, article)

    with django_assert_num_queries(ARTICLE_WITH_OWN_COMMENTS_QUERIES):
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert response.context["comment_count"] == size
    assert count_shown(response.context["comments"]) == size + len(own)


@pytest.mark.parametrize("size", SIZES)
def test_article_page_replying_to_a_comment_runs_no_more_queries(
    client, django_assert_num_queries, size
):
    article = build_article(size)
    target = article.comments.approved().last()

    with django_assert_num_queries(ARTICLE_QUERIES):
        response = client.get(article.get_absolute_url(), {"reply_to": target.pk})

    assert response.context["replying_to"] == target


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("own_comments", [False, True], ids=["", "own-comments"])
def test_article_page_for_a_signed_in_reader_adds_only_session_user_and_permissions(
    client, django_assert_num_queries, reader, size, own_comments
):
    article = build_article(size)
    client.force_login(reader)
    if own_comments:
        remember_own_pending_comments(client, article)

    with django_assert_num_queries(ARTICLE_SIGNED_IN_QUERIES):
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert response.context["form"]["author_name"].value() == "Careful Reader"
    assert count_shown(response.context["comments"]) == size + (2 if own_comments else 0)


@pytest.mark.parametrize("size", SIZES)
def test_refused_comment_post_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, size
):
    article = build_article(size)
    data = {
        "author_name": "Reader",
        "author_email": "reader@example.net",
        "body": "example.com",
        "form_token": spam.issue_form_token(),
    }

    with django_assert_num_queries(ARTICLE_POST_INVALID_QUERIES):
        response = client.post(article.get_absolute_url(), data)

    assert response.status_code == 400
    assert response.context["form"].errors["body"]
    assert count_shown(response.context["comments"]) == size


@pytest.mark.parametrize("n", SIZES)
def test_corrections_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    build_articles(n)
    for index, article in enumerate(Article.objects.all()):
        CorrectionFactory(article=article, published_at=FEBRUARY_2014 + datetime.timedelta(index))
    CorrectionFactory(article=ArticleFactory(status="draft"))

    with django_assert_num_queries(CORRECTIONS_QUERIES):
        response = get_list_page(client, reverse("commentary:corrections"))

    assert len(response.context["corrections"]) == min(n + len(NEIGHBOURS), PER_PAGE)


@pytest.mark.parametrize("size", SIZES)
def test_report_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    article = build_article(size)
    comment = article.comments.approved().last()

    with django_assert_num_queries(REPORT_PAGE_QUERIES):
        response = client.get(reverse("commentary:report_comment", kwargs={"pk": comment.pk}))

    assert response.status_code == 200


def test_link_check_reads_no_table(client, django_assert_num_queries):
    with django_assert_num_queries(CHECK_LINKS_QUERIES):
        response = client.post(reverse("commentary:check_links"), {"text": "see example.com"})

    assert response.json()["links"] == ["example.com"]
