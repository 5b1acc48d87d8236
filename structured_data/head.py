"""Open Graph and Twitter card metadata read from the page's graph, so that search engines and
social networks are told the same thing. (The canonical link and ``hreflang`` alternates are
written by the site's base template from the language switcher's data, already at hand.)"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation

OG_LOCALES = {"fr": "fr_CA", "en": "en_CA"}


@dataclass
class HeadMetadata:
    canonical: str
    title: str
    description: str
    image: str | None
    og_type: str
    og_locale: str
    site_name: str

    @property
    def twitter_card(self) -> str:
        return "summary_large_image" if self.image else "summary"


def _node(graph: dict, node_id: str) -> dict:
    return next((n for n in graph.get("@graph", []) if n.get("@id") == node_id), {})


def head_metadata_for(page, request, graph: dict) -> HeadMetadata:
    nodes = graph.get("@graph", [])
    webpage = next((n for n in nodes if n.get("@id", "").endswith("#webpage")), {})
    website = next((n for n in nodes if n.get("@type") == "WebSite"), {})
    image = webpage.get("primaryImageOfPage") or {}
    if "@id" in image and len(image) == 1:
        image = _node(graph, image["@id"])
    image_url = image.get("contentUrl")
    if not image_url:
        organization = _node(graph, (website.get("publisher") or {}).get("@id", ""))
        logo = organization.get("logo") or {}
        image_url = logo.get("contentUrl") if isinstance(logo, dict) else logo
    canonical = webpage.get("url") or page.get_full_url(request)
    language = (translation.get_language() or "fr").split("-")[0]
    return HeadMetadata(
        canonical=canonical,
        title=webpage.get("name") or page.title,
        description=webpage.get("description") or "",
        image=image_url,
        og_type="profile" if webpage.get("@type") == "ProfilePage" else "website",
        og_locale=OG_LOCALES.get(language, language),
        site_name=website.get("name", ""),
    )
