"""What an import reports: the columns it knows, and what it did (or would do) with each row.

A leaf module: the pipeline, the resources, the jobs and the screens all use these types, and it
imports none of them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

#: How many row previews a report keeps (invalid rows first); counts are always complete.
PREVIEW_ROWS = 500


@dataclass(frozen=True)
class Column:
    """A column a kind accepts: its canonical name, its header in the user's language, whether
    new rows need it, and a hint for staff."""

    name: str
    label: str
    required: bool = False
    help: str = ""


@dataclass
class RowError:
    row: int  # as the spreadsheet software numbers it (the header is row 1); 0: the whole file
    field: str  # a column name, or "" when the error is about the whole row
    message: str


@dataclass
class RowPreview:
    """One row of the preview: what the import does (or would do) with it."""

    row: int
    #: "new", "update", "skip" (unchanged) or "invalid".
    status: str
    #: Column → value as read from the file (text, not yet escaped: templates escape it).
    values: dict[str, str]
    #: Column → [value before, value after], for updated rows.
    changes: dict[str, list[str]] = field(default_factory=dict)
    #: Column ("" for the whole row) → messages.
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do). JSON-serialisable with ``to_dict``."""

    kind: str
    dry_run: bool
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[RowPreview] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        data = dict(data)
        data["errors"] = [RowError(**error) for error in data.get("errors", [])]
        data["rows"] = [RowPreview(**row) for row in data.get("rows", [])]
        return cls(**data)
