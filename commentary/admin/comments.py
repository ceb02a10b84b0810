"""Admin for comments, bans, banned words and reports."""

from django.contrib import admin, messages
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services
from ..models import (
    Ban,
    BannedWord,
    Comment,
    CommentReport,
    ModerationEvent,
    RejectionReason,
)
from ..moderation import event_reason_label, hold_reason_labels
from .content import ReadOnlyAdmin


class ReportedFilter(admin.SimpleListFilter):
    """Comments enough readers reported to send them back to the moderators."""

    title = _("reported by readers")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(flagged_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(flagged_at__isnull=True)
        return queryset


class ModerationEventInline(admin.TabularInline):
    """The comment's moderation log, read-only: it is written by the services only."""

    model = ModerationEvent
    fields = ("created_at", "actor", "action", "reason_label", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("created_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reason"))
    def reason_label(self, event):
        return event_reason_label(event.reason)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("excerpt", "author_name", "article_link", "status", "created_at")
    list_filter = ("status", ReportedFilter, "created_at")
    list_select_related = ("article",)
    search_fields = ("body", "author_name", "author_email", "article__title")
    date_hierarchy = "created_at"
    actions = ("approve_selected", "reject_selected", "mark_spam_selected")
    inlines = (ModerationEventInline,)
    readonly_fields = (
        "article",
        "author_name",
        "author_email",
        "user",
        "body",
        "status",
        "held_because",
        "rejection_reason",
        "flagged_at",
        "created_at",
        "moderated_by",
        "moderated_at",
    )
    fields = readonly_fields

    # Pending comments first, oldest first, so the queue reads top to bottom.  This must be
    # ``ordering``: the change list puts it (or else Meta.ordering) before any order_by()
    # of get_queryset(), which therefore could not bring pending comments to the top.
    ordering = (
        Case(
            When(status=Comment.Status.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ).asc(),
        "created_at",
    )

    def has_add_permission(self, request):
        return False

    def has_moderate_permission(self, request):
        return request.user.has_perm(services.MODERATE_PERMISSION)

    @admin.display(description=_("comment"))
    def excerpt(self, comment):
        return Truncator(comment.body).chars(80)

    @admin.display(description=_("article"), ordering="article__title")
    def article_link(self, comment):
        return format_html(
            '<a href="{}">{}</a>', comment.article.get_absolute_url(), comment.article.title
        )

    @admin.display(description=_("why it was held"))
    def held_because(self, comment):
        labels = hold_reason_labels(comment)
        if not labels:
            return "-"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((label,) for label in labels))
        )

    @admin.action(description=_("Approve selected comments"), permissions=["moderate"])
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, services.comment_approve)

    @admin.action(description=_("Reject selected comments"), permissions=["moderate"])
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, services.comment_reject, reason=RejectionReason.OTHER)

    @admin.action(description=_("Mark selected comments as spam"), permissions=["moderate"])
    def mark_spam_selected(self, request, queryset):
        self._decide(request, queryset, services.comment_mark_spam)

    def _decide(self, request, queryset, decision, **options):
        comments = list(queryset)
        for comment in comments:
            decision(comment=comment, moderator=request.user, **options)
        self.message_user(
            request,
            ngettext("%(count)d comment updated.", "%(count)d comments updated.", len(comments))
            % {"count": len(comments)},
            messages.SUCCESS,
        )


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    list_display = ("target", "reason", "created_by", "created_at", "expires_at", "is_active")
    list_select_related = ("user", "created_by")
    search_fields = ("email",)
    autocomplete_fields = ("user",)
    fields = ("user", "email", "ip_hash", "reason", "expires_at", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")

    @admin.display(description=_("banned"))
    def target(self, ban):
        return ban.user or ban.email or _("an IP address")

    @admin.display(description=_("active"), boolean=True)
    def is_active(self, ban):
        return ban.expires_at is None or ban.expires_at > timezone.now()

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(BannedWord)
class BannedWordAdmin(admin.ModelAdmin):
    list_display = ("word", "action", "created_by", "created_at")
    list_filter = ("action",)
    list_select_related = ("created_by",)
    search_fields = ("word",)
    fields = ("word", "action", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CommentReport)
class CommentReportAdmin(ReadOnlyAdmin):
    """Readers' reports, read-only: readers file them, moderators act on the comment."""

    list_display = ("comment", "reason", "reporter", "note", "created_at")
    list_filter = ("reason",)
    list_select_related = ("comment__article", "reporter")
    search_fields = ("note", "comment__body")
    readonly_fields = ("comment", "reason", "reporter", "reporter_key", "note", "created_at")
    fields = readonly_fields
