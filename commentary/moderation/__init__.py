"""The moderators' queue: the pages where moderators read and decide reader comments.

The pages only show comments and call the services in ``commentary.services``; every
decision (and its log entry) is made there.  The labels below are shared with the admin.
"""

from django.utils.translation import gettext as _

from ..models import RejectionReason


def hold_reason_label(hold):
    """A moderator-facing sentence for one entry of ``Comment.hold_reasons``."""
    code = hold.get("code", "") if isinstance(hold, dict) else str(hold)
    detail = hold.get("detail", "") if isinstance(hold, dict) else ""
    if code == "first_comment":
        return _("First comment from this commenter")
    if code == "banned_word":
        return _("Contains a held word: %(word)s") % {"word": detail}
    if code == "duplicate_text":
        return _("Same text posted by someone else")
    if code == "honeypot":
        return _("Filled in the hidden anti-bot field")
    if code == "imported_link":
        return _("Imported from WordPress with a link: %(link)s") % {"link": detail}
    return f"{code}: {detail}" if detail else code


def hold_reason_labels(comment):
    return [hold_reason_label(hold) for hold in comment.hold_reasons or []]


def event_reason_label(reason):
    """The label of a ``ModerationEvent.reason``: a rejection reason, or how spam was caught."""
    if not reason:
        return ""
    if reason in RejectionReason.values:
        return str(RejectionReason(reason).label)
    if reason == "honeypot":
        return _("Filled in the hidden anti-bot field")
    return reason
