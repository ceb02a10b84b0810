"""Admin for the things articles belong to: outlets, authors, columns and tags."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.urls import reverse

from .. import services
from ..calendar import can_view_calendar, check_slot_date, column_anchor
from ..models import (
    Author,
    Column,
    ColumnSkip,
    Publication,
    Tag,
)
from .calendar import calendar_urls

# Editors paste addresses without a scheme; they are all https today.
URL_AS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


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


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
