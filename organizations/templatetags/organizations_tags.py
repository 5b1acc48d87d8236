"""Template tags for what every organization shows the same way: its texts in the page's
language, addresses in the country's format."""

from django import template

from ..addresses import place_address_lines

register = template.Library()


@register.simple_tag
def postal_address_lines(place) -> list[str]:
    """``{% postal_address_lines place as lines %}``: the lines of ``place``'s address as its
    country writes them (``organizations.addresses``), in the active language."""
    return place_address_lines(place)


@register.simple_tag
def translated(obj, field: str, strict: bool = False) -> str:
    """``{% translated point "label" %}``: ``obj.field`` in the active language
    (``organizations.translations``); the text as typed when it has no translation, or nothing
    with ``strict=True`` (a description in the wrong language is worse than none)."""
    if obj is None or obj == "":
        return ""
    method = getattr(obj, "translated", None)
    if method is None:
        return getattr(obj, field, "") or ""
    return method(field, fallback=not strict)
