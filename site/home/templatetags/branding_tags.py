"""The installation's name in the admin's own screens (title, login, sidebar)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def installation_name() -> str:
    """``WAGTAIL_SITE_NAME``: the product's name unless the operator gave another."""
    return getattr(settings, "WAGTAIL_SITE_NAME", "") or "Liens Mutuels"
