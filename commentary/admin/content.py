"""Admin for the things articles belong to: outlets, authors, columns and tags."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..calendar import can_view_calendar, check_slot_date, column_anchor
from ..models import (
    Author,
    Column,
    ColumnSkip,
    Publication,
    Tag,
    TagRedirect,
)
from .calendar import calendar_urls

# Editors paste addresses without a scheme; they are all https today.
URL_AS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record the site writes by itself (a log, a redirect): staff may read it, never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    formfield_overrides = URL_AS_HTTPS
    list_display = ("name", "short_name", "homepage_url")
    search_fields = ("name", "short_name")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "tagline", "user")
    search_fields = ("name", "tagline")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("user",)


class ColumnSkipFormSet(BaseInlineFormSet):
    def clean(self):
        """Each planned skip falls on one of the column's due dates (as edited above)."""
        super().clean()
        anchor = column_anchor(self.instance)
        for form in self.forms:
            day = getattr(form, "cleaned_data", {}).get("date")
            if day is None or not form.has_changed() or self._should_delete_form(form):
                continue
            try:
                check_slot_date(self.instance, day, anchor)
            except ValidationError as error:
                form.add_error("date", error.message_dict["date"])


class ColumnSkipInline(admin.TabularInline):
    model = ColumnSkip
    formset = ColumnSkipFormSet
    extra = 0
    fields = ("date", "note", "created_by")
    readonly_fields = ("created_by",)


@admin.register(Column)
class ColumnAdmin(admin.ModelAdmin):
    list_display = ("name", "publication", "cadence", "weekday", "is_active")
    list_filter = ("is_active", "cadence", "publication")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("publication", "authors")
    inlines = (ColumnSkipInline,)

    def get_urls(self):
        # The calendar's routes first: the admin's own end with a catch-all for object ids.
        return calendar_urls(self) + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if can_view_calendar(request.user):
            extra_context["calendar_url"] = reverse("admin:commentary_column_calendar")
        return super().changelist_view(request, extra_context)

    def save_formset(self, request, form, formset, change):
        """New and deleted planned skips go through the column services (who, permission)."""
        if formset.model is not ColumnSkip:
            return super().save_formset(request, form, formset, change)
        original_dates = {f.instance.pk: f.initial.get("date") for f in formset.initial_forms}
        skips = formset.save(commit=False)
        for skip in formset.deleted_objects:
            services.column_skip_clear(
                column=form.instance, date=original_dates.get(skip.pk, skip.date), user=request.user
            )
        for skip in skips:
            if skip.pk is None:
                services.column_skip_mark(
                    column=form.instance, date=skip.date, user=request.user, note=skip.note
                )
            else:
                skip.save()


class TagChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, tag):
        return ngettext(
            "%(name)s (%(count)d article)", "%(name)s (%(count)d articles)", tag.article_count
        ) % {"name": tag.name, "count": tag.article_count}


class TagMergeForm(forms.Form):
    """Which of the selected tags to keep; the others are merged into it."""

    target = TagChoiceField(
        label=_("Keep this tag"),
        queryset=Tag.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_(
            "The other selected tags are merged into it: their articles are tagged with it "
            "instead, their addresses redirect to its page, and they are deleted."
        ),
    )

    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = tags


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    actions = ("merge_selected",)

    @admin.action(description=_("Merge selected tags into…"), permissions=["change", "delete"])
    def merge_selected(self, request, queryset):
        """Ask, on a page of its own, which of the selected tags to keep; when that page is
        sent back (with ``post``), merge the others into it with ``services.tag_merge``."""
        tags = queryset.annotate(article_count=Count("tagged_articles")).order_by("name")
        if len(tags) < 2:
            self.message_user(
                request, gettext("Select at least two tags to merge."), messages.WARNING
            )
            return None
        form = TagMergeForm(request.POST if "post" in request.POST else None, tags=tags)
        if form.is_valid():
            target = form.cleaned_data["target"]
            self.merge_tags(request, [tag for tag in tags if tag.pk != target.pk], target)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Merge tags"),
            "tags": tags,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "changelist_url": reverse("admin:commentary_tag_changelist"),
        }
        return TemplateResponse(request, "admin/commentary/tag/merge.html", context)

    def merge_tags(self, request, sources, target):
        """Merge each of ``sources`` into ``target`` and report what happened to each."""
        for source in sources:
            try:
                result = services.tag_merge(source=source, target=target, user=request.user)
            except (ValidationError, PermissionDenied) as error:
                if isinstance(error, ValidationError):
                    reason = " ".join(error.messages)
                else:
                    reason = str(error) or gettext("You may not do this.")
                self.message_user(
                    request,
                    gettext("“%(name)s” was not merged: %(reason)s")
                    % {"name": source.name, "reason": reason},
                    messages.WARNING,
                )
                continue
            report = ngettext(
                "“%(source)s” merged into “%(target)s”: %(count)d article moved.",
                "“%(source)s” merged into “%(target)s”: %(count)d articles moved.",
                result.moved,
            ) % {"source": result.merged_name, "target": target.name, "count": result.moved}
            if result.already_tagged:
                report += " " + ngettext(
                    "%(count)d article already had both tags.",
                    "%(count)d articles already had both tags.",
                    result.already_tagged,
                ) % {"count": result.already_tagged}
            self.message_user(request, report, messages.SUCCESS)


@admin.register(TagRedirect)
class TagRedirectAdmin(ReadOnlyAdmin):
    """The addresses of merged tags and the tag each now leads to. Only merges write them,
    so the list is read-only."""

    list_display = ("old_slug", "tag", "created_at")
    list_select_related = ("tag",)
    search_fields = ("old_slug", "tag__name", "tag__slug")

    def has_view_permission(self, request, obj=None):
        # Whoever may merge tags may see the redirects merges leave behind.
        return super().has_view_permission(request, obj) or services.can_merge_tags(request.user)
