"""Posting a comment on the article page.

Every comment waits for a moderator; a comment with a link is refused, and the refusal names
the offending fragment while keeping what the reader wrote. The form carries a signed token
(new on every rendering) and a honeypot, so a post needs a token from a page the reader was
shown: ``post_comment`` fetches one and moves the clock past ``COMMENTS_MIN_FILL_SECONDS``,
as a reader who takes the time to write does. Other test modules import these helpers.
"""

import datetime
import re
import time

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import signing
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from commentary import services, spam
from commentary.models import Comment
from tests.factories import ArticleFactory, CommentFactory, DraftArticleFactory

pytestmark = pytest.mark.django_db

AWAITING_MODERATION = (
    "Thank you. Your comment is awaiting moderation and will appear once a moderator approves it."
)
OWN_PENDING = "Awaiting moderation — only you can see this."
CLOSED = "Comments are closed for this article."
TOO_FAST = "That was quick! Please read your comment over, then send it again."
STALE = "This form has expired. Your text is kept below: please send it again."
TOKEN_INPUT = re.compile(r'<input type="hidden" name="form_token" value="([^"]+)"')


def comment_data(**overrides):
    return {
        "author_name": "Careful Reader",
        "author_email": "careful.reader@example.net",
        "body": "A fair point about the balance of power.",
        **overrides,
    }


def form_token_in(response):
    """The ``form_token`` of the comment form on a rendered article page."""
    found = TOKEN_INPUT.findall(response.content.decode())
    assert len(found) == 1, "the page must hold exactly one comment form token"
    return found[0]


def fetch_form_token(client, article, **query):
    """GET the article page as the reader does and take the token from its form."""
    response = client.get(article.get_absolute_url(), query)
    assert response.status_code == 200
    return form_token_in(response)


def after_filling_time(seconds=None):
    """The clock moved on from now by more than ``COMMENTS_MIN_FILL_SECONDS``."""
    if seconds is None:
        seconds = django_settings.COMMENTS_MIN_FILL_SECONDS + 1
    return time_machine.travel(time.time() + seconds)


def post_comment(client, article, data=None, *, token=None, follow=False, **extra):
    """Post the comment form as a reader does: a token from the page, then time to write."""
    if token is None:
        token = fetch_form_token(client, article)
    data = comment_data() if data is None else data
    with after_filling_time():
        return client.post(
            article.get_absolute_url(), {**data, "form_token": token}, follow=follow, **extra
        )


def textarea_holds(response, text):
    """Whether the comment textarea was re-rendered holding ``text``, HTML-escaped."""
    return f"{escape(text)}</textarea>" in response.content.decode()


def comment_url(article, comment):
    return f"{article.get_absolute_url()}#comment-{comment.pk}"


@pytest.fixture
def article():
    return ArticleFactory(title="Russia and China")


# --- a clean comment --------------------------------------------------------------------------


def test_clean_comment_is_stored_pending_and_redirects_back_to_the_article(client, article):
    response = post_comment(client, article)

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == comment_url(article, comment)
    assert comment.article == article
    assert comment.status == Comment.Status.PENDING
    assert comment.body == "A fair point about the balance of power."
    assert comment.author_name == "Careful Reader"
    assert comment.author_email == "careful.reader@example.net"
    assert comment.user is None
    assert comment.parent is None
    assert comment.submission_key is not None
    assert comment.moderated_by is None
    assert comment.moderated_at is None


def test_reader_sees_their_pending_comment_in_place_marked_for_them_only(client, article):
    response = post_comment(client, article, follow=True)

    comment = Comment.objects.get()
    assert response.redirect_chain == [(comment_url(article, comment), 302)]
    assertContains(response, AWAITING_MODERATION)
    assertContains(
        response,
        f'<li class="comment comment--pending" id="comment-{comment.pk}">',
    )
    assertContains(response, f'<p class="comment__pending">{OWN_PENDING}</p>', html=True)
    assertContains(response, "A fair point about the balance of power.")
    # Pending comments are not counted, and the reader cannot reply to or report their own.
    assertContains(response, '<h2 id="comments-heading">0 comments</h2>', html=True)
    assertNotContains(response, f"?reply_to={comment.pk}")
    assertNotContains(response, f"/comments/{comment.pk}/report/")
    # The message is shown once; the comment stays for this browser session.
    again = client.get(article.get_absolute_url())
    assertNotContains(again, AWAITING_MODERATION)
    assertContains(again, OWN_PENDING)


def test_nobody_else_sees_a_pending_comment(client, article):
    post_comment(client, article)

    response = Client().get(article.get_absolute_url())

    assertNotContains(response, "A fair point about the balance of power.")
    assertNotContains(response, OWN_PENDING)


def test_comment_appears_once_a_moderator_approves_it(client, article, moderator):
    post_comment(client, article)
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
    assertNotContains(response, OWN_PENDING)
    assertNotContains(response, "careful.reader@example.net")


def test_rejected_comment_never_appears_not_even_to_its_author(client, article, moderator):
    post_comment(client, article)

    services.comment_reject(comment=Comment.objects.get(), moderator=moderator)

    response = client.get(article.get_absolute_url())
    assertNotContains(response, "A fair point about the balance of power.")
    assertNotContains(response, OWN_PENDING)
    assertContains(response, '<h2 id="comments-heading">0 comments</h2>', html=True)


def test_surrounding_whitespace_is_trimmed_from_a_comment(client, article):
    post_comment(
        client,
        article,
        comment_data(author_name="  Careful Reader ", body="\n  Line one.\nLine two.  \n"),
    )

    comment = Comment.objects.get()
    assert comment.author_name == "Careful Reader"
    assert comment.body == "Line one.\nLine two."


def test_comment_records_the_readers_language(client, article):
    # The page's address carries the reader's language: the form on /ru/… posts to /ru/….
    with translation.override("ru"):
        response = post_comment(client, article)

    assert response.status_code == 302
    assert Comment.objects.get().language == "ru"


# --- the form's protections: each real path --------------------------------------------------


def test_form_sent_too_fast_is_refused_with_the_text_kept(client, article):
    token = fetch_form_token(client, article)

    response = client.post(article.get_absolute_url(), {**comment_data(), "form_token": token})

    assert response.status_code == 400
    assert not Comment.objects.exists()
    assert response.context["form"].non_field_errors() == [TOO_FAST]
    assertContains(response, TOO_FAST, status_code=400)
    assert textarea_holds(response, "A fair point about the balance of power.")
    # Sent again once the reader has read it over, it goes through.
    new_token = form_token_in(response)
    assert new_token != token
    assert post_comment(client, article, token=new_token).status_code == 302
    assert Comment.objects.count() == 1


def test_form_older_than_a_day_is_refused_as_stale_with_the_text_kept(client, article):
    token = fetch_form_token(client, article)

    with after_filling_time(spam.FORM_TOKEN_MAX_AGE + 60):
        response = client.post(article.get_absolute_url(), {**comment_data(), "form_token": token})

    assert response.status_code == 400
    assert not Comment.objects.exists()
    assert response.context["form"].non_field_errors() == [STALE]
    assertContains(response, STALE, status_code=400)
    assert textarea_holds(response, "A fair point about the balance of power.")
    assert form_token_in(response) != token


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("", id="missing"),
        pytest.param("not-a-token", id="garbage"),
        pytest.param(None, id="forged"),
        pytest.param("edited", id="edited"),
    ],
)
def test_tampered_token_is_refused(client, article, token):
    genuine = fetch_form_token(client, article)
    if token is None:  # the right shape, signed with another key
        token = signing.dumps(
            {"k": "0" * 32, "t": time.time() - 60}, key="x" * 50, salt="commentary.comment-form"
        )
    elif token == "edited":  # one character of the signature changed
        token = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")

    with after_filling_time():
        response = client.post(article.get_absolute_url(), {**comment_data(), "form_token": token})

    assert response.status_code == 400
    assert not Comment.objects.exists()
    assert response.context["form"].non_field_errors() == [STALE]
    assert textarea_holds(response, "A fair point about the balance of power.")


def test_filled_honeypot_is_filed_as_spam_and_answered_like_any_comment(client, article):
    response = post_comment(client, article, comment_data(website="http://cheap.example"))

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert comment.hold_reasons == [{"code": "honeypot", "detail": ""}]
    assert response.status_code == 302
    assert response["Location"] == comment_url(article, comment)
    page = client.get(response["Location"])
    assertContains(page, AWAITING_MODERATION)
    assertNotContains(page, "A fair point about the balance of power.")
    assertNotContains(page, OWN_PENDING)
    assert client.session.get("my_comment_ids", []) == []


def test_the_same_form_sent_twice_stores_one_comment(client, article):
    token = fetch_form_token(client, article)

    first = post_comment(client, article, token=token)
    second = post_comment(client, article, token=token)

    comment = Comment.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == comment_url(article, comment)
    assert client.session["my_comment_ids"] == [comment.pk]


def test_reload_after_posting_does_not_post_again(client, article):
    response = post_comment(client, article, follow=True)

    assert response.request["REQUEST_METHOD"] == "GET"
    client.get(response.request["PATH_INFO"])
    assert Comment.objects.count() == 1


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
    response = post_comment(client, article, comment_data(body=body))

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

    response = post_comment(client, article, comment_data(body=body))

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
    response = post_comment(client, article, comment_data(body=body))

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.body == body
    assert comment.status == Comment.Status.PENDING


# --- missing or wrong fields ------------------------------------------------------------------


@pytest.mark.parametrize("field", ["author_name", "author_email", "body"])
def test_missing_field_is_reported_on_that_field_and_the_rest_is_kept(client, article, field):
    data = comment_data(**{field: ""})

    response = post_comment(client, article, data)

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
    response = post_comment(client, article, comment_data(body="   \n  "))

    assert response.status_code == 400
    assert response.context["form"].errors == {"body": ["This field is required."]}
    assert not Comment.objects.exists()


def test_invalid_email_is_refused_on_the_email_field(client, article):
    response = post_comment(client, article, comment_data(author_email="not-an-email"))

    assert response.status_code == 400
    assert response.context["form"].errors == {"author_email": ["Enter a valid email address."]}
    assert textarea_holds(response, "A fair point about the balance of power.")
    assert not Comment.objects.exists()


def test_one_letter_comment_is_too_short(client, article):
    response = post_comment(client, article, comment_data(body="k"))

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "body": ["Ensure this value has at least 2 characters (it has 1)."]
    }
    assert not Comment.objects.exists()


# --- where comments cannot be posted -----------------------------------------------------------


def test_posting_to_a_draft_answers_404_and_stores_nothing(client):
    draft = DraftArticleFactory()

    response = client.post(
        draft.get_absolute_url(), {**comment_data(), "form_token": spam.issue_form_token(0)}
    )

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_posting_to_a_future_article_answers_404_and_stores_nothing(client):
    future = ArticleFactory(published_at=timezone.now() + datetime.timedelta(hours=1))

    response = client.post(future.get_absolute_url(), comment_data())

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_posting_to_an_unknown_article_answers_404(client):
    response = client.post("/en/articles/no-such-article/", comment_data())

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_posting_when_comments_are_closed_stores_nothing_and_says_closed(client, article):
    token = fetch_form_token(client, article)
    article.comments_enabled = False
    article.save()

    response = post_comment(client, article, token=token)

    assert response.status_code == 400
    assert not Comment.objects.exists()
    assert response.context["form"].non_field_errors() == [CLOSED]
    assertContains(response, f'<p class="comments-closed">{CLOSED}</p>', html=True, status_code=400)
    assertNotContains(response, AWAITING_MODERATION, status_code=400)
    assertNotContains(response, '<textarea name="body"', status_code=400)


# --- each role posts, and waits for a moderator ----------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "reader", "moderator", "editor"])
def test_every_role_posts_and_the_comment_waits_for_a_moderator(request, client, article, role):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    if user is not None:
        client.force_login(user)
    data = comment_data(body=f"A remark from a {role}.")
    if user is not None:
        del data["author_email"]  # the account's address is used

    response = post_comment(client, article, data, follow=True)

    comment = Comment.objects.get()
    assert response.redirect_chain == [(comment_url(article, comment), 302)]
    assert comment.status == Comment.Status.PENDING
    assert comment.user == user
    assert comment.author_email == (user.email if user else "careful.reader@example.net")
    assertContains(response, AWAITING_MODERATION)
    assertContains(response, OWN_PENDING)


def test_signed_in_reader_finds_their_name_filled_in_and_no_email_field(client, reader):
    article = ArticleFactory()
    client.force_login(reader)

    response = client.get(article.get_absolute_url())

    assertContains(response, 'value="Careful Reader"')
    assertNotContains(response, 'name="author_email"')
    assertNotContains(response, reader.email)
    assertContains(response, "You are signed in")


def test_signed_in_reader_without_an_email_address_is_asked_for_one(client, reader):
    reader.email = ""
    reader.save()
    article = ArticleFactory()
    client.force_login(reader)

    response = post_comment(client, article, comment_data(author_email=""))

    assert response.status_code == 400
    assert response.context["form"].errors == {"author_email": ["This field is required."]}
    assertContains(response, '<input type="email" name="author_email"', status_code=400)


def test_signed_in_reader_may_change_the_name_shown(client, article, reader):
    client.force_login(reader)

    post_comment(client, article, {"author_name": "C. Reader", "body": "Another angle."})

    comment = Comment.objects.get()
    assert comment.author_name == "C. Reader"
    assert comment.author_email == reader.email
    assert comment.user == reader


# --- output escaping ------------------------------------------------------------------------


def test_approved_comment_markup_is_shown_as_text(client, article, moderator):
    body = '<script>alert("pwned")</script> <b>bold</b> & more'
    post_comment(client, article, comment_data(body=body, author_name="<i>Mallory</i>"))
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
