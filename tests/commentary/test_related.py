"""Further reading: an article's previous and next installments in its column, the articles
that share its tags (and its translations, see test_language_urls), all in one query; and
the home page's "Most discussed this week"."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from pytest_django.asserts import assertContains, assertNotContains

from commentary import related
from commentary.models import Article
from tests.factories import (
    ArticleFactory,
    ColumnFactory,
    CommentFactory,
    DraftArticleFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2014, 3, 4, 12, 0, tzinfo=UTC)
WEEK = datetime.timedelta(days=7)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def page_text(response):
    return " ".join(strip_tags(response.content.decode()).split())


def get_in_russian(client, url):
    """The page at ``url()`` as a reader who asked for Russian sees it (the address is made
    in Russian too, for pages whose address carries the language)."""
    with translation.override("ru"):
        return client.get(url(), headers={"accept-language": "ru"})


def weeks_ago(weeks):
    return NOW - weeks * WEEK


def neighbours_of(article):
    return related.further_reading(article).neighbours


def related_to(article):
    return related.further_reading(article).related


# --- previous and next in the column ------------------------------------------------------


@pytest.fixture
def global_insights(frozen):
    """Installments of "Global Insights" a week apart, with a draft, an expired piece, a
    scheduled one and another column's article among them."""
    column = ColumnFactory(name="Global Insights", slug="global-insights")
    installments = {
        "first": ArticleFactory(column=column, title="First", published_at=weeks_ago(5)),
        "draft": DraftArticleFactory(column=column, title="Unfinished"),
        "expired": ArticleFactory(
            column=column,
            title="Withdrawn",
            published_at=weeks_ago(4),
            expires_at=weeks_ago(3),
        ),
        "second": ArticleFactory(column=column, title="Second", published_at=weeks_ago(3)),
        "third": ArticleFactory(column=column, title="Third", published_at=weeks_ago(1)),
        "scheduled": ArticleFactory(column=column, title="Next week's", published_at=NOW + WEEK),
    }
    ArticleFactory(column=ColumnFactory(), title="Elsewhere", published_at=weeks_ago(2))
    return installments


def test_previous_and_next_installments_skip_drafts_expired_and_scheduled_pieces(
    global_insights,
):
    neighbours = neighbours_of(global_insights["second"])

    assert neighbours.previous == global_insights["first"]
    assert neighbours.next == global_insights["third"]


def test_the_first_installment_has_no_previous_and_the_latest_no_next(global_insights):
    first = neighbours_of(global_insights["first"])
    latest = neighbours_of(global_insights["third"])

    assert first.previous is None
    assert first.next == global_insights["second"]
    assert latest.previous == global_insights["second"]
    assert latest.next is None  # next week's piece is not public yet


def test_the_scheduled_installment_becomes_the_next_one_when_its_time_comes(
    global_insights, frozen
):
    frozen.move_to(NOW + WEEK)

    assert neighbours_of(global_insights["third"]).next == (global_insights["scheduled"])


def test_installments_published_at_the_same_minute_are_ordered_by_id(frozen):
    column = ColumnFactory()
    same_time = weeks_ago(1)
    earlier, later = (ArticleFactory(column=column, published_at=same_time) for _ in range(2))

    assert neighbours_of(earlier).next == later
    assert neighbours_of(later).previous == earlier


def test_article_page_links_the_previous_and_next_installments(client, global_insights):
    response = client.get(global_insights["second"].get_absolute_url())

    text = page_text(response)
    assert "← Previous in Global Insights: First" in text
    assert "Next: Third →" in text
    assertContains(response, f'rel="prev" href="{global_insights["first"].get_absolute_url()}"')
    assertContains(response, f'rel="next" href="{global_insights["third"].get_absolute_url()}"')
    assertNotContains(response, "Withdrawn")
    assertNotContains(response, "Unfinished")


def test_article_outside_any_column_has_no_installment_links(client, frozen):
    ArticleFactory(published_at=weeks_ago(2))
    article = ArticleFactory(published_at=weeks_ago(1))

    response = client.get(article.get_absolute_url())

    assert not response.context["column_neighbours"]
    assertNotContains(response, 'class="installments"')


def test_further_reading_is_one_query_with_or_without_a_column_tags_or_translations(client, frozen):
    """The article page's pinned count (see test_query_counts) holds for a plain article and
    for a column piece with tags and a translation alike."""
    plain = ArticleFactory(published_at=weeks_ago(1))
    column = ColumnFactory()
    tag = TagFactory()
    ArticleFactory(column=column, tags=[tag], published_at=weeks_ago(2))
    piece = ArticleFactory(column=column, tags=[tag], published_at=weeks_ago(1))
    ArticleFactory(tags=[tag], published_at=weeks_ago(3))
    ArticleFactory(language="ru", translation_of=piece, published_at=weeks_ago(1))

    with CaptureQueriesContext(connection) as without:
        client.get(plain.get_absolute_url())
    with CaptureQueriesContext(connection) as with_all:
        response = client.get(piece.get_absolute_url())

    assert len(with_all) == len(without)
    assert response.context["column_neighbours"].previous is not None
    assert len(response.context["related_articles"]) == 1
    assert "ru" in {version.language for version in related.public_translations(piece)}


# --- related by shared tags ---------------------------------------------------------------


@pytest.fixture
def tags():
    return [TagFactory(name=name) for name in ("Russia", "China", "Arms trade", "Iran")]


def test_related_articles_are_ordered_by_shared_tags_then_recency(frozen, tags):
    russia, china, arms, iran = tags
    article = ArticleFactory(tags=[russia, china, arms], published_at=weeks_ago(1))
    three_old = ArticleFactory(tags=[russia, china, arms, iran], published_at=weeks_ago(9))
    two_new = ArticleFactory(tags=[russia, china], published_at=weeks_ago(2))
    two_old = ArticleFactory(tags=[china, arms], published_at=weeks_ago(6))
    one_newest = ArticleFactory(tags=[arms], published_at=weeks_ago(0) - WEEK / 7)
    ArticleFactory(tags=[russia], published_at=weeks_ago(8))  # a fifth: beyond the four
    ArticleFactory(tags=[iran], published_at=weeks_ago(1))  # shares nothing

    found = related_to(article)

    assert found == [three_old, two_new, two_old, one_newest]
    assert [item.shared_tags for item in found] == [3, 2, 2, 1]


def test_related_articles_never_include_the_article_or_non_public_ones(frozen, tags):
    russia = tags[0]
    article = ArticleFactory(tags=[russia])
    public = ArticleFactory(tags=[russia], published_at=weeks_ago(3))
    DraftArticleFactory(tags=[russia])
    ArticleFactory(tags=[russia], status=Article.Status.IN_REVIEW, published_at=None)
    ArticleFactory(tags=[russia], published_at=NOW + WEEK)  # scheduled
    ArticleFactory(tags=[russia], published_at=weeks_ago(4), expires_at=weeks_ago(2))

    assert related_to(article) == [public]


def test_related_articles_are_chosen_among_those_last_filed_under_its_tags(
    frozen, tags, monkeypatch
):
    """However large the archive grows, only the articles filed last under the article's
    tags are weighed: an older one sharing more tags gives way to them."""
    monkeypatch.setattr(related, "RELATED_CANDIDATES", 3)
    russia, china = tags[:2]
    both_old = ArticleFactory(tags=[russia, china], published_at=weeks_ago(9))
    latest = [
        ArticleFactory(tags=[tag], published_at=weeks_ago(n))
        for n, tag in ((4, russia), (3, china), (2, russia))
    ]
    article = ArticleFactory(tags=[russia, china], published_at=weeks_ago(1))

    found = related_to(article)

    assert found == latest[::-1]
    assert [item.shared_tags for item in found] == [1, 1, 1]

    latest[0].delete()

    assert related_to(article) == [both_old, latest[2], latest[1]]
    assert related_to(article)[0].shared_tags == 2


def test_related_articles_do_not_repeat_the_articles_translations(frozen, tags):
    original = ArticleFactory(tags=tags[:1], published_at=weeks_ago(2))
    translation_ = ArticleFactory(
        language="ru", translation_of=original, tags=tags[:1], published_at=weeks_ago(1)
    )
    other = ArticleFactory(tags=tags[:1], published_at=weeks_ago(3))

    reading = related.further_reading(original)

    assert reading.related == [other]
    assert reading.translations == [translation_]
    assert related_to(translation_) == [other]


def test_related_articles_leave_out_the_previous_and_next_installments(
    client, global_insights, tags
):
    for installment in ("first", "second", "third"):
        global_insights[installment].tags.add(tags[0])
    elsewhere = ArticleFactory(tags=[tags[0]], published_at=weeks_ago(6))

    response = client.get(global_insights["second"].get_absolute_url())

    assert response.context["related_articles"] == [elsewhere]


def test_article_without_tags_has_no_related_reading(client, frozen):
    article = ArticleFactory()
    ArticleFactory(tags=[TagFactory()])

    response = client.get(article.get_absolute_url())

    assert response.context["related_articles"] == []
    assertNotContains(response, "Related reading")


def test_article_page_lists_related_articles_with_kicker_title_and_date(client, frozen, tags):
    article = ArticleFactory(tags=tags[:2])
    ArticleFactory(
        tags=tags[:1],
        title="Moscow and Beijing Draw Closer",
        article_type=Article.ArticleType.OPINION,
        column=ColumnFactory(name="Global Insights"),
        published_at=datetime.datetime(2014, 2, 11, 9, 30, tzinfo=UTC),
    )

    response = client.get(article.get_absolute_url())

    text = page_text(response)
    assert "Related reading" in text
    assert "Opinion · Global Insights Moscow and Beijing Draw Closer 11 Feb 2014" in text


def test_related_reading_is_translated(client, frozen, tags):
    column = ColumnFactory(name="Global Insights")
    ArticleFactory(column=column, title="First", published_at=weeks_ago(2), tags=tags[:1])
    article = ArticleFactory(column=column, published_at=weeks_ago(1), tags=tags[:1])
    ArticleFactory(tags=tags[:1], published_at=weeks_ago(3))

    response = get_in_russian(client, article.get_absolute_url)

    text = page_text(response)
    assert "Читайте также" in text
    assert "← Предыдущий выпуск «Global Insights»: First" in text


# --- most discussed this week -------------------------------------------------------------


def approved_comments(article, count, *, days_ago=0):
    return CommentFactory.create_batch(
        count, article=article, approved=True, created_at=NOW - datetime.timedelta(days=days_ago)
    )


def test_most_discussed_counts_only_approved_comments_of_the_last_seven_days(frozen):
    lively = ArticleFactory(title="Lively")
    approved_comments(lively, 3, days_ago=1)
    once_lively = ArticleFactory(title="Once lively")
    approved_comments(once_lively, 6, days_ago=8)
    approved_comments(once_lively, 1, days_ago=7)  # exactly a week ago: still counts
    unmoderated = ArticleFactory(title="Unmoderated")
    CommentFactory.create_batch(4, article=unmoderated)
    CommentFactory(article=unmoderated, rejected=True)
    CommentFactory(article=unmoderated, status="spam", moderated_at=NOW)

    found = related.most_discussed()

    assert found == [lively, once_lively]
    assert [article.recent_comment_count for article in found] == [3, 1]


def test_most_discussed_leaves_the_window_as_the_week_passes(frozen):
    article = ArticleFactory()
    approved_comments(article, 2, days_ago=0)

    frozen.move_to(NOW + WEEK - datetime.timedelta(seconds=1))
    assert related.most_discussed() == [article]
    frozen.move_to(NOW + WEEK + datetime.timedelta(seconds=1))
    assert related.most_discussed() == []


def test_most_discussed_lists_five_public_articles_most_comments_first(frozen):
    articles = [ArticleFactory(published_at=weeks_ago(2) + index * WEEK / 7) for index in range(7)]
    for index, article in enumerate(articles):
        approved_comments(article, 1 + index % 3)
    draft = DraftArticleFactory()
    approved_comments(draft, 9)

    found = related.most_discussed()

    # Three comments: 5 and 2, the newer first; two: 4 and 1; one: 6, the newest of 6, 3, 0.
    assert found == [articles[5], articles[2], articles[4], articles[1], articles[6]]
    assert [article.recent_comment_count for article in found] == [3, 3, 2, 2, 1]
    assert draft not in found


def test_home_page_shows_the_most_discussed_articles_with_their_counts(client, frozen):
    column = ColumnFactory(name="Global Insights")
    approved_comments(ArticleFactory(column=column, title="Sochi Summit"), 12)
    approved_comments(ArticleFactory(title="Arms Race"), 1)

    response = client.get(reverse("commentary:home"))

    text = page_text(response)
    assert (
        "Most discussed this week Global Insights: Sochi Summit 12 comments Arms Race 1 comment"
        in (text)
    )


def test_home_page_without_recent_comments_has_no_most_discussed_list(client, frozen):
    approved_comments(ArticleFactory(), 2, days_ago=10)

    response = client.get(reverse("commentary:home"))

    assertNotContains(response, "Most discussed this week")


def test_most_discussed_counts_read_naturally_in_russian(client, frozen):
    approved_comments(ArticleFactory(title="Sochi"), 3)
    approved_comments(ArticleFactory(title="Kyiv"), 5)

    text = page_text(get_in_russian(client, lambda: reverse("commentary:home")))

    assert "Kyiv 5 комментариев Sochi 3 комментария" in text
