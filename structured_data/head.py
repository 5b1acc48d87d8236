"""Open Graph and Twitter card metadata read from the page's graph, so that search engines and
social networks are told the same thing. (The canonical link and ``hreflang`` alternates are
written by the site's base template from the language switcher's data, already at hand.)"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation


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


def og_locale(language_tag: str) -> str:
    """Open Graph's spelling of a language tag: ``fr-FR`` → ``fr_FR``, ``en`` → ``en``."""
    language, _sep, region = language_tag.partition("-")
    return f"{language.lower()}_{region.upper()}" if region else language.lower()


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
    # The page's language as the graph states it: the organization's regional variant (fr-CA,
    # fr-FR) when the page is in the organization's language, set by its site nodes.
    language = webpage.get("inLanguage") or translation.get_language() or "fr"
    if isinstance(language, list):
        language = language[0]
    return HeadMetadata(
        canonical=canonical,
        title=webpage.get("name") or page.title,
        description=webpage.get("description") or "",
        image=image_url,
        og_type="profile" if webpage.get("@type") == "ProfilePage" else "website",
        og_locale=og_locale(language),
        site_name=website.get("name", ""),
    )
