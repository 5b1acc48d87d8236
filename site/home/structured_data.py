"""The organization's identity as schema.org nodes: the site-level Organization and WebSite."""

from __future__ import annotations

from collections.abc import Iterable

from structured_data.graph import GraphContext
from structured_data.mixins import image_node, organization_nodes
from structured_data.nodes import (
    NGO,
    ContactPoint,
    GeoCoordinates,
    MovieTheater,
    Node,
    Organization,
    PostalAddress,
    Ref,
    WebSite,
)

from .models import OrganizationKindChoices, OrganizationSettings

ORGANIZATION_TYPES: dict[str, type[Organization]] = {
    OrganizationKindChoices.PRODUCTION_CENTRE: NGO,
    OrganizationKindChoices.NETWORK: NGO,
    OrganizationKindChoices.CINEMA: MovieTheater,
}


def postal_address(source) -> PostalAddress | None:
    if not (source.street_address or source.locality):
        return None
    return PostalAddress(
        street_address=source.street_address or None,
        postal_code=source.postal_code or None,
        address_locality=source.locality or None,
        address_region=source.region or None,
        address_country=source.country or None,
    )


def geo(source) -> GeoCoordinates | None:
    if source.latitude is None or source.longitude is None:
        return None
    return GeoCoordinates(latitude=float(source.latitude), longitude=float(source.longitude))


def site_nodes(context: GraphContext) -> Iterable[Node]:
    """Registered as a ``structured_data_site_nodes`` hook: every page's graph starts here."""
    if context.site is None:
        return
    settings = OrganizationSettings.for_site(context.site)
    if context.language.split("-")[0] == settings.content_language:
        context.language = settings.html_language  # fr-CA rather than fr
    organization_class = ORGANIZATION_TYPES.get(settings.kind, Organization)
    contact_points = [
        ContactPoint(
            contact_type=point.label,
            email=point.email or None,
            telephone=point.phone or None,
            url=point.url or None,
        )
        for point in settings.contact_points.all()
    ]
    yield from organization_nodes(
        organization_class,
        id=context.organization_id,
        name=settings.display_name or context.site.site_name,
        legal_name=settings.legal_name or None,
        description=settings.description or None,
        url=context.site_url + "/",
        logo=image_node(
            settings.logo,
            context,
            f"{context.site_url}/#logo",
            copyright_notice=f"© {settings.legal_name or settings.display_name}",
        )
        if settings.logo
        else None,
        address=postal_address(settings),
        geo=geo(settings),
        contact_point=contact_points or None,
        same_as=[profile.url for profile in settings.social_profiles.all()] or None,
    )
    yield WebSite(
        id=context.website_id,
        url=context.site_url + "/",
        name=settings.display_name or context.site.site_name,
        publisher=Ref(id=context.organization_id),
        in_language=settings.html_language,
    )
