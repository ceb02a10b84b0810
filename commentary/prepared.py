"""Queries built and compiled to SQL once per process, then run with each request's values.

On a page that shows one article, building its QuerySets and compiling them costs more than
running them: every request resolves the same filters, copies the same expressions and sets
up the same joins to arrive at the same SQL. A :class:`PreparedQuery` wraps a function that
builds a QuerySet from keyword values. The first call for a database builds it from stand-in
values, compiles it and keeps the SQL; every call then runs that SQL with its own values and
turns the rows into what the QuerySet would have returned, through the QuerySet's own
iterable class and compiler (field converters, ``select_related``, annotations,
``prefetch_related``)::

    @prepared_query(Article)
    def public_article(*, slug, now):
        return Article.objects.published(now=now).filter(slug=slug)

    articles = public_article(slug="the-slug", now=timezone.now())  # a list

Which keyword values become SQL parameters, and which decide the query's shape:

* an ``int``, ``str``, ``datetime`` or ``date`` (a ``TextChoices`` member is a ``str``) is a
  parameter: the SQL is compiled once, whatever its value;
* a non-empty list or tuple of one of those types is a list of parameters (``pk__in=...``):
  the SQL is compiled once per length;
* anything else (``None``, a ``bool``, an empty list, any hashable value) is part of the
  shape: it reaches the function as it is, and the SQL is compiled once per value. So is
  every positional argument.

The SQL is compiled twice, from two sets of stand-ins, and must come out the same, with each
parameter found in it and every other parameter equal both times. So a function that inlines
a parameter into the SQL (a slice's bound), transforms it (``__contains`` wraps it in ``%``),
turns it into ``IS NULL``, or reads the clock instead of taking the time as a parameter, fails
at its first call, loudly, instead of returning another request's rows. What a check cannot
see is left to the function: its QuerySet must depend on nothing but its arguments (not on
the active language, say). Querysets of a related manager (``article.comments``) are refused:
the related object they remember would be a stand-in.

The compiled SQL is kept per database alias and vendor and forgotten when a setting changes
(``override_settings`` in tests). The database is the one the routers choose for reading the
model, unless ``using`` names one.

On PostgreSQL the SQL also runs as a prepared statement of the database session, so that
PostgreSQL plans it once per session rather than at every run (see
:func:`_execute_prepared`; a pooler that shares sessions between clients needs it off). The
plan it keeps is one made for any values (a generic plan), once PostgreSQL finds it no worse
than those made for the values at hand: write the queries so that such a plan is good (a
range bound stated on its own rather than inside an ``OR``, see
``commentary.related._neighbours``).
"""

import copy
import datetime
import functools
import itertools
import re
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import connections, router
from django.db.models import prefetch_related_objects

# Compiled queries: (PreparedQuery, alias, vendor, shape, values described) -> _Compiled.
_compiled = {}

_UTC = datetime.UTC
# Adapters that a field applies to a value before it becomes a parameter (e.g. SQLite writes
# datetimes as text): the name of the DatabaseOperations method, or None for the value as is.
_ADAPTERS = {
    "int": (None,),
    "str": (None,),
    "date": (None, "adapt_datefield_value"),
    "datetime": (None, "adapt_datetimefield_value"),
    "naive datetime": (None, "adapt_datetimefield_value"),
}


class PreparationError(Exception):
    """The function's SQL cannot be reused with other values (see the module's docstring)."""


def _kind(value):
    """The parameter kind of ``value``, or None when it is not a parameter."""
    if isinstance(value, bool):
        return None
    if isinstance(value, datetime.datetime):
        return "datetime" if value.tzinfo is not None else "naive datetime"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, int):
        return "int"
    if isinstance(value, str):
        return "str"
    return None


def _describe(value):
    """How ``value`` takes part in the compiled query: ("param", kind), ("list", kind,
    length) or ("shape", value)."""
    kind = _kind(value)
    if kind is not None:
        return ("param", kind)
    if isinstance(value, list | tuple) and value:
        kinds = {_kind(item) for item in value}
        if len(kinds) == 1 and None not in kinds:
            return ("list", kinds.pop(), len(value))
        raise TypeError("A list of values must hold values of one parameter type.")
    if isinstance(value, list | tuple):
        return ("shape", ())
    hash(value)  # a shape value keys the compiled SQL
    return ("shape", value)


def _stand_in(kind, number, round_):
    """A value of ``kind`` that no query holds by chance, different for each ``number``
    (the parameter) and ``round_`` (the compilation). Integers stay small enough for every
    integer field's range, which Django checks when it compiles a lookup."""
    if kind == "int":
        return 20011 + 2 * number + round_
    if kind == "str":
        return f"\ue000prepared:{number}:{round_}"
    if kind == "date":
        return datetime.date(2001, 1, 1) + datetime.timedelta(days=2 * number + round_)
    moment = datetime.datetime(2001, 1, 1, tzinfo=_UTC if kind == "datetime" else None)
    return moment + datetime.timedelta(minutes=number, microseconds=1 + round_)


@dataclass(frozen=True)
class _Slot:
    """Where a value goes in the parameters: ``position``, from the keyword value ``name``
    (its item ``index`` for a list), through the operations' method ``adapter``."""

    position: int
    name: str
    index: int | None
    adapter: str | None


@dataclass(frozen=True, eq=False)
class _Compiled:
    sql: str | None  # None: the query matches nothing whatever its values (EmptyResultSet)
    params: tuple
    slots: tuple
    queryset: object
    compiler: object

    @functools.cached_property
    def slot_positions(self):
        return {slot.position for slot in self.slots}

    @functools.cached_property
    def _statement_parameters(self):
        """For each parameter of the SQL, the number of the prepared statement's parameter
        it is (or None for a constant), and the SQL position each of those numbers reads:
        a value used several times (the time) is one parameter of the statement."""
        numbers, positions, by_value = [], [], {}
        slots = {slot.position: slot for slot in self.slots}
        for position in range(len(self.params)):
            slot = slots.get(position)
            if slot is None:
                numbers.append(None)
                continue
            key = (slot.name, slot.index, slot.adapter)
            if key not in by_value:
                positions.append(position)
                by_value[key] = len(positions)
            numbers.append(by_value[key])
        return tuple(numbers), tuple(positions)

    @property
    def statement_numbers(self):
        return self._statement_parameters[0]

    @property
    def statement_positions(self):
        return self._statement_parameters[1]

    def bind(self, values, operations):
        params = list(self.params)
        for slot in self.slots:
            value = values[slot.name]
            if slot.index is not None:
                value = value[slot.index]
            if slot.adapter is not None:
                value = getattr(operations, slot.adapter)(value)
            params[slot.position] = value
        return params


class _CompiledQuery:
    """Stands for the QuerySet's query in its iterable class: compiling it gives the compiler
    that holds the rows already read."""

    def __init__(self, query, compiler):
        self._query = query
        self._compiler = compiler

    def __getattr__(self, name):
        return getattr(self._query, name)

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler


class _ReadQuerySet:
    """Stands for the QuerySet in its iterable class (``ModelIterable`` and the others)."""

    def __init__(self, queryset, db, compiler):
        self._queryset = queryset
        self.db = db
        self.query = _CompiledQuery(queryset.query, compiler)

    def __getattr__(self, name):
        return getattr(self._queryset, name)


class PreparedQuery:
    """A QuerySet built by ``build`` from keyword values, compiled once per database and
    shape: see the module's docstring. Calling it returns the QuerySet's objects as a list."""

    def __init__(self, model, build):
        self.model = model
        self.build = build
        functools.update_wrapper(self, build)

    def __repr__(self):
        return f"<PreparedQuery {self.build.__module__}.{self.build.__qualname__}>"

    def queryset(self, *shape, **values):
        """The QuerySet itself, built for ``values`` (to compare or to chain further)."""
        return self.build(*shape, **values)

    def __call__(self, *shape, using=None, **values):
        alias = using or router.db_for_read(self.model)
        connection = connections[alias]
        described = tuple((name, _describe(value)) for name, value in sorted(values.items()))
        key = (self, alias, connection.vendor, shape, described)
        compiled = _compiled.get(key)
        if compiled is None:
            compiled = _compiled[key] = self._compile(alias, shape, described)
        if compiled.sql is None:
            return []
        params = compiled.bind(values, connection.ops)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not connection.settings_dict.get(
                "DISABLE_PREPARED_STATEMENTS"
            ):
                _execute_prepared(cursor, connection, compiled, params)
            else:
                cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connection
        if compiler.has_extra_select:
            # Columns selected only to order by, as Django leaves them out.
            rows = [row[: compiler.col_count] for row in rows]
        compiler.execute_sql = lambda *args, **kwargs: [rows]
        queryset = compiled.queryset
        objects = list(queryset._iterable_class(_ReadQuerySet(queryset, alias, compiler)))
        if queryset._prefetch_related_lookups and objects:
            prefetch_related_objects(objects, *queryset._prefetch_related_lookups)
        return objects

    def _compile(self, alias, shape, described):
        builds = [self._build(alias, shape, described, round_) for round_ in (0, 1)]
        (queryset, compiler, sql, params, stand_ins), (_, _, other_sql, other_params, others) = (
            builds
        )
        if sql != other_sql:
            raise PreparationError(
                f"{self!r}: the SQL changes with the values of its parameters; pass what "
                "decides its shape positionally."
            )
        if queryset._known_related_objects:
            raise PreparationError(
                f"{self!r}: build it from the model's manager, not from a related manager."
            )
        if sql is None:
            return _Compiled(None, (), (), queryset, compiler)
        operations = connections[alias].ops
        slots, found, changing = [], set(), False
        for position, (param, other) in enumerate(zip(params, other_params, strict=True)):
            slot = self._slot(position, (param, other), (stand_ins, others), described, operations)
            if slot is not None:
                slots.append(slot)
                found.add(slot.name)
            changing = changing or (slot is None and param != other)
        missing = {name for name, (role, *_rest) in described if role != "shape"} - found
        if missing:
            raise PreparationError(
                f"{self!r}: values that do not reach the SQL as parameters (inlined, "
                f"transformed or unused): {', '.join(sorted(missing))}. Pass them positionally."
            )
        if changing:
            raise PreparationError(
                f"{self!r}: a parameter of its SQL changes from one build to the next "
                "(the time?); pass it as a value."
            )
        return _Compiled(sql, tuple(params), tuple(slots), queryset, compiler)

    def _build(self, alias, shape, described, round_):
        stand_ins, number = {}, 0
        for name, (role, *rest) in described:
            if role == "param":
                stand_ins[name] = _stand_in(rest[0], number, round_)
                number += 1
            elif role == "list":
                kind, length = rest
                stand_ins[name] = [_stand_in(kind, number + i, round_) for i in range(length)]
                number += length
            else:
                stand_ins[name] = list(rest[0]) if rest[0] == () else rest[0]
        queryset = self.build(*shape, **stand_ins)
        compiler = queryset.query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            sql, params = None, ()
        if not sql:
            sql, params = None, ()
        return queryset, compiler, sql, tuple(params), stand_ins

    @staticmethod
    def _slot(position, params, builds, described, operations):
        """The value that the parameter at ``position`` stands for: the pair ``params`` holds
        it as the two ``builds`` of stand-ins wrote it."""
        for name, (role, *rest) in described:
            if role == "shape":
                continue
            kind = rest[0]
            indexes = [None] if role == "param" else range(rest[1])
            for index in indexes:
                written = tuple(
                    build[name] if index is None else build[name][index] for build in builds
                )
                for adapter in _ADAPTERS[kind]:
                    adapted = written
                    if adapter is not None:
                        adapted = tuple(map(getattr(operations, adapter), written))
                    if adapted == params:
                        return _Slot(position, name, index, adapter)
        return None


# Names of PostgreSQL prepared statements: each attempt to prepare one takes a new name, as
# a statement outlives the failure of the query that prepared it.
_statement_numbers = itertools.count(1)
_PLACEHOLDERS = re.compile(r"%%|%s")


def _execute_prepared(cursor, connection, compiled, params):
    """Run ``compiled`` on PostgreSQL as a prepared statement of the session, prepared with
    its first run (in the same round trip): PostgreSQL then plans it once per session
    instead of at every run, which costs a page as much as running its queries.

    The statement takes the values that change (the slots, once each) as its parameters;
    the rest of the parameters are written into it as literals, as psycopg2 writes every
    parameter of a query otherwise. A database behind a pooler that shares sessions between
    clients (PgBouncer in transaction mode) must turn this off: ``DATABASES[alias]
    ["DISABLE_PREPARED_STATEMENTS"] = True``.
    """
    statements = connection.__dict__.get("_prepared_statements")
    if statements is None or statements[0] is not connection.connection:
        # A new session (reconnected): it holds none of the statements of the last one.
        statements = connection._prepared_statements = (connection.connection, {})
    names = statements[1]
    name = names.get(compiled)
    values = [params[position] for position in compiled.statement_positions]
    arguments = f"({', '.join(['%s'] * len(values))})" if values else ""
    if name is not None:
        cursor.execute(f"EXECUTE {name}{arguments}", values)
        return
    name = f"commentary_prepared_{next(_statement_numbers)}"
    numbers = iter(compiled.statement_numbers)
    constants = iter(
        cursor.mogrify("%s", [param]).decode()
        for position, param in enumerate(params)
        if position not in compiled.slot_positions
    )

    def placeholder(match):
        if match.group() == "%%":
            return "%%"
        number = next(numbers)
        return f"${number}" if number is not None else next(constants).replace("%", "%%")

    body = _PLACEHOLDERS.sub(placeholder, compiled.sql)
    cursor.execute(f"PREPARE {name} AS {body}; EXECUTE {name}{arguments}", values)
    names[compiled] = name


def prepared_query(model):
    """Decorate a function that builds a QuerySet of ``model`` into a :class:`PreparedQuery`."""

    def decorate(build):
        return PreparedQuery(model, build)

    return decorate


def forget_compiled_queries(**kwargs):
    """Forget every compiled query: a setting they may depend on has changed."""
    _compiled.clear()


setting_changed.connect(forget_compiled_queries, dispatch_uid="commentary.prepared")
