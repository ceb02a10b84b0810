"""Comment threads on the article page: nesting, order, replies without script.

Approved comments are shown as nested lists, three levels at most, each level in the order
the comments were posted. "Reply" on a comment is a plain link (``?reply_to=<id>``) that sets
the form up as a reply; a reply to a comment at the third level joins that thread at the
third level.
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from commentary.models import Comment
from tests.commentary.test_comment_posting import (
    OWN_PENDING,
    comment_data,
    fetch_form_token,
    post_comment,
    textarea_holds,
)
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

START = timezone.now() - datetime.timedelta(hours=6)


class _ThreadParser(HTMLParser):
    """Reads the nesting of ``<li class="comment" id="comment-N">`` items."""

    def __init__(self):
        super().__init__()
        self.roots = []
        self.stack = []  # (tag, children list or None)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and "comment" in (attrs.get("class") or "").split():
            node = (int(attrs["id"].removeprefix("comment-")), [])
            children = self._current_children()
            (self.roots if children is None else children).append(node)
            self.stack.append((tag, node[1]))
        elif tag in ("li", "ol"):
            self.stack.append((tag, None))

    def handle_endtag(self, tag):
        if tag in ("li", "ol") and self.stack:
            self.stack.pop()

    def _current_children(self):
        for _tag, children in reversed(self.stack):
            if children is not None:
                return children
        return None


def thread_of(response):
    """The comment tree a reader sees, as nested ``(id, [replies])`` tuples."""
    parser = _ThreadParser()
    parser.feed(response.content.decode())
    return parser.roots


def approved(article, minutes, parent=None, **kwargs):
    """An approved comment posted ``minutes`` after START."""
    return CommentFactory(
        article=article,
        approved=True,
        parent=parent,
        depth=0 if parent is None else parent.depth + 1,
        created_at=START + datetime.timedelta(minutes=minutes),
        **kwargs,
    )


@pytest.fixture
def article():
    return ArticleFactory()


# --- nesting and order ---------------------------------------------------------------------


def test_replies_nest_under_their_comment_in_posting_order_at_every_level(client, article):
    first = approved(article, 1)
    second = approved(article, 2)
    reply_b = approved(article, 5, parent=first)
    reply_a = approved(article, 3, parent=first)
    deep = approved(article, 4, parent=reply_a)
    third = approved(article, 6)
    reply_to_second = approved(article, 7, parent=second)

    response = client.get(article.get_absolute_url())

    assert thread_of(response) == [
        (first.pk, [(reply_a.pk, [(deep.pk, [])]), (reply_b.pk, [])]),
        (second.pk, [(reply_to_second.pk, [])]),
        (third.pk, []),
    ]
    # Every approved comment counts, whatever its level.
    assertContains(response, '<h2 id="comments-heading">7 comments</h2>', html=True)


def test_only_approved_comments_are_in_the_thread(client, article):
    top = approved(article, 1)
    CommentFactory(article=article, parent=top, depth=1, body="A pending reply.")
    CommentFactory(article=article, parent=top, depth=1, rejected=True, body="A rejected one.")
    CommentFactory(article=article, parent=top, depth=1, status="spam", moderated_at=START)

    response = client.get(article.get_absolute_url())

    assert thread_of(response) == [(top.pk, [])]
    assertContains(response, '<h2 id="comments-heading">1 comment</h2>', html=True)
    assertNotContains(response, "A pending reply.")
    assertNotContains(response, "A rejected one.")


def test_replies_to_a_comment_no_longer_shown_are_left_out(client, article):
    """A reply read without the comment it answers would pass for a comment of its own."""
    top = approved(article, 1)
    kept = approved(article, 2)
    reply = approved(article, 3, parent=top, body="Replying to the removed one.")
    approved(article, 4, parent=reply)
    top.status = Comment.Status.REJECTED
    top.save()

    response = client.get(article.get_absolute_url())

    assert thread_of(response) == [(kept.pk, [])]
    assertNotContains(response, "Replying to the removed one.")
    assertContains(response, '<h2 id="comments-heading">1 comment</h2>', html=True)


def test_comments_of_other_articles_are_not_shown(client, article):
    mine = approved(article, 1)
    approved(ArticleFactory(), 2, body="Elsewhere.")

    response = client.get(article.get_absolute_url())

    assert thread_of(response) == [(mine.pk, [])]
    assertNotContains(response, "Elsewhere.")


# --- replying without script -----------------------------------------------------------------


def test_each_approved_comment_has_a_reply_link_to_the_form(client, article):
    top = approved(article, 1, author_name="Anna")
    reply = approved(article, 2, parent=top, author_name="Boris")

    response = client.get(article.get_absolute_url())

    for comment in (top, reply):
        assertContains(response, f'href="?reply_to={comment.pk}#comment-form"', count=1)
    assertContains(response, '<form id="comment-form" class="comment-form"')


def test_reply_link_sets_up_the_form_as_a_reply_with_a_cancel_link(client, article):
    top = approved(article, 1, author_name="Anna Karenina")

    response = client.get(article.get_absolute_url(), {"reply_to": top.pk})

    assertContains(response, f'<input type="hidden" name="parent" value="{top.pk}" id="id_parent">')
    assertContains(
        response,
        '<p class="comment-form__replying">Replying to Anna Karenina — '
        f'<a href="{article.get_absolute_url()}#comment-form">cancel</a></p>',
        html=True,
    )
    assert response.context["replying_to"] == top


@pytest.mark.parametrize("target", ["pending", "rejected", "other_article", "missing", "word"])
def test_reply_to_something_that_is_not_a_shown_comment_is_ignored(client, article, target):
    value = {
        "pending": lambda: CommentFactory(article=article).pk,
        "rejected": lambda: CommentFactory(article=article, rejected=True).pk,
        "other_article": lambda: approved(ArticleFactory(), 1).pk,
        "missing": lambda: 999999,
        "word": lambda: "first",
    }[target]()

    response = client.get(article.get_absolute_url(), {"reply_to": value})

    assert response.status_code == 200
    assertNotContains(response, "Replying to")
    assertContains(response, '<input type="hidden" name="parent" id="id_parent">')


def test_posting_a_reply_stores_it_under_its_comment(client, article):
    top = approved(article, 1)
    token = fetch_form_token(client, article, reply_to=top.pk)

    response = post_comment(
        client, article, comment_data(parent=top.pk, body="I agree with you."), token=token
    )

    reply = Comment.objects.get(body="I agree with you.")
    assert response.status_code == 302
    assert reply.parent == top
    assert reply.depth == 1
    assert reply.status == Comment.Status.PENDING


def test_a_reply_to_the_third_level_joins_its_thread_at_the_third_level(client, article):
    top = approved(article, 1)
    second = approved(article, 2, parent=top)
    third = approved(article, 3, parent=second)
    assert third.depth == Comment.MAX_DEPTH

    post_comment(client, article, comment_data(parent=third.pk, body="Deeper still."))

    reply = Comment.objects.get(body="Deeper still.")
    assert reply.parent == second
    assert reply.depth == Comment.MAX_DEPTH
    # The reader sees it in place, after the comment they answered.
    response = client.get(article.get_absolute_url())
    assert thread_of(response) == [(top.pk, [(second.pk, [(third.pk, []), (reply.pk, [])])])]
    assertContains(response, OWN_PENDING)


def test_the_readers_own_pending_reply_is_shown_in_its_thread(client, article):
    top = approved(article, 1)
    later = approved(article, 2)

    post_comment(client, article, comment_data(parent=top.pk, body="My own reply."))

    reply = Comment.objects.get(body="My own reply.")
    response = client.get(article.get_absolute_url())
    assert thread_of(response) == [(top.pk, [(reply.pk, [])]), (later.pk, [])]
    assertContains(response, '<h2 id="comments-heading">2 comments</h2>', html=True)


@pytest.mark.parametrize("target", ["pending", "other_article", "missing"])
def test_reply_to_a_comment_that_cannot_be_answered_is_refused_with_the_text_kept(
    client, article, target
):
    parent = {
        "pending": lambda: CommentFactory(article=article).pk,
        "other_article": lambda: approved(ArticleFactory(), 1).pk,
        "missing": lambda: 999999,
    }[target]()

    response = post_comment(client, article, comment_data(parent=parent, body="Hello there."))

    assert response.status_code == 400
    assert not Comment.objects.filter(body="Hello there.").exists()
    assert response.context["form"].top_errors == ["You can only reply to a published comment."]
    assertContains(response, "You can only reply to a published comment.", status_code=400)
    assert textarea_holds(response, "Hello there.")


def test_a_refused_reply_is_shown_again_as_a_reply(client, article):
    top = approved(article, 1, author_name="Anna")

    response = post_comment(client, article, comment_data(parent=top.pk, body="see example.com"))

    assert response.status_code == 400
    assertContains(response, "Replying to Anna", status_code=400)
    assertContains(
        response,
        f'<input type="hidden" name="parent" value="{top.pk}" id="id_parent">',
        status_code=400,
    )


def test_closed_article_shows_its_threads_without_reply_links(client, article):
    top = approved(article, 1)
    reply = approved(article, 2, parent=top)
    article.comments_enabled = False
    article.save()

    response = client.get(article.get_absolute_url(), {"reply_to": top.pk})

    assert thread_of(response) == [(top.pk, [(reply.pk, [])])]
    assertNotContains(response, "comment__reply")
    assertNotContains(response, "Replying to")
    assertContains(response, f"/comments/{top.pk}/report/")
