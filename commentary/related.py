"""What the public pages offer to read next: an article's neighbours in its column, the
articles that share its tags, its published translations, and the articles readers discussed
most this week.

Each is one query, whatever the number of tags, articles or comments, and reads only public
articles (``Article.objects.published()``). The article page asks for the first three at
once (:func:`further_reading`).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import CharField, Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Article, Comment, TaggedArticle
from .prepared import prepared_query

RELATED_LIMIT = 4
# Related articles are chosen among the articles filed most recently under the article's
# tags, this many: the cost stays the same however large the archive and its tags grow.
RELATED_CANDIDATES = 60
MOST_DISCUSSED_LIMIT = 5
MOST_DISCUSSED_DAYS = 7

# What further reading shows of an article: its title linked in its language, the date, and
# for related articles the type and column (the kicker). ``translation_of`` tells a
# translation's original.
_READING_FIELDS = (
    "pk",
    "slug",
    "title",
    "published_at",
    "language",
    "article_type",
    "translation_of",
    "column__name",
    "column__slug",
)
# Where public_translations() keeps an article's translations once looked up.
_TRANSLATIONS_CACHE = "_public_translations"


@dataclass(frozen=True)
class ColumnNeighbours:
    """The installments just before and just after an article in its column, or ``None``."""

    previous: Article | None = None
    next: Article | None = None

    def __bool__(self):
        return self.previous is not None or self.next is not None

    @property
    def pks(self):
        return [article.pk for article in (self.previous, self.next) if article is not None]


@dataclass(frozen=True)
class FurtherReading:
    """What the article page offers after the article.

    ``neighbours``: its previous and next installments in its column. ``related``: up to
    ``RELATED_LIMIT`` articles sharing its tags, most shared tags first, then the latest,
    each with ``shared_tags``; never one of the neighbours, nor the article's original or
    one of its translations. ``translations``: see :func:`public_translations`.
    """

    neighbours: ColumnNeighbours = field(default_factory=ColumnNeighbours)
    related: list = field(default_factory=list)
    translations: list = field(default_factory=list)


def further_reading(article, *, limit=RELATED_LIMIT):
    """The neighbours, related articles and translations of ``article``, in one query.

    Each is a part of one ``UNION ALL`` that names its role in a column: the translations;
    the previous and next installments in the column (unless the article is in none); the
    related articles (unless it has no tags), ranked by the tags they share with it among
    the ``RELATED_CANDIDATES`` articles filed most recently under those tags. Reads the
    article's tags from ``article.tags.all()``, loaded with the article on its page.
    Remembers the translations on ``article`` for :func:`public_translations`.
    """
    in_column = article.column_id is not None and article.published_at is not None
    found = {"translation": [], "neighbour": [], "related": []}
    reading = _further_reading(
        limit,
        now=timezone.now(),
        article_id=article.pk,
        original_id=article.translation_of_id or article.pk,
        column_id=article.column_id if in_column else None,
        published_at=article.published_at if in_column else None,
        tag_ids=[tag.pk for tag in article.tags.all()],
    )
    for other in reading:
        found[other.reading_role].append(other)

    ours = (article.published_at, article.pk)
    neighbours = ColumnNeighbours(
        previous=next((n for n in found["neighbour"] if (n.published_at, n.pk) < ours), None),
        next=next((n for n in found["neighbour"] if (n.published_at, n.pk) > ours), None),
    )
    related = sorted(
        (other for other in found["related"] if other.pk not in neighbours.pks),
        key=lambda other: (other.shared_tags, other.published_at, other.pk),
        reverse=True,
    )[:limit]
    translations = _choose_translations(
        other for other in found["translation"] if other.language != article.language
    )
    setattr(article, _TRANSLATIONS_CACHE, translations)
    return FurtherReading(neighbours=neighbours, related=related, translations=translations)


@prepared_query(Article)
def _further_reading(limit, *, now, article_id, original_id, column_id, published_at, tag_ids):
    """The union of :func:`further_reading`, compiled once per shape: with or without a
    column, and per number of tags."""
    others = Article.objects.published(now=now).exclude(pk=article_id)
    family = _family(original_id, article_id)
    parts = [_reading_part(others.filter(family), "translation")]
    if column_id is not None:
        neighbours = _neighbours(others, column_id, published_at, article_id)
        parts.append(_reading_part(others.filter(neighbours), "neighbour"))
    if tag_ids:
        # Two more than shown: the neighbours, if among them, are left out below.
        # Built once for both: annotate() resolves a copy of it each time.
        shared_tags = _shared_tags(tag_ids)
        best = _related_ranking(article_id, others.exclude(family), tag_ids, shared_tags)
        parts.append(
            _reading_part(
                others.filter(pk__in=best[: limit + 2]), "related", shared_tags=shared_tags
            )
        )
    return parts[0].union(*parts[1:], all=True)


def public_translations(article):
    """``article``'s published translations, at most one per language other than its own,
    in ``LANGUAGES`` order.

    A translation is the article this one translates, one that translates it, or another
    translation of the same original. Where a language has several, the original wins, then
    the newest. One query, unless :func:`further_reading` has found them already; remembered
    on ``article`` for the rest of the page.
    """
    cached = getattr(article, _TRANSLATIONS_CACHE, None)
    if cached is None:
        found = (
            Article.objects.published()
            .exclude(pk=article.pk)
            .filter(_family_of(article))
            .exclude(language=article.language)
            .only("slug", "title", "published_at", "language", "translation_of")
        )
        cached = _choose_translations(found)
        setattr(article, _TRANSLATIONS_CACHE, cached)
    return cached


def _family_of(article):
    """``article``'s original and the translations of the same original (itself included)."""
    return _family(article.translation_of_id or article.pk, article.pk)


def _family(original_id, article_id):
    return Q(pk=original_id) | Q(translation_of_id__in=[original_id, article_id])


def _choose_translations(candidates):
    chosen = {}
    for candidate in sorted(
        candidates,
        key=lambda other: (
            other.translation_of_id is not None,
            -other.published_at.timestamp(),
            -other.pk,
        ),
    ):
        chosen.setdefault(candidate.language, candidate)
    return [chosen[code] for code, _name in settings.LANGUAGES if code in chosen]


def _neighbours(others, column_id, published_at, article_id):
    """The installments of ``others`` just before and after an article in its column, as a
    filter of two subqueries: by publication time, then by id for two published at the same
    minute.

    Each states its bound on the time on its own (``published_at <= t and (published_at < t
    or id < pk)``, not ``published_at < t or (published_at = t and id < pk)``), so that the
    column's index is read from that time on even in a plan made for any values (a prepared
    statement's generic plan), not scanned from the column's end."""
    siblings = others.filter(column_id=column_id).order_by()
    earlier = Q(published_at__lte=published_at) & (
        Q(published_at__lt=published_at) | Q(pk__lt=article_id)
    )
    later = Q(published_at__gte=published_at) & (
        Q(published_at__gt=published_at) | Q(pk__gt=article_id)
    )
    previous = siblings.filter(earlier).order_by("-published_at", "-pk").values("pk")[:1]
    following = siblings.filter(later).order_by("published_at", "pk").values("pk")[:1]
    return Q(pk=Subquery(previous)) | Q(pk=Subquery(following))


def _shared_tags(tag_ids):
    """How many of ``tag_ids`` the outer article has."""
    shared = (
        TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag_id__in=tag_ids)
        .order_by()
        .values("content_object")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(shared, output_field=IntegerField()), 0)


def _related_ranking(article_id, candidates, tag_ids, shared_tags):
    """A subquery: the pks of ``candidates`` sharing ``tag_ids``, most shared first, then
    the latest, among the ``RELATED_CANDIDATES`` filed most recently under those tags.

    "Most recently filed" goes by article id, which the tag index orders (and which follows
    the order articles are written in): the window is read from the index alone, however
    many articles a tag has. ``shared_tags`` is ``_shared_tags(tag_ids)``.
    """
    latest_filed = (
        TaggedArticle.objects.filter(tag_id__in=tag_ids)
        .exclude(content_object_id=article_id)
        .order_by("-content_object_id")
        .values("content_object_id")
        .distinct()[:RELATED_CANDIDATES]
    )
    return (
        candidates.filter(pk__in=latest_filed)
        .annotate(shared_tags=shared_tags)
        .order_by("-shared_tags", "-published_at", "-pk")
        .values("pk")
    )


def _reading_part(articles, role, *, shared_tags=None):
    """One part of further reading's union: ``articles`` with what is shown of them, their
    ``reading_role`` and (for related articles) ``shared_tags``, the ``_shared_tags()``
    expression."""
    return (
        articles.select_related("column")
        .only(*_READING_FIELDS)
        .annotate(
            reading_role=Value(role, output_field=CharField()),
            shared_tags=Value(0) if shared_tags is None else shared_tags,
        )
        .order_by()
    )


def most_discussed(*, days=MOST_DISCUSSED_DAYS, limit=MOST_DISCUSSED_LIMIT):
    """Up to ``limit`` public articles with the most approved comments posted in the last
    ``days`` days, most first (then the most recent), in one query; articles without such
    a comment are left out. Each carries ``recent_comment_count`` and its column.

    It starts from the week's approved comments (a range of the ``comment_queue`` index),
    not from the articles: only the articles those comments name are counted, each from the
    ``comment_thread`` index, so the cost follows the week's comments, not the archive's.
    """
    since = timezone.now() - datetime.timedelta(days=days)
    recent = Comment.objects.filter(status=Comment.Status.APPROVED, created_at__gte=since)
    recent_count = (
        recent.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return list(
        Article.objects.published()
        .filter(pk__in=recent.order_by().values("article_id"))
        .annotate(recent_comment_count=Subquery(recent_count, output_field=IntegerField()))
        .select_related("column")
        .defer("body", "search_vector")
        .order_by("-recent_comment_count", "-published_at", "-pk")[:limit]
    )
