"""The security headers of every response: Content-Security-Policy and Permissions-Policy.

Public pages get ``CONTENT_SECURITY_POLICY`` (django-csp), with the map's tile server
(``MAP_TILE_URL``) added to ``img-src``; admin addresses get ``SIGNIN_ADMIN_CSP_DIRECTIVES``
instead, Wagtail's admin needing inline scripts. A view that writes its own
``Content-Security-Policy`` (the framed agenda and data embeds) keeps it.

The middleware stands outside the page cache (``public_cache``), so cached pages get the
headers too; they hold no nonce, since one cached page is served to many visitors: the site's
scripts are static files. X-Content-Type-Options, Referrer-Policy and HSTS come from Django's
``SecurityMiddleware``, X-Frame-Options from its ``XFrameOptionsMiddleware``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.urls import reverse


def tile_origin() -> str:
    """The origin of ``MAP_TILE_URL`` (``https://tile.openstreetmap.org``), or ``""``."""
    parts = urlsplit(getattr(settings, "MAP_TILE_URL", "") or "")
    if parts.scheme in ("http", "https") and parts.hostname:
        return f"{parts.scheme}://{parts.netloc.split('@')[-1]}"
    return ""


class SecurityHeadersMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.config is not None:
            return parts
        if request.path_info.startswith(reverse("wagtailadmin_home")):
            parts.config = default_config(getattr(settings, "SIGNIN_ADMIN_CSP_DIRECTIVES", {}))
        else:
            origin = tile_origin()
            if origin:
                update = dict(parts.update or {})
                sources = update.get("img-src") or []
                if isinstance(sources, str):
                    sources = [sources]
                update["img-src"] = [*sources, origin]
                parts.update = update
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        policy = getattr(settings, "SIGNIN_PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response
