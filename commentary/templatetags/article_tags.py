"""Template tags for showing articles and their comments."""

from html import escape

from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from ..html import link_footnotes
from .time_tags import datetime_attribute

register = template.Library()


@register.filter
def footnotes(body):
    """An article body with its footnotes linked both ways: ``{{ article.body|footnotes }}``.

    Only for ``Article.body``, which is sanitised on save: the result is marked safe.
    """
    return mark_safe(link_footnotes(str(body or "")))  # noqa: S308


class _ThreadWriter:
    """Writes comments as HTML, each with its nested ``thread_replies`` (see
    ``CommentThread``), as the recursive template include it replaces did.

    In Python, because an article shows dozens of comments and a template per comment cost
    most of the page's rendering time. Every value written goes through ``escape`` (the
    standard library's, which Django's own ``escape`` calls): the commenter's name, the
    labels, the dates and the address; the body through Django's ``linebreaks`` with
    escaping on, as the ``|linebreaks`` filter does.
    """

    def __init__(self, *, replies_open):
        self.replies_open = replies_open
        self.pending_note = escape(gettext("Awaiting moderation — only you can see this."))
        self.reply_text = escape(gettext("Reply"))
        self.report_text = escape(gettext("Report"))
        self.reply_label = gettext("Reply to %(name)s")
        self.report_label = gettext("Report the comment by %(name)s")
        # Report addresses differ by the comment's id only: reversed once, with a stand-in.
        before, after = reverse("commentary:report_comment", args=[0]).rsplit("/0/", 1)
        self.report_url = f"{before}/{{}}/{after}"
        self.dates = {}

    def comments(self, comments):
        return "".join(self.comment(comment) for comment in comments)

    def date_text(self, posted):
        day = posted.date()
        if day not in self.dates:
            self.dates[day] = escape(formats.date_format(posted, "DATE_FORMAT"))
        return self.dates[day]

    def comment(self, comment):
        posted = timezone.localtime(comment.created_at)
        name = escape(comment.author_name)
        body = linebreaks(comment.body, autoescape=True)
        when = f"{self.date_text(posted)}, {posted:%H:%M}"
        if comment.is_own_pending:
            css, extra = (
                "comment comment--pending",
                (f'  <p class="comment__pending">{self.pending_note}</p>\n'),
            )
            actions = ""
        else:
            css, extra = "comment", ""
            actions = self.actions(comment)
        replies = ""
        if comment.thread_replies:
            replies = (
                '  <ol class="comment-list comment-list--replies">\n'
                f"{self.comments(comment.thread_replies)}  </ol>\n"
            )
        return (
            f'<li class="{css}" id="comment-{comment.pk}">\n'
            f'  <p class="comment__meta"><span class="comment__author">{name}</span> · '
            f'<time datetime="{escape(datetime_attribute(posted))}">{when}</time></p>\n'
            f"{extra}"
            f'  <div class="comment__body">{body}</div>\n'
            f"{actions}{replies}</li>\n"
        )

    def actions(self, comment):
        name = comment.author_name
        reply = ""
        if self.replies_open:
            label = escape(self.reply_label % {"name": name})
            reply = (
                f'    <a class="comment__reply" href="?reply_to={comment.pk}#comment-form" '
                f'aria-label="{label}">{self.reply_text}</a>\n'
            )
        url = escape(self.report_url.format(comment.pk))
        label = escape(self.report_label % {"name": name})
        return (
            f'  <p class="comment__actions">\n{reply}'
            f'    <a class="comment__report" href="{url}" rel="nofollow" '
            f'aria-label="{label}">{self.report_text}</a>\n'
            "  </p>\n"
        )


@register.simple_tag(takes_context=True)
def comment_thread(context, comments):
    """``{% comment_thread comments %}``: ``comments`` (a ``CommentThread``'s roots) as the
    ``<li>`` items of the article page's comment list, replies nested in their own ``<ol>``.

    Each approved comment offers "Reply" (while ``article`` takes comments) and "Report",
    labelled with the commenter's name for screen readers; the reader's own pending comments
    say they wait for a moderator instead.
    """
    writer = _ThreadWriter(replies_open=context["article"].accepts_comments)
    # Escaped piece by piece above.
    return mark_safe(writer.comments(comments))  # noqa: S308
