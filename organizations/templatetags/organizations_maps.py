"""``{% places_map markers label %}``: a map of places over an accessible list of them (see
``organizations.maps``)."""

from django import template

from ..maps import tile_settings

register = template.Library()

@register.inclusion_tag("organizations/includes/places_map.html", takes_context=True)
def places_map(context, markers, label, list_id=""):
    """``markers``: ``MapMarker`` values; ``label``: what the map shows, for screen readers
    ("Map of the organizations"). ``list_id``: the id of a list of the same places that the
    page already shows; without it, the tag writes its own list."""
    # Numbered within the page, so that two maps never share an id and a page renders alike
    # every time.
    request = context.get("request")
    number = getattr(request, "_places_map_count", 0) + 1
    if request is not None:
        request._places_map_count = number
    return {
        "markers": markers,
        "data": [marker.as_json() for marker in markers],
        "label": label,
        "map_id": f"places-map-{number}",
        "data_id": f"places-map-data-{number}",
        "list_id": list_id or f"places-map-list-{number}",
        "own_list": not list_id,
        "tiles": tile_settings(),
    }
