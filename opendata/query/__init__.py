"""One query language for every way of reading a dataset.

The page's filters, Opendatasoft's ODSQL (``opendata.odsql``) and CKAN's ``datastore_search``
parameters are all turned into the same tree (``opendata.query.ast``), which the tables run:
in the database for uploaded tables (``opendata.query.orm``), in Python over the records of a
live source (``opendata.query.python``). Both give the same answers (tested side by side).
"""

from .ast import (
    And,
    Compare,
    In,
    IsNull,
    Not,
    Or,
    Prefix,
    Query,
    QueryError,
    Search,
    Within,
    coerce,
)

__all__ = [
    "And",
    "Compare",
    "In",
    "IsNull",
    "Not",
    "Or",
    "Prefix",
    "Query",
    "QueryError",
    "Search",
    "Within",
    "coerce",
]
