"""What the public pages offer to read next: an article's neighbours in its column, the
articles that share its tags, and the articles readers discussed most this week.

Each is one query, whatever the number of tags, articles or comments, and reads only public
articles (``Article.objects.published()``).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, Subquery
from django.utils import timezone

from .models import Article, Comment

RELATED_LIMIT = 4
MOST_DISCUSSED_LIMIT = 5
MOST_DISCUSSED_DAYS = 7

# What a link to a neighbour shows: its title (the column is the current article's own).
_NEIGHBOUR_FIELDS = ("pk", "slug", "title", "published_at", "language")


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


def column_neighbours(article):
    """The public installments before and after ``article`` in its column, in one query.

    Installments are ordered by publication time, then by id for two published at the same
    minute; drafts, scheduled and expired articles are skipped. An article outside any
    column has no neighbours and costs no query.
    """
    if article.column_id is None or article.published_at is None:
        return ColumnNeighbours()
    siblings = Article.objects.published().filter(column_id=article.column_id).order_by()
    when, pk = article.published_at, article.pk
    earlier = Q(published_at__lt=when) | Q(published_at=when, pk__lt=pk)
    later = Q(published_at__gt=when) | Q(published_at=when, pk__gt=pk)
    previous_pk = siblings.filter(earlier).order_by("-published_at", "-pk").values("pk")[:1]
    next_pk = siblings.filter(later).order_by("published_at", "pk").values("pk")[:1]
    found = Article.objects.filter(Q(pk=Subquery(previous_pk)) | Q(pk=Subquery(next_pk))).only(
        *_NEIGHBOUR_FIELDS
    )
    previous = following = None
    for neighbour in found:
        if (neighbour.published_at, neighbour.pk) < (when, pk):
            previous = neighbour
        else:
            following = neighbour
    return ColumnNeighbours(previous=previous, next=following)


def related_articles(article, *, exclude=(), limit=RELATED_LIMIT):
    """Up to ``limit`` public articles sharing tags with ``article``, most shared tags first,
    then the most recent; never ``article`` itself nor the articles in ``exclude``.

    Reads the article's tags from ``article.tags.all()`` (prefetched on the article page),
    then runs one query; an article without tags has no related articles and costs none.
    Each result carries ``shared_tags`` and its column, for the kicker.
    """
    tag_ids = [tag.pk for tag in article.tags.all()]
    if not tag_ids:
        return []
    return list(
        Article.objects.published()
        # The filter comes before the count, so only the shared tags are counted.
        .filter(tags__in=tag_ids)
        .exclude(pk__in=[article.pk, *exclude])
        .annotate(shared_tags=Count("tags"))
        .select_related("column")
        .defer("body", "search_vector")
        .order_by("-shared_tags", "-published_at", "-pk")[:limit]
    )


def most_discussed(*, days=MOST_DISCUSSED_DAYS, limit=MOST_DISCUSSED_LIMIT):
    """Up to ``limit`` public articles with the most approved comments posted in the last
    ``days`` days, most first (then the most recent), in one query; articles without such
    a comment are left out. Each carries ``recent_comment_count`` and its column."""
    since = timezone.now() - datetime.timedelta(days=days)
    recent_approved = Q(comments__status=Comment.Status.APPROVED, comments__created_at__gte=since)
    return list(
        Article.objects.published()
        .annotate(recent_comment_count=Count("comments", filter=recent_approved))
        .filter(recent_comment_count__gt=0)
        .select_related("column")
        .defer("body", "search_vector")
        .order_by("-recent_comment_count", "-published_at", "-pk")[:limit]
    )
