"""The moderators' queue: tabs of comments by status, one comment's history, and the POSTs
that decide them.  Every decision goes through ``commentary.services``."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View, generic

from .. import pagination, services
from ..models import Comment, CommentReport, ModerationEvent, RejectionReason
from . import event_reason_label, hold_reason_labels
from .forms import DECISION_FORMS, BulkDecisionForm
from .search import search_comments

PER_PAGE = 50
MAX_SEARCH_LENGTH = 200
# Tabs count their comments up to this many; a search lists at most this many.
COUNT_CAP = 1000
# A card counts the commenter's approved and rejected comments up to this many.
HISTORY_CAP = 1000
# A search counts its matches per tab among at most this many.
SEARCH_SAMPLE = COUNT_CAP + 1


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any
    status: str  # what every comment in the tab has: the bulk bar's expected status
    ordering: tuple[str, ...]

    def filter(self, queryset):
        if self.key == "reported":
            return queryset.reported()
        return queryset.filter(status=self.status)


TABS = [
    Tab("pending", gettext_lazy("Pending"), Comment.Status.PENDING, ("created_at", "id")),
    Tab(
        "reported",
        gettext_lazy("Reported"),
        Comment.Status.APPROVED,
        ("-report_count", "flagged_at", "id"),
    ),
    Tab("approved", gettext_lazy("Approved"), Comment.Status.APPROVED, ("-created_at", "-id")),
    Tab("rejected", gettext_lazy("Rejected"), Comment.Status.REJECTED, ("-created_at", "-id")),
    Tab("spam", gettext_lazy("Spam"), Comment.Status.SPAM, ("-created_at", "-id")),
]
TABS_BY_KEY = {tab.key: tab for tab in TABS}


@dataclass(frozen=True)
class TabCount:
    """How many comments a tab holds: ``count``, or more than that when ``more``."""

    count: int
    more: bool = False


def tab_counts(queryset):
    """How many comments each tab holds, exact up to :data:`COUNT_CAP` (past it, "1,000+"),
    in one query whatever the size of the tabs: each tab reads at most ``COUNT_CAP + 1``
    entries of the status index."""
    counts = pagination.capped_counts({tab.key: tab.filter(queryset) for tab in TABS}, COUNT_CAP)
    return {key: TabCount(min(n, COUNT_CAP), n > COUNT_CAP) for key, n in counts.items()}


def searched_tab_counts(queryset):
    """How many of a search's matches each tab holds, in one query that reads the matches
    once (a common word's search index entries are long: reading them once per tab would
    cost five times as much), at most :data:`SEARCH_SAMPLE` of them. When there are more,
    every count is a lower bound ("12+")."""
    sample = queryset.order_by().values("status", "flagged_at")[:SEARCH_SAMPLE]
    counts = pagination.counts_among(
        sample,
        all="TRUE",
        pending="status = 'pending'",
        reported="status = 'approved' AND flagged_at IS NOT NULL",
        approved="status = 'approved'",
        rejected="status = 'rejected'",
        spam="status = 'spam'",
    )
    more = counts.pop("all") >= SEARCH_SAMPLE
    return {key: TabCount(min(n, COUNT_CAP), more or n > COUNT_CAP) for key, n in counts.items()}


def report_count():
    return Coalesce(
        Subquery(
            CommentReport.objects.filter(comment=OuterRef("pk"))
            .order_by()
            .values("comment")
            .annotate(total=Count("pk"))
            .values("total")[:1]
        ),
        Value(0),
    )


def cards(queryset):
    """Comments with everything a card shows, in a fixed number of queries."""
    return (
        queryset.select_related("article", "user", "moderated_by", "parent")
        .prefetch_related(
            Prefetch("reports", queryset=CommentReport.objects.order_by("created_at", "id"))
        )
        .with_commenter_history(limit=HISTORY_CAP + 1)
    )


def describe(comment):
    """Attach the labels a card shows; reads only what ``cards()`` loaded."""
    comment.hold_labels = hold_reason_labels(comment)
    reasons = Counter(report.reason for report in comment.reports.all())
    comment.report_summary = [
        (CommentReport.Reason(reason).label if reason in CommentReport.Reason.values else reason, n)
        for reason, n in reasons.most_common()
    ]
    comment.report_total = sum(reasons.values())
    comment.history = {
        "approved": capped_number(comment.commenter_approved, HISTORY_CAP),
        "rejected": capped_number(comment.commenter_rejected, HISTORY_CAP),
    }
    return comment


def capped_number(count, cap):
    """``count`` for people, "1,000+" past ``cap``."""
    return f"{intcomma(cap)}+" if count > cap else intcomma(count)


class ModeratorRequiredMixin(PermissionRequiredMixin):
    """Moderators only: visitors are sent to log in, other signed-in people get a 403."""

    permission_required = services.MODERATE_PERMISSION

    def get_login_url(self):
        try:
            return reverse("accounts:log-in")
        except NoReverseMatch:
            return reverse("admin:login")


class ModerationContextMixin:
    def get_context_data(self, **kwargs):
        return super().get_context_data(
            rejection_reasons=RejectionReason.choices,
            next_url=self.request.get_full_path(),
            **kwargs,
        )


class TabPage:
    """A tab's comments for ``Paginator``: counted beforehand, sliced in the database.

    A slice first takes the ids of the page's comments in the tab's order (an index scan,
    however deep the page), then loads the cards of those comments only: the commenter
    history and the report counts are computed for the comments shown, not for every comment
    the page's offset skips.
    """

    ordered = True  # for Paginator: the comments have the tab's order

    def __init__(self, queryset, tab, count):
        self.queryset, self.tab, self._count = queryset, tab, count

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def _in_order(self, queryset):
        if self.tab.key == "reported":
            queryset = queryset.annotate(report_count=report_count())
        return queryset.order_by(*self.tab.ordering)

    def __getitem__(self, key):
        ids = self._in_order(self.queryset).values("pk")[key]
        return list(self._in_order(cards(Comment.objects.filter(pk__in=ids))))


class QueueView(ModeratorRequiredMixin, ModerationContextMixin, generic.ListView):
    """The tabs of comments, 50 a page in the tab's order, searchable.

    Nothing here counts a whole tab: the tabs are counted up to :data:`COUNT_CAP` in one
    query, a search lists at most that many comments, and a tab longer than that without a
    search is numbered in pages from PostgreSQL's estimate of its size.
    """

    template_name = "commentary/moderation/queue.html"
    context_object_name = "comments"
    paginate_by = PER_PAGE

    @cached_property
    def tab(self):
        return TABS_BY_KEY.get(self.request.GET.get("tab", ""), TABS[0])

    @cached_property
    def query(self):
        return " ".join(self.request.GET.get("q", "").split())[:MAX_SEARCH_LENGTH]

    @cached_property
    def searched(self):
        return search_comments(Comment.objects.all(), self.query)

    @cached_property
    def counts(self):
        if self.query:
            return searched_tab_counts(self.searched)
        return tab_counts(self.searched)

    def get_queryset(self):
        comments = self.tab.filter(self.searched)
        counted = self.counts[self.tab.key]
        count = counted.count
        if counted.more and self.query:
            # The tab's own matches, up to the cap: a search lists at most COUNT_CAP.
            count = min(pagination.capped_counts({"tab": comments}, COUNT_CAP)["tab"], COUNT_CAP)
        elif counted.more:
            # Pages of a long tab are numbered from PostgreSQL's estimate of its length
            # (other databases, for development, count it).
            estimate = pagination.estimated_count(comments)
            count = comments.count() if estimate is None else max(estimate, COUNT_CAP + 1)
        return TabPage(comments, self.tab, count)

    def paginate_queryset(self, queryset, page_size):
        # A decision moves comments out of the tab: a page that ran out shows the last one.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for comment in context["comments"]:
            describe(comment)
        context.update(
            tab=self.tab,
            tabs=[
                {
                    "key": tab.key,
                    "label": tab.label,
                    "count": self.counts[tab.key].count,
                    "more": self.counts[tab.key].more,
                    "current": tab == self.tab,
                }
                for tab in TABS
            ],
            query=self.query,
            show_select=True,
            count_cap=COUNT_CAP,
        )
        return context


class CommentDetailView(ModeratorRequiredMixin, ModerationContextMixin, generic.DetailView):
    """One comment with its full moderation log, its reports and the same actions."""

    template_name = "commentary/moderation/comment.html"
    context_object_name = "comment"

    def get_queryset(self):
        return cards(Comment.objects.all()).prefetch_related(
            Prefetch(
                "events",
                queryset=ModerationEvent.objects.select_related("actor").order_by(
                    "created_at", "id"
                ),
            ),
            Prefetch(
                "reports",
                queryset=CommentReport.objects.select_related("reporter").order_by(
                    "created_at", "id"
                ),
                to_attr="report_list",
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        describe(self.object)
        events = list(self.object.events.all())
        for event in events:
            event.reason_label = event_reason_label(event.reason)
        context.update(events=events, reports=self.object.report_list, show_select=False)
        return context


class RedirectBackMixin:
    """Post/Redirect/Get: back to the page the form was on (tab, page and search kept)."""

    def get_success_url(self):
        target = self.request.POST.get("next", "")
        allowed = url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        )
        return target if target and allowed else reverse("moderation:queue")

    def redirect_back(self):
        return HttpResponseRedirect(self.get_success_url())


def form_errors(form):
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


class DecideView(ModeratorRequiredMixin, RedirectBackMixin, View):
    """POST one decision on one comment."""

    http_method_names = ["post"]

    def post(self, request, pk):
        comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
        action = request.POST.get("action", "")
        form_class = DECISION_FORMS.get(action)
        if form_class is None:
            messages.error(request, _("Choose what to do with the comment."))
            return self.redirect_back()
        form = form_class(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return self.redirect_back()
        try:
            message = getattr(self, f"_{action}")(comment, form)
        except services.ModerationConflict as conflict:
            messages.warning(request, " ".join(conflict.messages))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, message)
        return self.redirect_back()

    def _decision(self, service, comment, form, **extra):
        return service(
            comment=comment,
            moderator=self.request.user,
            expected_status=form.cleaned_data["expected_status"],
            **extra,
        )

    def _approve(self, comment, form):
        self._decision(services.comment_approve, comment, form)
        return _("Comment by %(name)s approved.") % {"name": comment.author_name}

    def _reject(self, comment, form):
        self._decision(
            services.comment_reject,
            comment,
            form,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
        return _("Comment by %(name)s rejected.") % {"name": comment.author_name}

    def _spam(self, comment, form):
        self._decision(services.comment_mark_spam, comment, form)
        return _("Comment by %(name)s marked as spam.") % {"name": comment.author_name}

    def _reply(self, comment, form):
        self._decision(
            services.comment_approve_and_reply, comment, form, body=form.cleaned_data["body"]
        )
        return _("Comment by %(name)s approved, and your reply published.") % {
            "name": comment.author_name
        }

    def _ban(self, comment, form):
        _ban, rejected = services.commenter_ban(
            comment=comment,
            moderator=self.request.user,
            reason=form.cleaned_data["reason"],
            expires_at=form.expires_at,
            reject_pending=form.cleaned_data["reject_pending"],
        )
        banned = _("%(name)s is banned.") % {"name": comment.author_name}
        if not rejected:
            return banned
        return f"{banned} " + ngettext(
            "%(count)d pending comment rejected.",
            "%(count)d pending comments rejected.",
            len(rejected),
        ) % {"count": len(rejected)}


class BulkView(ModeratorRequiredMixin, RedirectBackMixin, View):
    """POST one decision for several comments: each through the service, conflicts skipped."""

    http_method_names = ["post"]

    def post(self, request):
        form = BulkDecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return self.redirect_back()
        action = form.cleaned_data["action"]
        done = skipped = 0
        failures = []
        for comment in form.cleaned_data["comments"].order_by("created_at", "id"):
            try:
                self.decide(action, comment, form.cleaned_data)
            except services.ModerationConflict:
                skipped += 1
            except ValidationError as error:
                failures.extend(error.messages)
            else:
                done += 1
        summary = self.summary(action, done, skipped)
        if failures:
            messages.error(request, " ".join([summary, *dict.fromkeys(failures)]))
        elif skipped:
            messages.warning(request, summary)
        else:
            messages.success(request, summary)
        return self.redirect_back()

    def decide(self, action, comment, data):
        common = {
            "comment": comment,
            "moderator": self.request.user,
            "expected_status": data["expected_status"],
        }
        if action == "approve":
            return services.comment_approve(**common)
        if action == "reject":
            return services.comment_reject(reason=data["reason"], **common)
        return services.comment_mark_spam(**common)

    @staticmethod
    def summary(action, done, skipped):
        done_text = {
            "approve": ngettext("%(count)d approved", "%(count)d approved", done),
            "reject": ngettext("%(count)d rejected", "%(count)d rejected", done),
            "spam": ngettext("%(count)d marked as spam", "%(count)d marked as spam", done),
        }[action] % {"count": done}
        if not skipped:
            return _("%(done)s.") % {"done": done_text}
        skipped_text = ngettext(
            "%(count)d skipped because someone else decided it",
            "%(count)d skipped because someone else decided them",
            skipped,
        ) % {"count": skipped}
        return _("%(done)s, %(skipped)s.") % {"done": done_text, "skipped": skipped_text}
