"""The organization's identity as schema.org nodes: the site-level Organization and WebSite,
and the schema.org type of each kind of organization."""

from __future__ import annotations

from collections.abc import Iterable

from wagtail.models import Site

from structured_data.graph import GraphContext
from structured_data.mixins import image_node, organization_nodes
from structured_data.nodes import (
    NGO,
    ContactPoint,
    Corporation,
    EducationalOrganization,
    MovieTheater,
    NewsMediaOrganization,
    Node,
    Organization,
    Ref,
    WebSite,
)

from .models import OrganizationKind, OrganizationSettings

ORGANIZATION_NODE_TYPES: dict[str, type[Organization]] = {
    OrganizationKind.PRODUCTION_COMPANY: Corporation,
    OrganizationKind.PRODUCTION_CENTRE: NGO,
    OrganizationKind.DISTRIBUTOR: Corporation,
    OrganizationKind.CINEMA: MovieTheater,
    OrganizationKind.SCHOOL: EducationalOrganization,
    OrganizationKind.MEDIA: NewsMediaOrganization,
    OrganizationKind.NETWORK: NGO,
}


def organization_node_type(kind: str) -> type[Organization]:
    """The most precise schema.org type for an organization of ``kind``."""
    return ORGANIZATION_NODE_TYPES.get(kind, Organization)


def site_nodes(context: GraphContext) -> Iterable[Node]:
    """Registered as a ``structured_data_site_nodes`` hook: every page's graph starts here."""
    if context.site is None:
        return
    settings = (
        # The instance the page's header and footer use, contact points and profiles included.
        OrganizationSettings.for_request(context.request)
        if context.request is not None and Site.find_for_request(context.request) == context.site
        else OrganizationSettings.for_site(context.site)
    )
    language = context.language.split("-")[0]
    if language == settings.content_language:
        context.language = settings.html_language  # fr-CA rather than fr
    contact_points = [
        ContactPoint(
            contact_type=point.translated("label", language),
            email=point.email or None,
            telephone=point.phone or None,
            url=point.url or None,
        )
        for point in settings.contact_points.all()
    ]
    legal_name = settings.translated("legal_name", language)
    name = settings.translated("short_name", language) or legal_name
    yield from organization_nodes(
        organization_node_type(settings.kind),
        id=context.organization_id,
        name=name or context.site.site_name,
        legal_name=legal_name or None,
        # A description in another language than the page's is left out rather than mixed in.
        description=settings.translated("description", language, fallback=False) or None,
        url=context.site_url + "/",
        logo=image_node(
            settings.logo,
            context,
            f"{context.site_url}/#logo",
            copyright_notice=f"© {settings.legal_name or settings.display_name}",
        )
        if settings.logo
        else None,
        address=settings.postal_address_node(),
        geo=settings.geo_node(),
        contact_point=contact_points or None,
        same_as=[profile.url for profile in settings.social_profiles.all()] or None,
    )
    yield WebSite(
        id=context.website_id,
        url=context.site_url + "/",
        name=name or context.site.site_name,
        publisher=Ref(id=context.organization_id),
        in_language=settings.html_language,
    )
