"""Maps of places: markers built on the server from public fields only, drawn by Leaflet.

The reusable parts, for any plugin that has places to show (organizations on an index page
today; the open-data plugin's datasets later):

- :func:`place_markers` turns objects with public coordinates (``PublicAddress``: organization
  pages, the organization's own settings) into :class:`MapMarker` values — a name, a link, a
  short description, the coordinates, and nothing else;
- the ``{% places_map markers label %}`` tag (``organizations_maps``) writes them as a JSON data
  island next to a list of the same places, then Leaflet and ``places-map.js`` draw the map over
  the list's side. Without JavaScript, or without the tile server, the list is still there: the
  map is only an enhancement.

The tile server and its attribution are settings (``MAP_TILE_URL``, ``MAP_TILE_ATTRIBUTION``):
OpenStreetMap's by default. Leaflet itself is vendored in this app's static files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


@dataclass(frozen=True)
class MapMarker:
    """One place on a map: only what its public page already shows."""

    latitude: Decimal
    longitude: Decimal
    label: str
    url: str = ""
    description: str = ""

    def as_json(self) -> dict:
        return {
            "lat": float(self.latitude),
            "lng": float(self.longitude),
            "label": self.label,
            "url": self.url,
            "description": self.description,
        }


def _locality(place) -> str:
    return getattr(place, "locality", "") or ""


def place_markers(
    places: Iterable,
    *,
    request=None,
    label: Callable[[object], str] = lambda place: str(getattr(place, "title", place)),
    description: Callable[[object], str] = _locality,
) -> list[MapMarker]:
    """Markers for the ``places`` that have both coordinates (``latitude``, ``longitude``), in
    their order; pages are linked to (``get_url``). Pass public objects only: whatever
    ``label`` and ``description`` return is published."""
    markers = []
    for place in places:
        latitude = getattr(place, "latitude", None)
        longitude = getattr(place, "longitude", None)
        if latitude is None or longitude is None:
            continue
        get_url = getattr(place, "get_url", None)
        markers.append(
            MapMarker(
                latitude=latitude,
                longitude=longitude,
                label=label(place),
                url=(get_url(request=request) or "") if get_url else "",
                description=description(place),
            )
        )
    return markers


def tile_settings() -> dict[str, str]:
    """The tile server's URL template and the attribution its licence asks for."""
    return {
        "url": getattr(settings, "MAP_TILE_URL", "") or DEFAULT_TILE_URL,
        "attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", "") or DEFAULT_TILE_ATTRIBUTION,
    }
