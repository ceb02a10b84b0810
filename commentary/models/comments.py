from django.conf import settings
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..validators import validate_no_links
from .content import Article


class RejectionReason(models.TextChoices):
    OFF_TOPIC = "off_topic", _("Off topic")
    ABUSIVE = "abusive", _("Abusive or a personal attack")
    HATE = "hate", _("Hateful or discriminatory")
    SPAM = "spam", _("Spam or advertising")
    MISLEADING = "misleading", _("Misleading or unsupported claims")
    PRIVACY = "privacy", _("Shares someone's personal information")
    DUPLICATE = "duplicate", _("Duplicate")
    OTHER = "other", _("Other")


def pending_first():
    """0 for a pending comment, else 1: the comments admin lists pending comments first, and
    reads its pages from an index on this expression (``comment_admin_order``)."""
    return Case(
        When(status="pending", then=Value(0)), default=Value(1), output_field=IntegerField()
    )


class CommentQuerySet(models.QuerySet):
    def approved(self):
        """Comments a moderator has approved: the only ones readers see."""
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        """Comments waiting for a moderator's decision."""
        return self.filter(status=Comment.Status.PENDING)

    def rejected(self):
        return self.filter(status=Comment.Status.REJECTED)

    def spam(self):
        return self.filter(status=Comment.Status.SPAM)

    def reported(self):
        """Approved comments that enough readers reported to send back to the moderators."""
        return self.filter(status=Comment.Status.APPROVED, flagged_at__isnull=False)

    def by_commenter(self, comment):
        """Comments by the same person: the same account or the same e-mail address."""
        same = Q(author_email=comment.author_email)
        if comment.user_id:
            same |= Q(user_id=comment.user_id)
        return self.filter(same)

    def with_commenter_history(self, *, limit=None):
        """Annotate ``commenter_approved`` and ``commenter_rejected``: how many of this
        commenter's comments (by e-mail address) moderators approved and rejected so far.

        With ``limit``, each count stops there (``limit`` then means "that many or more"): a
        regular with thousands of comments costs no more than a newcomer."""

        def count_of(status):
            comments = Comment.objects.filter(
                author_email=OuterRef("author_email"), status=status
            ).order_by()
            if limit is not None:
                return CountOf(comments.values("pk")[:limit])
            return Coalesce(
                Subquery(
                    comments.values("author_email").annotate(total=Count("pk")).values("total")[:1]
                ),
                Value(0),
            )

        return self.annotate(
            commenter_approved=count_of(Comment.Status.APPROVED),
            commenter_rejected=count_of(Comment.Status.REJECTED),
        )


class CountOf(Subquery):
    """How many rows a (sliced) queryset holds, as a subquery: ``COUNT(*)`` of it."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


class Comment(models.Model):
    """A reader's comment. Readers see it only once a moderator approves it."""

    MAX_DEPTH = 2  # three levels: a comment, a reply, a reply to the reply

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        SPAM = "spam", _("spam")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    body = models.TextField(
        _("comment"),
        validators=[
            MinLengthValidator(2),
            MaxLengthValidator(settings.COMMENTS_MAX_LENGTH),
            validate_no_links,
        ],
        help_text=_("Plain text. Links are not allowed."),
    )
    author_name = models.CharField(_("name"), max_length=80)
    author_email = models.EmailField(_("e-mail"), help_text=_("Never shown publicly."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language the commenter used the site in; notices are sent in it."),
    )
    ip_hash = models.CharField(
        _("IP address hash"),
        max_length=64,
        blank=True,
        help_text=_("A keyed hash, never the address itself; erased after the retention period."),
    )
    submission_key = models.UUIDField(
        _("submission key"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Identifies one filled-in form, so a form sent twice stores one comment."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    hold_reasons = models.JSONField(
        _("why it was held"),
        default=list,
        blank=True,
        help_text=_("What the checks noticed when the comment arrived."),
    )
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=20, choices=RejectionReason.choices, blank=True
    )
    flagged_at = models.DateTimeField(
        _("reported at"),
        null=True,
        blank=True,
        help_text=_("When enough readers reported it to send it back to the moderators."),
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderated_comments",
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        permissions = [("moderate_comment", _("Can approve and reject comments"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected", "spam"]),
                name="comment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(moderated_at__isnull=False),
                name="comment_decision_is_dated",
            ),
            models.CheckConstraint(condition=Q(depth__lte=2), name="comment_depth_limit"),
            models.CheckConstraint(
                condition=Q(status="rejected") | Q(rejection_reason=""),
                name="comment_reason_only_when_rejected",
            ),
        ]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_thread"),
            # The moderation queue's tabs, in order: oldest first, or newest first backwards.
            models.Index(fields=["status", "created_at", "id"], name="comment_queue"),
            # The comments admin's order: pending first, then oldest first (then "-pk",
            # which the change list adds to make the order total). The status and the report
            # time follow so that a filtered page's ids are read from the index alone.
            models.Index(
                pending_first(),
                F("created_at"),
                F("id").desc(),
                F("status"),
                F("flagged_at"),
                name="comment_admin_order",
            ),
            # Date filters and the admin's date hierarchy, whatever the status.
            models.Index(fields=["created_at"], name="comment_created"),
            models.Index(fields=["author_email", "status"], name="comment_commenter"),
            models.Index(fields=["ip_hash"], name="comment_ip_hash"),
            models.Index(
                fields=["flagged_at"],
                name="comment_reported",
                condition=Q(flagged_at__isnull=False),
            ),
        ]

    def __str__(self):
        return _("%(name)s on “%(article)s”") % {
            "name": self.author_name,
            "article": self.article.title,
        }

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"


class CommentReport(models.Model):
    """A reader's report that an approved comment breaks the rules."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSIVE = "abusive", _("Abusive or a personal attack")
        HATE = "hate", _("Hateful or discriminatory")
        MISLEADING = "misleading", _("Misleading or unsupported claims")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comment_reports",
    )
    reporter_key = models.CharField(
        _("reporter key"),
        max_length=64,
        help_text=_("A keyed hash of the account or browser session: one report per reader."),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True, validators=[validate_no_links])
    created_at = models.DateTimeField(_("reported"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter_key"], name="report_once_per_reader"
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.comment_id}"


class ModerationEvent(models.Model):
    """The log of every decision on a comment: who, when, what and why."""

    class Action(models.TextChoices):
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        SPAM = "spam", _("marked as spam")
        FLAGGED = "flagged", _("reported by readers")
        REPORTS_DISMISSED = "dismissed", _("reports dismissed")
        BANNED = "banned", _("commenter banned")

    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_events",
        help_text=_("Empty when the site acted by itself (a trusted commenter, readers' reports)."),
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("moderation event")
        verbose_name_plural = _("moderation log")
        indexes = [models.Index(fields=["comment", "created_at"], name="moderation_event_comment")]

    def __str__(self):
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class BanQuerySet(models.QuerySet):
    def active(self):
        """Bans in force now: no end date, or one still to come."""
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))

    def matching(self, *, user=None, email="", ip_hash=""):
        """Bans that name this account, this e-mail address or this IP hash."""
        conditions = Q(pk__in=[])
        if user is not None and getattr(user, "pk", None):
            conditions |= Q(user_id=user.pk)
        if email:
            conditions |= Q(email=email.strip().lower())
        if ip_hash:
            conditions |= Q(ip_hash=ip_hash)
        return self.filter(conditions)


class Ban(models.Model):
    """Keeps a commenter out, by account, e-mail address or IP hash, for good or until a date."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comment_bans",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    ip_hash = models.CharField(_("IP address hash"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("banned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bans_made",
    )
    created_at = models.DateTimeField(_("banned at"), default=timezone.now)
    expires_at = models.DateTimeField(
        _("ends"), null=True, blank=True, help_text=_("Leave empty for a ban without end.")
    )

    objects = BanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email="") | ~Q(ip_hash=""),
                name="ban_names_someone",
                violation_error_message=_("A ban needs an account, an e-mail address or an IP."),
            ),
        ]
        indexes = [
            models.Index(fields=["email"], name="ban_email"),
            models.Index(fields=["ip_hash"], name="ban_ip_hash"),
        ]

    def __str__(self):
        target = self.user or self.email or _("an IP address")
        return _("Ban on %(target)s") % {"target": target}

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class BannedWord(models.Model):
    """A word moderators keep out of comments, matched as a whole word in any script."""

    class Action(models.TextChoices):
        HOLD = "hold", _("hold for a moderator")
        REFUSE = "refuse", _("refuse the comment")

    word = models.CharField(
        _("word or phrase"),
        max_length=100,
        unique=True,
        help_text=_("Matched as a whole word, ignoring case, in Latin or Cyrillic script."),
    )
    action = models.CharField(_("action"), max_length=6, choices=Action.choices, default="hold")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["word"]
        verbose_name = _("banned word")
        verbose_name_plural = _("banned words")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["hold", "refuse"]), name="banned_word_action_valid"
            ),
        ]

    def __str__(self):
        return self.word

    def save(self, *args, **kwargs):
        self.word = " ".join(self.word.split()).casefold()
        super().save(*args, **kwargs)
