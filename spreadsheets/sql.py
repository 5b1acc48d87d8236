"""Rows written in as few SQL statements as the database allows, for the bulk page path.

``insert_rows`` inserts model rows (or ``Row`` value holders, for rows nobody needs as model
instances) in statements as long as the database's parameter limit allows, optionally returning
columns; ``update_rows`` does the same for updates. Plugins use ``Row`` and ``insert_rows`` for
the companion rows of new pages (``bulk_create_page_companions``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from django.db import connections
from django.db.models import (
    Case,
    JSONField,
    Model,
    Value,
    When,
)
from django.db.models import fields as model_fields
from django.db.models.fields.related import ForeignKey
from django.db.models.functions import Cast

if TYPE_CHECKING:
    pass

BATCH_SIZE = 500

#: Tree columns: computed here on creation, never written back from an instance on update (a
#: stale instance would otherwise undo a concurrent ``numchild`` change).
TREE_FIELDS = {"path", "depth", "numchild", "url_path"}




def chunks(items: Sequence, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _max_params(using: str) -> int:
    """Bind parameters one statement may carry: SQLite's real compile-time limit (32,766 since
    3.32; Django assumes 999), PostgreSQL's 65,535."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    if connection.vendor == "postgresql":
        return 65535
    return connection.features.max_query_params or 65535


class Row:
    """The values of one row to insert, read by the fields as they read a model instance's
    (``pre_save()``, ``get_db_prep_save()``). For the rows nobody needs as instances — log
    entries, revisions, private twins — ``Model.__init__`` would cost more than the insert itself.
    Columns not given take the field's default."""

    _defaults: dict = {}

    def __init__(self, model: type[Model], **values):
        defaults = Row._defaults.get(model)
        if defaults is None:  # fixed defaults once per model, callable ones (uuid4…) per row
            defaults = Row._defaults[model] = [
                (
                    field.attname,
                    field.get_default if callable(field.default) else field.get_default(),
                )
                for field in model._meta.concrete_fields
            ]
        for attname, default in defaults:
            if attname not in values:
                values[attname] = default() if callable(default) else default
        self.__dict__.update(values)


#: Field classes whose database value is the Python value itself when it is of the given type
#: (what their ``get_prep_value()`` returns unchanged): ``insert_rows`` skips their conversion
#: — most of a page's columns; every other value goes through ``get_db_prep_save()`` as in
#: Django's own compiler.
_TEXT, _INTEGER = (str,), (int,)
PLAIN_FIELDS: dict[type, tuple[type, ...]] = {
    model_fields.CharField: _TEXT,
    model_fields.TextField: _TEXT,
    model_fields.SlugField: _TEXT,
    model_fields.URLField: _TEXT,
    model_fields.EmailField: _TEXT,
    model_fields.BooleanField: (bool,),
    model_fields.IntegerField: _INTEGER,
    model_fields.SmallIntegerField: _INTEGER,
    model_fields.BigIntegerField: _INTEGER,
    model_fields.PositiveIntegerField: _INTEGER,
    model_fields.PositiveSmallIntegerField: _INTEGER,
    model_fields.PositiveBigIntegerField: _INTEGER,
    model_fields.AutoField: _INTEGER,
    model_fields.BigAutoField: _INTEGER,
}
#: Field classes that store ``None`` as SQL ``NULL`` without converting it.
NULL_AS_IS_FIELDS = set(PLAIN_FIELDS) | {
    model_fields.DateTimeField,
    model_fields.DateField,
    model_fields.UUIDField,
    model_fields.DecimalField,
    model_fields.FloatField,
    JSONField,
}
#: ``pre_save()`` implementations that only read the attribute (unless auto_now/auto_now_add).
READING_PRE_SAVES = {
    model_fields.Field.pre_save,
    model_fields.DateField.pre_save,
    model_fields.DateTimeField.pre_save,
}


def _value_reader(field, connection, *, raw: bool) -> Callable[[object], object]:
    """How ``insert_rows`` gets a field's database value from an instance: what Django's
    compiler does (``pre_save()``, then ``get_db_prep_save()``), minus the calls that cannot
    change the value — they are most of the cost for a page's thirty-odd columns."""
    attname = field.attname
    target = field.target_field if isinstance(field, ForeignKey) else field
    plain_types = PLAIN_FIELDS.get(type(target), ())
    null_as_is = type(target) in NULL_AS_IS_FIELDS
    reads_attribute = raw or (
        type(field).pre_save in READING_PRE_SAVES
        and not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    )
    prepare = field.get_db_prep_save
    is_datetime = isinstance(field, model_fields.DateField)
    prepared: dict = {}  # the same timestamp is written many times per batch

    def read(obj):
        value = getattr(obj, attname) if reads_attribute else field.pre_save(obj, True)
        if value is None and null_as_is:
            return None
        if type(value) in plain_types:
            return value
        if is_datetime:
            if value not in prepared:
                prepared[value] = prepare(value, connection=connection)
            return prepared[value]
        return prepare(value, connection=connection)

    return read


def insert_rows(
    model: type[Model],
    objs: list[Model],
    *,
    using: str,
    fields=None,
    returning=None,
    on_conflict=None,
    raw: bool = False,
) -> list[tuple]:
    """``INSERT`` ``objs`` in statements as long as the parameter limit allows; returns the
    ``returning`` columns of each row, in no promised order: callers match them to their
    objects on a unique column (a page's path, a revision's page id), not by position.
    With ``raw``, values are taken as they are, ``auto_now`` included (``Row`` objects, whose
    timestamps are the call's).

    The SQL is the one Django's insert compiler writes (same quoting, ``INSERT OR IGNORE`` /
    ``ON CONFLICT DO NOTHING``, ``RETURNING``), with the values prepared by the fields
    themselves; building it directly costs a third of the compiler's time per value."""
    connection = connections[using]
    if fields is None:
        fields = [
            field
            for field in model._meta.local_concrete_fields
            if not (field.primary_key and field.db_returning)
        ]
    if any(hasattr(field, "get_placeholder") for field in fields):  # pragma: no cover
        return _insert_with_compiler(model, objs, using, fields, returning, on_conflict)
    quote = connection.ops.quote_name
    head = "{} {} ({})".format(
        connection.ops.insert_statement(on_conflict=on_conflict),
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
    )
    tail = connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None) or ""
    if returning:
        returning_sql, _params = connection.ops.return_insert_columns(returning)
        tail = f"{tail} {returning_sql}"
    readers = [_value_reader(field, connection, raw=raw) for field in fields]
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        if _unnestable(fields, connection):
            # PostgreSQL: one array per column, as Django's own compiler does since 5.2 — a
            # statement of thirty placeholders, not thirty per row, for psycopg and the planner.
            db_types = [field.db_type(connection).split("(")[0] for field in fields]
            columns_sql = ", ".join(f"(%s)::{db_type}[]" for db_type in db_types)
            # Identifiers and types come from the models' metadata; values are parameters.
            sql = f"{head} SELECT * FROM UNNEST({columns_sql}) {tail}"  # noqa: S608
            for chunk in chunks(objs, BATCH_SIZE * 10):
                cursor.execute(sql, [[read(obj) for obj in chunk] for read in readers])
                if returning:
                    rows.extend(cursor.fetchall())
            return rows
        row_sql = "({})".format(", ".join(["%s"] * len(fields)))
        per_statement = max(1, _max_params(using) // max(1, len(fields)))
        for chunk in chunks(objs, per_statement):
            params = [read(obj) for obj in chunk for read in readers]
            cursor.execute(f"{head} VALUES {', '.join([row_sql] * len(chunk))} {tail}", params)
            if returning:
                rows.extend(cursor.fetchall())
    return rows


def _unnestable(fields, connection) -> bool:
    """Django's own test (``SQLInsertCompiler.assemble_as_sql`` for PostgreSQL): columns of
    standard types only."""
    return connection.vendor == "postgresql" and all(
        (field.target_field if field.is_relation else field).get_internal_type()
        in connection.data_types
        for field in fields
    )


def _insert_with_compiler(model, objs, using, fields, returning, on_conflict) -> list[tuple]:
    """Django's own insert, for fields that need a placeholder of their own (GIS, ranges)."""
    per_statement = max(1, _max_params(using) // max(1, len(fields)))
    rows: list[tuple] = []
    for chunk in chunks(objs, per_statement):
        result = model._base_manager.using(using)._insert(
            chunk, fields=fields, returning_fields=returning, using=using, on_conflict=on_conflict
        )
        if returning:
            rows.extend(result)
    return rows


def save_new_rows(model: type[Model], objs: list[Model], *, using: str) -> None:
    """Insert objects of a one-table model and give them their ids.

    The one place ids are matched by position: child rows (a person's links) have no unique
    column to match on, so this relies on rows coming back in insertion order, as Django's own
    ``bulk_create()`` does on SQLite and PostgreSQL."""
    pk = model._meta.pk
    rows = insert_rows(model, objs, using=using, returning=[pk])
    for obj, (value,) in zip(objs, rows, strict=True):
        setattr(obj, pk.attname, value)
        obj._state.adding = False
        obj._state.db = using


def update_rows(
    model: type[Model],
    objs: list[Model],
    attnames: list[str],
    *,
    using: str,
    constants: dict | None = None,
) -> None:
    """One ``UPDATE … SET col = CASE pk WHEN … END`` per table and parameter budget, as
    ``bulk_update()`` builds it but without its 999-parameter batches on SQLite; ``constants``
    are the same for every row."""
    connection = connections[using]
    fields = [model._meta.get_field(name) for name in attnames]
    per_statement = max(1, (_max_params(using) - 10) // (2 * len(fields) + 1))
    cast = connection.features.requires_casted_case_in_updates
    queryset = model._base_manager.using(using)
    for chunk in chunks(objs, per_statement):
        values = dict(constants or {})
        for field in fields:
            case = Case(
                *[
                    When(pk=obj.pk, then=Value(getattr(obj, field.attname), output_field=field))
                    for obj in chunk
                ],
                output_field=field,
            )
            values[field.attname] = Cast(case, output_field=field) if cast else case
        queryset.filter(pk__in=[obj.pk for obj in chunk]).update(**values)
