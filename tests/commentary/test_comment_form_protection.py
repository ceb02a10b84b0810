"""What protects the comment form, and how each refusal reaches the reader.

The form carries a signed token, new on every rendering, and a honeypot field people never
see. Every refusal of ``services.comment_submit`` re-renders the form with status 400, the
reader's text kept and a precise message: on the comment field for what is wrong with the
text, above the form for everything else. The reader's own pending comments are remembered
in the session, the latest twenty.
"""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from commentary import services, spam
from commentary.models import Ban, BannedWord, Comment
from tests.commentary.test_comment_posting import (
    AWAITING_MODERATION,
    OWN_PENDING,
    TOO_FAST,
    comment_data,
    fetch_form_token,
    form_token_in,
    post_comment,
    textarea_holds,
)
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return ArticleFactory()


def refused(response, message, *, field=None):
    """The form came back with ``message`` (on ``field``, or above the form) and the text."""
    assert response.status_code == 400
    form = response.context["form"]
    if field is None:
        assert form.non_field_errors() == [message]
        assertContains(
            response,
            f'<div class="form-errors" role="alert"><ul class="errorlist nonfield">'
            f"<li>{message}</li></ul></div>",
            html=True,
            status_code=400,
        )
    else:
        assert form.errors == {field: [message]}
    return form


# --- what the form carries ---------------------------------------------------------------


def test_form_carries_a_signed_token_a_parent_and_a_honeypot(client, article):
    response = client.get(article.get_absolute_url())

    token = spam.read_form_token(form_token_in(response))
    assert token.submission_key
    assertContains(response, '<input type="hidden" name="parent" id="id_parent">')
    assertContains(
        response,
        '<div class="hp-field" aria-hidden="true"><label for="id_website">Leave this field empty'
        '</label><input type="text" name="website" tabindex="-1" autocomplete="off" '
        'id="id_website"></div>',
        html=True,
    )


def test_every_rendering_carries_a_new_token(client, article):
    first = fetch_form_token(client, article)
    second = fetch_form_token(client, article)

    refused_once = post_comment(client, article, comment_data(body="see example.com"))

    tokens = {first, second, form_token_in(refused_once)}
    assert len(tokens) == 3
    keys = {spam.read_form_token(token).submission_key for token in tokens}
    assert len(keys) == 3


def test_a_form_shown_again_restarts_the_clock(client, article):
    """The re-rendered form is a new form: sent at once, it is too fast."""
    response = post_comment(client, article, comment_data(body="see example.com"))
    token = form_token_in(response)

    again = client.post(article.get_absolute_url(), {**comment_data(), "form_token": token})

    refused(again, TOO_FAST)
    assert textarea_holds(again, "A fair point about the balance of power.")


def test_the_honeypot_is_hidden_off_screen_not_with_display_none(settings):
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()

    rule = css[css.index(".hp-field {") :]
    rule = rule[: rule.index("}")]
    assert "left: -10000px" in rule
    assert "display: none" not in rule


def test_the_address_is_the_connections_not_a_forwarded_header(settings, client, article):
    settings.TRUSTED_PROXY_COUNT = 0

    post_comment(client, article, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert Comment.objects.get().ip_hash == spam.ip_hash("198.51.100.7")


def test_behind_a_trusted_proxy_the_address_it_forwarded_is_hashed(settings, client, article):
    settings.TRUSTED_PROXY_COUNT = 1

    post_comment(
        client,
        article,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.66, 203.0.113.9",
    )

    assert Comment.objects.get().ip_hash == spam.ip_hash("203.0.113.9")


def test_readers_behind_the_proxy_are_banned_by_their_own_address(settings, client, article):
    settings.TRUSTED_PROXY_COUNT = 1
    Ban.objects.create(ip_hash=spam.ip_hash("203.0.113.9"), reason="Abuse")

    banned = post_comment(
        client, article, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    other = post_comment(
        client, article, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.10"
    )

    refused(banned, "Sorry, we cannot accept comments from you at the moment.")
    assert other.status_code == 302
    assert Comment.objects.get().ip_hash == spam.ip_hash("203.0.113.10")


# --- refusals from the service, mapped onto the form --------------------------------------


def test_rate_limited_reader_is_asked_to_wait_with_the_text_kept(settings, client, article):
    settings.COMMENTS_RATE_LIMIT_COUNT = 1
    settings.COMMENTS_RATE_LIMIT_WINDOW = 600
    post_comment(client, article, comment_data(body="First remark."))

    response = post_comment(client, article, comment_data(body="Second remark."))

    refused(
        response,
        "You have posted several comments in a short time. Please wait 10 minutes and send "
        "this one again; your text is kept below.",
    )
    assert textarea_holds(response, "Second remark.")
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("by", ["email", "ip"])
def test_banned_commenter_gets_a_neutral_refusal(client, article, by):
    if by == "email":
        Ban.objects.create(email="careful.reader@example.net", reason="Abuse")
    else:
        Ban.objects.create(ip_hash=spam.ip_hash("198.51.100.7"), reason="Abuse")

    response = post_comment(
        client, article, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )

    refused(response, "Sorry, we cannot accept comments from you at the moment.")
    assert textarea_holds(response, "A fair point about the balance of power.")
    assert not Comment.objects.exists()


def test_the_same_text_twice_is_refused_on_the_comment_field(client, article):
    post_comment(client, article)

    response = post_comment(client, article)

    refused(response, "You have already posted this comment.", field="body")
    assert textarea_holds(response, "A fair point about the balance of power.")
    assert Comment.objects.count() == 1


def test_a_refused_word_is_named_on_the_comment_field(client, article):
    BannedWord.objects.create(word="scoundrel", action=BannedWord.Action.REFUSE)

    response = post_comment(client, article, comment_data(body="What a scoundrel he is."))

    refused(
        response,
        "Your comment contains a word that is not allowed here: “scoundrel”.",
        field="body",
    )
    assert textarea_holds(response, "What a scoundrel he is.")


def test_a_comment_too_long_is_refused_on_the_comment_field(settings, client, article):
    body = "word " * (settings.COMMENTS_MAX_LENGTH // 5) + "end"

    response = post_comment(client, article, comment_data(body=body))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["body"]
    assert (
        response.context["form"]
        .errors["body"][0]
        .startswith(f"Ensure this value has at most {settings.COMMENTS_MAX_LENGTH} characters")
    )


def test_a_missing_space_after_a_full_stop_gets_its_own_hint(client, article):
    response = post_comment(client, article, comment_data(body="It was a long war.So it ended."))

    assert response.status_code == 400
    assert response.context["form"].errors["body"] == [
        "Please add a space after the full stop in “war.So” — it reads like a web address."
    ]


# --- the reader's own comments ----------------------------------------------------------------


def test_the_session_remembers_the_latest_twenty_own_comments(client, article):
    session = client.session
    session["my_comment_ids"] = list(range(1000, 1020))
    session.save()

    post_comment(client, article)

    comment = Comment.objects.get()
    assert client.session["my_comment_ids"] == [*range(1001, 1020), comment.pk]


def test_an_own_comment_once_approved_is_shown_like_any_other(client, article, moderator):
    post_comment(client, article)
    services.comment_approve(comment=Comment.objects.get(), moderator=moderator)

    response = client.get(article.get_absolute_url())

    assertNotContains(response, OWN_PENDING)
    assertContains(response, "A fair point about the balance of power.")
    assertContains(response, '<h2 id="comments-heading">1 comment</h2>', html=True)


def test_ids_in_the_session_never_reveal_other_pending_comments(client, article):
    someone_elses = CommentFactory(article=article, body="Not yours to see.")
    session = client.session
    session["my_comment_ids"] = [someone_elses.pk + 1000]
    session.save()

    assertNotContains(client.get(article.get_absolute_url()), "Not yours to see.")


def test_a_trusted_commenter_is_published_at_once_and_told_so(settings, client, article, reader):
    settings.COMMENTS_TRUSTED_AFTER = 1
    CommentFactory(user=reader, author_email=reader.email, approved=True, body="Earlier.")
    client.force_login(reader)

    response = post_comment(
        client, article, {"author_name": "Careful Reader", "body": "Yes."}, follow=True
    )

    comment = Comment.objects.get(article=article)
    assert comment.status == Comment.Status.APPROVED
    assertContains(response, "Thank you. Your comment is published.")
    assertNotContains(response, AWAITING_MODERATION)
    assertNotContains(response, OWN_PENDING)
    assertContains(response, '<h2 id="comments-heading">1 comment</h2>', html=True)
    assert client.session.get("my_comment_ids", []) == []
