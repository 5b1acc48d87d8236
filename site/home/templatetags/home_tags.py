"""Template tags for the public site's frame: main menu, language switcher, ``lang`` attribute.

Every lookup is cached on the request, so that the header, the footer and ``<head>`` can ask for
the same thing several times while the page costs one query per lookup at most.
"""

import re
from dataclasses import dataclass

from django import template
from django.conf import settings
from django.db.models import Q
from django.urls import Resolver404, resolve, reverse, translate_url
from django.utils import translation
from django.utils.translation import get_language_info
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page, Site

register = template.Library()

TEL_DISALLOWED_RE = re.compile(r"[^0-9+]")
TEL_EXTENSION_RE = re.compile(r"\s*(?:poste|ext\.?|extension|x|#)\s*(\d+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class MenuItem:
    title: str
    url: str
    #: ``"page"`` for the page being shown, ``"true"`` for one of its ancestors, else ``""``.
    current: str


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    full_url: str
    current: bool
    #: The page itself in that language (an ``hreflang`` alternate); ``False`` when the link
    #: leads to that language's home page because the page has no translation there.
    translated: bool = True


def _request(context):
    return context.get("request")


def _content_language(code: str | None = None) -> str:
    """The content language (``fr`` or ``en``) for a language code such as ``fr-ca``."""
    code = code or translation.get_language() or ""
    try:
        return get_supported_content_language_variant(code)
    except LookupError:
        return code.split("-")[0]


def _site_root_paths(request):
    """The current site's home page in each language, from Wagtail's cached root paths."""
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return []
    return [root for root in Site.get_site_root_paths() if root.site_id == site.pk]


def _home_url(language_code: str) -> str:
    """The relative URL of a home page, as Wagtail builds it (``/`` or ``/en/``)."""
    with translation.override(language_code):
        return reverse("wagtail_serve", args=("",))


def _localized_root(request):
    """The home page's root path and language for the active language (or the site default)."""
    roots = _site_root_paths(request)
    language = _content_language()
    default = _content_language(settings.LANGUAGE_CODE)
    by_language = {root.language_code: root for root in roots}
    return by_language.get(language) or by_language.get(default) or (roots[0] if roots else None)


@register.simple_tag(takes_context=True)
def main_menu(context) -> dict:
    """The home page of the current language and its live children shown in menus.

    One query: the children are found by their ``url_path`` below the localized home page,
    whose path comes from Wagtail's cached site root paths.
    """
    request = _request(context)
    if request is None:
        return {"home_url": "/", "items": []}
    cached = getattr(request, "_home_tags_main_menu", None)
    if cached is not None:
        return cached

    root = _localized_root(request)
    menu = {"home_url": "/", "items": []}
    if root is not None:
        menu["home_url"] = _home_url(root.language_code)
        # A page's depth is the number of slashes in its url_path ("/" is the tree root, depth 1).
        children = (
            Page.objects.live()
            .in_menu()
            .filter(url_path__startswith=root.root_path, depth=root.root_path.count("/") + 1)
            .order_by("path")
        )
        page = context.get("page")
        current_path = getattr(page, "path", "") or ""
        items = []
        for child in children:
            url = child.get_url(request=request)
            if not url:
                continue
            if current_path == child.path:
                current = "page"
            elif current_path.startswith(child.path):
                current = "true"
            else:
                current = ""
            items.append(MenuItem(title=child.title, url=url, current=current))
        menu["items"] = items
    request._home_tags_main_menu = menu
    return menu


def _language_order(code: str) -> int:
    """Languages in the order of ``settings.LANGUAGES`` (the site's main language first)."""
    codes = [language for language, _name in settings.LANGUAGES]
    return codes.index(code) if code in codes else len(codes)


def _language_name(code: str) -> str:
    try:
        return get_language_info(code)["name_local"].capitalize()
    except KeyError:
        return code


def _page_languages(request, page) -> list[LanguageLink]:
    """The page in every language of the site: its live translation (the page itself always,
    even as a draft preview), else that language's home page, so that the visitor can always
    switch. One query for the translations and the live home pages together."""
    roots = _site_root_paths(request)
    root_paths = [root.root_path for root in roots]
    candidates = (
        Page.objects.filter(
            Q(translation_key=page.translation_key, live=True)
            | Q(pk=page.pk)
            | Q(url_path__in=root_paths, live=True)
        )
        .select_related("locale")
    )
    translations, homes = {}, {}
    for candidate in candidates:
        code = candidate.locale.language_code
        if candidate.translation_key == page.translation_key:
            translations[code] = candidate
        if candidate.url_path in root_paths and candidate.live:
            homes[code] = candidate
    links = []
    for code in sorted({*translations, *homes}, key=_language_order):
        translated = code in translations
        target = translations.get(code) or homes[code]
        url = target.get_url(request=request)
        if not url:
            continue
        links.append(
            LanguageLink(
                code=code,
                name=_language_name(code),
                url=url,
                full_url=target.get_full_url(request=request),
                current=target.pk == page.pk,
                translated=translated,
            )
        )
    return links


def _view_languages(request) -> list[LanguageLink]:
    """For views that are not pages (search, errors): the same view in each site language,
    or that language's home page when the view only exists as a Wagtail page path."""
    active = _content_language()
    try:
        url_name = resolve(request.path_info).url_name
    except Resolver404:
        url_name = None
    links = []
    for root in sorted(
        _site_root_paths(request), key=lambda root: _language_order(root.language_code)
    ):
        if url_name and url_name != "wagtail_serve":
            url = translate_url(request.get_full_path(), root.language_code)
        else:
            url = _home_url(root.language_code)
        links.append(
            LanguageLink(
                code=root.language_code,
                name=_language_name(root.language_code),
                url=url,
                full_url=request.build_absolute_uri(url),
                current=root.language_code == active,
            )
        )
    return links


@register.simple_tag(takes_context=True)
def page_languages(context) -> list[LanguageLink]:
    """Links to the current page (or view) in each language it exists in."""
    request = _request(context)
    if request is None:
        return []
    cached = getattr(request, "_home_tags_page_languages", None)
    if cached is not None:
        return cached
    page = context.get("page")
    if isinstance(page, Page) and page.translation_key:
        links = _page_languages(request, page)
    else:
        links = _view_languages(request)
    request._home_tags_page_languages = links
    return links


@register.simple_tag(takes_context=True)
def html_language(context, organization=None) -> str:
    """The ``lang`` attribute: the page's language, with the organization's regional variant
    (``fr-CA``, ``fr-FR``) when the page is in the organization's own language."""
    language = _content_language()
    for link in page_languages(context):
        if link.current:
            language = link.code
            break
    if organization and getattr(organization, "content_language", None) == language:
        return organization.html_language
    return language


@register.simple_tag(takes_context=True)
def organization_name(context, organization=None) -> str:
    """The organization's short or legal name; the Wagtail site's name when the organization
    has no settings yet; empty outside any site."""
    name = getattr(organization, "display_name", "") if organization else ""
    if name:
        return name
    request = _request(context)
    site = Site.find_for_request(request) if request is not None else None
    return site.site_name if site is not None else ""


@register.filter
def tel_href(phone: str) -> str:
    """``tel:`` URI (RFC 3966) for a phone number typed the human way: ``819 555-0100 poste 2``
    gives ``tel:8195550100;ext=2``."""
    match = TEL_EXTENSION_RE.search(phone or "")
    number, extension = (phone[: match.start()], match.group(1)) if match else (phone or "", "")
    digits = TEL_DISALLOWED_RE.sub("", number)
    if not digits:
        return ""
    return f"tel:{digits};ext={extension}" if extension else f"tel:{digits}"


@register.simple_tag
def specific_pages(pages) -> list:
    """The specific pages for a list of plain pages (search results), in the same order:
    one query per page type instead of one per result."""
    pages = list(pages)
    if not pages:
        return []
    by_pk = {page.pk: page for page in Page.objects.filter(pk__in=[p.pk for p in pages]).specific()}
    return [by_pk.get(page.pk, page) for page in pages]


#: Public fields that may describe a page in search results, in order of preference.
SUMMARY_FIELDS = ("search_description", "summary", "introduction")


@register.filter
def public_summary(page) -> str:
    """A page's short public description for search results: its search description, else its
    own public summary or introduction. Never anything from a record's private details."""
    for field in SUMMARY_FIELDS:
        value = getattr(page, field, "")
        if isinstance(value, str) and value.strip():
            return value
    return ""
