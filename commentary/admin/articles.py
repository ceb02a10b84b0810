"""The editors' desk: the article admin and its workflow actions.

Contributors see and edit their own drafts here and submit them for review; editors see
everything, publish, schedule, unpublish, return to draft and add corrections.  Every change
of state goes through a service in ``commentary.services``; this module only asks for input
and reports what happened.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import (
    Article,
    ArticleAuthor,
    Author,
    Comment,
    Correction,
    byline_prefetch,
)
from ..pagination import EstimatingPaginator
from .content import URL_AS_HTTPS
from .editing import ArticleEditingMixin

# "18 Feb 2014 10:00": short enough for a changelist cell, unambiguous in both languages.
WHEN_FORMAT = "j M Y H:i"


def state_label(article):
    """The article's state as the desk says it: Draft, In review, Scheduled for …, Published,
    Expired."""
    state = article.state
    if state == "scheduled":
        when = formats.date_format(timezone.localtime(article.published_at), WHEN_FORMAT)
        return gettext("Scheduled for %(when)s") % {"when": when}
    return {
        Article.Status.DRAFT: gettext("Draft"),
        Article.Status.IN_REVIEW: gettext("In review"),
        "published": gettext("Published"),
        "expired": gettext("Expired"),
    }[state]


def comment_count(status):
    """How many of the outer article's comments have ``status``: a subquery on the
    ``comment_thread`` index, worked out only for the rows of the page shown."""
    counted = (
        Comment.objects.filter(article=OuterRef("pk"), status=status)
        .order_by()
        .values("article")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class StateFilter(admin.SimpleListFilter):
    """Where articles stand, including the two states the dates decide (scheduled, expired)."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (
            ("draft", _("Draft")),
            ("review", _("In review")),
            ("scheduled", _("Scheduled")),
            ("published", _("Published")),
            ("expired", _("Expired")),
        )

    def queryset(self, request, queryset):
        value = self.value()
        if value == "draft":
            return queryset.filter(status=Article.Status.DRAFT)
        if value == "review":
            return queryset.in_review()
        if value == "scheduled":
            return queryset.scheduled()
        if value == "published":
            return queryset.published()
        if value == "expired":
            # Published, and its expiry time has passed (which the constraint puts after its
            # publication time, so it is not scheduled either).
            return queryset.filter(status=Article.Status.PUBLISHED, expires_at__lte=timezone.now())
        return queryset


class ScheduleForm(forms.Form):
    """The go-live time on the "Schedule…" page; works as a plain text box without script."""

    published_at = forms.DateTimeField(
        label=_("Go live at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["published_at"].help_text = _(
            "Date and time in the site's time zone (%(zone)s), e.g. 2014-02-18 10:00."
        ) % {"zone": timezone.get_current_timezone_name()}

    def clean_published_at(self):
        published_at = self.cleaned_data["published_at"]
        services.validate_schedule_time(published_at)
        return published_at


class ArticleAuthorInline(admin.TabularInline):
    model = ArticleAuthor
    extra = 1
    min_num = 1
    autocomplete_fields = ("author",)
    fields = ("author", "position")
    verbose_name_plural = _("authors, in byline order")


class CorrectionInline(admin.StackedInline):
    """Dated corrections shown under the article. Only roles holding the correction
    permissions (editors) see this inline at all."""

    model = Correction
    fields = ("published_at", "note")
    extra = 0

    def get_extra(self, request, obj=None, **kwargs):
        # One empty form on public articles, so a correction can be added without script.
        return 1 if obj is not None and obj.state in ("published", "expired") else 0


@admin.register(Article)
class ArticleAdmin(ArticleEditingMixin, admin.ModelAdmin):
    formfield_overrides = URL_AS_HTTPS
    list_display = (
        "title",
        "column",
        "byline",
        "state_label",
        "article_type",
        "language",
        "submitted_by",
        "published_at",
        "approved_comments",
        "pending_comments",
    )
    list_filter = (StateFilter, "column", "authors", "language", "article_type", "tags")
    list_select_related = ("column", "submitted_by")
    search_fields = ("title", "summary", "authors__name", "column__name")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("column", "source_publication", "translation_of")
    inlines = (ArticleAuthorInline, CorrectionInline)
    actions = (
        "submit_selected",
        "publish_selected",
        "schedule_selected",
        "unpublish_selected",
        "return_selected_to_draft",
        "duplicate_selected",
    )
    # The change form template puts the authors inline right after the "Byline" fieldset.
    fieldsets = (
        (_("Content"), {"fields": ("title", "slug", "summary", "body", "tags")}),
        (
            _("Byline"),
            {
                "fields": ("column",),
                "description": _("The column the piece runs in; its authors follow, in order."),
            },
        ),
        (
            _("Publication"),
            {
                "fields": (
                    "state_label",
                    "status",
                    "published_at",
                    "expires_at",
                    "planned_for",
                    "article_type",
                    "language",
                    "translation_of",
                    "comments_enabled",
                    ("submitted_by", "submitted_at"),
                )
            },
        ),
        (
            _("Lead image"),
            {
                "fields": (
                    "lead_image",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                )
            },
        ),
        (
            _("Provenance"),
            {
                "fields": (
                    "source_publication",
                    "original_author",
                    "original_published_on",
                    "original_url",
                    "licence_note",
                    "syndication_policy",
                ),
                "description": _(
                    "Fill these in when the article first appeared elsewhere; the attribution "
                    "line under the article is built from them."
                ),
            },
        ),
    )
    # What every role sees but nobody types: the workflow decides these.
    always_readonly_fields = ("state_label", "submitted_by", "submitted_at")
    # A hundred thousand articles: no count of the whole table on each page view, a page
    # count estimated past EstimatingPaginator.exact_up_to, and a page read by its ids first
    # (commentary/pagination.py), so its comment counts are worked out for its rows only.
    show_full_result_count = False
    paginator = EstimatingPaginator
    # Whoever cannot publish cannot decide when, or whether, an article is public.
    publication_fields = ("status", "published_at", "expires_at")

    # --- who sees and changes what ------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if super().has_change_permission(request):
            # Writers see the articles they may edit (editors: all). Read-only roles, such
            # as moderators judging a comment's context, see them all.
            queryset = queryset.editable_by(request.user)
        # Counted per row rather than by joining the comments: a join groups every comment
        # of every article listed before the page is cut.
        return queryset.annotate(
            approved_comment_count=comment_count(Comment.Status.APPROVED),
            pending_comment_count=comment_count(Comment.Status.PENDING),
        ).prefetch_related(byline_prefetch())

    def get_search_results(self, request, queryset, search_term):
        """The admin's search over ``search_fields``, every word in one of them. Each word's
        matches are the union of four lookups that each use an index of their own (the title's
        and the summary's trigram indexes, the column and the bylines by key) instead of one
        condition across joins, which reads every article; and no row is repeated, so the list
        needs no ``DISTINCT`` (which would sort every match before paging)."""
        for word in smart_split(search_term):
            if word.startswith(('"', "'")) and word[0] == word[-1]:
                word = unescape_string_literal(word)
            articles = Article.objects.order_by()
            matches = (
                articles.filter(title__icontains=word)
                .values("pk")
                .union(
                    articles.filter(summary__icontains=word).values("pk"),
                    articles.filter(column__name__icontains=word).values("pk"),
                    ArticleAuthor.objects.order_by()
                    .filter(author__name__icontains=word)
                    .values("article"),
                )
            )
            queryset = queryset.filter(pk__in=matches)
        return queryset, False

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        return services.can_edit_article(article=obj, user=request.user)

    def has_delete_permission(self, request, obj=None):
        if not request.user.has_perm(services.CHANGE_ANY_PERMISSION):
            return False
        return super().has_delete_permission(request, obj)

    def has_publish_permission(self, request):
        return request.user.has_perm(services.PUBLISH_PERMISSION)

    def has_submit_permission(self, request):
        return request.user.has_perm(services.SUBMIT_PERMISSION)

    def get_readonly_fields(self, request, obj=None):
        if self.has_publish_permission(request):
            return self.always_readonly_fields
        return self.always_readonly_fields + self.publication_fields

    def get_inline_instances(self, request, obj=None):
        # Corrections belong to an article that exists (and, in practice, was published).
        return [
            inline
            for inline in super().get_inline_instances(request, obj)
            if obj is not None or not isinstance(inline, CorrectionInline)
        ]

    def get_list_display(self, request):
        if request.user.has_perm("commentary.view_comment"):
            return self.list_display
        # The pending count links to the comments admin, which this user cannot open.
        return tuple(
            "pending_comments_unlinked" if name == "pending_comments" else name
            for name in self.list_display
        )

    # --- saving -------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not request.user.has_perm(services.CHANGE_ANY_PERMISSION):
            self._put_writer_on_byline(request.user, form.instance)

    def _put_writer_on_byline(self, user, article):
        """A contributor's new article carries their own author profile, at the end of the
        byline if they did not put it elsewhere."""
        profile = Author.objects.filter(user=user).first()
        if profile is None or article.article_authors.filter(author=profile).exists():
            return
        last = article.article_authors.aggregate(last=Max("position"))["last"]
        ArticleAuthor.objects.create(
            article=article, author=profile, position=0 if last is None else last + 1
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Correction:
            super().save_formset(request, form, formset, change)
            return
        for correction in formset.save(commit=False):
            if correction.pk is None:
                correction.created_by = request.user
            correction.save()
        for correction in formset.deleted_objects:
            correction.delete()

    # --- the changelist's columns -------------------------------------------------------------

    @admin.display(description=_("authors"))
    def byline(self, article):
        return ", ".join(author.name for author in article.ordered_authors)

    @admin.display(description=_("state"), ordering="status")
    def state_label(self, article):
        return state_label(article)

    @admin.display(description=_("approved"), ordering="approved_comment_count")
    def approved_comments(self, article):
        return article.approved_comment_count

    @admin.display(description=_("pending"), ordering="pending_comment_count")
    def pending_comments(self, article):
        if not article.pending_comment_count:
            return 0
        url = reverse("admin:commentary_comment_changelist")
        return format_html(
            '<a href="{}?article__id__exact={}&amp;status__exact=pending">{}</a>',
            url,
            article.pk,
            article.pending_comment_count,
        )

    @admin.display(description=_("pending"), ordering="pending_comment_count")
    def pending_comments_unlinked(self, article):
        return article.pending_comment_count

    # --- workflow actions ---------------------------------------------------------------------

    def apply_service(self, request, articles, service, done_message, **kwargs):
        """Run ``service`` on each article; report how many it changed and why it skipped
        the others. Returns the articles it changed."""
        changed, skipped = [], []
        for article in articles:
            try:
                changed.append(service(article=article, user=request.user, **kwargs))
            except ValidationError as error:
                skipped.append((article, " ".join(error.messages)))
            except PermissionDenied as error:
                skipped.append((article, str(error) or gettext("You may not do this.")))
        if changed:
            count = len(changed)
            self.message_user(request, done_message(count) % {"count": count}, messages.SUCCESS)
        if skipped:
            reasons = "; ".join(
                gettext("“%(title)s”: %(reason)s") % {"title": article.title, "reason": reason}
                for article, reason in skipped
            )
            self.message_user(
                request,
                ngettext(
                    "%(count)d article was skipped. %(reasons)s",
                    "%(count)d articles were skipped. %(reasons)s",
                    len(skipped),
                )
                % {"count": len(skipped), "reasons": reasons},
                messages.WARNING,
            )
        return changed

    @admin.action(description=_("Submit for review"), permissions=["submit"])
    def submit_selected(self, request, queryset):
        self.apply_service(
            request,
            queryset,
            services.article_submit,
            lambda count: ngettext(
                "%(count)d article submitted for review.",
                "%(count)d articles submitted for review.",
                count,
            ),
        )

    @admin.action(description=_("Publish now"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self.apply_service(
            request,
            queryset,
            services.article_publish,
            lambda count: ngettext(
                "%(count)d article published.", "%(count)d articles published.", count
            ),
        )

    @admin.action(description=_("Schedule…"), permissions=["publish"])
    def schedule_selected(self, request, queryset):
        """Ask for the time on a page of its own (see ``schedule_view``)."""
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:commentary_article_schedule')}?ids={ids}")

    @admin.action(description=_("Unpublish"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self.apply_service(
            request,
            queryset,
            services.article_unpublish,
            lambda count: ngettext(
                "%(count)d article unpublished.", "%(count)d articles unpublished.", count
            ),
        )

    @admin.action(description=_("Return to draft"), permissions=["publish"])
    def return_selected_to_draft(self, request, queryset):
        self.apply_service(
            request,
            queryset,
            services.article_return_to_draft,
            lambda count: ngettext(
                "%(count)d article returned to draft.",
                "%(count)d articles returned to draft.",
                count,
            ),
        )

    @admin.action(description=_("Duplicate as new draft"), permissions=["add"])
    def duplicate_selected(self, request, queryset):
        self.apply_service(
            request,
            queryset,
            services.article_duplicate,
            lambda count: ngettext(
                "%(count)d new draft created.", "%(count)d new drafts created.", count
            ),
        )

    # --- the "Schedule…" page -----------------------------------------------------------------

    def get_urls(self):
        schedule = path(
            "schedule/",
            self.admin_site.admin_view(self.schedule_view),
            name="commentary_article_schedule",
        )
        # Before the default URLs, whose "<object_id>/" would take "schedule/" for an id.
        return [schedule, *super().get_urls()]

    def schedule_view(self, request):
        """GET: the chosen articles and a time field. POST: schedule each one at that time,
        or show the form again with the reason the time was refused."""
        if not self.has_publish_permission(request):
            raise PermissionDenied
        changelist = reverse("admin:commentary_article_changelist")
        ids = [pk for pk in request.GET.get("ids", "").split(",") if pk.isdigit()]
        articles = list(self.get_queryset(request).filter(pk__in=ids).select_related("column"))
        if not articles:
            self.message_user(
                request, gettext("Select the articles to schedule first."), messages.WARNING
            )
            return HttpResponseRedirect(changelist)
        form = ScheduleForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            self.apply_service(
                request,
                articles,
                services.article_schedule,
                lambda count: ngettext(
                    "%(count)d article scheduled.", "%(count)d articles scheduled.", count
                ),
                published_at=form.cleaned_data["published_at"],
            )
            return HttpResponseRedirect(changelist)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Schedule articles"),
            "articles": [(article, state_label(article)) for article in articles],
            "form": form,
            "form_url": request.get_full_path(),
            "changelist_url": changelist,
        }
        return TemplateResponse(request, "admin/commentary/article/schedule.html", context)
