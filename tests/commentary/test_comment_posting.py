"""Posting a comment on the article page.

Every comment waits for a moderator; a comment with a link is refused, and the refusal names
the offending fragment while keeping what the reader wrote.
"""

import datetime

import pytest
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from commentary import services
from commentary.models import Comment
from tests.factories import ArticleFactory, CommentFactory, DraftArticleFactory

pytestmark = pytest.mark.django_db

AWAITING_MODERATION = (
    "Thank you. Your comment is awaiting moderation and will appear once a moderator approves it."
)
CLOSED = "Comments are closed for this article."


def comment_data(**overrides):
    return {
        "author_name": "Careful Reader",
        "author_email": "careful.reader@example.net",
        "body": "A fair point about the balance of power.",
        **overrides,
    }


def textarea_holds(response, text):
    """Whether the comment textarea was re-rendered holding ``text``, HTML-escaped."""
    return f"{escape(text)}</textarea>" in response.content.decode()


@pytest.fixture
def article():
    return ArticleFactory(title="Russia and China")


# --- a clean comment --------------------------------------------------------------------------


def test_clean_comment_is_stored_pending_and_redirects_back_to_the_article(client, article):
    response = client.post(article.get_absolute_url(), comment_data())

    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comments"
    comment = Comment.objects.get()
    assert comment.article == article
    assert comment.status == Comment.Status.PENDING
    assert comment.body == "A fair point about the balance of power."
    assert comment.author_name == "Careful Reader"
    assert comment.author_email == "careful.reader@example.net"
    assert comment.user is None
    assert comment.moderated_by is None
    assert comment.moderated_at is None


def test_after_posting_reader_is_told_it_awaits_moderation_and_does_not_see_it(client, article):
    response = client.post(article.get_absolute_url(), comment_data(), follow=True)

    assert response.redirect_chain == [(f"{article.get_absolute_url()}#comments", 302)]
    assertContains(response, AWAITING_MODERATION)
    assertNotContains(response, "A fair point about the balance of power.")
    assertContains(response, '<h2 id="comments-heading">0 comments</h2>', html=True)
    # The message is shown once.
    assertNotContains(client.get(article.get_absolute_url()), AWAITING_MODERATION)


def test_comment_appears_once_a_moderator_approves_it(client, article, moderator):
    client.post(article.get_absolute_url(), comment_data())
    comment = Comment.objects.get()

    services.comment_approve(comment=comment, moderator=moderator)

    response = client.get(article.get_absolute_url())
    assertContains(response, '<h2 id="comments-heading">1 comment</h2>', html=True)
    assertContains(
        response,
        '<div class="comment__body"><p>A fair point about the balance of power.</p></div>',
        html=True,
    )
    assertContains(response, '<span class="comment__author">Careful Reader</span>', html=True)
    assertNotContains(response, "careful.reader@example.net")


def test_rejected_comment_never_appears(client, article, moderator):
    client.post(article.get_absolute_url(), comment_data())

    services.comment_reject(comment=Comment.objects.get(), moderator=moderator)

    response = client.get(article.get_absolute_url())
    assertNotContains(response, "A fair point about the balance of power.")
    assertContains(response, '<h2 id="comments-heading">0 comments</h2>', html=True)


def test_surrounding_whitespace_is_trimmed_from_a_comment(client, article):
    client.post(
        article.get_absolute_url(),
        comment_data(author_name="  Careful Reader ", body="\n  Line one.\nLine two.  \n"),
    )

    comment = Comment.objects.get()
    assert comment.author_name == "Careful Reader"
    assert comment.body == "Line one.\nLine two."


# --- links are refused ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("see http://example.com", "http://example.com"),
        ("www.example.org/page", "www.example.org/page"),
        ("visit example.com today", "example.com"),
        ("пример.рф", "пример.рф"),
        ("write to me@example.com", "me@example.com"),
        ('<a href="http://x.com">x</a>', "http://x.com"),
        ("[click](http://x.com)", "http://x.com"),
    ],
)
def test_comment_with_a_link_is_refused_naming_the_fragment_and_keeping_the_text(
    client, article, body, fragment
):
    response = client.post(article.get_absolute_url(), comment_data(body=body))

    assert response.status_code == 400
    assert not Comment.objects.exists()
    error = f"Links are not allowed in comments. Please remove: “{fragment}”."
    assert response.context["form"].errors == {"body": [error]}
    assertContains(response, escape(error), status_code=400)
    assert textarea_holds(response, body)
    # What the reader typed is never echoed as live markup.
    if "<a " in body:
        assertNotContains(response, body, status_code=400)
    assertContains(response, 'value="Careful Reader"', status_code=400)
    assertContains(response, 'value="careful.reader@example.net"', status_code=400)
    assertNotContains(response, AWAITING_MODERATION, status_code=400)


def test_refusal_names_every_link_in_the_comment(client, article):
    body = "Compare example.com with www.example.org please."

    response = client.post(article.get_absolute_url(), comment_data(body=body))

    assert response.status_code == 400
    assert response.context["form"].errors["body"] == [
        "Links are not allowed in comments. Please remove: “example.com”, “www.example.org”."
    ]
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "body",
    ["The U.S. and the U.N.", "e.g. sanctions", "3.5 billion", "St. Petersburg", "т.е. санкции"],
)
def test_text_that_only_looks_like_a_link_is_accepted(client, article, body):
    response = client.post(article.get_absolute_url(), comment_data(body=body))

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.body == body
    assert comment.status == Comment.Status.PENDING


# --- missing or wrong fields ------------------------------------------------------------------


@pytest.mark.parametrize("field", ["author_name", "author_email", "body"])
def test_missing_field_is_reported_on_that_field_and_the_rest_is_kept(client, article, field):
    data = comment_data(**{field: ""})

    response = client.post(article.get_absolute_url(), data)

    assert response.status_code == 400
    assert not Comment.objects.exists()
    assert response.context["form"].errors == {field: ["This field is required."]}
    assertContains(
        response,
        f'<ul class="errorlist" id="id_{field}_error"><li>This field is required.</li></ul>',
        html=True,
        status_code=400,
    )
    assertContains(response, "This field is required.", count=1, status_code=400)
    if field != "body":
        assert textarea_holds(response, data["body"])


def test_blank_comment_of_only_spaces_counts_as_missing(client, article):
    response = client.post(article.get_absolute_url(), comment_data(body="   \n  "))

    assert response.status_code == 400
    assert response.context["form"].errors == {"body": ["This field is required."]}
    assert not Comment.objects.exists()


def test_invalid_email_is_refused_on_the_email_field(client, article):
    response = client.post(article.get_absolute_url(), comment_data(author_email="not-an-email"))

    assert response.status_code == 400
    assert response.context["form"].errors == {"author_email": ["Enter a valid email address."]}
    assert textarea_holds(response, "A fair point about the balance of power.")
    assert not Comment.objects.exists()


def test_one_letter_comment_is_too_short(client, article):
    response = client.post(article.get_absolute_url(), comment_data(body="k"))

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "body": ["Ensure this value has at least 2 characters (it has 1)."]
    }
    assert not Comment.objects.exists()


# --- where comments cannot be posted -----------------------------------------------------------


def test_posting_to_a_draft_answers_404_and_stores_nothing(client):
    draft = DraftArticleFactory()

    response = client.post(draft.get_absolute_url(), comment_data())

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_posting_to_a_future_article_answers_404_and_stores_nothing(client):
    future = ArticleFactory(published_at=timezone.now() + datetime.timedelta(hours=1))

    response = client.post(future.get_absolute_url(), comment_data())

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_posting_to_an_unknown_article_answers_404(client):
    response = client.post("/articles/no-such-article/", comment_data())

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_posting_when_comments_are_closed_stores_nothing_and_says_closed(client, article):
    article.comments_enabled = False
    article.save()

    response = client.post(article.get_absolute_url(), comment_data())

    assert response.status_code == 400
    assert not Comment.objects.exists()
    assertContains(response, f'<p class="comments-closed">{CLOSED}</p>', html=True, status_code=400)
    assertNotContains(response, AWAITING_MODERATION, status_code=400)
    assertNotContains(response, '<textarea name="body"', status_code=400)


# --- signed-in readers ------------------------------------------------------------------------


def test_signed_in_reader_finds_the_form_filled_with_their_name_and_email(client, reader):
    article = ArticleFactory()
    client.force_login(reader)

    response = client.get(article.get_absolute_url())

    assertContains(response, 'value="Careful Reader"')
    assertContains(response, f'value="{reader.email}"')


def test_signed_in_readers_comment_records_the_user(client, article, reader):
    client.force_login(reader)

    response = client.post(
        article.get_absolute_url(),
        comment_data(author_name=reader.public_name, author_email=reader.email),
    )

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.user == reader
    assert comment.status == Comment.Status.PENDING


# --- output escaping ------------------------------------------------------------------------


def test_approved_comment_markup_is_shown_as_text(client, article, moderator):
    body = '<script>alert("pwned")</script> <b>bold</b> & more'
    client.post(article.get_absolute_url(), comment_data(body=body, author_name="<i>Mallory</i>"))
    services.comment_approve(comment=Comment.objects.get(), moderator=moderator)

    response = client.get(article.get_absolute_url())

    assertContains(
        response, "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;"
    )
    assertContains(response, "&amp; more")
    assertContains(response, "&lt;i&gt;Mallory&lt;/i&gt;")
    assertNotContains(response, "<script>alert")
    assertNotContains(response, "<b>bold</b>")
    assertNotContains(response, "<i>Mallory</i>")


def test_comment_line_breaks_become_paragraphs_and_breaks(client, article):
    CommentFactory(article=article, approved=True, body="First line.\nSecond line.\n\nNew para.")

    response = client.get(article.get_absolute_url())

    assertContains(
        response,
        '<div class="comment__body"><p>First line.<br>Second line.</p><p>New para.</p></div>',
        html=True,
    )
