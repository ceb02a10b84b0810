"""Readers report published comments; enough reports send a comment back to the moderators.

A reader reports a comment once: readers are told apart by account, or for anonymous readers
by browser session and address (``spam.reader_key``). Only approved comments of public
articles can be reported.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from commentary import spam
from commentary.models import Comment, CommentReport, ModerationEvent
from tests.factories import ArticleFactory, CommentFactory, DraftArticleFactory

pytestmark = pytest.mark.django_db

THANKS = "Thank you. A moderator will look at this comment."
ALREADY = "You have already reported this comment. Thank you."


def report_url(comment):
    return reverse("commentary:report_comment", kwargs={"pk": comment.pk})


def report(client, comment, reason="abusive", note="", follow=False, **extra):
    return client.post(
        report_url(comment), {"reason": reason, "note": note}, follow=follow, **extra
    )


@pytest.fixture
def article():
    return ArticleFactory()


@pytest.fixture
def comment(article):
    return CommentFactory(
        article=article, approved=True, author_name="Anna", body="You are all fools."
    )


def test_each_approved_comment_links_to_its_report_page(client, article, comment):
    pending = CommentFactory(article=article)

    response = client.get(article.get_absolute_url())

    assert report_url(comment) == f"/en/comments/{comment.pk}/report/"
    assertContains(response, f'href="{report_url(comment)}" rel="nofollow"', count=1)
    assertNotContains(response, report_url(pending))


def test_report_page_quotes_the_comment_and_offers_every_reason(client, comment):
    response = client.get(report_url(comment))

    assert response.status_code == 200
    assertContains(response, "<h1>Report a comment</h1>", html=True)
    assertContains(response, "You are all fools.")
    assertContains(response, '<span class="comment__author">Anna</span>', html=True)
    for value, label in CommentReport.Reason.choices:
        assertContains(response, f'type="radio" name="reason" value="{value}"')
        assertContains(response, label)
    assertContains(response, '<textarea name="note"')
    assertContains(response, f'href="{comment.get_absolute_url()}"')


def test_report_is_stored_and_the_reader_is_thanked_back_on_the_article(client, comment):
    response = report(client, comment, reason="hate", note="  Insults the author.  ", follow=True)

    assert response.redirect_chain == [(comment.get_absolute_url(), 302)]
    assertContains(response, THANKS)
    stored = CommentReport.objects.get()
    assert stored.comment == comment
    assert stored.reason == CommentReport.Reason.HATE
    assert stored.note == "Insults the author."
    assert stored.reporter is None
    session_key = client.session.session_key
    assert session_key
    assert stored.reporter_key == spam.reader_key(session_key=session_key, ip_address="127.0.0.1")


def test_anonymous_reader_is_known_by_the_connections_address_not_a_forwarded_header(
    client, comment
):
    report(client, comment, HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="198.51.100.7")

    key = spam.reader_key(session_key=client.session.session_key, ip_address="198.51.100.7")
    assert CommentReport.objects.get().reporter_key == key


def test_a_reader_reports_a_comment_once(client, comment):
    report(client, comment, reason="abusive", follow=True)

    response = report(client, comment, reason="spam", follow=True)

    assert response.redirect_chain == [(comment.get_absolute_url(), 302)]
    assertContains(response, ALREADY)
    assertNotContains(response, THANKS)
    assert CommentReport.objects.count() == 1
    assert CommentReport.objects.get().reason == "abusive"


def test_different_readers_each_report(comment):
    for _ in range(2):
        assert report(Client(), comment).status_code == 302

    assert CommentReport.objects.count() == 2


def test_a_signed_in_reader_is_one_reader_on_every_device(comment, reader):
    laptop, phone = Client(), Client()
    laptop.force_login(reader)
    phone.force_login(reader)

    report(laptop, comment)
    response = report(phone, comment, follow=True)

    assertContains(response, ALREADY)
    stored = CommentReport.objects.get()
    assert stored.reporter == reader
    assert stored.reporter_key == spam.reader_key(user=reader)


def test_enough_reports_send_the_comment_back_to_the_moderators(settings, comment):
    settings.COMMENTS_REPORT_THRESHOLD = 2

    report(Client(), comment)
    assert not Comment.objects.reported().exists()
    comment.refresh_from_db()
    assert comment.flagged_at is None

    report(Client(), comment)
    assert list(Comment.objects.reported()) == [comment]
    assert ModerationEvent.objects.filter(
        comment=comment, action=ModerationEvent.Action.FLAGGED
    ).exists()
    # Still published meanwhile: readers keep seeing it until a moderator decides.
    assertContains(Client().get(comment.article.get_absolute_url()), "You are all fools.")


def test_a_repeated_report_does_not_count_towards_the_threshold(settings, client, comment):
    settings.COMMENTS_REPORT_THRESHOLD = 2

    report(client, comment)
    report(client, comment)

    assert not Comment.objects.reported().exists()


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"note": "Rude."}, "reason", "This field is required."),
        ({"reason": "boring"}, "reason", "Select a valid choice. boring is not one of the"),
        (
            {"reason": "spam", "note": "same as on spam.example.com"},
            "note",
            "Links are not allowed in comments. Please remove: “spam.example.com”.",
        ),
        ({"reason": "other", "note": "x" * 301}, "note", "Ensure this value has at most 300"),
    ],
)
def test_an_incomplete_report_is_shown_again_with_the_error(client, comment, data, field, error):
    response = client.post(report_url(comment), data)

    assert response.status_code == 400
    assert not CommentReport.objects.exists()
    assert list(response.context["form"].errors) == [field]
    assert response.context["form"].errors[field][0].startswith(error)
    if data.get("note"):
        assertContains(response, data["note"][:40], status_code=400)


@pytest.mark.parametrize("status", ["pending", "rejected", "spam"])
def test_only_approved_comments_can_be_reported(client, article, status):
    hidden = CommentFactory(
        article=article,
        status=status,
        moderated_at=None if status == "pending" else timezone.now(),
    )

    assert client.get(report_url(hidden)).status_code == 404
    assert report(client, hidden).status_code == 404
    assert not CommentReport.objects.exists()


@pytest.mark.parametrize("kind", ["draft", "future"])
def test_comments_of_articles_that_are_not_public_cannot_be_reported(client, kind):
    article = (
        DraftArticleFactory()
        if kind == "draft"
        else ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=1))
    )
    comment = CommentFactory(article=article, approved=True)

    assert client.get(report_url(comment)).status_code == 404
    assert report(client, comment).status_code == 404
    assert not CommentReport.objects.exists()


def test_unknown_comment_cannot_be_reported(client):
    assert client.get("/en/comments/424242/report/").status_code == 404


def test_comments_stay_reportable_once_comments_are_closed(client, article, comment):
    article.comments_enabled = False
    article.save()

    assert report(client, comment).status_code == 302
    assert CommentReport.objects.count() == 1


def test_report_needs_the_csrf_token(comment):
    strict = Client(enforce_csrf_checks=True)

    assert report(strict, comment).status_code == 403

    page = strict.get(report_url(comment))
    token = page.context["csrf_token"]
    response = strict.post(report_url(comment), {"reason": "spam", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert CommentReport.objects.count() == 1


@pytest.mark.parametrize("role", ["anonymous", "reader", "moderator", "editor"])
def test_every_role_reports_once(request, client, comment, role):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    if user is not None:
        client.force_login(user)

    first = report(client, comment, follow=True)
    second = report(client, comment, follow=True)

    assertContains(first, THANKS)
    assertContains(second, ALREADY)
    stored = CommentReport.objects.get()
    assert stored.reporter == user
