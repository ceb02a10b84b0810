"""Counting long lists without reading every row.

An exact ``COUNT(*)`` reads every matching row (or index entry): at a million comments that is
a few hundred milliseconds on every page view of the moderation queue or the admin.  Lists
are therefore counted exactly up to a cap, with a LIMITed subquery that stops at the cap
(:func:`capped_counts`, several lists in one query), and past the cap either shown as "more
than N" or, to number pages, estimated by PostgreSQL (:func:`estimated_count`): the table's
``pg_class.reltuples`` for a whole table, the planner's row estimate for a filtered list.
Other databases (SQLite in development) count exactly.
"""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


def _compiled(queryset):
    return queryset.query.get_compiler(using=queryset.db).as_sql()


def capped_counts(querysets, cap):
    """``{key: count}`` for a dict of querysets on one database, in one query: each count is
    exact up to ``cap`` and ``cap + 1`` when there are more."""
    parts, params = [], []
    using = None
    for queryset in querysets.values():
        using = queryset.db
        sql, subquery_params = _compiled(queryset.order_by().values("pk")[: cap + 1])
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")  # noqa: S608 - compiled SQL
        params.extend(subquery_params)
    if not parts:
        return {}
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return dict(zip(querysets, row, strict=True))


def counts_among(queryset, **conditions):
    """``{name: how many rows of queryset meet the SQL condition}``, in one query that reads
    ``queryset`` (sliced, say) once. The conditions name its selected columns; they are
    constants of the caller's, never user input."""
    sql, params = _compiled(queryset)
    counts = ", ".join(
        f"COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"
        for condition in conditions.values()
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"SELECT {counts} FROM ({sql}) AS counted", params)  # noqa: S608
        row = cursor.fetchone()
    return dict(zip(conditions, row, strict=True))


def estimated_count(queryset):
    """PostgreSQL's estimate of how many rows ``queryset`` holds, or ``None`` elsewhere: the
    table's ``reltuples`` when nothing filters it, else the planner's estimate of the
    query's rows (``EXPLAIN``, which runs nothing)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    query = queryset.query
    with connection.cursor() as cursor:
        if not query.where and not query.distinct and query.combinator is None:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [queryset.model._meta.db_table],
            )
            row = cursor.fetchone()
            if row and row[0] >= 0:  # -1: never analysed
                return row[0]
        sql, params = _compiled(queryset.order_by().values("pk"))
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatingPaginator(Paginator):
    """A paginator that counts exactly up to ``exact_up_to`` rows (one LIMITed query) and
    estimates beyond (one more, see :func:`estimated_count`), so that neither a page view nor
    the count grows with the table. ``estimated`` tells which; an estimate too high leaves
    the last pages empty, one too low leaves the last rows off the page links.

    A page of a queryset is read in two steps in one query: the ids of its rows, in order
    (which an index on the ordering can give without reading the rows a deep page skips),
    then those rows with their joins.
    """

    exact_up_to = 10_000

    def __init__(self, *args, exact_up_to=None, **kwargs):
        super().__init__(*args, **kwargs)
        if exact_up_to is not None:
            self.exact_up_to = exact_up_to
        self.estimated = False

    @cached_property
    def count(self):
        if not isinstance(self.object_list, QuerySet):
            return super().count
        counted = capped_counts({"all": self.object_list}, self.exact_up_to)["all"]
        if counted <= self.exact_up_to:
            return counted
        estimate = estimated_count(self.object_list)
        if estimate is None:
            return self.object_list.count()
        self.estimated = True
        return max(estimate, counted)

    def page(self, number):
        number = self.validate_number(number)
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)
