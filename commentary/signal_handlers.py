"""Side effects of content changes that the code making them need not know about.

The stored search index (``Article.search_vector``, PostgreSQL only) follows what it is built
from: an article's own text, its tags, and the names of its column and tags.  Each handler
rebuilds the affected articles' vectors with one UPDATE (:func:`search.update_search_vectors`).
Connected once, from ``CommentaryConfig.ready()``.

Changes made without signals (``bulk_create``, ``QuerySet.update()``, tag merges that move
``TaggedArticle`` rows in bulk) are caught up by ``manage.py rebuild_search_index``.
"""

from django.db import connections
from django.db.models.signals import m2m_changed, post_save, pre_save

from . import search
from .models import Article, Column, Tag, TaggedArticle

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
