"""``manage.py generate_content``: a realistic synthetic archive, at small scale here, on both
databases (COPY on PostgreSQL, bulk_create elsewhere)."""

import io
import re
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from bench.dataset import fifty_comment_article
from commentary import page_cache, search
from commentary.generation import MIN_COMMENTS
from commentary.html import sanitize_html
from commentary.links import find_links
from commentary.models import (
    Article,
    ArticleAuthor,
    Column,
    Comment,
    CommentReport,
    TaggedArticle,
)

pytestmark = pytest.mark.django_db

ARTICLES = 30
COMMENTS = 300
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def generate(articles=ARTICLES, comments=COMMENTS, **options):
    out = io.StringIO()
    call_command("generate_content", articles=articles, comments=comments, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def generated():
    return generate(batch=7)


def test_it_adds_exactly_the_articles_and_comments_asked_for(generated):
    assert Article.objects.count() == ARTICLES
    assert Comment.objects.count() == COMMENTS
    assert f"Added {ARTICLES} articles, {COMMENTS} comments" in generated
    assert "30/30 articles, 300/300 comments" in generated


def test_a_second_run_adds_to_what_is_there(generated):
    generate(articles=5, comments=MIN_COMMENTS + 10)

    assert Article.objects.count() == ARTICLES + 5
    assert Comment.objects.count() == COMMENTS + MIN_COMMENTS + 10
    assert Article.objects.values("slug").distinct().count() == ARTICLES + 5
    # The columns and authors of the first run are reused, not duplicated.
    assert Column.objects.filter(name="Global Insights").count() == 1


def test_every_comment_status_and_article_state_is_present(generated):
    statuses = set(Comment.objects.values_list("status", flat=True))
    assert statuses == set(Comment.Status.values)
    states = {article.state for article in Article.objects.all()}
    assert states == {"draft", "review", "published", "scheduled", "expired"}


def test_the_weekly_column_appears_on_its_weekday(generated):
    column = Column.objects.get(name="Global Insights")
    assert column.cadence == Column.Cadence.WEEKLY
    assert column.publication.short_name == "WPR"
    assert column.authors.exists()
    for article in Article.objects.filter(column=column).exclude(published_at=None):
        assert article.published_at.weekday() == column.weekday


def test_threads_are_valid(generated):
    replies = Comment.objects.exclude(parent=None).select_related("parent")
    assert replies.exists()
    assert Comment.objects.filter(depth=Comment.MAX_DEPTH).exists()
    for reply in replies:
        assert reply.parent.article_id == reply.article_id
        assert reply.depth == reply.parent.depth + 1 <= Comment.MAX_DEPTH
        assert reply.parent.status == Comment.Status.APPROVED
        assert reply.created_at > reply.parent.created_at
    assert not Comment.objects.filter(parent=None).exclude(depth=0).exists()


def test_comments_look_like_real_submissions(generated):
    comments = list(Comment.objects.select_related("article"))
    for comment in comments:
        assert re.fullmatch(r"[0-9a-f]{64}", comment.ip_hash)
        assert comment.language in {"en", "ru"}
        assert comment.author_name and "@" in comment.author_email
        assert comment.submission_key is not None
        assert not find_links(comment.body), comment.body
        assert comment.article.is_public or comment.article.state == "expired"
        assert comment.created_at >= comment.article.published_at
        if comment.status == Comment.Status.PENDING:
            assert comment.moderated_at is None
        else:
            assert comment.moderated_at >= comment.created_at
        assert bool(comment.rejection_reason) == (comment.status == Comment.Status.REJECTED)
    assert len({comment.submission_key for comment in comments}) == len(comments)
    # Comments are spread over articles, many commenters come back.
    assert len({comment.article_id for comment in comments}) > 5
    assert len({comment.author_email for comment in comments}) < len(comments)


def test_both_languages_are_present(generated):
    for language in ("en", "ru"):
        assert Article.objects.filter(language=language).exists()
        assert Comment.objects.filter(language=language).exists()
    for article in Article.objects.all():
        assert bool(CYRILLIC.search(article.title)) == (article.language == "ru")
    russian = Comment.objects.filter(language="ru").exclude(status="spam").first()
    assert CYRILLIC.search(russian.body)


def test_articles_have_bylines_tags_and_clean_bodies(generated):
    assert not Article.objects.filter(article_authors=None).exists()
    assert not Article.objects.filter(tagged_items=None).exists()
    assert ArticleAuthor.objects.count() >= ARTICLES
    assert TaggedArticle.objects.count() >= ARTICLES
    for article in Article.objects.all():
        assert article.body.startswith(("<p>", "<h2>", "<blockquote>"))
        assert sanitize_html(article.body) == article.body
        assert article.summary and article.slug.endswith(str(article.pk))
    republished = Article.objects.exclude(source_publication=None)
    for article in republished:
        assert article.original_url.startswith("https://")
        assert article.licence_note


def test_one_published_article_has_exactly_fifty_approved_comments(generated):
    article = fifty_comment_article()

    assert article is not None
    assert article.accepts_comments
    counts = article.comments.aggregate(
        approved=Count("pk", filter=Q(status=Comment.Status.APPROVED)),
        pending=Count("pk", filter=Q(status=Comment.Status.PENDING)),
    )
    assert counts["approved"] == 50
    assert counts["pending"] > 0
    assert article.pk == Article.objects.order_by("-pk").values_list("pk", flat=True)[0]


def test_readers_reports_reach_the_threshold_of_flagged_comments(settings):
    generate(articles=20, comments=2000, seed=7)

    flagged = Comment.objects.filter(flagged_at__isnull=False)
    assert flagged.exists()
    for comment in flagged.annotate(reports_total=Count("reports")):
        assert comment.status == Comment.Status.APPROVED
        assert comment.reports_total >= settings.COMMENTS_REPORT_THRESHOLD
    assert CommentReport.objects.filter(comment__flagged_at=None).exists()


@pytest.mark.postgres
def test_search_finds_generated_articles(generated):
    article = Article.objects.published().filter(language="en").first()
    russian = Article.objects.published().filter(language="ru").first()

    assert not Article.objects.filter(search_vector=None).exists()
    for wanted in (article, russian):
        results = search.ArticleSearch(wanted.title)
        assert results.count() >= 1
        assert wanted.pk in {found.pk for found in results[: results.count()]}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"articles": 0}, "--articles must be 1 or more"),
        ({"comments": MIN_COMMENTS - 1}, f"--comments must be {MIN_COMMENTS} or more"),
        ({"batch": 0}, "--batch must be 1 or more"),
    ],
)
def test_bad_arguments_are_refused_with_one_clear_line(options, message):
    arguments = {"articles": 3, "comments": 100, **options}
    with pytest.raises(CommandError, match=message) as raised:
        generate(**arguments)
    assert "\n" not in str(raised.value)
    assert not Article.objects.exists()


def test_arguments_that_are_not_numbers_are_refused():
    with pytest.raises(CommandError, match="invalid int value"):
        call_command("generate_content", "--articles", "many", "--comments", "100")


def test_a_single_article_gets_all_the_comments_and_keeps_fifty_approved():
    generate(articles=1, comments=MIN_COMMENTS + 20)

    article = Article.objects.get()
    assert article.comments.count() == MIN_COMMENTS + 20
    assert article.comments.approved().count() == 50
    assert fifty_comment_article() == article


def test_generated_content_marks_every_cached_page_as_changed():
    with mock.patch("commentary.page_cache.invalidate") as invalidate:
        generate()

    # Saves of reference data invalidate through signals; the bulk inserts need the last call.
    assert invalidate.call_args == mock.call(page_cache.CONTENT, page_cache.COMMENTS)
