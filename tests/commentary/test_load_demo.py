"""``manage.py load_demo``: demo articles, comments and log-ins, loaded the same way twice."""

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest

from commentary.models import Article, Author, Column, Comment, Publication, Tag, TaggedArticle

SEED_SLUG = "in-sochi-xi-and-putin-put-china-russia-ties-on-display"
WATER_SLUG = "upstream-downstream-the-politics-of-central-asias-water"
CRIMEA_SLUG = "after-crimea-central-asia-reads-the-fine-print"

PASSWORDS = {
    "editor": "editor-demo-pass",
    "moderator": "moderator-demo-pass",
    "admin": "admin-demo-pass",
    "reader": "reader-demo-pass",
}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def debug_on(settings):
    settings.DEBUG = True
    # The command hashes four passwords per run; the default hasher would dominate the tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_demo(*args):
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    """Everything a rerun could touch, in a form that compares by value."""
    User = get_user_model()
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Article, Author, Column, Comment, Publication, Tag, User)
        },
        "articles": dict(Article.objects.values_list("slug", "updated_at")),
        "tags": sorted(TaggedArticle.objects.values_list("content_object_id", "tag_id")),
        "comments": sorted(Comment.objects.values_list("id", "status", "moderated_at")),
        "users": sorted(User.objects.values_list("username", "password", "is_staff")),
        "bios": sorted(Author.objects.values_list("slug", "bio")),
        "descriptions": sorted(Column.objects.values_list("name", "description")),
    }


def test_loads_the_seed_article_and_it_is_public():
    load_demo()

    seed = Article.objects.get(slug=SEED_SLUG)
    assert seed.is_public
    assert Article.objects.published().filter(pk=seed.pk).exists()
    assert seed.column.name == "Global Insights"
    assert set(seed.tags.names()) == {"Russia", "China", "Diplomacy", "Arms trade"}
    assert seed.column.description
    assert all(author.bio for author in seed.ordered_authors)


def test_eurasia_watch_has_five_public_articles_by_anna_petrova():
    load_demo()

    column = Column.objects.get(name="Eurasia Watch")
    articles = column.articles.published()
    assert articles.count() == 5
    assert column.publication is None
    assert column.description
    assert {author.name for author in column.authors.all()} == {"Anna Petrova"}
    for article in articles:
        assert "Central Asia" in article.tags.names()
        assert article.source_publication.name == "Eurasia Review"


def test_one_russian_article():
    load_demo()

    article = Article.objects.get(language=Article.Language.RUSSIAN)
    assert article.is_public
    assert article.source_publication is None
    assert article.column.name == "Взгляд из Москвы"
    assert article.column.publication is None
    assert [author.name for author in article.ordered_authors] == ["Мария Соколова"]
    assert set(article.tags.names()) == {"Россия", "Европа"}
    assert article.body.count("<p>") == 4


def test_comments_are_approved_and_pending_as_planned():
    load_demo()

    counts = {
        article.slug: (article.approved_comment_count, article.pending_comment_count)
        for article in Article.objects.with_comment_counts()
    }
    assert counts[SEED_SLUG] == (3, 2)
    assert counts[WATER_SLUG] == (2, 1)
    assert counts[CRIMEA_SLUG] == (1, 1)
    assert Comment.objects.count() == 10
    assert not Comment.objects.rejected().exists()
    assert set(Comment.objects.approved().values_list("moderated_by__username", flat=True)) == {
        "moderator"
    }
    assert Comment.objects.filter(user__username="reader").exists()


def test_second_run_changes_nothing():
    load_demo()
    before = snapshot()

    output = load_demo()

    assert snapshot() == before
    assert "0 imported or updated, 6 unchanged" in output
    assert "Russian demo article: unchanged" in output
    assert "0 created, 0 reset, 4 unchanged" in output
    assert "Demo comments: 0 created, 10 unchanged" in output


def test_printed_log_ins_authenticate():
    output = load_demo("--verbosity", "0")

    assert "Demo log-ins (http://127.0.0.1:8000/admin/):" in output
    for username, password in PASSWORDS.items():
        line = next(line for line in output.splitlines() if line.split()[:1] == [username])
        assert password in line
        # The request is what django-axes counts log-in failures against.
        assert authenticate(HttpRequest(), username=username, password=password) is not None


def test_staff_are_told_they_set_up_two_factor_at_their_first_log_in(settings):
    settings.STAFF_TWO_FACTOR = True

    output = load_demo("--verbosity", "0")

    assert "Two-factor log-in is on for the staff accounts (editor, moderator, admin)" in output
    assert "at the first log-in" in output
    settings.STAFF_TWO_FACTOR = False
    assert "Two-factor" not in load_demo("--verbosity", "0")


def test_accounts_are_reset_when_changed():
    load_demo()
    User = get_user_model()
    editor_user = User.objects.get(username="editor")
    editor_user.set_password("something-else")
    editor_user.is_staff = False
    editor_user.groups.clear()
    editor_user.save()

    load_demo()

    editor_user = User.objects.get(username="editor")
    assert editor_user.is_staff
    assert editor_user.check_password(PASSWORDS["editor"])
    assert editor_user.has_perm("commentary.publish_article")


def test_roles_and_permissions():
    load_demo()
    User = get_user_model()

    editor_user = User.objects.get(username="editor")
    assert editor_user.is_staff
    assert editor_user.groups.filter(name="Editors").exists()
    assert editor_user.has_perm("commentary.publish_article")

    moderator_user = User.objects.get(username="moderator")
    assert moderator_user.is_staff
    assert moderator_user.groups.filter(name="Moderators").exists()
    assert moderator_user.has_perm("commentary.moderate_comment")
    assert not moderator_user.has_perm("commentary.change_article")

    assert User.objects.get(username="admin").is_superuser

    reader_user = User.objects.get(username="reader")
    assert not reader_user.is_staff
    assert reader_user.display_name == "A. Reader"


def test_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        load_demo()
    assert not Article.objects.exists()
    assert not get_user_model().objects.exists()

    load_demo("--force")
    assert Article.objects.count() == 7
