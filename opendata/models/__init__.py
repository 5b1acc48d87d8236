from .keys import ApiKey
from .pages import (
    DatasetAccess,
    DatasetIndexPage,
    DatasetPage,
    DatasetTheme,
    Frequency,
    Licence,
    SourceKind,
)
from .tables import DatasetColumn, DatasetRow, DatasetTable

__all__ = [
    "ApiKey",
    "DatasetAccess",
    "DatasetColumn",
    "DatasetIndexPage",
    "DatasetPage",
    "DatasetRow",
    "DatasetTable",
    "DatasetTheme",
    "Frequency",
    "Licence",
    "SourceKind",
]
