"""No unit is booked twice for overlapping times: a rule the database holds, whichever path
writes a booking (the admin, the member space, an import, a shell).

- On PostgreSQL, an exclusion constraint (``btree_gist``): two active lines of one unit may not
  have overlapping ``[starts_at, blocked_until)`` ranges. Touching ranges are allowed.
- On SQLite, which has no such constraint, triggers refuse the same inserts and updates; the
  site opens every write transaction with ``BEGIN IMMEDIATE`` (``config.settings``), so two
  requests for the same unit are served one after the other and the second sees the first.

The model declares the constraint once (``UnitPeriodExclusion``); it writes no SQL on other
databases, where ``install_sqlite_overlap_triggers`` runs after every ``migrate``.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Func

#: The message SQLite's triggers raise; ``rentals.services`` recognises it.
SQLITE_OVERLAP_MESSAGE = "rentals: unit already booked for these dates"

LINE_TABLE = "rentals_bookingline"


class TimestampRange(Func):
    """``tstzrange(start, end, '[)')``: a half-open range, so that touching periods do not
    overlap."""

    function = "TSTZRANGE"
    output_field = models.Field()

    def __init__(self, start, end, **extra):
        super().__init__(start, end, models.Value("[)"), **extra)


class UnitPeriodExclusion(ExclusionConstraint):
    """The PostgreSQL exclusion constraint of booking lines, silent on other databases
    (SQLite gets triggers instead); ``validate`` works on both, for forms."""

    def __init__(self, *, name, violation_error_message=None):
        super().__init__(
            name=name,
            expressions=[
                ("unit", RangeOperators.EQUAL),
                (TimestampRange("starts_at", "blocked_until"), RangeOperators.OVERLAPS),
            ],
            condition=models.Q(active=True),
            violation_error_message=violation_error_message,
        )

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        for key in ("expressions", "condition", "index_type"):
            kwargs.pop(key, None)
        return path, args, kwargs

    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using="default"):
        """The same rule read as an ordinary query, on every database."""
        if exclude and {"unit", "starts_at", "blocked_until"} & set(exclude):
            return
        if not instance.active or not instance.unit_id:
            return
        if instance.starts_at is None or instance.blocked_until is None:
            return
        overlapping = model._default_manager.using(using).filter(
            unit_id=instance.unit_id,
            active=True,
            starts_at__lt=instance.blocked_until,
            blocked_until__gt=instance.starts_at,
        )
        if instance.pk:
            overlapping = overlapping.exclude(pk=instance.pk)
        if overlapping.exists():
            raise ValidationError(self.get_violation_error_message(), code="overlap")


#: One trigger per statement kind (``@EVENT@``); an update compares the row with the others.
TRIGGER_TEMPLATE = """
    CREATE TRIGGER IF NOT EXISTS rentals_bookingline_no_overlap_@event@
    BEFORE @EVENT@ ON rentals_bookingline
    FOR EACH ROW WHEN NEW.active
    BEGIN
        SELECT RAISE(ABORT, 'rentals: unit already booked for these dates')
        WHERE EXISTS (
            SELECT 1 FROM rentals_bookingline
            WHERE unit_id = NEW.unit_id AND active @OTHER_ROWS@
              AND starts_at < NEW.blocked_until AND blocked_until > NEW.starts_at
        );
    END
"""


def _trigger_sql(event: str) -> str:
    other_rows = "AND id <> NEW.id" if event == "UPDATE" else ""
    return (
        TRIGGER_TEMPLATE.replace("@event@", event.lower())
        .replace("@EVENT@", event)
        .replace("@OTHER_ROWS@", other_rows)
    )


def install_sqlite_overlap_triggers(using: str = "default") -> None:
    """Create the triggers on SQLite if the table exists and they do not (idempotent)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if LINE_TABLE not in connection.introspection.table_names(cursor):
            return
        for event in ("INSERT", "UPDATE"):
            cursor.execute(_trigger_sql(event))
