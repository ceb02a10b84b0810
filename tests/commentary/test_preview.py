"""Previews: an article as readers will see it, before they can, for the people preparing it.

``/preview/<pk>/`` is for editors and the article's own people (who created it, or whose
author profile is on its byline); anyone else signed in gets 404, so a draft's existence is
not given away, and an anonymous visitor is sent to log in. A signed share link
(``/preview/shared/<token>/``) shows the same page to whoever holds it until it expires.
Every preview page is kept out of search engines and caches.
"""

import datetime
import re

import pytest
import time_machine
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from commentary.models import Article
from commentary.services import previews
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ColumnFactory,
    CommentFactory,
    ContributorFactory,
    CorrectionFactory,
    DraftArticleFactory,
    PublicationFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2014, 2, 14, 12, tzinfo=UTC)
NOT_PUBLISHED = "Preview — not published"
COMMENTS_LATER = "Comments open when the article is published."
EXPIRED_LINK = "This preview link has expired. Ask the editor for a new one."
LINK_NO_LONGER_WORKS = "This preview link no longer works. Ask the editor for a new one."


def page_text(response):
    return " ".join(strip_tags(response.content.decode()).split())


def preview_url(article):
    return reverse("commentary:preview", kwargs={"pk": article.pk})


def share_url(article):
    return reverse("commentary:preview_share", kwargs={"pk": article.pk})


def shared_url(token):
    return reverse("commentary:preview_shared", kwargs={"token": token})


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def contributor(db):
    return ContributorFactory()


@pytest.fixture
def draft(contributor):
    """A republished column draft with an author note, a source line and a correction."""
    author = AuthorFactory(name="Richard Weitz", user=contributor)
    return DraftArticleFactory(
        title="Draft about the Black Sea",
        column=ColumnFactory(name="Global Insights", authors=[author]),
        authors=[author],
        body="<p>The first paragraph of the draft.</p>",
        source_publication=PublicationFactory(),
        original_published_on=datetime.date(2014, 2, 11),
        licence_note="Republished with the permission of World Politics Review.",
    )


# --- who may preview -----------------------------------------------------------------------


def test_routes_have_the_names_the_admin_links_to():
    assert reverse("commentary:preview", kwargs={"pk": 7}) == "/en/preview/7/"
    assert reverse("commentary:preview_share", kwargs={"pk": 7}) == "/en/preview/7/share/"
    assert reverse("commentary:preview_shared", kwargs={"token": "abc:def"}) == (
        "/en/preview/shared/abc:def/"
    )


def test_editor_previews_a_draft_as_readers_will_see_it(client, editor, draft):
    CorrectionFactory(article=draft, note="An earlier draft misnamed the port.")
    client.force_login(editor)

    response = client.get(preview_url(draft))

    assert response.status_code == 200
    assertTemplateUsed(response, "commentary/article_detail.html")
    assertContains(response, '<p class="byline">By <a href=')
    assertContains(
        response,
        '<h1 id="article-title" class="article__title"><a class="article__column" '
        f'href="{draft.column.get_absolute_url()}">Global Insights</a>: '
        "Draft about the Black Sea</h1>",
        html=True,
    )
    assertContains(response, "<p>The first paragraph of the draft.</p>", html=True)
    text = page_text(response)
    assert f"{NOT_PUBLISHED} · Draft." in text
    assert "By Richard Weitz" in text
    assert "His weekly WPR column, Global Insights, appears every Tuesday." in text
    assert "Source: World Politics Review, 11 Feb 2014" in text
    assert "Republished with the permission of World Politics Review." in text
    assert "An earlier draft misnamed the port." in text
    assert "<title>Preview: Global Insights: Draft about the Black Sea · Commentary</title>" in (
        response.content.decode()
    )


def test_article_creator_may_preview_their_draft(client, contributor):
    draft = DraftArticleFactory(created_by=contributor)
    client.force_login(contributor)

    assert client.get(preview_url(draft)).status_code == 200


def test_author_on_the_byline_may_preview_the_draft(client, contributor, draft):
    client.force_login(contributor)

    response = client.get(preview_url(draft))

    assert response.status_code == 200
    assertContains(response, "Draft about the Black Sea")


@pytest.mark.parametrize("who", ["reader", "moderator", "other_contributor"])
def test_anyone_else_signed_in_gets_404_not_403(client, request, draft, who):
    user = ContributorFactory() if who == "other_contributor" else request.getfixturevalue(who)
    client.force_login(user)

    response = client.get(preview_url(draft))

    assert response.status_code == 404
    assertNotContains(response, "Draft about the Black Sea", status_code=404)


def test_missing_article_answers_404_like_a_forbidden_one(client, editor):
    client.force_login(editor)

    assert client.get(reverse("commentary:preview", kwargs={"pk": 999_999})).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client, draft):
    response = client.get(preview_url(draft))

    assert response.status_code == 302
    assert response["Location"] == f"/en/accounts/log-in/?next={preview_url(draft)}"


def test_closed_account_cannot_preview(contributor, draft):
    contributor.is_active = False
    contributor.save()

    assert previews.user_may_preview(contributor, draft) is False
    assert not previews.previewable_articles(contributor).exists()


def test_preview_answers_only_reading(client, editor, draft):
    client.force_login(editor)

    assert client.post(preview_url(draft), {"body": "A comment"}).status_code == 405
    assert draft.comments.count() == 0


# --- what the preview page says ------------------------------------------------------------


def test_preview_is_kept_out_of_search_engines_and_caches(client, editor, draft):
    client.force_login(editor)

    response = client.get(preview_url(draft))

    assert response["X-Robots-Tag"] == "noindex, nofollow"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private", "no-cache", "max-age=0"} <= cache_control
    assertContains(response, '<meta name="robots" content="noindex, nofollow">', html=True)
    assertNotContains(response, 'rel="canonical"')


def test_preview_has_no_comment_form_and_says_when_comments_open(client, editor, draft):
    client.force_login(editor)

    response = client.get(preview_url(draft))

    assertContains(response, f'<p class="comments-closed">{COMMENTS_LATER}</p>', html=True)
    assertNotContains(response, 'id="comment-form"')
    assertNotContains(response, "comment-form.js")
    assertNotContains(response, '<textarea name="body"')


def test_preview_of_a_live_article_shows_no_comments_and_no_form(client, editor):
    article = ArticleFactory(title="Live already")
    CommentFactory(article=article, approved=True, body="A reader's approved remark.")
    client.force_login(editor)

    response = client.get(preview_url(article))

    text = page_text(response)
    assert "Preview — published · Readers see this article at its public address." in text
    assertContains(
        response, f'<a href="{article.get_absolute_url()}">Read the published article</a>'
    )
    assert "Comments are not shown in previews." in text
    assert "A reader's approved remark." not in text
    assertNotContains(response, 'id="comment-form"')


def test_preview_with_comments_disabled_says_they_are_closed(client, editor):
    draft = DraftArticleFactory(comments_enabled=False)
    client.force_login(editor)

    response = client.get(preview_url(draft))

    assert "Comments are closed for this article." in page_text(response)
    assert COMMENTS_LATER not in page_text(response)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param({"status": Article.Status.DRAFT}, "Draft.", id="draft"),
        pytest.param({"status": Article.Status.IN_REVIEW}, "In review.", id="review"),
        pytest.param(
            {
                "status": Article.Status.PUBLISHED,
                "published_at": datetime.datetime(2014, 2, 18, 9, tzinfo=UTC),
            },
            "Scheduled for 18 Feb 2014, 09:00 UTC.",
            id="scheduled",
        ),
        pytest.param(
            {
                "status": Article.Status.PUBLISHED,
                "published_at": datetime.datetime(2014, 2, 1, 9, tzinfo=UTC),
                "expires_at": datetime.datetime(2014, 2, 13, 18, 30, tzinfo=UTC),
            },
            "Expired on 13 Feb 2014, 18:30 UTC: readers no longer see it.",
            id="expired",
        ),
    ],
)
def test_banner_states_where_the_article_stands(client, editor, frozen, values, expected):
    article = DraftArticleFactory(**values)
    client.force_login(editor)

    response = client.get(preview_url(article))

    assert response.status_code == 200
    assert f"{NOT_PUBLISHED} · {expected}" in page_text(response)


def test_preview_page_has_no_inline_script_or_style(client, editor, draft):
    client.force_login(editor)

    content = client.get(preview_url(draft)).content.decode()

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", content) == []
    assert "<style" not in content
    assert " style=" not in content


def test_signed_in_previewer_gets_a_button_to_share_the_preview(client, editor, draft):
    client.force_login(editor)

    response = client.get(preview_url(draft))

    assertContains(
        response,
        f'<form class="preview-banner__share" method="post" action="{share_url(draft)}">',
    )


# --- share links: the service --------------------------------------------------------------


def test_share_link_token_leads_back_to_its_article(editor, draft):
    token = previews.preview_link_token(article=draft, user=editor)

    assert previews.preview_article_for_token(token) == draft


def test_only_those_who_may_preview_may_make_a_share_link(reader, draft):
    with pytest.raises(PermissionDenied):
        previews.preview_link_token(article=draft, user=reader)


def test_share_link_expires_after_the_configured_days(settings, editor, draft, frozen):
    settings.PREVIEW_LINK_MAX_AGE_DAYS = 2
    token = previews.preview_link_token(article=draft, user=editor)
    assert previews.read_preview_link(token).expires_at == NOW + datetime.timedelta(days=2)

    frozen.shift(datetime.timedelta(days=2) - datetime.timedelta(seconds=1))
    assert previews.preview_article_for_token(token) == draft

    frozen.shift(datetime.timedelta(seconds=1))
    with pytest.raises(previews.PreviewLinkExpired):
        previews.preview_article_for_token(token)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"), id="signature"),
        pytest.param(lambda token: "x" + token, id="payload"),
        pytest.param(lambda token: "not-a-token", id="garbage"),
        pytest.param(
            lambda token: signing.Signer(salt="another-salt").sign_object(
                signing.Signer(salt="commentary.preview-link").unsign_object(token)
            ),
            id="other-salt",
        ),
    ],
)
def test_tampered_share_link_is_refused(editor, draft, tamper):
    token = previews.preview_link_token(article=draft, user=editor)

    with pytest.raises(previews.PreviewLinkInvalid):
        previews.preview_article_for_token(tamper(token))


def test_share_link_signed_for_another_article_cannot_be_edited_to_show_this_one(editor):
    shown, hidden = DraftArticleFactory(), DraftArticleFactory()
    token = previews.preview_link_token(article=shown, user=editor)
    signature = token.rsplit(":", 1)[1]
    forged_payload = signing.Signer(salt="commentary.preview-link").sign_object(
        {"a": hidden.pk, "u": editor.pk, "t": 2_000_000_000}
    )

    with pytest.raises(previews.PreviewLinkInvalid):
        previews.preview_article_for_token(f"{forged_payload.rsplit(':', 1)[0]}:{signature}")


# --- share links: the pages ----------------------------------------------------------------


def test_anyone_with_the_link_sees_the_preview(editor, draft):
    token = previews.preview_link_token(article=draft, user=editor)

    response = Client().get(shared_url(token))

    assert response.status_code == 200
    assertTemplateUsed(response, "commentary/article_detail.html")
    text = page_text(response)
    assert f"{NOT_PUBLISHED} · Draft." in text
    assert "Draft about the Black Sea" in text
    assert COMMENTS_LATER in text
    assert "Make a link to share this preview" not in text


def test_shared_preview_says_until_when_the_link_works(settings, editor, draft, frozen):
    settings.PREVIEW_LINK_MAX_AGE_DAYS = 7
    token = previews.preview_link_token(article=draft, user=editor)

    response = Client().get(shared_url(token))

    assert "This preview link works until 21 Feb 2014, 12:00 UTC." in page_text(response)


def test_shared_preview_is_kept_out_of_search_engines_and_caches(editor, draft):
    token = previews.preview_link_token(article=draft, user=editor)

    response = Client().get(shared_url(token))

    assert response["X-Robots-Tag"] == "noindex, nofollow"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control
    assertContains(response, '<meta name="robots" content="noindex, nofollow">', html=True)


def test_share_link_survives_edits(editor, draft):
    token = previews.preview_link_token(article=draft, user=editor)
    draft.title = "Draft about the Black Sea, revised"
    draft.body = "<p>A rewritten first paragraph.</p>"
    draft.save()

    response = Client().get(shared_url(token))

    assert response.status_code == 200
    assertContains(response, "Draft about the Black Sea, revised")
    assertContains(response, "<p>A rewritten first paragraph.</p>", html=True)


def test_expired_share_link_answers_410_with_a_friendly_page(settings, editor, draft, frozen):
    settings.DEBUG = False
    token = previews.preview_link_token(article=draft, user=editor)
    frozen.shift(datetime.timedelta(days=settings.PREVIEW_LINK_MAX_AGE_DAYS, seconds=1))

    response = Client().get(shared_url(token))

    assertContains(response, EXPIRED_LINK, status_code=410)
    assertNotContains(response, "Draft about the Black Sea", status_code=410)
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def test_tampered_share_link_answers_the_friendly_404_page(settings, editor, draft):
    settings.DEBUG = False
    token = previews.preview_link_token(article=draft, user=editor)

    response = Client().get(shared_url(token[:-2] + "zz"))

    assertContains(response, "<h1>Page not found</h1>", status_code=404, html=True)
    assertNotContains(response, "Draft about the Black Sea", status_code=404)


def test_share_link_of_a_deleted_article_answers_404(editor, draft):
    token = previews.preview_link_token(article=draft, user=editor)
    draft.delete()

    assert Client().get(shared_url(token)).status_code == 404


@pytest.mark.parametrize("change", ["off_the_byline", "account_closed"])
def test_share_link_stops_working_when_its_maker_may_no_longer_preview(contributor, draft, change):
    token = previews.preview_link_token(article=draft, user=contributor)
    if change == "off_the_byline":
        draft.article_authors.all().delete()
    else:
        contributor.is_active = False
        contributor.save()

    response = Client().get(shared_url(token))

    assertContains(response, LINK_NO_LONGER_WORKS, status_code=410)
    assertNotContains(response, "Draft about the Black Sea", status_code=410)


# --- the share page -------------------------------------------------------------------------


def test_share_page_offers_to_make_a_link(client, editor, draft):
    client.force_login(editor)

    response = client.get(share_url(draft))

    assert response.status_code == 200
    assertContains(response, f'<form method="post" action="{share_url(draft)}">')
    assertContains(response, "It works for 7 days.")
    assertNotContains(response, 'id="preview-link"')


def test_share_page_makes_a_working_link_ready_to_copy(client, editor, draft, frozen):
    client.force_login(editor)

    response = client.post(share_url(draft))

    assert response.status_code == 200
    match = re.search(
        r'<input id="preview-link" type="url" value="http://testserver(/en/preview/shared/[^"]+/)" '
        r"readonly>",
        response.content.decode(),
    )
    assert match, "the page must show the link in a read-only field"
    assert "until 21 Feb 2014, 12:00 UTC" in page_text(response)
    assert "no-store" in response["Cache-Control"]
    shared = Client().get(match.group(1))
    assert shared.status_code == 200
    assertContains(shared, "Draft about the Black Sea")


def test_share_page_needs_the_csrf_token(editor, draft):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)

    assert strict.post(share_url(draft)).status_code == 403


def test_share_page_is_404_for_those_who_may_not_preview(client, reader, draft):
    client.force_login(reader)

    assert client.get(share_url(draft)).status_code == 404
    assert client.post(share_url(draft)).status_code == 404


def test_share_page_sends_anonymous_visitors_to_log_in(client, draft):
    response = client.post(share_url(draft))

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/log-in/?next=")


def test_contributor_shares_a_preview_of_their_own_draft(client, contributor, draft):
    client.force_login(contributor)

    response = client.post(share_url(draft))

    assert response.status_code == 200
    assertContains(response, 'id="preview-link"')


# --- queries --------------------------------------------------------------------------------

#   article + column + publication + source, with its tags, bylines + authors and corrections
#   (see ArticleQuerySet.for_page); the link's maker; their own and their groups' permissions;
#   whether they may preview it; its published translations (the links under the byline, as
#   readers will see them)
SHARED_PREVIEW_QUERIES = 6


@pytest.mark.parametrize("size", [1, 20])
def test_shared_preview_runs_a_fixed_number_of_queries(django_assert_num_queries, editor, size):
    authors = [AuthorFactory() for _ in range(size)]
    draft = DraftArticleFactory(authors=authors, column=ColumnFactory(authors=authors))
    CorrectionFactory.create_batch(size, article=draft)
    token = previews.preview_link_token(article=draft, user=editor)
    anonymous = Client()

    with django_assert_num_queries(SHARED_PREVIEW_QUERIES):
        response = anonymous.get(shared_url(token))

    assert response.status_code == 200
    assert len(response.context["author_notes"]) == size
    assert len(response.context["corrections"]) == size
