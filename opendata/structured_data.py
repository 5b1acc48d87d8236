"""The dataset's schema.org ``Dataset`` node (Google Dataset Search), built from its page.

- the dataset (``…#dataset``, the ``@id`` the DCAT catalogue gives it too): name, description,
  page, identifier, keywords, licence, the organization as creator (and publisher unless the
  page names another), the portal as its ``DataCatalog``, spatial coverage (a ``Place``),
  temporal coverage (an ISO 8601 interval, ``..`` for an open end), dates;
- what the public may read: the columns as ``variableMeasured`` and one ``DataDownload`` per
  export format, ``isAccessibleForFree`` true;
- a members-only dataset: ``isAccessibleForFree`` false with its conditions of access, and no
  column nor download at all.

The graph is the same for every reader (it is cached per page and shared): it is built for the
public, through the table layer, so that a members-only column's name never reaches it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from organizations.models import OrganizationSettings
from structured_data.graph import GraphContext
from structured_data.nodes import (
    DataCatalog,
    DataDownload,
    Dataset,
    Node,
    Organization,
    Place,
    PropertyValue,
    Ref,
)

from .access import Audience
from .dcat import EXPORT_FORMATS, dataset_modified, export_url_at
from .exports import formats_for
from .models import DatasetIndexPage
from .tables import NoData, NotReadable, table_for


def temporal_coverage(page) -> str | None:
    """``2020-01-01/2026-12-31``; ``..`` stands for an open start or end (schema.org)."""
    if not (page.temporal_start or page.temporal_end):
        return None
    start = page.temporal_start.isoformat() if page.temporal_start else ".."
    end = page.temporal_end.isoformat() if page.temporal_end else ".."
    return f"{start}/{end}"


def catalogue_node(page, context: GraphContext) -> DataCatalog | None:
    portal = page.get_parent().specific
    if not isinstance(portal, DatasetIndexPage):
        return None
    url = portal.get_full_url(context.request)
    return DataCatalog(
        id=f"{url}#catalog",
        name=portal.title,
        url=url,
        publisher=Ref(id=context.organization_id),
    )


def dataset_nodes(page, context: GraphContext) -> Iterable[Node]:
    node_id = f"{context.page_url}#dataset"
    context.main_entity_id = node_id
    context.main_entity_type = "Dataset"
    organization = Ref(id=context.organization_id)
    catalogue = catalogue_node(page, context)
    # « Other »: the conditions are in the description, on the page itself.
    licence = page.licence_url or context.page_url
    site = context.site or page.get_site()

    variables: list[PropertyValue] = []
    downloads: list[DataDownload] = []
    if not page.members_only:
        try:
            table = table_for(page, Audience(site.pk))
        except (NotReadable, NoData):
            table = None
        if table is not None:
            variables = [
                PropertyValue(
                    name=str(field.label) or field.name,
                    property_id=field.name,
                    description=str(field.description) or None,
                )
                for field in table.fields
            ]
            for fmt in formats_for(table):
                label, media_type, _file_type = EXPORT_FORMATS.get(fmt, (fmt, None, None))
                downloads.append(
                    DataDownload(
                        name=f"{page.title} ({label})",
                        content_url=export_url_at(context.page_url, fmt),
                        encoding_format=media_type or label,
                        license=licence,
                    )
                )

    # A publisher other than the organization is named; the organization itself is its node.
    own_name = OrganizationSettings.for_site(site).display_name
    publisher = (
        Organization(name=page.publisher)
        if page.publisher and page.publisher.strip().casefold() != own_name.strip().casefold()
        else organization
    )
    yield Dataset(
        id=node_id,
        name=page.title,
        description=page.description or None,
        url=context.page_url,
        identifier=page.identifier,
        keywords=page.keyword_list() or None,
        license=licence,
        creator=organization,
        publisher=publisher,
        included_in_data_catalog=catalogue.ref() if catalogue else None,
        spatial_coverage=Place(name=page.spatial_coverage) if page.spatial_coverage else None,
        temporal_coverage=temporal_coverage(page),
        variable_measured=variables or None,
        distribution=downloads or None,
        is_accessible_for_free=not page.members_only,
        conditions_of_access=(
            _("Members only: the organization's members with a current membership read the data.")
            if page.members_only
            else None
        ),
        date_published=page.first_published_at,
        date_modified=dataset_modified(page),
        in_language=context.language,
    )
    if catalogue is not None:
        yield catalogue
