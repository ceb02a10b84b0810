"""E-mails the comment system sends. Each is a setting; each goes out in its reader's language."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

logger = logging.getLogger(__name__)

QUEUE_ALERT_KEY = "moderation:queue-alert-sent"
QUEUE_ALERT_INTERVAL = 60 * 60


def _send(*, template, recipients, context, language):
    if not recipients:
        return
    with translation.override(language):
        subject = render_to_string(f"commentary/email/{template}_subject.txt", context)
        body = render_to_string(f"commentary/email/{template}.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, None, recipients)
    except Exception:  # a mail server outage must not undo a moderator's decision
        logger.exception("could not send the %s e-mail", template)


def _site_url(path):
    base = settings.SITE_URL.rstrip("/")
    return f"{base}{path}"


def comment_rejected(comment):
    """Tell a commenter why their comment was not published, when the settings allow it."""
    if comment.user_id:
        if not settings.COMMENTS_NOTIFY_REJECTED_ACCOUNTS:
            return
    elif not settings.COMMENTS_NOTIFY_REJECTED_GUESTS:
        return
    recipient = comment.user.email if comment.user_id and comment.user.email else ""
    recipient = recipient or comment.author_email
    with translation.override(comment.language):
        # get_..._display() returns a plain string: translate it in the commenter's language.
        reason = comment.get_rejection_reason_display()
    _send(
        template="comment_rejected",
        recipients=[recipient] if recipient else [],
        context={
            "comment": comment,
            "article": comment.article,
            "reason": reason,
            "article_url": _site_url(comment.article.get_absolute_url()),
        },
        language=comment.language,
    )


def reply_approved(reply):
    """Tell the author of a comment that a reply to it is now published."""
    if not settings.COMMENTS_NOTIFY_REPLIES or reply.parent_id is None:
        return
    parent = reply.parent
    if parent.author_email == reply.author_email or (
        parent.user_id and parent.user_id == reply.user_id
    ):
        return
    _send(
        template="reply_approved",
        recipients=[parent.author_email],
        context={
            "reply": reply,
            "parent": parent,
            "article": reply.article,
            "reply_url": _site_url(reply.get_absolute_url()),
        },
        language=parent.language,
    )


def queue_alert_if_due():
    """E-mail the moderators once an hour at most while the queue is over the threshold."""
    from .models import Comment

    threshold = settings.MODERATION_QUEUE_ALERT
    if not threshold:
        return
    waiting = Comment.objects.pending().count()
    if waiting < threshold:
        return
    try:
        if not cache.add(QUEUE_ALERT_KEY, True, QUEUE_ALERT_INTERVAL):
            return
    except Exception:  # without the cache, err on the side of telling the moderators
        logger.warning("cache unavailable; sending the queue alert without a throttle")
    moderators = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename="moderate_comment")
            | Q(user_permissions__codename="moderate_comment")
        )
        .exclude(email="")
        .distinct()
    )
    _send(
        template="queue_alert",
        recipients=sorted(moderators.values_list("email", flat=True)),
        context={"waiting": waiting, "queue_url": _site_url(reverse("moderation:queue"))},
        language=settings.LANGUAGE_CODE,
    )
