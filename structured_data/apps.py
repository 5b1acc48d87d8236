from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StructuredDataConfig(AppConfig):
    """Cached graphs are forgotten by ``public_cache``'s one rule (``invalidate_sites``), with
    the site's cached pages."""

    name = "structured_data"
    verbose_name = _("Structured data")
