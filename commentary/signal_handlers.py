"""Side effects of content changes that the code making them need not know about.

The stored search index (``Article.search_vector``, PostgreSQL only) follows what it is built
from: an article's own text, its tags, and the names of its column and tags.  Each handler
rebuilds the affected articles' vectors with one UPDATE (:func:`search.update_search_vectors`).
Connected once, from ``CommentaryConfig.ready()``.

Changes made without signals (``bulk_create``, ``QuerySet.update()``, tag merges that move
``TaggedArticle`` rows in bulk) are caught up by ``manage.py rebuild_search_index``.

The page cache (:mod:`commentary.page_cache`) is told of every change readers could see:
``content`` for articles that are or were published and for everything an article page or a
list shows of them, ``comments`` and the article's own tag for comments that are or were
approved. Saves that readers cannot see (a draft edited, a comment held or rejected before
anyone saw it) leave the cached pages alone.
"""

from django.db import connections
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from . import page_cache, search
from .models import (
    Article,
    ArticleAuthor,
    Author,
    Column,
    Comment,
    Correction,
    Publication,
    Tag,
    TaggedArticle,
    TagRedirect,
)

# The fields of Article the vector is built from; a save limited to others changes nothing.
INDEXED_FIELDS = frozenset({"title", "summary", "body", "language", "column", "column_id"})


def reindex_saved_article(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and not INDEXED_FIELDS.intersection(update_fields):
        return
    search.update_search_vectors(Article.objects.using(kwargs["using"]).filter(pk=instance.pk))


def reindex_retagged_articles(sender, instance, action, reverse, pk_set, using, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    articles = Article.objects.using(using)
    if not reverse:
        search.update_search_vectors(articles.filter(pk=instance.pk))
    elif pk_set:
        search.update_search_vectors(articles.filter(pk__in=pk_set))


def remember_indexed_name(sender, instance, raw, using, **kwargs):
    """Before a column or tag is saved: note whether its name changes (PostgreSQL only)."""
    instance._search_renamed = False
    if raw or instance.pk is None or connections[using].vendor != "postgresql":
        return
    old_name = sender.objects.using(using).filter(pk=instance.pk).values_list("name", flat=True)
    instance._search_renamed = old_name.first() not in (None, instance.name)


def reindex_renamed_column(sender, instance, using, **kwargs):
    if getattr(instance, "_search_renamed", False):
        search.update_search_vectors(Article.objects.using(using).filter(column=instance))


def reindex_renamed_tag(sender, instance, using, **kwargs):
    if getattr(instance, "_search_renamed", False):
        search.update_search_vectors(
            Article.objects.using(using).filter(tagged_items__tag=instance)
        )


# --- The page cache --------------------------------------------------------------------------

# Shown on public pages with the articles they belong to (or, for tags, authors and columns,
# on pages of their own). Article and Comment say more precisely when they matter, below.
PAGE_CONTENT_MODELS = (
    ArticleAuthor,
    Author,
    Column,
    Correction,
    Publication,
    Tag,
    TaggedArticle,
    TagRedirect,
)


def content_changed(sender, using, **kwargs):
    page_cache.invalidate(page_cache.CONTENT, using=using)


def content_relations_changed(sender, action, using, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        page_cache.invalidate(page_cache.CONTENT, using=using)


def remember_article_was_published(sender, instance, raw, using, update_fields=None, **kwargs):
    """Before an article is saved: note whether readers could see it (one query), so that
    editing a draft leaves the cached pages alone. A save of some fields only, which leaves
    the status as stored, asks nothing and counts as a change readers see."""
    if raw or (update_fields is not None and "status" not in update_fields):
        instance._page_cache_was_published = True  # no telling without asking: assume so
        return
    if instance.pk is None:
        instance._page_cache_was_published = False
        return
    status = (
        Article.objects.using(using).filter(pk=instance.pk).values_list("status", flat=True).first()
    )
    instance._page_cache_was_published = status == Article.Status.PUBLISHED


def article_saved(sender, instance, using, **kwargs):
    was_published = getattr(instance, "_page_cache_was_published", True)
    if was_published or instance.status == Article.Status.PUBLISHED:
        page_cache.invalidate(page_cache.CONTENT, using=using)


def _article_slug(comment, using):
    if Comment.article.is_cached(comment):
        return comment.article.slug
    articles = Article.objects.using(using).filter(pk=comment.article_id)
    return articles.values_list("slug", flat=True).first()


# What the article page shows of a comment; a save of other fields only (a report flag, the
# moderation record) changes no page.
COMMENT_SHOWN_FIELDS = frozenset(
    {"status", "body", "author_name", "article", "article_id", "parent", "parent_id", "depth"}
    | {"created_at"}
)


def _shows_nothing_new(update_fields):
    return update_fields is not None and not COMMENT_SHOWN_FIELDS.intersection(update_fields)


def remember_comment_was_shown(sender, instance, raw, using, update_fields=None, **kwargs):
    """Before a comment is saved: whether readers saw it, and on which article (one query)."""
    instance._page_cache_shown_on = None
    if raw or instance.pk is None or _shows_nothing_new(update_fields):
        return
    row = (
        Comment.objects.using(using)
        .filter(pk=instance.pk)
        .values_list("status", "article__slug")
        .first()
    )
    if row is not None and row[0] == Comment.Status.APPROVED:
        instance._page_cache_shown_on = row[1]


def _comments_changed(slugs, using):
    tags = [page_cache.article_comments(slug) for slug in slugs if slug is not None]
    page_cache.invalidate(page_cache.COMMENTS, *tags, using=using)


def comment_saved(sender, instance, raw, using, update_fields=None, **kwargs):
    if not raw and _shows_nothing_new(update_fields):
        return
    shown_on = getattr(instance, "_page_cache_shown_on", None)
    shown = instance.status == Comment.Status.APPROVED
    if raw or shown:
        _comments_changed({shown_on, _article_slug(instance, using)}, using)
    elif shown_on is not None:
        _comments_changed({shown_on}, using)


def comment_deleted(sender, instance, using, **kwargs):
    if instance.status == Comment.Status.APPROVED:
        _comments_changed({_article_slug(instance, using)}, using)


def connect():
    """Connect the handlers; called once from ``CommentaryConfig.ready()``."""
    post_save.connect(reindex_saved_article, sender=Article, dispatch_uid="search_article_saved")
    m2m_changed.connect(
        reindex_retagged_articles, sender=TaggedArticle, dispatch_uid="search_article_tags"
    )
    for model, reindex in ((Column, reindex_renamed_column), (Tag, reindex_renamed_tag)):
        label = model._meta.model_name
        pre_save.connect(remember_indexed_name, sender=model, dispatch_uid=f"search_{label}_name")
        post_save.connect(reindex, sender=model, dispatch_uid=f"search_{label}_renamed")

    for model in PAGE_CONTENT_MODELS:
        label = model._meta.model_name
        for signal in (post_save, post_delete):
            signal.connect(content_changed, sender=model, dispatch_uid=f"page_cache_{label}")
    for through in (TaggedArticle, Column.authors.through):
        m2m_changed.connect(
            content_relations_changed,
            sender=through,
            dispatch_uid=f"page_cache_{through._meta.model_name}_m2m",
        )
    pre_save.connect(
        remember_article_was_published, sender=Article, dispatch_uid="page_cache_article_was"
    )
    post_save.connect(article_saved, sender=Article, dispatch_uid="page_cache_article_saved")
    post_delete.connect(content_changed, sender=Article, dispatch_uid="page_cache_article_deleted")
    pre_save.connect(
        remember_comment_was_shown, sender=Comment, dispatch_uid="page_cache_comment_was"
    )
    post_save.connect(comment_saved, sender=Comment, dispatch_uid="page_cache_comment_saved")
    post_delete.connect(comment_deleted, sender=Comment, dispatch_uid="page_cache_comment_deleted")
