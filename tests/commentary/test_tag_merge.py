"""Merging tags: who may, what happens to the articles and the descriptions, and how the old
addresses keep working (one permanent redirect, however many merges); the admin action."""

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from commentary import services
from commentary.models import Tag, TaggedArticle, TagRedirect
from tests.factories import (
    AdministratorFactory,
    ArticleFactory,
    ContributorFactory,
    EditorFactory,
    ModeratorFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TAGS = reverse("admin:commentary_tag_changelist")
REDIRECTS = reverse("admin:commentary_tagredirect_changelist")


def tag_url(slug):
    return reverse("commentary:tag", kwargs={"slug": slug})


def articles_tagged(tag):
    return set(TaggedArticle.objects.filter(tag=tag).values_list("content_object_id", flat=True))


def merge(source, target, user=None):
    return services.tag_merge(source=source, target=target, user=user or EditorFactory())


@pytest.fixture
def russia():
    return TagFactory(name="Russia", slug="russia", description="The Russian Federation.")


@pytest.fixture
def russian_federation():
    return TagFactory(name="Russian Federation", slug="russian-federation")


# --- the service ---------------------------------------------------------------------------


def test_merge_moves_every_article_to_the_target_without_duplicates(russia, russian_federation):
    only_source = ArticleFactory(tags=[russian_federation])
    both = ArticleFactory(tags=[russian_federation, russia])
    only_target = ArticleFactory(tags=[russia])
    elsewhere = TagFactory()
    untouched = ArticleFactory(tags=[elsewhere])

    result = merge(russian_federation, russia)

    assert articles_tagged(russia) == {only_source.pk, both.pk, only_target.pk}
    assert TaggedArticle.objects.filter(content_object=both, tag=russia).count() == 1
    assert not Tag.objects.filter(pk=russian_federation.pk).exists()
    assert articles_tagged(elsewhere) == {untouched.pk}
    assert (result.tag, result.merged_name, result.moved, result.already_tagged) == (
        russia,
        "Russian Federation",
        1,
        1,
    )


def test_merge_records_a_redirect_from_the_old_slug(russia, russian_federation):
    merge(russian_federation, russia)

    redirect = TagRedirect.objects.get()
    assert (redirect.old_slug, redirect.tag) == ("russian-federation", russia)


def test_merge_keeps_the_targets_description(russia, russian_federation):
    russian_federation.description = "Another description."
    russian_federation.save()

    merge(russian_federation, russia)

    russia.refresh_from_db()
    assert russia.description == "The Russian Federation."


def test_merge_gives_a_target_without_description_the_sources(russia, russian_federation):
    merge(russia, russian_federation)

    russian_federation.refresh_from_db()
    assert russian_federation.description == "The Russian Federation."


def test_merge_is_written_to_the_admin_log(russia, russian_federation):
    editor = EditorFactory()

    merge(russian_federation, russia, editor)

    entries = LogEntry.objects.filter(user=editor)
    assert {(entry.object_id, entry.action_flag) for entry in entries} == {
        (str(russia.pk), CHANGE),
        (str(russian_federation.pk), DELETION),
    }


def test_a_tag_cannot_be_merged_into_itself(russia):
    with pytest.raises(ValidationError):
        merge(russia, russia)

    assert Tag.objects.filter(pk=russia.pk).exists()


def test_merging_a_tag_that_is_gone_is_refused(russia, russian_federation):
    stale = Tag.objects.get(pk=russian_federation.pk)
    merge(russian_federation, russia)

    with pytest.raises(ValidationError):
        merge(stale, russia)


@pytest.mark.parametrize(
    "factory", [EditorFactory, AdministratorFactory], ids=["editor", "administrator"]
)
def test_editors_may_merge_tags(factory, russia, russian_federation):
    merge(russian_federation, russia, factory())

    assert not Tag.objects.filter(pk=russian_federation.pk).exists()


@pytest.mark.parametrize(
    "factory",
    [ContributorFactory, ModeratorFactory, UserFactory],
    ids=["contributor", "moderator", "reader"],
)
def test_only_editors_may_merge_tags(factory, russia, russian_federation):
    article = ArticleFactory(tags=[russian_federation])

    with pytest.raises(PermissionDenied):
        merge(russian_federation, russia, factory())

    assert Tag.objects.filter(pk=russian_federation.pk).exists()
    assert articles_tagged(russian_federation) == {article.pk}
    assert not TagRedirect.objects.exists()


# --- the old addresses ---------------------------------------------------------------------


def test_a_merged_tags_address_redirects_permanently_to_the_target(
    client, russia, russian_federation
):
    merge(russian_federation, russia)

    response = client.get(tag_url("russian-federation"))

    assertRedirects(response, tag_url("russia"), status_code=301)


def test_the_redirect_keeps_the_page_number(client, settings, russia, russian_federation):
    ArticleFactory.create_batch(settings.ARTICLES_PER_PAGE + 1, tags=[russia])
    merge(russian_federation, russia)

    response = client.get(tag_url("russian-federation"), {"page": "2", "utm_source": "x"})

    assertRedirects(response, f"{tag_url('russia')}?page=2", status_code=301)


def test_a_chain_of_merges_redirects_in_one_step_to_the_last_target(client):
    a, b, c = (TagFactory(name=name, slug=name.lower()) for name in ("Alpha", "Beta", "Gamma"))
    article = ArticleFactory(tags=[a])

    merge(a, b)
    merge(b, c)

    for old in ("alpha", "beta"):
        response = client.get(tag_url(old))
        assertRedirects(response, tag_url("gamma"), status_code=301)
    assert dict(TagRedirect.objects.values_list("old_slug", "tag__slug")) == {
        "alpha": "gamma",
        "beta": "gamma",
    }
    assert list(article.tags.all()) == [c]


def test_a_new_tag_with_a_merged_slug_takes_its_address_back(client, russia, russian_federation):
    merge(russian_federation, russia)
    reborn = TagFactory(name="Russian Federation", slug="russian-federation")

    response = client.get(tag_url("russian-federation"))
    assert response.status_code == 200
    assert response.context["tag"] == reborn

    # Merging it away again points the old address to the new target.
    china = TagFactory(name="China", slug="china")
    merge(reborn, china)
    assertRedirects(client.get(tag_url("russian-federation")), tag_url("china"), status_code=301)


def test_merging_into_a_tag_drops_redirects_from_its_own_slug(russia, russian_federation):
    merge(russia, russian_federation)  # "russia" → russian-federation
    russia_again = TagFactory(name="Russia", slug="russia")

    merge(russian_federation, russia_again)

    assert dict(TagRedirect.objects.values_list("old_slug", "tag__slug")) == {
        "russian-federation": "russia"
    }


def test_an_unknown_tag_address_is_not_found(client):
    assert client.get(tag_url("nowhere")).status_code == 404


def test_tag_page_shows_the_description(client, russia):
    ArticleFactory(tags=[russia])

    assertContains(client.get(tag_url("russia")), '<p class="lead">The Russian Federation.</p>')


# --- the admin action ----------------------------------------------------------------------


def run_merge_action(client, tags, **extra):
    data = {"action": "merge_selected", "_selected_action": [tag.pk for tag in tags], **extra}
    return client.post(TAGS, data)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def as_editor(client, editor):
    client.force_login(editor)
    return client


def test_merge_action_asks_which_selected_tag_to_keep(as_editor, russia, russian_federation):
    ArticleFactory.create_batch(2, tags=[russia])

    response = run_merge_action(as_editor, [russia, russian_federation])

    assert response.status_code == 200
    assert response.templates[0].name == "admin/commentary/tag/merge.html"
    assertContains(response, "Russia (2 articles)")
    assertContains(response, "Russian Federation (0 articles)")
    assertContains(response, '<input type="hidden" name="post" value="yes">', html=True)
    assert Tag.objects.count() == 2


def test_merge_action_merges_the_others_into_the_chosen_tag(as_editor, russia, russian_federation):
    moscow = TagFactory(name="Moscow", slug="moscow")
    ArticleFactory(tags=[russian_federation])
    ArticleFactory(tags=[moscow, russia])

    response = run_merge_action(
        as_editor, [russia, russian_federation, moscow], post="yes", target=russia.pk
    )

    assert response.status_code == 302
    assert list(Tag.objects.all()) == [russia]
    assert len(articles_tagged(russia)) == 2
    shown = messages_of(as_editor.get(TAGS))
    assert "“Moscow” merged into “Russia”: 0 articles moved. 1 article already had both tags." in (
        shown
    )
    assert "“Russian Federation” merged into “Russia”: 1 article moved." in shown


def test_merge_action_without_a_choice_asks_again(as_editor, russia, russian_federation):
    response = run_merge_action(as_editor, [russia, russian_federation], post="yes")

    assert response.status_code == 200
    assert response.context["form"].errors["target"]
    assert Tag.objects.count() == 2


def test_merge_action_refuses_a_target_outside_the_selection(as_editor, russia, russian_federation):
    other = TagFactory()

    response = run_merge_action(
        as_editor, [russia, russian_federation], post="yes", target=other.pk
    )

    assert response.context["form"].errors["target"]
    assert Tag.objects.count() == 3


def test_merge_action_needs_two_tags(as_editor, russia):
    response = run_merge_action(as_editor, [russia])

    assert response.status_code == 302
    assert "Select at least two tags to merge." in messages_of(as_editor.get(TAGS))


def test_contributor_cannot_run_the_merge_action(client, russia, russian_federation):
    client.force_login(ContributorFactory())
    assert "merge_selected" not in client.get(TAGS).text

    run_merge_action(client, [russia, russian_federation], post="yes", target=russia.pk)

    assert Tag.objects.count() == 2


def test_moderator_cannot_open_the_tags(client, russia, russian_federation):
    client.force_login(ModeratorFactory())

    assert client.get(TAGS).status_code == 403
    assert run_merge_action(client, [russia, russian_federation]).status_code == 403
    assert Tag.objects.count() == 2


def test_editor_reads_the_redirects_but_cannot_write_them(as_editor, russia, russian_federation):
    merge(russian_federation, russia)
    redirect = TagRedirect.objects.get()

    response = as_editor.get(REDIRECTS)

    assert response.status_code == 200
    assertContains(response, "russian-federation")
    assert as_editor.get(reverse("admin:commentary_tagredirect_add")).status_code == 403
    change = as_editor.post(
        reverse("admin:commentary_tagredirect_change", args=[redirect.pk]),
        {"old_slug": "elsewhere", "tag": russia.pk},
    )
    assert change.status_code == 403
    assert TagRedirect.objects.get().old_slug == "russian-federation"
