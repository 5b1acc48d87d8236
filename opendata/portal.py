"""The data portal's pages: the catalogue and each dataset's table (contexts for the page
models)."""

from __future__ import annotations

from .access import audience_for
from .models import DatasetPage
from .query import Query
from .tables import NoData, NotReadable, table_for

PAGE_SIZE = 20


def index_context(page, request) -> dict:
    datasets = DatasetPage.objects.published(within=page).specific().order_by("title")
    return {"datasets": datasets}


def dataset_context(page, request) -> dict:
    audience = audience_for(request, page.get_site())
    try:
        table = table_for(page, audience)
    except NotReadable:
        return {"restricted": True}
    except NoData:
        return {"no_data": True}
    return {"table": table, "records": table.records(Query(limit=PAGE_SIZE))}
