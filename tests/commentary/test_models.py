"""Reading rules (QuerySets), database constraints and the small model helpers."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone, translation

from commentary.models import Article, ArticleAuthor, Author, Column, Comment
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    CommentFactory,
    DraftArticleFactory,
    PublicationFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2024, 5, 7, 9, 30, tzinfo=datetime.UTC)


# --- Article.objects.published() ------------------------------------------------------------


def test_published_includes_past_published_articles_only():
    with time_machine.travel(NOW, tick=False):
        live = ArticleFactory(published_at=NOW - datetime.timedelta(days=3))
        just_live = ArticleFactory(published_at=NOW)
        DraftArticleFactory()
        DraftArticleFactory(published_at=NOW - datetime.timedelta(days=1))
        ArticleFactory(published_at=NOW + datetime.timedelta(minutes=1))

        published = set(Article.objects.published())

    assert published == {live, just_live}


def test_future_article_becomes_published_when_its_time_comes():
    with time_machine.travel(NOW, tick=False):
        scheduled = ArticleFactory(published_at=NOW + datetime.timedelta(hours=2))
        assert scheduled not in Article.objects.published()
        assert not scheduled.is_public

    with time_machine.travel(NOW + datetime.timedelta(hours=2, seconds=1), tick=False):
        assert list(Article.objects.published()) == [scheduled]
        assert scheduled.is_public


# --- Comment QuerySets ----------------------------------------------------------------------


def test_comment_querysets_split_comments_by_status():
    article = ArticleFactory()
    pending = CommentFactory(article=article)
    approved = CommentFactory(article=article, approved=True)
    rejected = CommentFactory(article=article, rejected=True)
    CommentFactory(article=article, status=Comment.Status.SPAM, moderated_at=timezone.now())

    assert list(Comment.objects.pending()) == [pending]
    assert list(Comment.objects.approved()) == [approved]
    assert list(Comment.objects.rejected()) == [rejected]
    assert list(article.comments.approved()) == [approved]


def test_with_comment_counts_counts_approved_and_pending_per_article():
    busy = ArticleFactory(authors=[AuthorFactory(), AuthorFactory()], tags=["Russia", "China"])
    quiet = ArticleFactory()
    CommentFactory.create_batch(2, article=busy, approved=True)
    CommentFactory.create_batch(3, article=busy)
    CommentFactory(article=busy, rejected=True)
    CommentFactory(article=quiet, rejected=True)

    counts = {
        article.pk: (article.approved_comment_count, article.pending_comment_count)
        for article in Article.objects.with_comment_counts()
    }

    assert counts == {busy.pk: (2, 3), quiet.pk: (0, 0)}


def test_with_comment_counts_is_not_inflated_by_joins_on_other_relations():
    busy = ArticleFactory(authors=[AuthorFactory(), AuthorFactory()], tags=["Russia", "China"])
    CommentFactory.create_batch(2, article=busy, approved=True)
    CommentFactory(article=busy)

    rows = list(
        Article.objects.with_comment_counts().filter(
            tags__name__in=["Russia", "China"], authors__isnull=False
        )
    )

    assert {(row.approved_comment_count, row.pending_comment_count) for row in rows} == {(2, 1)}


# --- database constraints -------------------------------------------------------------------


def test_article_slug_is_unique_in_the_database():
    ArticleFactory(slug="in-sochi")
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(slug="in-sochi")


def test_database_refuses_an_unknown_article_status():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status="bogus")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_database_refuses_an_unknown_article_language():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(language="xx")


def test_database_refuses_a_published_article_without_a_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(status=Article.Status.PUBLISHED, published_at=None)


def test_database_allows_a_draft_without_a_date():
    draft = DraftArticleFactory()
    assert draft.published_at is None


def test_database_refuses_a_decided_comment_without_a_decision_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        CommentFactory(status=Comment.Status.APPROVED, moderated_at=None)


def test_database_refuses_an_unknown_comment_status():
    comment = CommentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(status="bogus", moderated_at=timezone.now())


def test_database_refuses_the_same_author_twice_in_a_byline():
    author = AuthorFactory()
    article = ArticleFactory(authors=[author])
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleAuthor.objects.create(article=article, author=author, position=1)


@pytest.mark.parametrize(
    ("field", "value"),
    [("cadence", "daily"), ("weekday", 7)],
)
def test_database_refuses_an_impossible_column_schedule(field, value):
    column = ColumnFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Column.objects.filter(pk=column.pk).update(**{field: value})
    column.refresh_from_db()
    assert (column.cadence, column.weekday) == ("weekly", Column.Weekday.TUESDAY)


def test_database_refuses_an_unknown_pronoun():
    author = AuthorFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Author.objects.filter(pk=author.pk).update(pronoun="it")


# --- Article.save sanitises the body --------------------------------------------------------


def test_saving_an_article_removes_scripts_handlers_and_javascript_links():
    article = ArticleFactory(
        body=(
            '<p onclick="steal()">Moscow and <strong>Beijing</strong> <em>agree</em>.</p>'
            "<script>alert('x')</script>"
            '<img src="x.png" onerror="alert(1)">'
            '<p><a href="javascript:alert(1)">trap</a></p>'
        )
    )
    article.refresh_from_db()

    assert "<script" not in article.body
    assert "alert" not in article.body
    assert "onerror" not in article.body
    assert "onclick" not in article.body
    assert "javascript:" not in article.body
    assert "<p>Moscow and <strong>Beijing</strong> <em>agree</em>.</p>" in article.body
    assert ">trap</a>" in article.body


def test_saving_an_article_keeps_allowed_tags_and_gives_links_rel():
    body = (
        "<h2>Background</h2>"
        "<blockquote><p>A quote.</p></blockquote>"
        "<ul><li>one</li></ul>"
        '<p><a href="https://example.org/report" target="_blank">the report</a></p>'
    )
    article = ArticleFactory(body=body)
    article.refresh_from_db()

    assert "<h2>Background</h2>" in article.body
    assert "<blockquote><p>A quote.</p></blockquote>" in article.body
    assert "<ul><li>one</li></ul>" in article.body
    assert (
        '<a href="https://example.org/report" rel="noopener noreferrer">the report</a>'
        in article.body
    )
    assert "target" not in article.body


# --- display helpers ------------------------------------------------------------------------


def test_display_title_prefixes_the_column_name():
    column = ColumnFactory(name="Global Insights")
    article = ArticleFactory(column=column, title="In Sochi, Xi and Putin Put Ties on Display")

    assert article.display_title == "Global Insights: In Sochi, Xi and Putin Put Ties on Display"
    assert str(article) == article.display_title


def test_display_title_is_the_title_without_a_column():
    article = ArticleFactory(column=None, title="A Stand-alone Essay")
    assert article.display_title == "A Stand-alone Essay"


@pytest.mark.parametrize(
    ("pronoun", "cadence", "weekday", "expected"),
    [
        (
            "he",
            "weekly",
            Column.Weekday.TUESDAY,
            "His weekly WPR column, Global Insights, appears every Tuesday.",
        ),
        (
            "she",
            "fortnightly",
            Column.Weekday.THURSDAY,
            "Her fortnightly WPR column, Global Insights, appears every other Thursday.",
        ),
        (
            "they",
            "monthly",
            Column.Weekday.MONDAY,
            "Their monthly WPR column, Global Insights, appears on the first Monday of each month.",
        ),
        (
            "he",
            "weekly",
            Column.Weekday.SUNDAY,
            "His weekly WPR column, Global Insights, appears every Sunday.",
        ),
    ],
)
def test_schedule_sentence_follows_pronoun_cadence_and_weekday(pronoun, cadence, weekday, expected):
    column = ColumnFactory(
        name="Global Insights",
        publication=PublicationFactory(name="World Politics Review", short_name="WPR"),
        cadence=cadence,
        weekday=weekday,
    )
    author = AuthorFactory(pronoun=pronoun)

    assert column.schedule_sentence(author) == expected


def test_schedule_sentence_uses_the_publication_name_without_a_short_name():
    column = ColumnFactory(
        name="Eurasia Watch",
        publication=PublicationFactory(name="Eurasia Review", short_name=""),
        cadence="fortnightly",
        weekday=Column.Weekday.THURSDAY,
    )
    author = AuthorFactory(pronoun="she")

    assert column.schedule_sentence(author) == (
        "Her fortnightly Eurasia Review column, Eurasia Watch, appears every other Thursday."
    )


def test_schedule_sentence_names_no_outlet_without_a_publication():
    column = ColumnFactory(
        name="Eurasia Watch", publication=None, cadence="weekly", weekday=Column.Weekday.FRIDAY
    )
    author = AuthorFactory(pronoun="they")

    assert column.schedule_sentence(author) == (
        "Their weekly column, Eurasia Watch, appears every Friday."
    )


def test_tagline_sentence_completes_the_authors_name():
    author = AuthorFactory(
        name="Richard Weitz",
        tagline="a senior fellow at the Hudson Institute and a World Politics Review senior editor",
    )
    assert author.tagline_sentence == (
        "Richard Weitz is a senior fellow at the Hudson Institute and a World Politics Review "
        "senior editor."
    )


def test_tagline_sentence_is_empty_without_a_tagline():
    assert AuthorFactory(name="Anna Petrova", tagline="").tagline_sentence == ""


def test_author_notes_pair_each_byline_author_with_tagline_and_schedule():
    first = AuthorFactory(name="Richard Weitz", tagline="a senior fellow", pronoun="he")
    second = AuthorFactory(name="Anna Petrova", tagline="", pronoun="she")
    column = ColumnFactory(name="Global Insights", cadence="weekly", weekday=1)
    article = ArticleFactory(column=column, authors=[first, second])

    notes = article.author_notes()

    assert [note["author"] for note in notes] == [first, second]
    assert notes[0]["tagline"] == "Richard Weitz is a senior fellow."
    assert notes[0]["schedule"] == "His weekly WPR column, Global Insights, appears every Tuesday."
    assert notes[1]["tagline"] == ""
    assert notes[1]["schedule"].startswith("Her weekly WPR column")


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("value", [*Article.ArticleType.values, "retired", None])
def test_article_type_display_is_the_label_django_gives(language, value):
    article = Article(article_type=value)
    field = Article._meta.get_field("article_type")

    with translation.override(language):
        assert article.get_article_type_display() == Model._get_FIELD_display(article, field)
