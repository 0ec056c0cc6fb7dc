"""Model instances from plain-SQL rows, for the few hot reads (the article page) where the ORM
spends longer compiling a query and building its results than the database spends answering it.

``columns(Model, ...)`` gives a model's select list and turns the matching slice of a row into a
record (a named tuple of the values, converted as the ORM converts them: SQLite returns times
as text and booleans as integers, JSON arrives as text) and into an instance, through
``Model.from_db()``. Only SQL text and converters are kept between requests, never data.

``fetch_all()`` runs such a statement. On PostgreSQL it binds the parameters on the server, so
psycopg can keep the statement prepared on the connection (settings: ``prepare_threshold``):
parsing and planning these statements took PostgreSQL longer than running them.

``published_condition()`` is ``published()``'s condition compiled once for such statements, so
what readers may see keeps its one definition (``ArticleQuerySet.published``).
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connection, models
from django.utils import timezone

from articles.models import Article

ModelT = TypeVar("ModelT", bound=models.Model)


class Columns(Generic[ModelT]):
    """Columns of one model's table in a plain-SQL select list, and the records and instances their
    values make. ``annotations`` name extra columns the statement selects after them."""

    def __init__(
        self, model: type[ModelT], field_names: tuple[str, ...], annotations: tuple[str, ...]
    ) -> None:
        self.model = model
        # In the model's field order, which is the order Model.from_db() expects the values in.
        self.fields = tuple(
            f for f in model._meta.concrete_fields if not field_names or f.attname in field_names
        )
        self.attnames = [field.attname for field in self.fields]
        self.annotations = annotations
        self.pk_index = self.fields.index(model._meta.pk)
        self.Record = cast(
            Any, collections.namedtuple(f"{model.__name__}Record", [*self.attnames, *annotations])
        )
        self._select_lists: dict[str, str] = {}
        self._converters: dict[str, list[tuple[int, list[Callable], models.Expression]]] = {}

    def __len__(self) -> int:
        """Return how many columns of a row are this model's, annotations included."""
        return len(self.fields) + len(self.annotations)

    @property
    def table(self) -> str:
        """Return the model's table name, quoted."""
        return connection.ops.quote_name(self.model._meta.db_table)

    def select_list(self) -> str:
        """Return the fields' columns, each qualified by its table's name, for a SELECT."""
        text = self._select_lists.get(connection.vendor)
        if text is None:
            quote, table = connection.ops.quote_name, self.table
            # Concrete fields always have a column; the stubs allow None for the others.
            text = ", ".join(f"{table}.{quote(field.column)}" for field in self.fields)  # type: ignore[arg-type]
            self._select_lists[connection.vendor] = text
        return text

    def record(self, row: Sequence, start: int = 0) -> Any:
        """Return the record ``row`` holds from column ``start`` on, its values converted."""
        return self._record(row, start, self._converters_now())

    def records(self, rows: Sequence[Sequence], start: int = 0) -> list:
        """Return the records of ``rows``, looking up the converters once for them all."""
        converters = self._converters_now()
        return [self._record(row, start, converters) for row in rows]

    def _record(self, row: Sequence, start: int, converters: list) -> Any:
        values = list(row[start : start + len(self)])
        for index, field_converters, expression in converters:
            value = values[index]
            for converter in field_converters:
                value = converter(value, expression, connection)
            values[index] = value
        return self.Record._make(values)

    def from_record(self, record: Any) -> ModelT:
        """Return the instance ``record`` holds, its annotations set as attributes."""
        instance = self.model.from_db(DEFAULT_DB_ALIAS, self.attnames, list(record[: len(self.fields)]))
        for name in self.annotations:
            setattr(instance, name, getattr(record, name))
        return instance

    def instance(self, row: Sequence, start: int = 0) -> ModelT | None:
        """Return the instance ``row`` holds from column ``start`` on; None where a LEFT JOIN found none."""
        if row[start + self.pk_index] is None:
            return None
        return self.from_record(self.record(row, start))

    def _converters_now(self) -> list[tuple[int, list[Callable], models.Expression]]:
        """Return, for each column that needs them, the converters the ORM would apply on this backend."""
        # Per backend, not per connection: the converters depend only on the backend and the field.
        found = self._converters.get(connection.vendor)
        if found is None:
            found = []
            for index, field in enumerate(self.fields):
                expression = field.get_col(field.model._meta.db_table)
                # In the ORM's order (SQLCompiler.get_converters): the backend's, then the field's.
                converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(
                    connection
                )
                if converters:
                    found.append((index, converters, expression))
            self._converters[connection.vendor] = found
        return found


@functools.cache
def columns(model: type[ModelT], *field_names: str, annotations: tuple[str, ...] = ()) -> Columns[ModelT]:
    """Return the ``Columns`` of ``model``: the fields named (attribute names), or all of them."""
    return Columns(model, field_names, annotations)


def fetch_all(sql: str, params: Sequence, prepare: bool = True) -> list[tuple]:
    """Return the rows ``sql`` selects, through a cursor PostgreSQL may keep the statement prepared on.

    ``prepare=False`` for a statement whose best plan depends on its parameters (how common a
    searched word is): a prepared statement soon runs one generic plan for every value.
    """
    if not prepare:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with _preparable_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextlib.contextmanager
def _preparable_cursor() -> Iterator:
    """Yield Django's cursor; on PostgreSQL one that binds parameters on the server, as only
    such statements can be prepared (Django's own cursors bind on the client)."""
    # While queries are logged (DEBUG, tests counting queries) the plain cursor: psycopg keeps
    # no text of a prepared statement it runs, and the log would show None.
    if connection.vendor != "postgresql" or connection.queries_logged:
        with connection.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    database = connection.connection
    # Only the cursor class changes: connection.cursor() still checks the connection's health and
    # wraps the cursor for query logging and error translation.
    client_binding, database.cursor_factory = database.cursor_factory, ServerBindingCursor
    try:
        cursor = connection.cursor()
    finally:
        database.cursor_factory = client_binding
    with cursor:
        yield cursor


# A time no article is published at: it shows where the time goes in published()'s compiled SQL.
_STAND_IN_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def published_condition() -> tuple[str, list]:
    """Return ``published()``'s condition on the article table, as SQL and parameters, for now."""
    sql, compiled_params, time_index = compiled_published_condition(connection.vendor)
    params = list(compiled_params)
    params[time_index] = database_time(timezone.now())
    return sql, params


@functools.cache
def compiled_published_condition(vendor: str) -> tuple[str, tuple, int]:
    """Return ``published()``'s WHERE clause compiled for ``vendor``, its parameters, and which is the time.

    Compiled once per process: only the SQL text is kept, the time is put in at each use.
    """
    query = Article.objects.published(at=_STAND_IN_TIME).query
    sql, params = query.where.as_sql(query.get_compiler(connection=connection), connection)
    return f"({sql})", tuple(params), params.index(database_time(_STAND_IN_TIME))


def database_time(moment: dt.datetime):
    """Return ``moment`` as the database compares it with ``published_at`` (text on SQLite), for plain SQL."""
    return Article._meta.get_field("published_at").get_db_prep_value(moment, connection)
