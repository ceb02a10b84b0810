"""Who may do what to an article, role by role: the admin's pages, its actions, and the
services behind them.

Each table below is the specification: one row per role, the answer it must get, and the
state the database must be left in.  "login" is the admin's log-in redirect, "missing" the
redirect the admin answers for an article outside what the user may see.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from commentary import services
from commentary.models import Article
from tests.factories import (
    AdministratorFactory,
    ArticleFactory,
    AuthorFactory,
    ContributorFactory,
    DraftArticleFactory,
    EditorFactory,
    ModeratorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "reader", "contributor", "editor", "moderator", "administrator"]
ARTICLES = reverse("admin:commentary_article_changelist")
LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")


class World:
    """A contributor with an author profile and their articles, beside someone else's."""

    def __init__(self):
        self.contributor = ContributorFactory()
        self.profile = AuthorFactory(name="Richard Weitz", user=self.contributor)
        self.other_contributor = ContributorFactory()
        self.own_draft = DraftArticleFactory(
            title="Own draft", created_by=self.contributor, authors=[self.profile]
        )
        self.bylined_draft = DraftArticleFactory(title="Bylined draft", authors=[self.profile])
        self.own_in_review = DraftArticleFactory(
            title="Own piece in review",
            status=Article.Status.IN_REVIEW,
            created_by=self.contributor,
            authors=[self.profile],
        )
        self.other_draft = DraftArticleFactory(
            title="Someone else's draft", created_by=self.other_contributor
        )
        self.live = ArticleFactory(title="Live article", created_by=self.other_contributor)

    def user(self, role):
        return {
            "anonymous": lambda: AnonymousUser(),
            "reader": lambda: UserFactory(),
            "contributor": lambda: self.contributor,
            "editor": lambda: EditorFactory(),
            "moderator": lambda: ModeratorFactory(),
            "administrator": lambda: AdministratorFactory(),
        }[role]()


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def login_as(client, world):
    def log_in(role):
        user = world.user(role)
        if user.is_authenticated:
            client.force_login(user)
        return user

    return log_in


def outcome(response):
    """The answer, as the tables spell it."""
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(f"{LOGIN}?next="):
            return "login"
        if location == INDEX:
            return "missing"
    return response.status_code


def admin_url(view, article=None):
    args = [article.pk] if article is not None else []
    return reverse(f"admin:commentary_article_{view}", args=args)


def change_form_data(article, **changes):
    """What the change form posts for ``article`` as it stands, plus ``changes``."""
    links = list(article.article_authors.order_by("position"))
    data = {
        "title": article.title,
        "slug": article.slug,
        "column": article.column_id or "",
        "summary": article.summary,
        "body": article.body,
        "tags": "",
        "status": article.status,
        "published_at_0": f"{article.published_at:%Y-%m-%d}" if article.published_at else "",
        "published_at_1": f"{article.published_at:%H:%M:%S}" if article.published_at else "",
        "expires_at_0": "",
        "expires_at_1": "",
        "planned_for": "",
        "article_type": article.article_type,
        "language": article.language,
        "comments_enabled": "on",
        "syndication_policy": article.syndication_policy,
        "article_authors-TOTAL_FORMS": len(links),
        "article_authors-INITIAL_FORMS": len(links),
        "article_authors-MIN_NUM_FORMS": 1,
        "article_authors-MAX_NUM_FORMS": 1000,
        "corrections-TOTAL_FORMS": 0,
        "corrections-INITIAL_FORMS": 0,
        "corrections-MIN_NUM_FORMS": 0,
        "corrections-MAX_NUM_FORMS": 1000,
    }
    for index, link in enumerate(links):
        data[f"article_authors-{index}-id"] = link.pk
        data[f"article_authors-{index}-article"] = article.pk
        data[f"article_authors-{index}-author"] = link.author_id
        data[f"article_authors-{index}-position"] = link.position
    data.update(changes)
    return data


def table(**answers):
    """Parametrise over ROLES with one expected answer per role."""
    assert set(answers) == set(ROLES)
    return pytest.mark.parametrize(("role", "expected"), list(answers.items()))


# --- opening pages --------------------------------------------------------------------------


@table(
    anonymous="login", reader="login", contributor=200, editor=200, moderator=200, administrator=200
)
def test_article_changelist(client, login_as, role, expected):
    login_as(role)

    assert outcome(client.get(ARTICLES)) == expected


@table(
    anonymous="login", reader="login", contributor=200, editor=200, moderator=403, administrator=200
)
def test_article_add_form(client, login_as, role, expected):
    login_as(role)

    response = client.get(admin_url("add"))

    assert outcome(response) == expected
    if expected == 200:
        assert 'name="_save"' in response.text


# (status, whether the form can be saved)
@table(
    anonymous=("login", False),
    reader=("login", False),
    contributor=(200, True),
    editor=(200, True),
    moderator=(200, False),
    administrator=(200, True),
)
def test_change_form_of_the_contributors_own_draft(client, world, login_as, role, expected):
    login_as(role)

    response = client.get(admin_url("change", world.own_draft))

    assert (outcome(response), 'name="_save"' in response.text) == expected


@table(
    anonymous=("login", False),
    reader=("login", False),
    contributor=(200, False),
    editor=(200, True),
    moderator=(200, False),
    administrator=(200, True),
)
def test_change_form_of_the_contributors_article_in_review(client, world, login_as, role, expected):
    login_as(role)

    response = client.get(admin_url("change", world.own_in_review))

    assert (outcome(response), 'name="_save"' in response.text) == expected
    if expected[0] == 200:
        assert "Own piece in review" in response.text


@table(
    anonymous=("login", False),
    reader=("login", False),
    contributor=("missing", False),
    editor=(200, True),
    moderator=(200, False),
    administrator=(200, True),
)
def test_change_form_of_someone_elses_draft(client, world, login_as, role, expected):
    login_as(role)

    response = client.get(admin_url("change", world.other_draft))

    assert (outcome(response), 'name="_save"' in response.text) == expected


def test_contributor_opens_a_draft_whose_byline_names_them(client, world, login_as):
    login_as("contributor")

    response = client.get(admin_url("change", world.bylined_draft))

    assert response.status_code == 200
    assert 'name="_save"' in response.text


def test_contributor_lists_only_their_own_articles(client, world, login_as):
    login_as("contributor")

    response = client.get(ARTICLES)

    assert {article.title for article in response.context["cl"].result_list} == {
        "Own draft",
        "Bylined draft",
        "Own piece in review",
    }


@pytest.mark.parametrize("role", ["editor", "moderator", "administrator"])
def test_editors_moderators_and_administrators_list_every_article(client, login_as, role):
    login_as(role)

    response = client.get(ARTICLES)

    assert len(response.context["cl"].result_list) == 5


@table(
    anonymous="login", reader="login", contributor=403, editor=200, moderator=403, administrator=200
)
def test_delete_confirmation_page(client, world, login_as, role, expected):
    login_as(role)

    assert outcome(client.get(admin_url("delete", world.own_draft))) == expected


@table(
    anonymous="login", reader="login", contributor=403, editor=200, moderator=403, administrator=200
)
def test_schedule_page(client, world, login_as, role, expected):
    login_as(role)

    response = client.get(f"{admin_url('schedule')}?ids={world.own_draft.pk}")

    assert outcome(response) == expected


# --- saving and deleting --------------------------------------------------------------------


# (answer, whether the title changed)
@table(
    anonymous=("login", False),
    reader=("login", False),
    contributor=(302, True),
    editor=(302, True),
    moderator=(403, False),
    administrator=(302, True),
)
def test_saving_a_change_to_the_contributors_own_draft(client, world, login_as, role, expected):
    login_as(role)
    article = world.own_draft

    response = client.post(
        admin_url("change", article), change_form_data(article, title="Changed title")
    )

    article.refresh_from_db()
    assert (outcome(response), article.title == "Changed title") == expected


@table(
    anonymous=("login", False),
    reader=("login", False),
    contributor=(403, False),
    editor=(302, True),
    moderator=(403, False),
    administrator=(302, True),
)
def test_saving_a_change_to_an_article_in_review(client, world, login_as, role, expected):
    login_as(role)
    article = world.own_in_review

    response = client.post(
        admin_url("change", article), change_form_data(article, title="Changed title")
    )

    article.refresh_from_db()
    assert (outcome(response), article.title == "Changed title") == expected
    assert article.status == Article.Status.IN_REVIEW


@table(
    anonymous=("login", False),
    reader=("login", False),
    contributor=("missing", False),
    editor=(302, True),
    moderator=(403, False),
    administrator=(302, True),
)
def test_saving_a_change_to_someone_elses_draft(client, world, login_as, role, expected):
    login_as(role)
    article = world.other_draft

    response = client.post(
        admin_url("change", article), change_form_data(article, title="Changed title")
    )

    article.refresh_from_db()
    assert (outcome(response), article.title == "Changed title") == expected


# (answer, whether the article is gone)
@table(
    anonymous=("login", False),
    reader=("login", False),
    contributor=(403, False),
    editor=(302, True),
    moderator=(403, False),
    administrator=(302, True),
)
def test_deleting_an_article(client, world, login_as, role, expected):
    login_as(role)

    response = client.post(admin_url("delete", world.own_draft), {"post": "yes"})

    gone = not Article.objects.filter(pk=world.own_draft.pk).exists()
    assert (outcome(response), gone) == expected


# --- the actions ----------------------------------------------------------------------------


def run_action(client, action, articles):
    return client.post(
        ARTICLES,
        {"action": action, "_selected_action": [article.pk for article in articles], "index": 0},
    )


# What each action does to which article when it is allowed: (action, article, field, after).
ACTIONS = {
    "submit_selected": ("own_draft", "status", Article.Status.IN_REVIEW),
    "publish_selected": ("own_in_review", "status", Article.Status.PUBLISHED),
    "unpublish_selected": ("live", "status", Article.Status.DRAFT),
    "return_selected_to_draft": ("own_in_review", "status", Article.Status.DRAFT),
}
MAY_RUN = {
    "submit_selected": {"contributor", "editor", "administrator"},
    "publish_selected": {"editor", "administrator"},
    "unpublish_selected": {"editor", "administrator"},
    "return_selected_to_draft": {"editor", "administrator"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_workflow_action(client, world, login_as, role, action):
    login_as(role)
    name, field, after = ACTIONS[action]
    article = getattr(world, name)
    before = getattr(article, field)
    allowed = role in MAY_RUN[action]

    response = run_action(client, action, [article])
    listing = client.get(ARTICLES)

    article.refresh_from_db()
    assert getattr(article, field) == (after if allowed else before)
    if role in ("anonymous", "reader"):
        assert outcome(response) == "login"
    elif role == "moderator":
        assert response.status_code == 200  # no actions at all: the list is shown again
        assert 'name="action"' not in listing.text
    else:
        assert response.status_code == 302
        assert (f'value="{action}"' in listing.text) == allowed


# Moderators have no action at all: the admin shows the list again and does nothing.
@table(
    anonymous=("login", 0),
    reader=("login", 0),
    contributor=(302, 1),
    editor=(302, 1),
    moderator=(200, 0),
    administrator=(302, 1),
)
def test_duplicate_action(client, world, login_as, role, expected):
    login_as(role)

    response = run_action(client, "duplicate_selected", [world.own_draft])

    copies = Article.objects.filter(slug=f"{world.own_draft.slug}-copy").count()
    assert (outcome(response), copies) == expected


@table(
    anonymous="login",
    reader="login",
    contributor="refused",
    editor="schedule page",
    moderator=200,
    administrator="schedule page",
)
def test_schedule_action(client, world, login_as, role, expected):
    login_as(role)

    response = run_action(client, "schedule_selected", [world.own_draft])

    answer = outcome(response)
    if answer == 302:
        schedule = response["Location"].startswith(admin_url("schedule"))
        answer = "schedule page" if schedule else "refused"
    assert answer == expected
    world.own_draft.refresh_from_db()
    assert world.own_draft.status == Article.Status.DRAFT


@pytest.mark.parametrize("action", ["submit_selected", "duplicate_selected"])
def test_contributor_actions_never_reach_someone_elses_article(client, world, login_as, action):
    login_as("contributor")

    run_action(client, action, [world.other_draft])

    world.other_draft.refresh_from_db()
    assert world.other_draft.status == Article.Status.DRAFT
    assert not Article.objects.filter(slug__endswith="-copy").exists()


@table(anonymous="login", reader="login", contributor=1, editor=0, moderator=1, administrator=0)
def test_bulk_delete_action(client, world, login_as, role, expected):
    login_as(role)

    response = run_action(client, "delete_selected", [world.other_draft])
    if response.status_code == 200:  # the confirmation page
        client.post(
            ARTICLES,
            {
                "action": "delete_selected",
                "_selected_action": [world.other_draft.pk],
                "post": "yes",
            },
        )

    remaining = Article.objects.filter(pk=world.other_draft.pk).count()
    assert ("login" if outcome(response) == "login" else remaining) == expected


# --- the services ---------------------------------------------------------------------------


def _tomorrow():
    return timezone.now() + datetime.timedelta(days=1)


SERVICES = {
    "submit own draft": (
        lambda world, user: services.article_submit(article=world.own_draft, user=user),
        {"contributor", "editor", "administrator"},
    ),
    "submit someone else's draft": (
        lambda world, user: services.article_submit(article=world.other_draft, user=user),
        {"editor", "administrator"},
    ),
    "return to draft": (
        lambda world, user: services.article_return_to_draft(
            article=world.own_in_review, user=user
        ),
        {"editor", "administrator"},
    ),
    "publish": (
        lambda world, user: services.article_publish(article=world.own_in_review, user=user),
        {"editor", "administrator"},
    ),
    "schedule": (
        lambda world, user: services.article_schedule(
            article=world.own_draft, user=user, published_at=_tomorrow()
        ),
        {"editor", "administrator"},
    ),
    "unpublish": (
        lambda world, user: services.article_unpublish(article=world.live, user=user),
        {"editor", "administrator"},
    ),
    "duplicate own": (
        lambda world, user: services.article_duplicate(article=world.own_draft, user=user),
        {"contributor", "editor", "administrator"},
    ),
    "duplicate someone else's": (
        lambda world, user: services.article_duplicate(article=world.other_draft, user=user),
        {"editor", "administrator"},
    ),
}


def database_state():
    return sorted(Article.objects.values_list("slug", "status", "published_at", "submitted_by"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", list(SERVICES))
def test_service(world, role, service):
    call, allowed_roles = SERVICES[service]
    user = world.user(role)
    before = database_state()

    if role in allowed_roles:
        article = call(world, user)
        assert isinstance(article, Article)
        assert database_state() != before
    else:
        with pytest.raises(PermissionDenied):
            call(world, user)
        assert database_state() == before


# --- the rest of the admin, for contributors ------------------------------------------------


def test_contributor_opens_the_admin_index_and_sees_what_they_work_with(client, login_as):
    login_as("contributor")

    response = client.get(INDEX)

    assert response.status_code == 200
    models = {
        model["object_name"] for app in response.context["app_list"] for model in app["models"]
    }
    assert models == {"Article", "Author", "Column", "Publication", "Tag"}


@pytest.mark.parametrize("model", ["author", "column", "tag", "publication"])
def test_contributor_reads_authors_columns_tags_and_publications_without_changing_them(
    client, login_as, world, model
):
    login_as("contributor")
    changelist = reverse(f"admin:commentary_{model}_changelist")
    add = reverse(f"admin:commentary_{model}_add")

    listing = client.get(changelist)

    assert listing.status_code == 200
    assert add not in listing.text
    assert client.get(add).status_code == 403
    if model == "author":
        page = client.get(reverse("admin:commentary_author_change", args=[world.profile.pk]))
        assert page.status_code == 200
        assert 'name="_save"' not in page.text
        assert (
            client.post(
                reverse("admin:commentary_author_change", args=[world.profile.pk]), {"name": "X"}
            ).status_code
            == 403
        )


@pytest.mark.parametrize(
    "url_name", ["admin:commentary_comment_changelist", "admin:accounts_user_changelist"]
)
def test_contributor_cannot_open_comments_or_accounts(client, login_as, url_name):
    login_as("contributor")

    assert client.get(reverse(url_name)).status_code == 403
