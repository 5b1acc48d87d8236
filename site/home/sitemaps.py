"""The sitemap: every public page of the site in every language, each with its translations.

Wagtail's own sitemap lists the pages below the site's root page only, which is the root in the
site's main language: translations live in another tree and were missing. Here every tree of the
site is listed, and each page names its translations (``xhtml:link rel="alternate"
hreflang="…"``, plus ``x-default`` for the version in the organization's own language), as the
base template's ``<link rel="alternate">`` do.

Translations are paired within one page of the sitemap (50,000 URLs): a site larger than that
may list a page's translation on another page of the sitemap without the link between them.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Locale, Page

from organizations.models import OrganizationSettings


class SiteSitemap(Sitemap):
    def site_roots(self):
        site = self.get_wagtail_site()
        return site, site.root_page.get_translations(inclusive=True)

    def items(self):
        _site, roots = self.site_roots()
        in_a_tree = Q()
        for path in roots.values_list("path", flat=True):
            in_a_tree |= Q(path__startswith=path)
        return (
            Page.objects.filter(in_a_tree)
            .live()
            .public()
            .order_by("path")
            .defer_streamfields()
            .specific()
        )

    def default_language(self, site) -> str:
        """The language of ``x-default``: the organization's own (``fr`` for ``fr-ca``)."""
        organization = OrganizationSettings.objects.filter(site=site)
        language = organization.values_list("language", flat=True).first()
        return (language or site.root_page.locale.language_code).split("-")[0]

    def _urls(self, page, protocol, domain):
        urls = []
        last_mods = set()
        first_url = {}
        for item in self.paginator.page(page).object_list.iterator():
            for url_info in item.get_sitemap_urls(self.request):
                urls.append(url_info)
                last_mods.add(url_info.get("lastmod"))
                first_url.setdefault(item, url_info)
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        self.add_alternates(first_url)
        return urls

    def add_alternates(self, first_url: dict) -> None:
        """Give each page's URL its translations' URLs, when it has any."""
        site, _roots = self.site_roots()
        languages = dict(Locale.objects.values_list("pk", "language_code"))
        by_key = defaultdict(dict)
        for item, url_info in first_url.items():
            by_key[item.translation_key][languages[item.locale_id]] = url_info["location"]
        default = self.default_language(site)
        for item, url_info in first_url.items():
            versions = by_key[item.translation_key]
            if len(versions) < 2:
                continue
            alternates = [
                {"lang_code": code, "location": location}
                for code, location in sorted(versions.items())
            ]
            if default in versions:
                alternates.append({"lang_code": "x-default", "location": versions[default]})
            url_info["alternates"] = alternates
