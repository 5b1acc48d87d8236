"""Anonymous visitors get public pages from a cache; browsers, proxies and CDNs are told which
responses they may keep.

``PageCacheMiddleware`` goes right after Django's ``LocaleMiddleware`` (the language is part of
the key) and before everything else the site's pages go through. A page is kept when Wagtail's
page view served it (``wagtail_hooks``) to a visitor who is not logged in and nothing in it is
that visitor's own; it is then found under

    site, the site's generation, scheme, host, language, path and query string

until the site's generation moves on (``generations.invalidate_sites``) or
``PAGE_CACHE_TIMEOUT`` passes. A page found costs no query: the site comes from a cached list
(``routing``), the generation and the page from the cache.

Never kept, and sent as ``Cache-Control: private``:

- anything asked for with a session cookie (logged-in editors and members, a password typed
  for a page), a messages cookie or an ``Authorization`` header: such requests are not even
  looked up, so that they never see what anonymous visitors get, nor anonymous visitors what
  they got;
- requests other than GET and HEAD, Wagtail's previews (a simulated request for the page's
  own address that Wagtail sends through the middleware, ``is_dummy``), and whatever did not
  come from Wagtail's page view;
- pages served to a logged-in user, however they logged in (without a session too);
- responses that say so themselves: ``Cache-Control`` private, no-store or no-cache (Wagtail
  adds it to pages with view restrictions, and to previews), or ``private_response(request)``,
  for pages or blocks that render what depends on the visitor (member content);
- responses that used a CSRF token (a form), carry messages, set a cookie or write to the
  session (whatever the order of the middleware that would send them), vary on anything but
  the cookie, or have another status than 200.

Kept pages carry an ``ETag`` (a conditional GET answers 304) and ``Cache-Control: public,
max-age=PAGE_CACHE_MAX_AGE``: a reverse proxy or CDN keeps them that long, unaware of the
invalidation, so keep it short. Tracking parameters (``utm_*``, ``fbclid``…) are removed from
the request before the page sees it: they do not split the cache, nor leak into the links a
page builds from its query string. Other query parameters are kept only when the page declares
them (``public_cache_query_params = ("page", "role")`` on the page class): any other query
string is answered, never stored, so that nobody can fill the cache with made-up URLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import md5
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, InvalidCacheBackendError, caches
from django.http import HttpResponse, QueryDict
from django.utils import translation
from django.utils.cache import (
    cc_delim_re,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import quote_etag

from .generations import site_generation
from .routing import site_id_for_request

#: Query parameters that only tell analytics where a visitor came from.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "gbraid",
        "wbraid",
        "dclid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
    }
)
TRACKING_PREFIXES = ("utm_",)
#: Cache-Control directives with which a response keeps itself out of shared caches.
PRIVATE_DIRECTIVES = frozenset({"private", "no-store", "no-cache"})
#: Django's cookie of messages waiting to be shown (``CookieStorage.cookie_name``); the session
#: cookie, the other that makes a request someone's, is named by ``SESSION_COOKIE_NAME``.
MESSAGES_COOKIE = "messages"


def page_cache():
    """The ``pages`` cache when there is one (it may cull pages freely), else the default."""
    try:
        return caches["pages"]
    except InvalidCacheBackendError:
        return caches[DEFAULT_CACHE_ALIAS]


def cache_timeout() -> int:
    return getattr(settings, "PAGE_CACHE_TIMEOUT", 60 * 60 * 24)


def max_age() -> int:
    return getattr(settings, "PAGE_CACHE_MAX_AGE", 60)


def private_response(request) -> None:
    """Keep this request's response out of every cache: call it while rendering something that
    depends on who the visitor is (member content), from a page, a view or a block."""
    request.public_cache_private = True


def is_tracking(name: str) -> bool:
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def strip_tracking_parameters(request) -> None:
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if not is_tracking(name)]
    if len(kept) != len(pairs):
        request.META["QUERY_STRING"] = urlencode(kept)
        request.GET = QueryDict(request.META["QUERY_STRING"], encoding=request.encoding)


def cache_control_directives(response) -> set[str]:
    header = response.headers.get("Cache-Control", "")
    return {part.split("=", 1)[0].strip().lower() for part in cc_delim_re.split(header) if part}


@dataclass(frozen=True)
class CachedPage:
    content: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str

    def response(self, request):
        response = HttpResponse(self.content, headers=dict(self.headers))
        return get_conditional_response(request, etag=self.etag, response=response)


@dataclass(frozen=True)
class Lookup:
    """Where the page of this request is (or will be) cached."""

    site_id: int
    key: str

    @classmethod
    def for_request(cls, request) -> Lookup | None:
        site_id = site_id_for_request(request)
        if site_id is None:
            return None
        url = md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
        key = ":".join(
            (
                "public-cache:page",
                str(site_id),
                str(site_generation(site_id)),  # before anything is read for the page
                request.scheme,
                request.get_host(),
                translation.get_language() or "",
                url,
            )
        )
        return cls(site_id=site_id, key=key)


def bypasses_cache(request) -> bool:
    """Requests that are never answered from the cache, nor stored."""
    return (
        request.method not in ("GET", "HEAD")
        or getattr(request, "is_dummy", False)  # Wagtail's preview of a draft
        or "HTTP_AUTHORIZATION" in request.META  # RFC 9111: not from a shared cache
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or MESSAGES_COOKIE in request.COOKIES
        or cache_timeout() <= 0
    )


def private_reason(request, response) -> str | None:
    """Why this page's response belongs to this visitor only, if it does."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return "logged in"
    if getattr(request, "public_cache_private", False):
        return "private content"
    if PRIVATE_DIRECTIVES & cache_control_directives(response):
        return "Cache-Control"
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return "CSRF token"
    messages = getattr(request, "_messages", None)
    if messages is not None and (messages.added_new or len(messages)):
        return "messages"
    if response.cookies:
        return "sets a cookie"
    session = getattr(request, "session", None)
    if session is not None and getattr(session, "modified", False):
        return "session"
    return None


def unstorable_reason(request, response, lookup: Lookup) -> str | None:
    """Why a public response is not stored here (a proxy may still keep it)."""
    if request.method != "GET":
        return "not GET"
    if response.streaming:
        return "streaming"
    vary = {header.strip().lower() for header in response.headers.get("Vary", "").split(",")}
    if vary - {"", "cookie"}:
        return "Vary"
    site = getattr(request, "_wagtail_site", None)
    if site is None or site.pk != lookup.site_id:
        return "site"
    page = getattr(request, "public_cache_page", None)
    allowed = set(getattr(page, "public_cache_query_params", ()))
    if set(request.GET) - allowed:
        return "query string"
    return None


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if bypasses_cache(request):
            return self.headers(request, self.get_response(request), public=False)
        strip_tracking_parameters(request)
        lookup = Lookup.for_request(request)
        if lookup is None:
            return self.get_response(request)
        cache = page_cache()
        cached = cache.get(lookup.key)
        if cached is not None:
            return cached.response(request)
        response = self.get_response(request)
        if getattr(request, "public_cache_page", None) is None:
            return response  # not a Wagtail page
        if private_reason(request, response) is not None:
            return self.headers(request, response, public=False)
        if response.status_code != 200:
            return response  # an error or a redirect: no proxy should keep it on our word
        response = self.headers(request, response, public=True)
        if unstorable_reason(request, response, lookup) is None:
            cache.set(
                lookup.key,
                CachedPage(
                    content=response.content,
                    headers=tuple(response.headers.items()),
                    etag=response.headers["ETag"],
                ),
                cache_timeout(),
            )
        return get_conditional_response(
            request, etag=response.headers.get("ETag"), response=response
        )

    @staticmethod
    def headers(request, response, *, public: bool):
        """What browsers and shared caches may do with a page of the site (other responses are
        left as their view made them)."""
        if getattr(request, "public_cache_page", None) is None:
            return response
        if not public:
            if "Cache-Control" not in response.headers:
                patch_cache_control(response, private=True, no_cache=True)
            return response
        directives = cache_control_directives(response)
        patch_cache_control(
            response, public=True, **({} if "max-age" in directives else {"max_age": max_age()})
        )
        # A logged-in visitor gets another page (the user bar...) from the same URL.
        patch_vary_headers(response, ("Cookie",))
        if "ETag" not in response.headers and not response.streaming:
            response.headers["ETag"] = quote_etag(
                md5(response.content, usedforsecurity=False).hexdigest()
            )
        return response
