"""What every part of the file layer shares: the formats, and errors written for staff."""

from typing import Any, Literal

Format = Literal["csv", "xlsx", "ods"]
#: The formats we read and write, in the order offered to staff.
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "ods")
#: The first entry of every ODS archive, uncompressed: how an ODS file is recognised.
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
#: Upload limit when the caller gives none: a 10,000-person CSV is about 1 MB.


# --- Errors -------------------------------------------------------------------------------------


class _TranslatedMessage(Exception):
    """A lazily translated message with %-parameters, rendered when shown.

    Rendering at ``str()`` time, not at raise time, lets a background import raise in one place
    and the report show the message in the language of whoever reads it. ``code`` is stable,
    for programs and tests.
    """

    def __init__(self, message: Any, *, code: str, params: dict[str, Any] | None = None):
        self.message = message
        self.code = code
        self.params = params or {}
        super().__init__(message)

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text

    def __reduce__(self):
        # Keyword-only arguments defeat Exception's default pickling; task queues pickle.
        return _rebuild_error, (type(self), self.message, self.code, self.params)


def _rebuild_error(cls: type, message: Any, code: str, params: dict[str, Any]) -> Exception:
    error = cls.__new__(cls)
    _TranslatedMessage.__init__(error, message, code=code, params=params)
    return error


class SpreadsheetError(_TranslatedMessage):
    """The whole file cannot be used: empty, unreadable, too large, ambiguous columns…

    ``code`` is one of ``"empty"``, ``"no_rows"``, ``"unknown_format"``,
    ``"unsupported_format"``, ``"encrypted"``, ``"corrupt"``, ``"too_large"``,
    ``"too_many_rows"``, ``"encoding"``, ``"csv_syntax"``, ``"duplicate_columns"``; ``str()``
    is the message for staff, in the active language.
    """


class CellValueError(_TranslatedMessage, ValueError):
    """One cell cannot be understood. A ``ValueError``, so widgets and forms treat it as one.

    ``code`` is one of ``"invalid_decimal"``, ``"invalid_date"``, ``"month_first_date"``,
    ``"nonexistent_date"``, ``"short_year"``, ``"invalid_bool"``; ``params["value"]`` is the
    cell as written.
    """

    def __init__(self, message: Any, *, code: str, value: object = None, **kwargs: Any):
        params = kwargs.pop("params", None) or {"value": value}
        super().__init__(message, code=code, params=params)
