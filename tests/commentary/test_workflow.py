"""The editorial workflow: draft → review → scheduled → published → expired, and back.

Scheduling and expiry run on the clock alone (``ArticleQuerySet.published``), so these tests
freeze it with time_machine around each minute that matters.
"""

import datetime

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from commentary import services
from commentary.models import Article, Correction
from commentary.revisions import article_versions
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    ContributorFactory,
    CorrectionFactory,
    DraftArticleFactory,
    PublicationFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2014, 2, 17, 9, 0, tzinfo=UTC)
GO_LIVE = datetime.datetime(2014, 2, 18, 10, 0, tzinfo=UTC)
ONE_MINUTE = datetime.timedelta(minutes=1)
ARTICLES = reverse("admin:commentary_article_changelist")
SCHEDULE = reverse("admin:commentary_article_schedule")


@pytest.fixture(autouse=True)
def utc(settings):
    settings.TIME_ZONE = "UTC"


@pytest.fixture
def contributor(db):
    return ContributorFactory()


@pytest.fixture
def weitz(contributor):
    return AuthorFactory(name="Richard Weitz", slug="richard-weitz", user=contributor)


@pytest.fixture
def global_insights(weitz):
    return ColumnFactory(name="Global Insights", slug="global-insights", authors=[weitz])


@pytest.fixture
def draft(contributor, weitz, global_insights):
    return DraftArticleFactory(
        title="In Sochi, Xi and Putin Put Ties on Display",
        slug="in-sochi-xi-and-putin",
        column=global_insights,
        authors=[weitz],
        created_by=contributor,
    )


def run_action(client, action, articles):
    return client.post(
        ARTICLES,
        {"action": action, "_selected_action": [article.pk for article in articles], "index": 0},
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def public_status(client, article):
    return client.get(article.get_absolute_url()).status_code


def listed_on(client, url):
    return list(client.get(url).context["articles"])


def article_form_data(article, **changes):
    """What the admin change form posts for ``article`` as it stands, plus ``changes``."""
    saved = article.pk is not None
    links = list(article.article_authors.order_by("position")) if saved else []
    data = {
        "title": article.title,
        "slug": article.slug,
        "column": article.column_id or "",
        "summary": article.summary,
        "body": article.body,
        "tags": ", ".join(tag.name for tag in article.tags.all()) if saved else "",
        "status": article.status,
        "published_at_0": f"{article.published_at:%Y-%m-%d}" if article.published_at else "",
        "published_at_1": f"{article.published_at:%H:%M:%S}" if article.published_at else "",
        "expires_at_0": "",
        "expires_at_1": "",
        "planned_for": "",
        "article_type": article.article_type,
        "language": article.language,
        "comments_enabled": "on",
        "lead_image_alt": "",
        "lead_image_caption": "",
        "lead_image_credit": "",
        "source_publication": "",
        "original_author": "",
        "original_published_on": "",
        "original_url": "",
        "licence_note": "",
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


# --- the whole road -------------------------------------------------------------------------


def test_article_goes_from_draft_through_review_and_schedule_to_published(
    client, contributor, editor, draft, global_insights
):
    home, column_page = reverse("commentary:home"), global_insights.get_absolute_url()

    with time_machine.travel(NOW, tick=False):
        services.article_submit(article=draft, user=contributor)
        draft.refresh_from_db()
        assert draft.state == Article.Status.IN_REVIEW
        assert (draft.submitted_by, draft.submitted_at) == (contributor, NOW)
        assert not services.can_edit_article(article=draft, user=contributor)

        services.article_publish(article=draft, user=editor, published_at=GO_LIVE)
        draft.refresh_from_db()
        assert draft.status == Article.Status.PUBLISHED
        assert draft.state == "scheduled"
        assert public_status(client, draft) == 404

    with time_machine.travel(GO_LIVE - ONE_MINUTE, tick=False):
        assert public_status(client, draft) == 404
        assert draft not in listed_on(client, home)
        assert draft not in listed_on(client, column_page)

    with time_machine.travel(GO_LIVE, tick=False):
        assert draft.state == "published"
        assert public_status(client, draft) == 200
        assert listed_on(client, home) == [draft]
        assert listed_on(client, column_page) == [draft]


def test_article_leaves_the_site_by_itself_when_it_expires(client, global_insights):
    expires = GO_LIVE + datetime.timedelta(days=7)
    article = ArticleFactory(column=global_insights, published_at=GO_LIVE, expires_at=expires)

    with time_machine.travel(expires - ONE_MINUTE, tick=False):
        assert article.state == "published"
        assert public_status(client, article) == 200
        assert listed_on(client, reverse("commentary:home")) == [article]

    with time_machine.travel(expires, tick=False):
        assert article.state == "expired"
        assert public_status(client, article) == 404
        assert listed_on(client, reverse("commentary:home")) == []
        assert listed_on(client, global_insights.get_absolute_url()) == []


def test_editor_returns_an_article_in_review_to_draft_with_a_note(contributor, editor, draft):
    services.article_submit(article=draft, user=contributor)

    services.article_return_to_draft(
        article=draft, user=editor, note="Please cite the Xinhua readout."
    )

    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert services.can_edit_article(article=draft, user=contributor)
    latest = LogEntry.objects.filter(object_id=str(draft.pk)).latest("action_time")
    assert latest.user == editor
    assert latest.get_change_message() == "Returned to draft: Please cite the Xinhua readout."
    newest = article_versions(draft).first().revision
    assert (newest.user, newest.comment) == (editor, latest.get_change_message())


def test_each_step_of_the_workflow_is_a_revision_in_the_articles_history(
    contributor, editor, draft
):
    with time_machine.travel(NOW, tick=False):
        services.article_submit(article=draft, user=contributor)
        services.article_return_to_draft(article=draft, user=editor)
        services.article_submit(article=draft, user=contributor)
        services.article_schedule(article=draft, user=editor, published_at=GO_LIVE)
        services.article_unpublish(article=draft, user=editor)
        services.article_publish(article=draft, user=editor)

    history = [
        (version.revision.user, version.revision.comment, version.field_dict["status"])
        for version in reversed(article_versions(draft))
    ]
    assert history == [
        (contributor, "Submitted for review.", "review"),
        (editor, "Returned to draft.", "draft"),
        (contributor, "Submitted for review.", "review"),
        (editor, "Scheduled for 18 Feb 2014 10:00.", "published"),
        (editor, "Unpublished.", "draft"),
        (editor, "Published.", "published"),
    ]


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.PUBLISHED])
def test_only_an_article_in_review_can_be_returned_to_draft(editor, status):
    article = ArticleFactory(status=status)

    with pytest.raises(ValidationError, match="Only an article in review"):
        services.article_return_to_draft(article=article, user=editor)

    article.refresh_from_db()
    assert article.status == status


@pytest.mark.parametrize("status", [Article.Status.IN_REVIEW, Article.Status.PUBLISHED])
def test_only_a_draft_can_be_submitted(editor, status):
    article = ArticleFactory(status=status)

    with pytest.raises(ValidationError, match="Only a draft can be submitted"):
        services.article_submit(article=article, user=editor)

    article.refresh_from_db()
    assert article.status == status
    assert article.submitted_by is None


def test_publish_now_brings_a_scheduled_article_forward(editor):
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(published_at=GO_LIVE)

        services.article_publish(article=article, user=editor)

    article.refresh_from_db()
    assert article.published_at == NOW


def test_publishing_refuses_an_expired_article_until_its_expiry_moves(editor):
    article = ArticleFactory(published_at=NOW, expires_at=GO_LIVE)
    services.article_unpublish(article=article, user=editor)

    with (
        time_machine.travel(GO_LIVE + ONE_MINUTE, tick=False),
        pytest.raises(ValidationError) as refused,
    ):
        services.article_publish(article=article, user=editor)

    assert "clear or move its expiry time" in refused.value.message_dict["expires_at"][0]
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_unpublishing_takes_a_live_article_off_the_site(client, editor):
    article = ArticleFactory()

    services.article_unpublish(article=article, user=editor)

    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert public_status(client, article) == 404
    with pytest.raises(ValidationError, match="not published"):
        services.article_unpublish(article=article, user=editor)


# --- scheduling -----------------------------------------------------------------------------


def test_schedule_refuses_a_past_time_with_a_clear_message(editor, draft):
    with time_machine.travel(NOW, tick=False), pytest.raises(ValidationError) as refused:
        services.article_schedule(
            article=draft, user=editor, published_at=NOW - datetime.timedelta(hours=1)
        )

    assert refused.value.message_dict == {
        "published_at": ["Choose a time in the future: 17 Feb 2014 08:00 has already passed."]
    }
    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == (Article.Status.DRAFT, None)


def test_schedule_refuses_the_present_minute_and_a_missing_time(editor, draft):
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(ValidationError, match="already passed"):
            services.article_schedule(article=draft, user=editor, published_at=NOW)
        with pytest.raises(ValidationError, match="Choose the time the article should go live"):
            services.article_schedule(article=draft, user=editor, published_at=None)


def test_schedule_refuses_an_article_that_is_already_live(editor):
    live = ArticleFactory()

    with pytest.raises(ValidationError, match="already live; unpublish it first"):
        services.article_schedule(
            article=live, user=editor, published_at=timezone.now() + datetime.timedelta(days=1)
        )


def test_schedule_sets_the_time_and_the_article_goes_live_then(client, editor, draft):
    with time_machine.travel(NOW, tick=False):
        services.article_schedule(article=draft, user=editor, published_at=GO_LIVE)
        assert public_status(client, draft) == 404

    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == (Article.Status.PUBLISHED, GO_LIVE)
    with time_machine.travel(GO_LIVE, tick=False):
        assert public_status(client, draft) == 200


# --- duplicating ----------------------------------------------------------------------------


@pytest.fixture
def republished(global_insights, weitz):
    return ArticleFactory(
        title="Russia's Pivot East",
        slug="russias-pivot-east",
        column=global_insights,
        authors=[AuthorFactory(name="Second Author"), weitz],
        tags=["Russia", "China"],
        summary="Moscow looks to Beijing.",
        body="<p>One.</p>\n<p>Two.</p>",
        article_type=Article.ArticleType.OPINION,
        language=Article.Language.RUSSIAN,
        comments_enabled=False,
        source_publication=PublicationFactory(),
        original_published_on=datetime.date(2014, 2, 11),
        original_url="https://www.worldpoliticsreview.com/russias-pivot-east",
        original_author="R. Weitz",
        licence_note="Republished with WPR's permission.",
        syndication_policy=Article.SyndicationPolicy.NOINDEX,
        lead_image="articles/2014/02/sochi.jpg",
        lead_image_alt="Xi and Putin in Sochi",
        lead_image_caption="Sochi, Feb. 6",
        lead_image_credit="Kremlin press service",
        published_at=GO_LIVE,
        expires_at=GO_LIVE + datetime.timedelta(days=36500),
        planned_for=datetime.date(2014, 2, 11),
    )


def test_duplicate_is_a_new_draft_with_the_same_content_byline_and_provenance(editor, republished):
    copy = services.article_duplicate(article=republished, user=editor)

    copy.refresh_from_db()
    assert copy.pk != republished.pk
    assert copy.title == "Copy of Russia's Pivot East"
    assert copy.slug == "russias-pivot-east-copy"
    assert copy.status == Article.Status.DRAFT
    assert (copy.published_at, copy.expires_at, copy.planned_for) == (None, None, None)
    assert (copy.created_by, copy.submitted_by) == (editor, None)
    for field in (
        "column",
        "summary",
        "body",
        "article_type",
        "language",
        "comments_enabled",
        "source_publication",
        "original_published_on",
        "original_url",
        "original_author",
        "licence_note",
        "syndication_policy",
        "lead_image_alt",
        "lead_image_caption",
        "lead_image_credit",
    ):
        assert getattr(copy, field) == getattr(republished, field), field
    assert copy.lead_image.name == "articles/2014/02/sochi.jpg"
    assert [a.name for a in copy.ordered_authors] == ["Second Author", "Richard Weitz"]
    assert sorted(tag.name for tag in copy.tags.all()) == ["China", "Russia"]
    [version] = article_versions(copy)
    assert version.revision.comment == "Duplicated from “Russia's Pivot East”."
    assert version.revision.version_set.filter(content_type__model="articleauthor").count() == 2
    assert version.revision.version_set.filter(content_type__model="taggedarticle").count() == 2
    republished.refresh_from_db()
    assert republished.state == "published"
    assert [a.name for a in republished.ordered_authors] == ["Second Author", "Richard Weitz"]


def test_duplicating_again_never_reuses_a_slug(editor, republished):
    ArticleFactory(slug="russias-pivot-east-copy-2")  # someone already took the next one

    slugs = [services.article_duplicate(article=republished, user=editor).slug for _ in range(3)]

    assert slugs == [
        "russias-pivot-east-copy",
        "russias-pivot-east-copy-3",
        "russias-pivot-east-copy-4",
    ]


def test_duplicate_of_an_article_with_the_longest_slug_still_fits(editor):
    original = ArticleFactory(slug="x" * 300, title="T" * 300)

    first = services.article_duplicate(article=original, user=editor)
    second = services.article_duplicate(article=original, user=editor)

    assert first.slug == "x" * 295 + "-copy"
    assert second.slug == "x" * 293 + "-copy-2"
    assert len(first.title) == 300


def test_contributor_duplicates_their_own_article_but_not_someone_elses(contributor, draft):
    copy = services.article_duplicate(article=draft, user=contributor)

    assert copy.created_by == contributor
    assert services.can_edit_article(article=copy, user=contributor)
    with pytest.raises(PermissionDenied):
        services.article_duplicate(article=ArticleFactory(), user=contributor)


# --- the admin: state column and filter -----------------------------------------------------


@pytest.fixture
def one_of_each_state():
    with time_machine.travel(NOW, tick=False):
        return {
            "draft": DraftArticleFactory(title="A draft"),
            "review": DraftArticleFactory(title="Under review", status=Article.Status.IN_REVIEW),
            "scheduled": ArticleFactory(title="Coming up", published_at=GO_LIVE),
            "published": ArticleFactory(title="Out now"),
            "expired": ArticleFactory(
                title="Gone",
                published_at=NOW - datetime.timedelta(days=10),
                expires_at=NOW - datetime.timedelta(days=1),
            ),
        }


@pytest.mark.parametrize("state", ["draft", "review", "scheduled", "published", "expired"])
def test_admin_state_filter_lists_the_articles_in_that_state(
    client, editor, one_of_each_state, state
):
    client.force_login(editor)

    with time_machine.travel(NOW, tick=False):
        response = client.get(ARTICLES, {"state": state})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [one_of_each_state[state]]


def test_admin_changelist_says_where_each_article_stands(client, editor, one_of_each_state):
    client.force_login(editor)

    with time_machine.travel(NOW, tick=False):
        response = client.get(ARTICLES)

    for label in ("Draft", "In review", "Scheduled for 18 Feb 2014 10:00", "Published", "Expired"):
        assert f'<td class="field-state_label">{label}</td>' in response.text, label


# --- the admin actions ----------------------------------------------------------------------


def test_publish_action_reports_what_it_published_and_why_it_skipped_the_rest(client, editor):
    client.force_login(editor)
    draft = DraftArticleFactory(title="Ready")
    live = ArticleFactory(title="Already out")

    response = run_action(client, "publish_selected", [draft, live])

    assert response.status_code == 302
    assert messages_of(response) == [
        "1 article published.",
        "1 article was skipped. “Already out”: This article is already published.",
    ]
    draft.refresh_from_db()
    assert draft.state == "published"


def test_contributor_submits_their_draft_with_the_action(client, contributor, draft):
    client.force_login(contributor)

    response = run_action(client, "submit_selected", [draft])

    assert messages_of(response) == ["1 article submitted for review."]
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_by) == (Article.Status.IN_REVIEW, contributor)


def test_return_to_draft_action_skips_articles_that_are_not_in_review(client, editor):
    client.force_login(editor)
    waiting = DraftArticleFactory(status=Article.Status.IN_REVIEW)
    live = ArticleFactory(title="Live one")

    response = run_action(client, "return_selected_to_draft", [waiting, live])

    assert messages_of(response) == [
        "1 article returned to draft.",
        "1 article was skipped. “Live one”: Only an article in review can be returned to draft.",
    ]
    waiting.refresh_from_db()
    live.refresh_from_db()
    assert (waiting.status, live.status) == (Article.Status.DRAFT, Article.Status.PUBLISHED)


def test_duplicate_action_creates_new_drafts(client, editor, republished):
    client.force_login(editor)

    response = run_action(client, "duplicate_selected", [republished])

    assert messages_of(response) == ["1 new draft created."]
    copy = Article.objects.get(slug="russias-pivot-east-copy")
    assert (copy.status, copy.created_by) == (Article.Status.DRAFT, editor)


# --- the "Schedule…" page -------------------------------------------------------------------


def test_schedule_action_leads_to_a_page_asking_for_the_time(client, editor):
    client.force_login(editor)
    first, second = DraftArticleFactory(title="First"), DraftArticleFactory(title="Second")

    response = run_action(client, "schedule_selected", [first, second])

    assert response.status_code == 302
    assert response["Location"].startswith(f"{SCHEDULE}?ids=")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'name="published_at"' in page.text
    assert 'type="datetime-local"' in page.text
    assert "First" in page.text and "Second" in page.text
    assert "These 2 articles will go live by themselves" in page.text
    first.refresh_from_db()
    assert first.status == Article.Status.DRAFT  # nothing happens before the time is given


def test_schedule_page_refuses_a_past_time_and_shows_why(client, editor):
    client.force_login(editor)
    draft = DraftArticleFactory()
    url = f"{SCHEDULE}?ids={draft.pk}"

    with time_machine.travel(NOW, tick=False):
        response = client.post(url, {"published_at": "2014-02-17T08:00"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "published_at": ["Choose a time in the future: 17 Feb 2014 08:00 has already passed."]
    }
    assert "has already passed" in response.text
    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == (Article.Status.DRAFT, None)


def test_schedule_page_schedules_every_chosen_article_at_a_future_time(client, editor):
    client.force_login(editor)
    drafts = DraftArticleFactory.create_batch(2)
    live = ArticleFactory(title="Live already", published_at=NOW - datetime.timedelta(days=1))
    ids = ",".join(str(article.pk) for article in [*drafts, live])

    with time_machine.travel(NOW, tick=False):
        response = client.post(f"{SCHEDULE}?ids={ids}", {"published_at": "2014-02-18T10:00"})

    assert response.status_code == 302
    assert response["Location"] == ARTICLES
    assert messages_of(response) == [
        "2 articles scheduled.",
        "1 article was skipped. “Live already”: This article is already live; unpublish it "
        "first to schedule it again.",
    ]
    for draft in drafts:
        draft.refresh_from_db()
        assert (draft.status, draft.published_at) == (Article.Status.PUBLISHED, GO_LIVE)


def test_schedule_page_without_articles_goes_back_to_the_list(client, editor):
    client.force_login(editor)

    response = client.get(f"{SCHEDULE}?ids=")

    assert response.status_code == 302
    assert response["Location"] == ARTICLES


# --- the change form ------------------------------------------------------------------------


def test_contributor_cannot_publish_by_posting_status_in_the_change_form(
    client, contributor, draft
):
    client.force_login(contributor)
    url = reverse("admin:commentary_article_change", args=[draft.pk])
    form = client.get(url)
    assert 'name="status"' not in form.text
    assert 'name="published_at_0"' not in form.text

    response = client.post(
        url,
        article_form_data(
            draft,
            title="A sharper title",
            status="published",
            published_at_0="2014-02-18",
            published_at_1="10:00:00",
            expires_at_0="2015-02-18",
            expires_at_1="10:00:00",
        ),
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "A sharper title"
    assert (draft.status, draft.published_at, draft.expires_at) == ("draft", None, None)


def test_contributor_cannot_publish_by_posting_status_in_the_add_form(client, contributor, weitz):
    client.force_login(contributor)
    unsaved = Article(title="Fresh piece", slug="fresh-piece", body="<p>Text.</p>")
    data = article_form_data(unsaved, status="published", published_at_0="2014-02-18")
    data.update(
        {
            "article_authors-TOTAL_FORMS": 1,
            "article_authors-INITIAL_FORMS": 0,
            "article_authors-0-author": weitz.pk,
            "article_authors-0-position": 0,
        }
    )

    response = client.post(reverse("admin:commentary_article_add"), data)

    assert response.status_code == 302
    article = Article.objects.get(slug="fresh-piece")
    assert (article.status, article.published_at) == (Article.Status.DRAFT, None)
    assert article.created_by == contributor


def test_contributors_new_article_carries_their_own_name_on_the_byline(client, contributor, weitz):
    client.force_login(contributor)
    co_author = AuthorFactory(name="Anna Petrova")
    data = article_form_data(Article(title="Joint piece", slug="joint-piece", body="<p>x</p>"))
    data.update(
        {
            "article_authors-TOTAL_FORMS": 1,
            "article_authors-INITIAL_FORMS": 0,
            "article_authors-0-author": co_author.pk,
            "article_authors-0-position": 0,
        }
    )

    response = client.post(reverse("admin:commentary_article_add"), data)

    assert response.status_code == 302
    article = Article.objects.get(slug="joint-piece")
    assert [author.name for author in article.ordered_authors] == ["Anna Petrova", "Richard Weitz"]
    assert article.created_by == contributor


def test_admin_explains_a_slug_clash_on_the_slug_field(client, editor):
    client.force_login(editor)
    ArticleFactory(slug="in-sochi")
    data = article_form_data(Article(title="In Sochi", slug="in-sochi", body="<p>x</p>"))
    data.update(
        {
            "article_authors-TOTAL_FORMS": 1,
            "article_authors-INITIAL_FORMS": 0,
            "article_authors-0-author": AuthorFactory().pk,
            "article_authors-0-position": 0,
        }
    )

    response = client.post(reverse("admin:commentary_article_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        "Another article already uses this slug."
    ]
    assert Article.objects.filter(slug="in-sochi").count() == 1


def test_editor_adds_a_correction_that_records_who_wrote_it(client, editor):
    client.force_login(editor)
    article = ArticleFactory()
    data = article_form_data(article)
    data.update(
        {
            "corrections-TOTAL_FORMS": 1,
            "corrections-0-published_at_0": "2014-02-19",
            "corrections-0-published_at_1": "12:00:00",
            "corrections-0-note": "The summit was on Feb. 6, not Feb. 7.",
        }
    )

    response = client.post(reverse("admin:commentary_article_change", args=[article.pk]), data)

    assert response.status_code == 302
    correction = Correction.objects.get(article=article)
    assert correction.note == "The summit was on Feb. 6, not Feb. 7."
    assert correction.created_by == editor


def test_only_editors_see_the_corrections_inline(client, editor, contributor, draft):
    CorrectionFactory(article=draft, note="An old correction.")
    url = reverse("admin:commentary_article_change", args=[draft.pk])

    client.force_login(editor)
    assert "corrections-TOTAL_FORMS" in client.get(url).text
    client.force_login(contributor)
    page = client.get(url)
    assert page.status_code == 200
    assert "corrections-TOTAL_FORMS" not in page.text
    assert "An old correction." not in page.text


def test_change_form_puts_the_authors_right_after_the_byline_fieldset(client, editor, draft):
    client.force_login(editor)

    page = client.get(reverse("admin:commentary_article_change", args=[draft.pk])).text

    byline = page.index(">Byline</h2>")
    authors = page.index('id="article_authors-group"')
    publication = page.index(">Publication</h2>")
    assert byline < authors < publication
    assert page.count('id="article_authors-group"') == 1
