"""Admin for the things articles belong to: outlets, authors, columns and tags."""

from django.contrib import admin
from django.db import models

from ..models import (
    Author,
    Column,
    Publication,
    Tag,
)

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


@admin.register(Column)
class ColumnAdmin(admin.ModelAdmin):
    list_display = ("name", "publication", "cadence", "weekday", "is_active")
    list_filter = ("is_active", "cadence", "publication")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("publication", "authors")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
