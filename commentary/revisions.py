"""Article history with django-reversion: what a revision holds and how code records one.

A revision of an article holds the article with its byline (``ArticleAuthor``, in order), its
tags (``TaggedArticle``) and its corrections, so restoring one brings all of them back together.
The admin records a revision on every save; services that change articles record one by running
their change inside :func:`revision`.
"""

import datetime
from contextlib import contextmanager

import reversion
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from .models import Article, ArticleAuthor, Author, Correction, Tag, TaggedArticle

# What a revision of an article follows, by reverse accessor.
ARTICLE_FOLLOWS = ("article_authors", "tagged_items", "corrections")

reversion.register(Article, follow=ARTICLE_FOLLOWS)
reversion.register(ArticleAuthor)
reversion.register(TaggedArticle)
reversion.register(Correction)


@contextmanager
def revision(user, comment):
    """Record everything saved inside the block as one revision by ``user`` with ``comment``.

    Services wrap their change in it::

        with revision(user, "Published."):
            article.save()

    ``user`` may be ``None`` (a management command). Nested inside another revision block (the
    admin's, for example) it joins that revision, whose comment it then sets.
    """
    with reversion.create_revision():
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(str(comment))
        yield


def article_versions(article):
    """The article's versions, newest first, with each revision and its author loaded."""
    return (
        Version.objects.get_for_object(article)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


# --- reading a version ----------------------------------------------------------------------


def readable_labels(field_names):
    """``(name, label)`` for the article fields given, then the byline, tags and corrections."""
    for name in field_names:
        yield name, capfirst(Article._meta.get_field(name).verbose_name)
    yield "byline", _("Byline")
    yield "tags", _("Tags")
    yield "corrections", _("Corrections")


def _field_as_text(field, value):
    if value is None or value == "":
        return ""
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


def readable_version(version, field_names):
    """An article version as text: the given fields, then ``byline`` (authors in order),
    ``tags`` (sorted) and ``corrections`` (one per line), from the same revision."""
    data = version.field_dict
    values = {
        name: _field_as_text(field, data.get(field.attname))
        for name in field_names
        for field in [Article._meta.get_field(name)]
    }
    bylines, tag_ids, corrections = [], [], []
    for related in version.revision.version_set.all():
        model = related._model
        if model is ArticleAuthor and str(related.field_dict["article_id"]) == version.object_id:
            bylines.append((related.field_dict["position"], related.field_dict["author_id"]))
        elif (
            model is TaggedArticle
            and str(related.field_dict["content_object_id"]) == version.object_id
        ):
            tag_ids.append(related.field_dict["tag_id"])
        elif model is Correction and str(related.field_dict["article_id"]) == version.object_id:
            corrections.append(related.field_dict)
    authors = Author.objects.in_bulk([author_id for _position, author_id in bylines])
    values["byline"] = ", ".join(
        str(authors.get(author_id, f"#{author_id}")) for _position, author_id in sorted(bylines)
    )
    tags = Tag.objects.in_bulk(tag_ids)
    values["tags"] = ", ".join(sorted(str(tags.get(tag_id, f"#{tag_id}")) for tag_id in tag_ids))
    values["corrections"] = "\n".join(
        f"{_field_as_text(Correction._meta.get_field('published_at'), c['published_at'])}: "
        f"{c['note']}"
        for c in sorted(corrections, key=lambda c: c["published_at"])
    )
    return values
