"""The moderation queue and the comments admin stay quick however many comments there are:
capped counts, estimated page counts, a fixed number of queries, searches the indexes serve.
The caps are lowered here so that a handful of comments crosses them."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from commentary import pagination
from commentary.admin.comments import DateHierarchyQuerySet
from commentary.models import Comment
from commentary.moderation import search as moderation_search
from commentary.moderation import views as queue_views
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("moderation:queue")
COMMENTS = reverse("admin:commentary_comment_changelist")
NOW = timezone.now()
# Session, user, the user's and their groups' permissions, the five tab counts (one query),
# the page (ids in the tab's order, then the cards), the page's reports: one fewer than a
# search, which also looks up the article titles matching its words.
QUEUE_QUERIES_WITHOUT_SEARCH = 7
# Session, user, 2 permission lookups, the capped count, the page (ids, then rows), the date
# hierarchy's first and last comment (asked by Django's tag, then again by the queryset that
# answers it), then which years (or days) hold comments, in one query.
COMMENT_CHANGELIST_QUERIES = 9


def ago(**delta):
    return NOW - datetime.timedelta(**delta)


def listed(response):
    return list(response.context["comments"])


def tab_badges(response):
    nav = re.search(r'<nav class="mod-tabs".*?</nav>', response.text, re.S).group(0)
    return dict(re.findall(r'>(\w+) <span class="mod-tabs__count">\(([^)]*)\)</span>', nav))


@pytest.fixture
def as_moderator(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def small_caps(monkeypatch):
    monkeypatch.setattr(queue_views, "COUNT_CAP", 3)
    monkeypatch.setattr(queue_views, "SEARCH_SAMPLE", 4)
    monkeypatch.setattr(queue_views, "HISTORY_CAP", 2)


# --- the queue ------------------------------------------------------------------------------


def test_a_tab_past_the_cap_says_so_and_still_lists_its_oldest_comments_first(
    as_moderator, small_caps
):
    comments = [CommentFactory(created_at=ago(minutes=60 - i)) for i in range(5)]
    CommentFactory(approved=True)

    response = as_moderator.get(QUEUE)

    assert tab_badges(response) == {
        "Pending": "3+",
        "Reported": "0",
        "Approved": "1",
        "Rejected": "0",
        "Spam": "0",
    }
    pending = next(tab for tab in response.context["tabs"] if tab["key"] == "pending")
    assert (pending["count"], pending["more"]) == (3, True)
    # Past the cap the pages are numbered from an estimate (an exact count on SQLite).
    assert listed(response)[:4] == comments[:4]


def test_a_search_with_more_matches_than_it_counts_gives_lower_bounds(as_moderator, small_caps):
    for minutes in range(5):
        CommentFactory(body="Sanctions bite.", created_at=ago(minutes=minutes))
    CommentFactory(body="Sanctions again.", rejected=True)
    CommentFactory(body="Nothing to see.")

    response = as_moderator.get(QUEUE, {"q": "sanctions"})

    badges = tab_badges(response)
    assert all(value.endswith("+") for value in badges.values()), badges
    # The tab itself is counted up to the cap: a search lists at most that many.
    assert response.context["paginator"].count == 3
    assert len(listed(response)) == 3
    assert "More than 3 comments match: the first 3 are listed." in response.text


def test_a_search_with_few_matches_counts_them_exactly(as_moderator, small_caps):
    CommentFactory(body="The Kurile Islands.")
    CommentFactory(body="Kurile again.", rejected=True)

    response = as_moderator.get(QUEUE, {"q": "kurile"})

    assert tab_badges(response) == {
        "Pending": "1",
        "Reported": "0",
        "Approved": "0",
        "Rejected": "1",
        "Spam": "0",
    }
    assert "More than" not in response.text


def test_each_word_may_match_the_text_or_the_article_title(as_moderator):
    sochi = ArticleFactory(title="In Sochi, Xi and Putin meet")
    both = CommentFactory(article=sochi, body="The gas deal is what matters.")
    CommentFactory(article=sochi, body="Nothing about energy.")
    CommentFactory(body="A gas deal elsewhere.")

    response = as_moderator.get(QUEUE, {"q": "sochi GAS"})

    assert listed(response) == [both]


def test_the_commenter_history_on_a_card_is_capped(as_moderator, small_caps):
    for _ in range(3):
        CommentFactory(author_email="regular@example.org", approved=True)
    CommentFactory(author_email="regular@example.org", rejected=True)
    CommentFactory(author_email="regular@example.org")

    response = as_moderator.get(QUEUE)

    assert "2+ approved · 1 rejected" in response.text


@pytest.mark.parametrize("tab", ["pending", "reported", "approved", "rejected", "spam"])
@pytest.mark.parametrize("n", [1, 30])
def test_queue_without_a_search_runs_a_fixed_number_of_queries(
    as_moderator, django_assert_num_queries, tab, n
):
    for i in range(n):
        CommentFactory(created_at=ago(minutes=i), hold_reasons=[{"code": "first_comment"}])
        CommentFactory(approved=True, flagged_at=None if i % 2 else NOW)
        CommentFactory(rejected=True, rejection_reason="abusive")
        CommentFactory(status=Comment.Status.SPAM, moderated_at=NOW)

    with django_assert_num_queries(QUEUE_QUERIES_WITHOUT_SEARCH):
        response = as_moderator.get(QUEUE, {"tab": tab})

    assert response.status_code == 200
    assert listed(response)


def test_a_deep_page_lists_the_comments_in_the_tabs_order(as_moderator):
    comments = [CommentFactory(approved=True, created_at=ago(minutes=i)) for i in range(120)]

    response = as_moderator.get(QUEUE, {"tab": "approved", "page": 3})

    assert listed(response) == comments[100:120]  # newest first


# --- the comments admin ---------------------------------------------------------------------


def admin_listed(response):
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize("n", [1, 30])
def test_comment_changelist_runs_a_fixed_number_of_queries(
    as_moderator, django_assert_num_queries, n
):
    for i in range(n):
        CommentFactory(created_at=ago(days=400 * (i % 2), minutes=i))

    with django_assert_num_queries(COMMENT_CHANGELIST_QUERIES):
        response = as_moderator.get(COMMENTS)

    assert response.status_code == 200
    assert len(admin_listed(response)) == n


def test_comment_changelist_never_counts_the_whole_table(as_moderator):
    CommentFactory.create_batch(2)

    response = as_moderator.get(COMMENTS, {"status__exact": "pending"})

    assert response.context["cl"].full_result_count is None
    assert response.context["cl"].result_count == 2


def test_comment_changelist_pages_keep_pending_first_then_oldest(as_moderator, monkeypatch):
    monkeypatch.setattr("commentary.admin.comments.CommentAdmin.list_per_page", 2, raising=False)
    old_approved = CommentFactory(approved=True, created_at=ago(days=9))
    pending = [CommentFactory(created_at=ago(days=d)) for d in (5, 3)]
    new_approved = CommentFactory(approved=True, created_at=ago(days=1))

    first = as_moderator.get(COMMENTS)
    second = as_moderator.get(COMMENTS, {"p": 2})

    assert admin_listed(first) == pending
    assert admin_listed(second) == [old_approved, new_approved]


def test_comment_changelist_search_matches_the_article_title(as_moderator):
    comment = CommentFactory(article=ArticleFactory(title="Why Kazakhstan hedges"))
    CommentFactory(body="Unrelated.")

    response = as_moderator.get(COMMENTS, {"q": "kazakhstan"})

    assert admin_listed(response) == [comment]


def test_date_hierarchy_offers_only_the_years_and_months_that_hold_comments(as_moderator):
    CommentFactory(created_at=datetime.datetime(2019, 3, 10, 12, tzinfo=datetime.UTC))
    CommentFactory(created_at=datetime.datetime(2021, 7, 4, 12, tzinfo=datetime.UTC))
    CommentFactory(created_at=datetime.datetime(2021, 9, 1, 12, tzinfo=datetime.UTC))

    years = as_moderator.get(COMMENTS)
    months = as_moderator.get(COMMENTS, {"created_at__year": 2021})

    assert "created_at__year=2019" in years.text
    assert "created_at__year=2021" in years.text
    assert "created_at__year=2020" not in years.text
    assert "created_at__month=7" in months.text
    assert "created_at__month=9" in months.text
    assert "created_at__month=8" not in months.text


def test_date_hierarchy_queryset_gives_the_same_dates_as_django():
    for moment in (
        datetime.datetime(2019, 3, 10, 12, tzinfo=datetime.UTC),
        datetime.datetime(2019, 3, 12, 8, tzinfo=datetime.UTC),
        datetime.datetime(2021, 7, 4, 12, tzinfo=datetime.UTC),
    ):
        CommentFactory(created_at=moment)
    plain = Comment.objects.all()
    fast = DateHierarchyQuerySet(model=Comment)

    for kind in ("year", "month", "day"):
        assert list(fast.datetimes("created_at", kind)) == list(plain.datetimes("created_at", kind))
    march = {"created_at__year": 2019, "created_at__month": 3}
    assert list(fast.filter(**march).datetimes("created_at", "day")) == list(
        plain.filter(**march).datetimes("created_at", "day")
    )
    assert list(fast.none().datetimes("created_at", "year")) == []


# --- counting helpers -----------------------------------------------------------------------


def test_capped_counts_count_several_lists_in_one_query(django_assert_num_queries):
    CommentFactory.create_batch(4)
    CommentFactory(approved=True)

    with django_assert_num_queries(1):
        counts = pagination.capped_counts(
            {"pending": Comment.objects.pending(), "approved": Comment.objects.approved()}, 3
        )

    assert counts == {"pending": 4, "approved": 1}  # 4: more than 3


def test_estimating_paginator_counts_exactly_below_its_cap():
    CommentFactory.create_batch(5)

    paginator = pagination.EstimatingPaginator(Comment.objects.order_by("pk"), 2, exact_up_to=10)

    assert paginator.count == 5
    assert not paginator.estimated
    assert list(paginator.page(3).object_list) == list(Comment.objects.order_by("pk"))[4:]


@pytest.mark.postgres
def test_estimating_paginator_estimates_a_whole_table_past_its_cap():
    CommentFactory.create_batch(6)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE commentary_comment")

    paginator = pagination.EstimatingPaginator(Comment.objects.order_by("pk"), 2, exact_up_to=3)

    assert paginator.count == 6  # pg_class.reltuples, fresh from ANALYZE
    assert paginator.estimated


@pytest.mark.postgres
def test_a_filtered_list_is_estimated_by_the_planner():
    CommentFactory.create_batch(6)

    estimate = pagination.estimated_count(Comment.objects.filter(status="pending"))

    assert isinstance(estimate, int) and estimate >= 1


def test_title_matches_are_bounded(monkeypatch):
    monkeypatch.setattr(moderation_search, "TITLE_MATCHES", 1)
    for _ in range(2):
        CommentFactory(article=ArticleFactory(title="Sanctions and oil"), body="Hm.")

    found = moderation_search.search_comments(Comment.objects.all(), "sanctions")

    assert found.count() == 1
