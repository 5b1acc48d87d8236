from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StructuredDataConfig(AppConfig):
    """Cached graphs are forgotten by ``public_cache``'s one rule (``invalidate_sites``), with
    the site's cached pages; published pages are checked again after a change (``signals``)."""

    name = "structured_data"
    verbose_name = _("Structured data")

    def ready(self):
        from . import signals

        signals.connect_site_settings()
