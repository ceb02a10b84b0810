"""Template tags for showing articles and their comments."""

import re
from html import escape

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, npgettext, pgettext

from ..addresses import cached_reverse
from ..html import link_footnotes

register = template.Library()


@register.filter
def footnotes(body):
    """An article body with its footnotes linked both ways: ``{{ article.body|footnotes }}``.

    Only for ``Article.body``, which is sanitised on save: the result is marked safe.
    """
    return mark_safe(link_footnotes(str(body or "")))  # noqa: S308


_NEWLINES = re.compile(r"\r\n|\r")
_PARAGRAPH_BREAKS = re.compile(r"\n{2,}")


def _linebreaks(text):
    """``django.utils.html.linebreaks(text, autoescape=True)``, as the ``|linebreaks`` filter
    writes it, without the lazy-text wrappers around it and each of its steps (a comment
    body is a plain string): paragraphs in ``<p>``, single newlines as ``<br>``."""
    paragraphs = _PARAGRAPH_BREAKS.split(_NEWLINES.sub("\n", text))
    return "\n\n".join(
        "<p>" + escape(paragraph).replace("\n", "<br>") + "</p>" for paragraph in paragraphs
    )


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
        self.timezone = timezone.get_current_timezone()
        self.pending_note = escape(gettext("Awaiting moderation — only you can see this."))
        self.reply_text = escape(gettext("Reply"))
        self.report_text = escape(gettext("Report"))
        # Escaping is character by character: a label escaped around the escaped name is the
        # label with the name, escaped.
        self.reply_label = escape(gettext("Reply to %(name)s"))
        self.report_label = escape(gettext("Report the comment by %(name)s"))
        # Report addresses differ by the comment's id only: reversed once, with a stand-in.
        before, after = cached_reverse("commentary:report_comment", args=[0]).rsplit("/0/", 1)
        self.report_url = (escape(f"{before}/"), escape(f"/{after}"))
        self.dates = {}

    def comments(self, comments):
        return "".join(self.comment(comment) for comment in comments)

    def date_text(self, posted):
        day = posted.date()
        if day not in self.dates:
            self.dates[day] = escape(formats.date_format(posted, "DATE_FORMAT"))
        return self.dates[day]

    def comment(self, comment):
        posted = comment.created_at.astimezone(self.timezone)
        name = escape(comment.author_name)
        body = _linebreaks(comment.body)
        when = f"{self.date_text(posted)}, {posted.hour:02}:{posted.minute:02}"
        if comment.is_own_pending:
            css, extra = (
                "comment comment--pending",
                (f'  <p class="comment__pending">{self.pending_note}</p>\n'),
            )
            actions = ""
        else:
            css, extra = "comment", ""
            actions = self.actions(comment, name)
        replies = ""
        if comment.thread_replies:
            replies = (
                '  <ol class="comment-list comment-list--replies">\n'
                f"{self.comments(comment.thread_replies)}  </ol>\n"
            )
        return (
            f'<li class="{css}" id="comment-{comment.pk}">\n'
            f'  <p class="comment__meta"><span class="comment__author">{name}</span> · '
            f'<time datetime="{posted.replace(microsecond=0).isoformat()}">{when}</time></p>\n'
            f"{extra}"
            f'  <div class="comment__body">{body}</div>\n'
            f"{actions}{replies}</li>\n"
        )

    def actions(self, comment, name):
        """The comment's "Reply" and "Report" links; ``name`` is its author's, escaped."""
        reply = ""
        if self.replies_open:
            label = self.reply_label % {"name": name}
            reply = (
                f'    <a class="comment__reply" href="?reply_to={comment.pk}#comment-form" '
                f'aria-label="{label}">{self.reply_text}</a>\n'
            )
        url = f"{self.report_url[0]}{comment.pk}{self.report_url[1]}"
        label = self.report_label % {"name": name}
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


COMMENT_FORM_TEMPLATE = "commentary/_comment_form.html"


def _field_html(field, input_html):
    """A visible field of the comment form as ``_comment_form.html`` writes it with no
    errors: its ``<div>``, label, help text and ``input_html`` (its control, which
    ends the ``<div>``)."""
    css = "hp-field" if field.name == "website" else "field"
    hidden = ' aria-hidden="true"' if css == "hp-field" else ""
    help_html = ""
    if field.help_text:
        help_html = (
            f'\n    <div class="helptext" id="{escape(field.auto_id)}_helptext">'
            f"{field.help_text}</div>"
        )
    return (
        f'  \n  <div class="{css}"{hidden}>\n'
        f'    <label for="{escape(field.auto_id)}">{escape(str(field.label))}</label>'
        f"{help_html}\n    {input_html}</div>\n  \n"
    )


def _value_attribute(field):
    value = field.value()
    return "" if value is None or value == "" else f' value="{escape(str(value))}"'


def _control_attributes(field):
    """What follows a control's own attributes: required, aria-describedby and the id."""
    required = " required" if field.field.required else ""
    described = field.aria_describedby
    described = f' aria-describedby="{escape(described)}"' if described else ""
    return f'{required}{described} id="{escape(field.auto_id)}">'


def _text_input(field, kind, autocomplete):
    return (
        f'<input type="{kind}" name="{escape(field.html_name)}"{_value_attribute(field)} '
        f'autocomplete="{autocomplete}" maxlength="{field.field.max_length}"'
        f"{_control_attributes(field)}"
    )


def _honeypot_input(field):
    described = field.aria_describedby
    described = f' aria-describedby="{escape(described)}"' if described else ""
    return (
        f'<input type="text" name="{escape(field.html_name)}"{_value_attribute(field)} '
        f'tabindex="-1" autocomplete="off"{described} id="{escape(field.auto_id)}">'
    )


def _textarea(field):
    value = field.value()
    text = escape(str(value)) if value else ""
    return (
        f'<textarea name="{escape(field.html_name)}" cols="40" rows="6"'
        f"{_control_attributes(field)[:-1]}>\n{text}</textarea>\n"
        '    <p id="body-link-hint" class="field-hint" role="status" aria-live="polite"></p>'
    )


def _comment_form_html(context, form):
    """``_comment_form.html`` for a form that is not bound (no data, no errors), written
    in Python: the form every reader gets with the article.

    Values are escaped as the template escapes them; the template's own texts are not, as
    ``{% translate "…" %}`` of a literal leaves them (they are ours, in our catalogues)."""
    article = context["article"]
    replying_to = context.get("replying_to")
    url = escape(article.get_absolute_url())
    parts = [
        f'<h2 id="comment-form-heading">{gettext("Leave a comment")}</h2>\n'
        '<p class="comment-rule">'
        f"{gettext('You can comment this article, but links are not allowed.')} "
        f"{gettext('A moderator reads every comment before it appears.')}</p>\n"
    ]
    close_at = article.comments_close_at
    if close_at:
        date = escape(formats.date_format(timezone.localtime(close_at), "DATE_FORMAT"))
        closing = gettext("Comments close on %(date)s.") % {"date": date}
        parts.append(f'<p class="comments-closing">{closing}</p>')
    check_url = escape(cached_reverse("commentary:check_links"))
    parts.append(
        f'\n<form id="comment-form" class="comment-form" method="post" '
        f'action="{url}#comment-form" data-link-check-url="{check_url}" '
        'aria-labelledby="comment-form-heading" novalidate>\n'
        f"  {CsrfTokenNode().render(context)}\n  "
    )
    if replying_to is not None:
        replying = gettext("Replying to %(name)s") % {"name": escape(replying_to.author_name)}
        parts.append(
            f'\n  <p class="comment-form__replying">{replying} — '
            f'<a href="{url}#comment-form">{gettext("cancel")}</a></p>\n  '
        )
    token, parent = form["form_token"], form["parent"]
    parts.append(
        "\n  \n  \n"
        f'  <input type="hidden" name="form_token" value="{escape(str(token.value()))}" '
        f'id="{escape(token.auto_id)}">\n'
        f'  <input type="hidden" name="{escape(parent.html_name)}"{_value_attribute(parent)} '
        f'id="{escape(parent.auto_id)}">\n  '
    )
    if form.account_email:
        account = gettext(
            "You are signed in: we use your account's e-mail address, which is never shown."
        )
        parts.append(f'\n  <p class="comment-form__account">{account}</p>\n  ')
    parts.append("\n")
    name = form["author_name"]
    parts.append(_field_html(name, _text_input(name, "text", "name")))
    if "author_email" in form.fields:
        email = form["author_email"]
        parts.append(_field_html(email, _text_input(email, "email", "email")))
    else:
        parts.append("  \n")
    website = form["website"]
    parts.append(_field_html(website, _honeypot_input(website)))
    body = form["body"]
    parts.append(_field_html(body, _textarea(body)))
    parts.append(
        f'  <button type="submit" class="button">{gettext("Post comment")}</button>\n</form>\n'
    )
    return "".join(parts)


@register.simple_tag(takes_context=True)
def comment_form(context):
    """``{% comment_form %}``: the article page's comment form, ``form``.

    Every reader gets it unbound, with the article; that form is written in Python, as the
    template ``commentary/_comment_form.html`` writes it (the tests hold the two to the same
    HTML), because the template's field-by-field markup cost a tenth of the page's time. A
    form sent back with errors is rendered by the template.
    """
    form = context["form"]
    if form.is_bound:
        return context.template.engine.get_template(COMMENT_FORM_TEMPLATE).render(context)
    # Escaped piece by piece above.
    return mark_safe(_comment_form_html(context, form))  # noqa: S308


BYLINE_TEMPLATE = "includes/_byline.html"


@register.simple_tag
def byline(authors, article):
    """``{% byline authors article %}``: "By" the ``authors`` (linked, "A, B and C") and
    ``article``'s date, as the template ``includes/_byline.html`` writes it (the tests hold
    the two to the same HTML). In Python because every teaser of a list page has one, and
    the template's loop cost most of a teaser's time."""
    count = len(authors)
    parts = [f'<p class="byline">{npgettext("byline", "By", "By", count)} ']
    and_text = gettext("and")
    for number, author in enumerate(authors, 1):
        parts.append(f'<a href="{escape(author.get_absolute_url())}">{escape(author.name)}</a>')
        if number < count:
            parts.append(f" {and_text} " if number == count - 1 else ", ")
    published = article.published_at if article is not None else None
    if published:
        local = timezone.localtime(published)
        parts.append(
            f', <time datetime="{local.replace(microsecond=0).isoformat()}">'
            f"{escape(formats.date_format(local, 'DATE_FORMAT'))}</time>"
        )
    parts.append("</p>\n")
    # Escaped piece by piece above; "By" and "and" are our catalogues' own, written as the
    # template's {% blocktranslate %} and {% translate %} write them.
    return mark_safe("".join(parts))  # noqa: S308


def _date_html(moment):
    """A ``<time>`` of ``moment``'s date, as ``{{ moment|datetime_attribute }}`` and
    ``{{ moment|date:"DATE_FORMAT" }}`` write it."""
    if moment is None:
        return '<time datetime=""></time>'
    local = timezone.localtime(moment)
    return (
        f'<time datetime="{local.replace(microsecond=0).isoformat()}">'
        f"{escape(formats.date_format(local, 'DATE_FORMAT'))}</time>"
    )


def _installments_html(article, neighbours):
    column = {"column": escape(article.column.name)}
    items = []
    if neighbours.previous is not None:
        previous = neighbours.previous
        items.append(
            '<li class="installments__previous"><a rel="prev" '
            f'href="{escape(previous.get_absolute_url())}"><span aria-hidden="true">←</span> '
            f"{gettext('Previous in %(column)s:') % column} "
            f'<span lang="{escape(previous.language)}">{escape(previous.title)}</span></a></li>'
        )
    items.append("\n    ")
    if neighbours.next is not None:
        following = neighbours.next
        items.append(
            '<li class="installments__next"><a rel="next" '
            f'href="{escape(following.get_absolute_url())}">'
            f"{pgettext('next installment', 'Next:')} "
            f'<span lang="{escape(following.language)}">{escape(following.title)}</span> '
            '<span aria-hidden="true">→</span></a></li>'
        )
    return (
        f'\n<nav class="installments" aria-label="{gettext("More from %(column)s") % column}">\n'
        '  <ul class="installments__list">\n    \n    '
        f"{''.join(items)}\n    \n  </ul>\n</nav>\n"
    )


def _related_item_html(item):
    column = f" · {escape(item.column.name)}" if item.column else ""
    return (
        '\n    <li class="related__item">\n'
        f'      <p class="kicker"><span class="kicker__type">'
        f"{escape(str(item.get_article_type_display()))}</span>{column}</p>\n"
        f'      <h3 class="teaser__title"><a href="{escape(item.get_absolute_url())}" '
        f'lang="{escape(item.language)}">{escape(item.title)}</a></h3>\n'
        f'      <p class="byline">{_date_html(item.published_at)}</p>\n'
        "    </li>\n    "
    )


@register.simple_tag(takes_context=True)
def further_reading(context):
    """``{% further_reading %}``: after the article, its previous and next installments in
    its column (``column_neighbours``) and the articles that share its tags
    (``related_articles``), each list only when it has something.

    Written in Python: as template loops over a handful of articles they cost a tenth of
    the page's time. Values are escaped; our own texts are written as ``{% translate %}``
    writes a literal's translation.
    """
    article = context["article"]
    neighbours = context.get("column_neighbours")
    related = context.get("related_articles")
    parts = []
    if neighbours:
        parts.append(_installments_html(article, neighbours))
    if related:
        parts.append(
            '\n<section class="related" aria-labelledby="related-heading">\n'
            f'  <h2 id="related-heading">{gettext("Related reading")}</h2>\n'
            '  <ul class="column-list related__list">\n    '
        )
        parts.extend(_related_item_html(item) for item in related)
        parts.append("\n  </ul>\n</section>\n")
    parts.append("\n")
    # Escaped piece by piece above.
    return mark_safe("".join(parts))  # noqa: S308
