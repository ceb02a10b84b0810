"""Changes of state for reader comments: submission, moderation decisions, reports, bans."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import notifications, spam
from ..models import Ban, Comment, CommentReport, ModerationEvent, RejectionReason

MODERATE_PERMISSION = "commentary.moderate_comment"
TRUST_WINDOW = datetime.timedelta(days=90)
DUPLICATE_WINDOW = datetime.timedelta(hours=24)


class ModerationConflict(ValidationError):
    """Someone else decided the comment between the moment it was shown and the decision."""


def _hold(code, detail=""):
    return {"code": code, "detail": detail}


def _check_may_comment(*, article, user, email, ip_hash):
    if not article.accepts_comments:
        raise ValidationError(_("Comments are closed for this article."), code="closed")
    if Ban.objects.active().matching(user=user, email=email, ip_hash=ip_hash).exists():
        # Deliberately neutral: a banned commenter learns nothing to work around.
        raise ValidationError(
            _("Sorry, we cannot accept comments from you at the moment."), code="banned"
        )


def _check_rate(*, user, ip_hash):
    limited = spam.rate_limit_exceeded("ip", ip_hash)
    if user is not None:
        limited = spam.rate_limit_exceeded("user", str(user.pk)) or limited
    if limited:
        minutes = max(1, settings.COMMENTS_RATE_LIMIT_WINDOW // 60)
        raise ValidationError(
            ngettext(
                "You have posted several comments in a short time. Please wait %(minutes)d "
                "minute and send this one again; your text is kept below.",
                "You have posted several comments in a short time. Please wait %(minutes)d "
                "minutes and send this one again; your text is kept below.",
                minutes,
            ),
            code="rate_limited",
            params={"minutes": minutes},
        )


def _reply_target(parent, article):
    """Replies nest three levels deep; a reply to the deepest level joins its thread."""
    if parent is None:
        return None
    if parent.article_id != article.pk or parent.status != Comment.Status.APPROVED:
        raise ValidationError(_("You can only reply to a published comment."), code="parent")
    while parent.depth >= Comment.MAX_DEPTH:
        parent = parent.parent
    return parent


def _duplicate_checks(comment):
    """Refuse the same text twice from one commenter; hold text someone else already posted."""
    since = timezone.now() - DUPLICATE_WINDOW
    text = spam.normalised_text(comment.body)
    own = Comment.objects.by_commenter(comment).filter(created_at__gte=since)
    recent = own.order_by("-created_at").values_list("body", flat=True)[:50]
    if any(spam.normalised_text(body) == text for body in recent):
        raise ValidationError(_("You have already posted this comment."), code="duplicate")
    others = Comment.objects.filter(created_at__gte=since, body__iexact=comment.body.strip())
    if others.exclude(author_email=comment.author_email).exists():
        return [_hold("duplicate_text")]
    return []


def _banned_word_checks(text):
    holds = []
    for word, action in spam.banned_words_in(text):
        if action == "refuse":
            raise ValidationError(
                _("Your comment contains a word that is not allowed here: “%(word)s”."),
                code="banned_word",
                params={"word": word},
            )
        holds.append(_hold("banned_word", word))
    return holds


def _is_trusted(comment):
    needed = settings.COMMENTS_TRUSTED_AFTER
    # Only account holders: a guest's e-mail address is unverified and anyone could type it.
    if not needed or comment.user_id is None:
        return False
    history = Comment.objects.by_commenter(comment)
    recent_rejection = history.filter(
        status__in=[Comment.Status.REJECTED, Comment.Status.SPAM],
        moderated_at__gte=timezone.now() - TRUST_WINDOW,
    )
    return history.approved().count() >= needed and not recent_rejection.exists()


def comment_submit(
    *,
    article,
    body,
    author_name,
    author_email,
    user=None,
    parent=None,
    ip_address="",
    language="en",
    form_token=None,
    honeypot="",
):
    """Store a reader's comment; it waits for a moderator unless the commenter is trusted.

    ``form_token`` (from ``spam.issue_form_token``) makes the call idempotent: the same filled-in
    form sent twice returns the comment stored the first time.  Raises ``ValidationError`` with
    a code and a message for the reader when a rule refuses the comment (closed, banned, too
    fast, rate-limited, a link, a banned word, a duplicate, a length limit).
    """
    if user is not None and not user.is_authenticated:
        user = None
    email = author_email.strip().lower()
    ip_hash = spam.ip_hash(ip_address)

    submission_key = None
    if form_token is not None:
        try:
            token = spam.read_form_token(form_token)
        except spam.FormTokenError as error:
            raise ValidationError(
                _("This form has expired. Your text is kept below: please send it again."),
                code="stale_form",
            ) from error
        submission_key = token.submission_key
        already = Comment.objects.filter(submission_key=submission_key).first()
        if already is not None:
            return already
        if spam.filled_too_fast(token):
            raise ValidationError(
                _("That was quick! Please read your comment over, then send it again."),
                code="too_fast",
            )

    _check_may_comment(article=article, user=user, email=email, ip_hash=ip_hash)

    comment = Comment(
        article=article,
        parent=_reply_target(parent, article),
        body=body.strip(),
        author_name=" ".join(author_name.split()),
        author_email=email,
        user=user,
        language=language if language in dict(settings.LANGUAGES) else "en",
        ip_hash=ip_hash,
        submission_key=submission_key,
    )
    if comment.parent is not None:
        comment.depth = comment.parent.depth + 1

    if honeypot:
        # A field people never see was filled in: a bot. Keep it for the Spam tab, say nothing.
        return _store(comment, status=Comment.Status.SPAM, holds=[_hold("honeypot")])

    _check_rate(user=user, ip_hash=ip_hash)
    comment.full_clean(exclude=["parent", "user", "submission_key"])
    holds = _banned_word_checks(comment.body) + _duplicate_checks(comment)
    if not Comment.objects.by_commenter(comment).exists():
        holds.append(_hold("first_comment"))
    if not holds and _is_trusted(comment):
        stored = _store(comment, status=Comment.Status.APPROVED, holds=[], trusted=True)
        if stored is comment:  # a double submission's second copy gets the first, already told
            transaction.on_commit(lambda: notifications.reply_approved(stored))
        return stored
    stored = _store(comment, status=Comment.Status.PENDING, holds=holds)
    transaction.on_commit(notifications.queue_alert_if_due)
    return stored


def _store(comment, *, status, holds, trusted=False):
    comment.status = status
    comment.hold_reasons = holds
    if status != Comment.Status.PENDING:
        comment.moderated_at = timezone.now()
    try:
        with transaction.atomic():
            comment.save()
            if status == Comment.Status.SPAM:
                ModerationEvent.objects.create(
                    comment=comment, action=ModerationEvent.Action.SPAM, reason="honeypot"
                )
            if trusted:
                ModerationEvent.objects.create(
                    comment=comment,
                    action=ModerationEvent.Action.APPROVED,
                    note="trusted commenter",
                )
    except IntegrityError:
        # The same form raced itself (a double click): the first copy won.
        if comment.submission_key is None:
            raise
        return Comment.objects.get(submission_key=comment.submission_key)
    return comment


def _require_moderator(user):
    if user is None or not user.has_perm(MODERATE_PERMISSION):
        raise PermissionDenied("Only moderators may decide comments.")


def _decide(
    *, comment, moderator, status, action, reason="", note="", expected_status=None, notify=True
):
    """Apply one decision under a row lock and log it.

    With ``expected_status`` (what the moderator saw), a comment that changed meanwhile is
    left alone and ``ModerationConflict`` names who decided it, so two moderators acting at
    the same moment never overwrite each other.
    """
    _require_moderator(moderator)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if expected_status is not None and locked.status != expected_status:
            raise ModerationConflict(
                _("%(who)s already decided this comment: it is now %(status)s.")
                % {
                    "who": locked.moderated_by or _("Someone"),
                    "status": locked.get_status_display(),
                },
                code="conflict",
            )
        unchanged = (
            locked.status == status
            and locked.flagged_at is None
            and (status != Comment.Status.REJECTED or locked.rejection_reason == reason)
        )
        if unchanged:
            return locked
        if locked.flagged_at is not None and status == Comment.Status.APPROVED:
            action = ModerationEvent.Action.REPORTS_DISMISSED
        was_approved = locked.status == Comment.Status.APPROVED
        locked.status = status
        locked.rejection_reason = reason if status == Comment.Status.REJECTED else ""
        locked.flagged_at = None
        locked.moderated_by = moderator
        locked.moderated_at = timezone.now()
        locked.save(
            update_fields=[
                "status",
                "rejection_reason",
                "flagged_at",
                "moderated_by",
                "moderated_at",
            ]
        )
        ModerationEvent.objects.create(
            comment=locked, actor=moderator, action=action, reason=reason, note=note
        )
        if status == Comment.Status.APPROVED and not was_approved:
            transaction.on_commit(lambda: notifications.reply_approved(locked))
        if status == Comment.Status.REJECTED and notify:
            transaction.on_commit(lambda: notifications.comment_rejected(locked))
    return locked


def comment_approve(*, comment, moderator, expected_status=None, note=""):
    """Show a comment to readers (or, for a reported one, dismiss the reports)."""
    return _decide(
        comment=comment,
        moderator=moderator,
        status=Comment.Status.APPROVED,
        action=ModerationEvent.Action.APPROVED,
        note=note,
        expected_status=expected_status,
    )


def comment_reject(
    *, comment, moderator, reason=RejectionReason.OTHER, note="", expected_status=None, notify=True
):
    """Keep a comment from readers, with a reason code the commenter may be told
    (``notify=False`` keeps quiet, e.g. when a ban rejects a whole backlog at once)."""
    if reason not in RejectionReason.values:
        raise ValidationError(_("Choose a reason for the rejection."), code="reason")
    return _decide(
        comment=comment,
        moderator=moderator,
        status=Comment.Status.REJECTED,
        action=ModerationEvent.Action.REJECTED,
        reason=reason,
        note=note,
        expected_status=expected_status,
        notify=notify,
    )


def comment_mark_spam(*, comment, moderator, expected_status=None):
    """File a comment under spam: hidden, and counted against the commenter."""
    return _decide(
        comment=comment,
        moderator=moderator,
        status=Comment.Status.SPAM,
        action=ModerationEvent.Action.SPAM,
        expected_status=expected_status,
    )


@transaction.atomic
def comment_approve_and_reply(*, comment, moderator, body, expected_status=None):
    """Approve a comment and publish the moderator's reply to it at once."""
    approved = comment_approve(
        comment=comment, moderator=moderator, expected_status=expected_status
    )
    reply = Comment(
        article=approved.article,
        parent=_reply_target(approved, approved.article),
        body=body.strip(),
        author_name=moderator.public_name,
        author_email=(moderator.email or f"{moderator.username}@moderators.invalid").lower(),
        user=moderator,
        status=Comment.Status.APPROVED,
        moderated_by=moderator,
        moderated_at=timezone.now(),
    )
    reply.depth = reply.parent.depth + 1
    reply.full_clean(exclude=["parent", "user", "moderated_by", "submission_key"])
    reply.save()
    ModerationEvent.objects.create(
        comment=reply, actor=moderator, action=ModerationEvent.Action.APPROVED, note="reply"
    )
    transaction.on_commit(lambda: notifications.reply_approved(reply))
    return approved, reply


@transaction.atomic
def commenter_ban(*, comment, moderator, reason, expires_at=None, reject_pending=True):
    """Ban the person behind a comment (account, e-mail and IP hash) and, by default,
    reject everything they still have waiting in the queue."""
    _require_moderator(moderator)
    if not reason.strip():
        raise ValidationError(_("Say why the commenter is banned."), code="reason")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(_("The end of the ban must be in the future."), code="expires")
    ban = Ban(
        user=comment.user,
        email=comment.author_email,
        ip_hash=comment.ip_hash,
        reason=reason.strip(),
        created_by=moderator,
        expires_at=expires_at,
    )
    ban.full_clean()
    ban.save()
    ModerationEvent.objects.create(
        comment=comment, actor=moderator, action=ModerationEvent.Action.BANNED, note=ban.reason
    )
    rejected = []
    if reject_pending:
        for waiting in Comment.objects.by_commenter(comment).pending():
            rejected.append(
                comment_reject(
                    comment=waiting,
                    moderator=moderator,
                    reason=RejectionReason.OTHER,
                    note=_("Commenter banned: %(reason)s") % {"reason": ban.reason},
                    notify=False,
                )
            )
    return ban, rejected


def comment_report(*, comment, reason, reporter_key, user=None, note=""):
    """Record a reader's report; enough reports send the comment back to the moderators."""
    if comment.status != Comment.Status.APPROVED:
        raise ValidationError(_("Only published comments can be reported."), code="not_public")
    if reason not in CommentReport.Reason.values:
        raise ValidationError(_("Choose a reason for the report."), code="reason")
    report = CommentReport(
        comment=comment,
        reason=reason,
        reporter_key=reporter_key,
        reporter=user if user is not None and user.is_authenticated else None,
        note=note.strip(),
    )
    report.full_clean(exclude=["comment", "reporter"])
    try:
        with transaction.atomic():
            report.save()
            locked = Comment.objects.select_for_update().get(pk=comment.pk)
            # Reports a moderator already dismissed do not count towards a new flag.
            dismissed = (
                locked.events.filter(action=ModerationEvent.Action.REPORTS_DISMISSED)
                .order_by("-created_at")
                .values_list("created_at", flat=True)
                .first()
            )
            reports = locked.reports.all()
            if dismissed is not None:
                reports = reports.filter(created_at__gt=dismissed)
            if locked.flagged_at is None and reports.count() >= settings.COMMENTS_REPORT_THRESHOLD:
                locked.flagged_at = timezone.now()
                locked.save(update_fields=["flagged_at"])
                ModerationEvent.objects.create(
                    comment=locked, action=ModerationEvent.Action.FLAGGED
                )
    except IntegrityError as error:
        raise ValidationError(
            _("You have already reported this comment. Thank you."), code="already_reported"
        ) from error
    return report


def comments_purge_ip_hashes(*, older_than_days=None):
    """Erase the IP hashes of comments older than the retention period; returns how many."""
    days = settings.COMMENTS_IP_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    return Comment.objects.filter(created_at__lt=cutoff).exclude(ip_hash="").update(ip_hash="")
