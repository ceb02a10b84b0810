"""The admin as editors and moderators use it: what each role may open and do."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from commentary.models import Article, Comment
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    CommentFactory,
    ContributorFactory,
    DraftArticleFactory,
    PublicationFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ARTICLES = reverse("admin:commentary_article_changelist")
COMMENTS = reverse("admin:commentary_comment_changelist")
# Session, user, 2 permission lookups, 3 list-filter choice lists (column, authors, tags),
# the (capped) count of the list (no count of the whole table), the page with its comment
# counts, its bylines, 2 date-hierarchy queries: the same for 1 or 20 articles.
ARTICLE_CHANGELIST_QUERIES = 12


def admin_url(model, view="changelist", *args):
    return reverse(f"admin:commentary_{model}_{view}", args=args)


def run_action(client, changelist, action, objects):
    return client.post(
        changelist,
        {"action": action, "_selected_action": [obj.pk for obj in objects], "index": 0},
    )


def listed(response):
    return list(response.context["cl"].result_list)


@pytest.fixture
def as_editor(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def as_moderator(client, moderator):
    client.force_login(moderator)
    return client


# --- editors --------------------------------------------------------------------------------


def test_editor_opens_the_article_changelist_add_and_change_forms(as_editor):
    article = ArticleFactory(title="In Sochi, Xi and Putin Put Ties on Display")

    changelist = as_editor.get(ARTICLES)
    add = as_editor.get(admin_url("article", "add"))
    change = as_editor.get(admin_url("article", "change", article.pk))

    assert changelist.status_code == 200
    assert "In Sochi, Xi and Putin Put Ties on Display" in changelist.text
    assert add.status_code == 200
    assert 'name="_save"' in add.text
    assert change.status_code == 200
    assert 'name="_save"' in change.text
    assert 'name="status"' in change.text


@pytest.mark.parametrize("model", ["author", "column", "publication", "tag"])
def test_editor_opens_the_content_admins(as_editor, model):
    factories = {
        "author": AuthorFactory,
        "column": ColumnFactory,
        "publication": PublicationFactory,
        "tag": TagFactory,
    }
    obj = factories[model]()

    for url in (
        admin_url(model),
        admin_url(model, "add"),
        admin_url(model, "change", obj.pk),
    ):
        response = as_editor.get(url)
        assert response.status_code == 200, url
        assert 'name="_save"' in response.text or "result_list" in response.text, url


def test_editor_publishes_selected_articles_with_the_action(as_editor):
    drafts = DraftArticleFactory.create_batch(2)
    other = DraftArticleFactory()

    response = run_action(as_editor, ARTICLES, "publish_selected", drafts)

    assert response.status_code == 302
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.status == Article.Status.PUBLISHED
        assert draft.published_at is not None
    assert set(Article.objects.published()) == set(drafts)
    other.refresh_from_db()
    assert other.status == Article.Status.DRAFT
    assert "2 articles published." in as_editor.get(ARTICLES).text


def test_editor_unpublishes_selected_articles_with_the_action(as_editor):
    live = ArticleFactory.create_batch(2)
    kept = ArticleFactory()

    response = run_action(as_editor, ARTICLES, "unpublish_selected", live)

    assert response.status_code == 302
    assert list(Article.objects.published()) == [kept]
    for article in live:
        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT


def test_editor_sees_no_comment_moderation_actions(as_editor):
    CommentFactory()

    response = as_editor.get(COMMENTS)

    assert response.status_code == 200
    assert "approve_selected" not in response.text
    assert "reject_selected" not in response.text


@pytest.mark.parametrize("action", ["approve_selected", "reject_selected"])
def test_editor_cannot_run_comment_moderation_actions(as_editor, action):
    comment = CommentFactory()

    run_action(as_editor, COMMENTS, action, [comment])

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderated_by is None


def test_editor_cannot_change_a_comment(as_editor):
    comment = CommentFactory()

    response = as_editor.post(admin_url("comment", "change", comment.pk), {"status": "approved"})

    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


# --- moderators -----------------------------------------------------------------------------


def test_moderator_sees_pending_comments_first_oldest_first(as_moderator):
    now = timezone.now()
    old_approved = CommentFactory(approved=True, created_at=now - datetime.timedelta(days=5))
    old_pending = CommentFactory(created_at=now - datetime.timedelta(days=3))
    new_rejected = CommentFactory(rejected=True, created_at=now - datetime.timedelta(days=1))
    new_pending = CommentFactory(created_at=now - datetime.timedelta(hours=1))

    response = as_moderator.get(COMMENTS)

    assert response.status_code == 200
    assert listed(response)[:2] == [old_pending, new_pending]
    assert set(listed(response)[2:]) == {old_approved, new_rejected}


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve_selected", Comment.Status.APPROVED), ("reject_selected", Comment.Status.REJECTED)],
)
def test_moderator_decides_comments_with_the_actions(as_moderator, moderator, action, status):
    chosen = CommentFactory.create_batch(2)
    untouched = CommentFactory()

    assert action in as_moderator.get(COMMENTS).text
    response = run_action(as_moderator, COMMENTS, action, chosen)

    assert response.status_code == 302
    for comment in chosen:
        comment.refresh_from_db()
        assert comment.status == status
        assert comment.moderated_by == moderator
        assert comment.moderated_at is not None
    untouched.refresh_from_db()
    assert untouched.status == Comment.Status.PENDING


def test_moderator_can_view_but_not_change_an_article(as_moderator):
    article = ArticleFactory(title="Original title")

    view = as_moderator.get(admin_url("article", "change", article.pk))
    post = as_moderator.post(
        admin_url("article", "change", article.pk),
        {"title": "Changed by a moderator", "slug": article.slug, "body": "<p>x</p>"},
    )

    assert view.status_code == 200
    assert "Original title" in view.text
    assert 'name="_save"' not in view.text
    assert 'name="title"' not in view.text
    assert post.status_code == 403
    article.refresh_from_db()
    assert article.title == "Original title"


def test_moderator_cannot_add_articles(as_moderator):
    assert as_moderator.get(admin_url("article", "add")).status_code == 403
    assert as_moderator.post(admin_url("article", "add"), {"title": "x"}).status_code == 403
    assert not Article.objects.exists()


def test_moderator_cannot_run_the_publish_actions(as_moderator):
    draft = DraftArticleFactory()

    assert "publish_selected" not in as_moderator.get(ARTICLES).text
    run_action(as_moderator, ARTICLES, "publish_selected", [draft])

    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


@pytest.mark.parametrize("model", ["author", "column", "publication", "tag"])
def test_moderator_cannot_open_content_add_forms(as_moderator, model):
    assert as_moderator.get(admin_url(model, "add")).status_code == 403


# --- everyone else --------------------------------------------------------------------------


def _admin_pages():
    article = ArticleFactory()
    comment = CommentFactory(article=article)
    return [
        reverse("admin:index"),
        ARTICLES,
        admin_url("article", "add"),
        admin_url("article", "change", article.pk),
        COMMENTS,
        admin_url("comment", "change", comment.pk),
        admin_url("author"),
        admin_url("author", "add"),
        admin_url("column"),
        admin_url("column", "add"),
        admin_url("publication"),
        admin_url("tag"),
        reverse("admin:accounts_user_changelist"),
    ]


def test_anonymous_visitor_is_sent_to_the_admin_login_from_every_page(client):
    login = reverse("admin:login")
    for url in _admin_pages():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{login}?next="), url


def test_reader_without_staff_status_is_sent_to_the_admin_login(client, reader):
    client.force_login(reader)
    login = reverse("admin:login")
    for url in _admin_pages():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{login}?next="), url


# --- the article changelist -----------------------------------------------------------------


def test_article_changelist_shows_approved_and_pending_comment_counts(as_editor):
    busy = ArticleFactory(title="Busy article")
    quiet = ArticleFactory(title="Quiet article")
    CommentFactory.create_batch(2, article=busy, approved=True)
    CommentFactory.create_batch(3, article=busy)
    CommentFactory(article=busy, rejected=True)
    CommentFactory(article=quiet, rejected=True)

    response = as_editor.get(ARTICLES)

    counts = {
        article.title: (article.approved_comment_count, article.pending_comment_count)
        for article in listed(response)
    }
    assert counts == {"Busy article": (2, 3), "Quiet article": (0, 0)}
    pending_link = (
        f'<a href="{COMMENTS}?article__id__exact={busy.pk}&amp;status__exact=pending">3</a>'
    )
    assert pending_link in response.text


def _article_page_data(count):
    column = ColumnFactory()
    for _ in range(count):
        article = ArticleFactory(
            column=column, authors=[AuthorFactory(), AuthorFactory()], tags=["Russia"]
        )
        CommentFactory(article=article, approved=True)
        CommentFactory(article=article)


@pytest.mark.parametrize("count", [1, 20])
def test_article_changelist_runs_a_fixed_number_of_queries(
    as_editor, django_assert_num_queries, count
):
    _article_page_data(count)

    with django_assert_num_queries(ARTICLE_CHANGELIST_QUERIES):
        response = as_editor.get(ARTICLES)

    assert response.status_code == 200
    assert len(listed(response)) == count


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Sochi", ["In Sochi, Xi and Putin Put Ties on Display"]),
        ("Weitz", ["In Sochi, Xi and Putin Put Ties on Display"]),
        ("Eurasia Watch", ["Kazakhstan's Balancing Act"]),
        ("Olympic", ["In Sochi, Xi and Putin Put Ties on Display"]),
        ("Weitz Eurasia", []),
        ("Petrova Balancing", ["Kazakhstan's Balancing Act"]),
        ("Global Sochi Weitz", ["In Sochi, Xi and Putin Put Ties on Display"]),
        ("nothing-matches-this", []),
    ],
)
def test_article_search_finds_by_title_summary_author_and_column(as_editor, query, expected):
    ArticleFactory(
        title="In Sochi, Xi and Putin Put Ties on Display",
        summary="The Olympic opening as a stage for the partnership.",
        authors=[AuthorFactory(name="Richard Weitz")],
        column=ColumnFactory(name="Global Insights"),
    )
    ArticleFactory(
        title="Kazakhstan's Balancing Act",
        authors=[AuthorFactory(name="Anna Petrova")],
        column=ColumnFactory(name="Eurasia Watch"),
    )

    response = as_editor.get(ARTICLES, {"q": query})

    assert response.status_code == 200
    assert [article.title for article in listed(response)] == expected


def test_comment_search_finds_by_text(as_moderator):
    wanted = CommentFactory(body="The Kurile Islands dispute matters most.")
    CommentFactory(body="Something else entirely.")

    response = as_moderator.get(COMMENTS, {"q": "Kurile"})

    assert listed(response) == [wanted]


@pytest.mark.parametrize("role", ["editor", "moderator"])
def test_pending_count_link_lists_only_that_articles_pending_comments(client, request, role):
    article = ArticleFactory()
    other = ArticleFactory()
    pending = CommentFactory.create_batch(2, article=article)
    CommentFactory(article=article, approved=True)
    CommentFactory(article=other)
    editor = request.getfixturevalue("editor")
    client.force_login(editor)
    found = re.search(
        rf'href="({re.escape(COMMENTS)}\?article__id__exact={article.pk}[^"]*)">2</a>',
        client.get(ARTICLES).text,
    )
    assert found, "the article changelist has no pending-count link"
    client.force_login(request.getfixturevalue(role))

    response = client.get(html.unescape(found.group(1)))

    assert response.status_code == 200
    assert set(listed(response)) == set(pending)


def test_staff_user_without_a_role_cannot_open_the_article_changelist(client):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(ARTICLES).status_code == 403


# --- contributors ---------------------------------------------------------------------------

# As for editors, with the byline join that picks out the contributor's own articles.
CONTRIBUTOR_CHANGELIST_QUERIES = 12


@pytest.mark.parametrize("count", [1, 20])
def test_contributor_article_changelist_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, count
):
    contributor = ContributorFactory()
    profile = AuthorFactory(user=contributor)
    column = ColumnFactory()
    for number in range(count):
        article = ArticleFactory(
            column=column,
            authors=[profile, AuthorFactory()],
            tags=["Russia"],
            created_by=contributor if number % 2 else None,
        )
        CommentFactory(article=article, approved=True)
        CommentFactory(article=article)
    ArticleFactory()  # someone else's: not listed
    client.force_login(contributor)

    with django_assert_num_queries(CONTRIBUTOR_CHANGELIST_QUERIES):
        response = client.get(ARTICLES)

    assert response.status_code == 200
    assert len(listed(response)) == count
    assert COMMENTS not in response.text  # no link to a comments admin they cannot open
