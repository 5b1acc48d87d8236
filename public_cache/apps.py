from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicCacheConfig(AppConfig):
    """Foundation: the per-site generation every public cache is keyed by, the one rule that
    moves it on (``invalidate_sites``), and the page cache middleware."""

    name = "public_cache"
    verbose_name = _("Public cache")

    def ready(self):
        from . import signals

        signals.connect_site_settings()
