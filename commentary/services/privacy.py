"""A commenter's rights over their personal data: a copy of it, and its erasure.

A commenter is identified by an e-mail address (compared without regard to case), an account,
or both; an e-mail address that belongs to an account brings that account in too.

What the export leaves out, on purpose:

* the password hash and the keyed IP address hashes (it says only whether one is stored);
* who moderated or banned: that is the staff member's personal data, not the commenter's, and
  naming them invites retaliation.  The decision, its reason, its note and its date are given.

What the erasure keeps, on purpose:

* the comments themselves, anonymised, so threads, replies and moderation counts still add up;
* bans, unchanged, e-mail address included: they protect the site and its readers (a
  legitimate interest), and an erasure request must not lift a ban.
"""

import dataclasses

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.services import users_with_email

from ..models import Ban, Comment, CommentReport

ERASED_NAME = gettext_noop(
    "Deleted commenter"
)  # translated into each comment's language when erased
# Comment.author_email is required and validated: a fixed address in the reserved .invalid
# top-level domain (RFC 2606), which can never receive mail nor belong to anyone.
ERASED_EMAIL = "erased@example.invalid"


class CommenterNotFound(LookupError):
    """Nothing on the site names this e-mail address or account."""


@dataclasses.dataclass(frozen=True)
class ErasureCounts:
    comments: int = 0
    reports: int = 0
    accounts: int = 0
    bans_kept: int = 0


def _identify(*, email, user):
    """Return ``(email, user)``: the lower-cased address and the account, each possibly empty."""
    if not email and user is None:
        raise ValueError("Give an e-mail address, an account or both.")
    email = (email or "").strip().lower()
    if user is None and email:
        user = users_with_email(email).first()
    if not email and user is not None:
        email = user.email.strip().lower()
    return email, user


def _comments(email, user):
    match = Q(pk__in=[])
    if email:
        match |= Q(author_email__iexact=email)
    if user is not None:
        match |= Q(user=user)
    return Comment.objects.filter(match)


def _reports(user):
    # Reports by guests are keyed by a hash of their browser session: nothing links them to
    # an e-mail address, so only an account's reports can be found.
    if user is None:
        return CommentReport.objects.none()
    return CommentReport.objects.filter(reporter=user)


def _bans(email, user, comments):
    match = Q(pk__in=[])
    if email:
        match |= Q(email=email)
    if user is not None:
        match |= Q(user=user)
    ip_hashes = {h for h in comments.values_list("ip_hash", flat=True) if h}
    if ip_hashes:
        match |= Q(ip_hash__in=ip_hashes)
    return Ban.objects.filter(match)


def _log(actor, objects, message):
    if actor is not None and objects:
        LogEntry.objects.log_actions(
            user_id=actor.pk, queryset=objects, action_flag=CHANGE, change_message=message
        )


def _date(value):
    return value.isoformat() if value else None


def commenter_export(*, email=None, user=None, actor=None):
    """Everything the site holds about a commenter, as a dictionary ready for JSON.

    Raises ``CommenterNotFound`` when no account, comment, report or ban names them.  With an
    ``actor`` (the administrator answering the request) the export is written to the admin log.
    """
    email, user = _identify(email=email, user=user)
    comments = list(
        _comments(email, user)
        .select_related("article")
        .prefetch_related("events")
        .order_by("created_at", "pk")
    )
    reports = list(_reports(user).select_related("comment__article").order_by("created_at", "pk"))
    bans = list(_bans(email, user, Comment.objects.filter(pk__in=[c.pk for c in comments])))
    if user is None and not comments and not reports and not bans:
        raise CommenterNotFound(email)

    account = None
    if user is not None:
        account = {
            "username": user.username,
            "email": user.email,
            "display_name": user.display_name,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _date(user.date_joined),
            "last_login": _date(user.last_login),
            "is_active": user.is_active,
        }
    data = {
        "email": email,
        "account": account,
        "comments": [
            {
                "article_title": comment.article.title,
                "article_url": comment.article.get_absolute_url(),
                "url": comment.get_absolute_url(),
                "author_name": comment.author_name,
                "author_email": comment.author_email,
                "body": comment.body,
                "status": comment.status,
                "language": comment.language,
                "created_at": _date(comment.created_at),
                "ip_hash_stored": bool(comment.ip_hash),
                "moderation": [
                    {
                        "action": event.action,
                        "reason": event.reason,
                        "note": event.note,
                        "date": _date(event.created_at),
                    }
                    for event in comment.events.all()
                ],
            }
            for comment in comments
        ],
        "reports": [
            {
                "comment_url": report.comment.get_absolute_url(),
                "reason": report.reason,
                "note": report.note,
                "date": _date(report.created_at),
            }
            for report in reports
        ],
        "bans": [
            {
                "names": [
                    label
                    for label, named in (
                        ("account", user is not None and ban.user_id == user.pk),
                        ("email", bool(email) and ban.email == email),
                        ("ip_address", bool(ban.ip_hash)),
                    )
                    if named
                ],
                "reason": ban.reason,
                "created_at": _date(ban.created_at),
                "expires_at": _date(ban.expires_at),
            }
            for ban in bans
        ],
        "ip_hash_stored": any(comment.ip_hash for comment in comments),
    }
    _log(actor, [user] if user is not None else comments, _("Personal data exported."))
    return data


@transaction.atomic
def commenter_erase(*, email=None, user=None, keep_text=False, actor=None):
    """Erase a commenter's personal data; return an ``ErasureCounts``.

    Their comments stay (threads and counts must add up) under the name "Deleted commenter"
    and a placeholder address, without IP hash or account, and with the text replaced unless
    ``keep_text``.  Their reports lose their note and reporter.  Their account, if any, is
    deactivated and anonymised and can no longer sign in.  Bans are kept as they are.
    Erasing twice is harmless: the second time finds nothing left to erase.
    """
    email, user = _identify(email=email, user=user)
    comments = list(_comments(email, user).select_for_update().order_by("pk"))
    bans_kept = _bans(email, user, Comment.objects.filter(pk__in=[c.pk for c in comments]))
    counts = {"comments": len(comments), "bans_kept": bans_kept.count()}

    fields = ["author_name", "author_email", "ip_hash", "user", "body", "hold_reasons"]
    for comment in comments:
        with translation.override(comment.language):
            comment.author_name = _(ERASED_NAME)
            if not keep_text:
                comment.body = _("[Comment removed at the author's request]")
        comment.author_email = ERASED_EMAIL
        comment.ip_hash = ""
        comment.user = None
        # What the checks noticed may quote the text.
        comment.hold_reasons = [{"code": hold.get("code", "")} for hold in comment.hold_reasons]
        checked = {"author_name", "author_email"} | (set() if keep_text else {"body"})
        comment.clean_fields(
            exclude=[f.name for f in Comment._meta.fields if f.name not in checked]
        )
        comment.save(update_fields=fields)
    _log(actor, comments, _("Personal data erased at the commenter's request."))

    reports = _reports(user)
    counts["reports"] = reports.update(note="", reporter=None)

    counts["accounts"] = 0
    if user is not None and (user.is_active or user.email or user.username != _erased(user)):
        user.username = _erased(user)
        user.email = ""
        user.display_name = ""
        user.first_name = ""
        user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        counts["accounts"] = 1
        _log(actor, [user], _("Personal data erased at the commenter's request."))
    return ErasureCounts(**counts)


def _erased(user):
    return f"deleted-{user.pk}"
