"""Database expressions Django does not ship for every database we run on."""

from django.db.models import Aggregate, JSONField


class JSONRows(Aggregate):
    """The values of a group's rows gathered into one JSON array: ``jsonb_agg`` on
    PostgreSQL, ``json_group_array`` on SQLite. Pair it with ``JSONObject`` to carry several
    columns per row.

    The array's order is unspecified (neither database keeps one across plans without an
    ``ORDER BY`` inside the aggregate, which Django 5.2 compiles for PostgreSQL only): put
    the sort keys in the objects and sort after reading.
    """

    function = "JSONB_AGG"
    name = "JSONRows"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)
