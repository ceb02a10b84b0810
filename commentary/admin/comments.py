"""Admin for comments, bans, banned words and reports."""

import datetime

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.db import connections
from django.db.models import Max, Min
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
    CommentQuerySet,
    CommentReport,
    ModerationEvent,
    RejectionReason,
)
from ..models.comments import pending_first
from ..moderation import event_reason_label, hold_reason_labels
from ..moderation.search import search_comments
from ..moderation.views import COUNT_CAP
from ..pagination import EstimatingPaginator
from .content import ReadOnlyAdmin

# How the change list orders comments: pending first, then oldest first. An index on the same
# expressions (``comment_admin_order``) lets the database read a page without sorting them all.
ADMIN_ORDERING = (pending_first().asc(), "created_at")


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


class DateHierarchyQuerySet(CommentQuerySet):
    """The comments of the admin's change list, whose date hierarchy asks which years (of a
    year, which months; of a month, which days) hold comments.

    Django answers with ``SELECT DISTINCT date_trunc(...)`` over every comment listed: a
    read of a million rows for the years.  Here the candidate periods between the first and
    the last comment are each tested with ``EXISTS`` on the ``created_at`` index, all in one
    query: the same answer, a few index lookups.
    """

    MAX_PERIODS = 400

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None, is_dst=None):
        if kind not in ("year", "month", "day") or field_name != "created_at":
            return super().datetimes(field_name, kind, order, tzinfo)
        zone = tzinfo or timezone.get_current_timezone()
        bounds = self.aggregate(first=Min(field_name), last=Max(field_name))
        if bounds["first"] is None:
            return []
        first, last = (timezone.localtime(bounds[key], zone) for key in ("first", "last"))
        periods = list(_periods(first, last, kind, zone))
        if len(periods) > self.MAX_PERIODS:
            return super().datetimes(field_name, kind, order, tzinfo)
        parts, params = [], []
        for start, end in periods:
            # The first comment of the period, in the index's order: unlike EXISTS, whose
            # ORDER BY PostgreSQL drops, this reads the index whatever the period holds.
            within = self.filter(created_at__gte=start, created_at__lt=end)
            first_one = within.order_by(field_name).values("pk")[:1]
            sql, subquery_params = first_one.query.get_compiler(self.db).as_sql()
            parts.append(f"({sql}) IS NOT NULL")
            params.extend(subquery_params)
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(parts)}", params)
            found = cursor.fetchone()
        starts = [start for (start, _end), exists in zip(periods, found, strict=True) if exists]
        return starts if order == "ASC" else starts[::-1]


def _periods(first, last, kind, zone):
    """``(start, end)`` of every year, month or day from ``first`` to ``last``, in ``zone``."""
    if kind == "year":
        for year in range(first.year, last.year + 1):
            yield (
                datetime.datetime(year, 1, 1, tzinfo=zone),
                datetime.datetime(year + 1, 1, 1, tzinfo=zone),
            )
    elif kind == "month":
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            following = (year + month // 12, month % 12 + 1)
            yield (
                datetime.datetime(year, month, 1, tzinfo=zone),
                datetime.datetime(*following, 1, tzinfo=zone),
            )
            year, month = following
    else:
        day = first.date()
        while day <= last.date():
            following = day + datetime.timedelta(days=1)
            yield (
                datetime.datetime(day.year, day.month, day.day, tzinfo=zone),
                datetime.datetime(following.year, following.month, following.day, tzinfo=zone),
            )
            day = following


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
    ordering = ADMIN_ORDERING
    # A million comments: no count of the whole table on each page view, and a page count
    # estimated past EstimatingPaginator.exact_up_to (commentary/pagination.py).
    show_full_result_count = False
    paginator = EstimatingPaginator

    def get_queryset(self, request):
        # The article's text and search index are not shown: leave them in the database.
        queryset = (
            super()
            .get_queryset(request)
            .defer("article__body", "article__summary", "article__search_vector")
        )
        return DateHierarchyQuerySet(
            model=queryset.model, query=queryset.query, using=queryset._db, hints=queryset._hints
        )

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # A search is counted exactly up to the queue's cap only: its matches are found
        # with the search indexes, not by walking an index in order.
        exact_up_to = COUNT_CAP if request.GET.get(SEARCH_VAR) else None
        return self.paginator(
            queryset, per_page, orphans, allow_empty_first_page, exact_up_to=exact_up_to
        )

    def get_search_results(self, request, queryset, search_term):
        """The moderation queue's search (text, name, e-mail or article title), which the
        trigram indexes serve; it never joins rows that could repeat a comment."""
        return search_comments(queryset, search_term), False

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
