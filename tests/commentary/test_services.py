"""The service functions: every change of state goes through them."""

import dataclasses
import datetime
import shutil
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commentary import services
from commentary.importing import parse_article_file
from commentary.models import Article, Author, Column, Comment, Publication
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    DraftArticleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2024, 5, 7, 9, 30, tzinfo=datetime.UTC)
SEED_ARTICLE = Path(settings.BASE_DIR).parent / "shared" / "seed" / "global-insights-2014-02-11.txt"
EURASIA_ARTICLE = Path(__file__).resolve().parent / "fixtures" / "eurasia-watch-2014-03-06.txt"
FOOTER_TEXT = ("links are not allowed", "You can comment this article", "Оставить комментарий")


def _require(path):
    if not path.is_file():
        pytest.fail(
            f"{path} is missing; the import tests read it in place and cannot be skipped.",
            pytrace=False,
        )
    return path


@pytest.fixture
def seed_path():
    return _require(SEED_ARTICLE)


@pytest.fixture
def seed(seed_path):
    return parse_article_file(seed_path)


@pytest.fixture
def eurasia():
    return parse_article_file(_require(EURASIA_ARTICLE))


# --- comment_submit -------------------------------------------------------------------------


def test_submitted_comment_is_stored_pending_with_whitespace_stripped(reader):
    article = ArticleFactory()

    comment = services.comment_submit(
        article=article,
        body="  \n  Sochi showed how close the two leaders are.  \n",
        author_name="  Careful Reader ",
        author_email=" reader@example.org  ",
        user=reader,
    )

    stored = Comment.objects.get(pk=comment.pk)
    assert stored.status == Comment.Status.PENDING
    assert stored.body == "Sochi showed how close the two leaders are."
    assert stored.author_name == "Careful Reader"
    assert stored.author_email == "reader@example.org"
    assert stored.user == reader
    assert stored.moderated_by is None
    assert stored.moderated_at is None
    assert list(article.comments.approved()) == []


def test_anonymous_comment_has_no_user():
    comment = services.comment_submit(
        article=ArticleFactory(),
        body="A fair point.",
        author_name="Guest",
        author_email="guest@example.org",
        user=AnonymousUser(),
    )
    assert comment.user is None


def test_comment_with_a_link_is_refused_naming_the_fragment():
    article = ArticleFactory()

    with pytest.raises(ValidationError) as refused:
        services.comment_submit(
            article=article,
            body="The full story is at example.com/sochi, read it.",
            author_name="Spammer",
            author_email="spam@example.org",
        )

    assert "body" in refused.value.message_dict
    assert "example.com/sochi" in " ".join(refused.value.message_dict["body"])
    assert not Comment.objects.exists()


def test_comment_is_refused_when_comments_are_disabled():
    article = ArticleFactory(comments_enabled=False)

    with pytest.raises(ValidationError) as refused:
        services.comment_submit(
            article=article, body="Hello there.", author_name="A", author_email="a@example.org"
        )

    assert refused.value.code == "closed"
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "make_article",
    [
        pytest.param(DraftArticleFactory, id="draft"),
        pytest.param(
            lambda: ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=1)),
            id="scheduled",
        ),
    ],
)
def test_comment_is_refused_on_an_article_that_is_not_public(make_article):
    article = make_article()

    with pytest.raises(ValidationError) as refused:
        services.comment_submit(
            article=article, body="Hello there.", author_name="A", author_email="a@example.org"
        )

    assert refused.value.code == "closed"
    assert not Comment.objects.exists()


# --- comment_approve / comment_reject -------------------------------------------------------


@pytest.mark.parametrize(
    ("decide", "status"),
    [
        (services.comment_approve, Comment.Status.APPROVED),
        (services.comment_reject, Comment.Status.REJECTED),
    ],
)
def test_moderator_decision_records_status_moderator_and_time(moderator, decide, status):
    comment = CommentFactory()

    with time_machine.travel(NOW, tick=False):
        returned = decide(comment=comment, moderator=moderator)

    comment.refresh_from_db()
    assert comment.status == status
    assert comment.moderated_by == moderator
    assert comment.moderated_at == NOW
    assert (returned.status, returned.moderated_by, returned.moderated_at) == (
        status,
        moderator,
        NOW,
    )


def test_approved_comment_is_the_only_one_readers_see(moderator):
    article = ArticleFactory()
    kept, dropped, waiting = CommentFactory.create_batch(3, article=article)

    services.comment_approve(comment=kept, moderator=moderator)
    services.comment_reject(comment=dropped, moderator=moderator)

    assert list(article.comments.approved()) == [kept]
    assert list(article.comments.pending()) == [waiting]


@pytest.mark.parametrize("decide", [services.comment_approve, services.comment_reject])
@pytest.mark.parametrize("who", ["editor", "reader", "no_role"])
def test_only_moderators_may_decide_comments(request, decide, who):
    user = UserFactory(is_staff=True) if who == "no_role" else request.getfixturevalue(who)
    comment = CommentFactory()

    with pytest.raises(PermissionDenied):
        decide(comment=comment, moderator=user)

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderated_by is None
    assert comment.moderated_at is None


# --- article_publish / article_unpublish ----------------------------------------------------


def test_editor_publishes_a_draft_now(editor):
    draft = DraftArticleFactory()

    with time_machine.travel(NOW, tick=False):
        services.article_publish(article=draft, user=editor)
        assert list(Article.objects.published()) == [draft]

    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.published_at == NOW


def test_publishing_keeps_an_existing_publication_date(editor):
    earlier = NOW - datetime.timedelta(days=30)
    draft = DraftArticleFactory(published_at=earlier)

    with time_machine.travel(NOW, tick=False):
        services.article_publish(article=draft, user=editor)

    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.published_at == earlier


def test_publishing_with_a_future_date_schedules_the_article(editor):
    draft = DraftArticleFactory()
    go_live = NOW + datetime.timedelta(days=2)

    with time_machine.travel(NOW, tick=False):
        services.article_publish(article=draft, user=editor, published_at=go_live)
        assert draft not in Article.objects.published()

    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.published_at == go_live
    with time_machine.travel(go_live, tick=False):
        assert list(Article.objects.published()) == [draft]


def test_editor_unpublishes_an_article(editor):
    article = ArticleFactory()

    services.article_unpublish(article=article, user=editor)

    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert not Article.objects.published().exists()


@pytest.mark.parametrize("who", ["moderator", "reader", "no_role"])
def test_only_editors_may_publish_or_unpublish(request, who):
    user = UserFactory(is_staff=True) if who == "no_role" else request.getfixturevalue(who)
    draft = DraftArticleFactory()
    live = ArticleFactory()

    with pytest.raises(PermissionDenied):
        services.article_publish(article=draft, user=user)
    with pytest.raises(PermissionDenied):
        services.article_unpublish(article=live, user=user)

    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert live.status == Article.Status.PUBLISHED


# --- article_import -------------------------------------------------------------------------


def test_import_creates_the_publication_with_its_short_name(seed):
    services.article_import(parsed=seed)

    publication = Publication.objects.get()
    assert publication.name == "World Politics Review"
    assert publication.short_name == "WPR"


def test_import_creates_the_column_with_its_schedule_home_and_author(seed):
    services.article_import(parsed=seed)

    column = Column.objects.get()
    assert column.name == "Global Insights"
    assert column.cadence == Column.Cadence.WEEKLY
    assert column.weekday == Column.Weekday.TUESDAY
    assert column.publication == Publication.objects.get(name="World Politics Review")
    assert [author.name for author in column.authors.all()] == ["Richard Weitz"]


def test_import_creates_the_author_with_tagline_and_pronoun(seed):
    services.article_import(parsed=seed)

    author = Author.objects.get()
    assert author.name == "Richard Weitz"
    assert author.tagline == (
        "a senior fellow at the Hudson Institute and a World Politics Review senior editor"
    )
    assert author.pronoun == Author.Pronoun.HE
    assert author.tagline_sentence == (
        "Richard Weitz is a senior fellow at the Hudson Institute and a World Politics Review "
        "senior editor."
    )


def test_import_creates_the_article_from_the_seed(seed):
    article, changed = services.article_import(parsed=seed)

    article = Article.objects.get(pk=article.pk)
    assert changed is True
    assert article.title == "In Sochi, Xi and Putin Put China-Russia Ties on Display"
    assert article.display_title == (
        "Global Insights: In Sochi, Xi and Putin Put China-Russia Ties on Display"
    )
    assert article.column == Column.objects.get(name="Global Insights")
    assert timezone.localtime(article.published_at).date() == datetime.date(2014, 2, 11)
    assert article.source_publication == Publication.objects.get(name="World Politics Review")
    assert article.original_published_on == datetime.date(2014, 2, 11)
    assert article.status == Article.Status.PUBLISHED
    assert article.language == Article.Language.ENGLISH
    assert article.ordered_authors == [Author.objects.get(name="Richard Weitz")]
    assert article.is_public


def test_imported_body_has_the_paragraphs_and_no_footer_or_notes(seed):
    article, _changed = services.article_import(parsed=seed)
    article.refresh_from_db()

    assert article.body.count("<p>") == 13
    assert article.body.count("</p>") == 13
    assert article.body.startswith("<p>In addition to the magnificent opening ceremony")
    assert "and its Asian allies.</p>" in article.body
    for footer in FOOTER_TEXT:
        assert footer not in article.body
    assert "Source:" not in article.body
    assert "senior fellow at the Hudson Institute" not in article.body
    assert "appears every Tuesday" not in article.body


def test_import_adds_the_tags(seed):
    article, _changed = services.article_import(parsed=seed, tags=["Russia", "China"])

    assert sorted(tag.name for tag in article.tags.all()) == ["China", "Russia"]


def test_import_as_draft_keeps_the_article_from_readers(seed):
    article, _changed = services.article_import(parsed=seed, publish=False)

    assert article.status == Article.Status.DRAFT
    assert not Article.objects.published().exists()


def _snapshot():
    return {
        "articles": list(Article.objects.values_list("pk", "updated_at", "body", "status")),
        "authors": list(Author.objects.values()),
        "columns": list(Column.objects.values()),
        "publications": list(Publication.objects.values()),
    }


@pytest.mark.parametrize("fixture", ["seed", "eurasia"])
def test_importing_the_same_file_twice_changes_nothing(request, fixture):
    parsed = request.getfixturevalue(fixture)
    first, changed = services.article_import(parsed=parsed, tags=["Russia", "China"])
    assert changed is True
    before = _snapshot()

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        again, changed_again = services.article_import(parsed=parsed, tags=["russia", "China"])

    assert changed_again is False
    assert again.pk == first.pk
    assert _snapshot() == before
    assert sorted(tag.name for tag in again.tags.all()) == ["China", "Russia"]


def test_eurasia_import_reads_schedule_and_source_without_a_short_name(eurasia):
    article, _changed = services.article_import(parsed=eurasia)

    column = Column.objects.get(name="Eurasia Watch")
    author = Author.objects.get(name="Anna Petrova")
    assert article.title == "Kazakhstan's Balancing Act: Between Moscow and Beijing"
    assert article.column == column
    assert (column.cadence, column.weekday) == (Column.Cadence.FORTNIGHTLY, 3)
    assert column.publication is None
    assert author.pronoun == Author.Pronoun.SHE
    assert article.source_publication.name == "Eurasia Review"
    assert article.original_published_on == datetime.date(2014, 3, 6)
    assert article.body.count("<p>") == 4
    assert "<p>Kazakhstan’s leadership has long described" in article.body


def test_importing_a_changed_file_updates_the_article(seed_path, tmp_path):
    article, _changed = services.article_import(parsed=parse_article_file(seed_path))
    edited = tmp_path / seed_path.name
    shutil.copy(seed_path, edited)
    text = edited.read_text(encoding="utf-8")
    edited.write_text(
        text.replace("and its Asian allies.", "and its Asian allies alike."), encoding="utf-8"
    )

    updated, changed = services.article_import(parsed=parse_article_file(edited))

    assert changed is True
    assert updated.pk == article.pk
    assert Article.objects.count() == 1
    assert "and its Asian allies alike.</p>" in Article.objects.get().body


def test_importing_a_changed_tagline_updates_the_author(seed):
    services.article_import(parsed=seed)
    moved = dataclasses.replace(seed, author_tagline="a professor at Georgetown University")

    _article, changed = services.article_import(parsed=moved)

    assert changed is True
    assert Author.objects.get().tagline == "a professor at Georgetown University"
