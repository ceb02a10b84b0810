"""The editors' desk: the article admin."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services
from ..models import (
    Article,
    ArticleAuthor,
    byline_prefetch,
)
from .content import URL_AS_HTTPS


class ArticleAuthorInline(admin.TabularInline):
    model = ArticleAuthor
    extra = 1
    min_num = 1
    autocomplete_fields = ("author",)
    fields = ("author", "position")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    formfield_overrides = URL_AS_HTTPS
    list_display = (
        "title",
        "column",
        "byline",
        "status",
        "published_at",
        "language",
        "approved_comments",
        "pending_comments",
    )
    list_filter = ("status", "column", "authors", "language", "tags")
    list_select_related = ("column",)
    search_fields = ("title", "summary", "authors__name", "column__name")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("column", "source_publication")
    inlines = (ArticleAuthorInline,)
    actions = ("publish_selected", "unpublish_selected")
    fieldsets = (
        (None, {"fields": ("title", "slug", "column", "summary", "body", "tags")}),
        (_("Publication"), {"fields": ("status", "published_at", "language", "comments_enabled")}),
        (
            _("Republished piece"),
            {
                "fields": ("source_publication", "original_published_on", "original_url"),
                "description": _(
                    "Fill these in when the article first appeared elsewhere; the attribution "
                    "line under the article is built from them."
                ),
            },
        ),
    )

    def get_queryset(self, request):
        return (
            super().get_queryset(request).with_comment_counts().prefetch_related(byline_prefetch())
        )

    def get_readonly_fields(self, request, obj=None):
        if not self.has_publish_permission(request):
            return ("status",)
        return ()

    def has_publish_permission(self, request):
        return request.user.has_perm(services.PUBLISH_PERMISSION)

    @admin.display(description=_("authors"))
    def byline(self, article):
        return ", ".join(author.name for author in article.ordered_authors)

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

    @admin.action(description=_("Publish selected articles"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        for article in queryset:
            services.article_publish(article=article, user=request.user)
        count = len(queryset)
        self.message_user(
            request,
            ngettext("%(count)d article published.", "%(count)d articles published.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish selected articles"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        for article in queryset:
            services.article_unpublish(article=article, user=request.user)
        count = len(queryset)
        self.message_user(
            request,
            ngettext("%(count)d article unpublished.", "%(count)d articles unpublished.", count)
            % {"count": count},
            messages.SUCCESS,
        )
