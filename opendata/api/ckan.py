"""CKAN's Action API for the organization of the host: ``ckanapi``, the harvesters of
data.gouv.fr (udata) and of CKAN portals (ckanext-harvest) read our catalogue as a CKAN one.

Addresses: ``/api/3/action/<name>`` and ``/api/action/<name>`` (a trailing slash is tolerated,
never redirected), ``/api/util/status``, and ``/datastore/dump/<resource_id>`` (a download).
Parameters come as GET parameters, a POST JSON object or a POST form; lists and objects in GET
parameters are JSON (``facet.field=["tags"]``, ``filters={"ville": "Lyon"}``).

The catalogue as CKAN shapes it:

- the organization is CKAN's one *organization* (its id is the home page's translation key,
  its name the home page's slug);
- each published dataset is a *package* (``id``: ``package_uuid``, ``name``: the dataset
  identifier) with one *resource*, its data (``id``: ``resource_uuid``, ``url``: the CSV of
  ``/datastore/dump/``), active in the *datastore* (``datastore_search``);
- themes are *groups* (their EU codes, lowered), keywords are *tags*, licences keep their
  identifiers (``license_list``);
- members-only datasets are CKAN's *private* datasets: unknown (Not Found, never listed nor
  counted) to whoever may not read them; members (a member's key, CKAN's bare
  ``Authorization: KEY``) read them with ``package_show`` and ``datastore_search``, and find
  them with ``package_search`` when they ask ``include_private=true``, as CKAN's private
  datasets. Members-only columns exist only for members (``opendata.tables``).

Every answer is JSON in CKAN's envelope, ``{"help", "success", "result"}``, or an error
``{"help", "success": false, "error": {"__type", "message", …}}`` with CKAN's statuses: 404
``Not Found Error``, 403 ``Authorization Error`` (a refused key, a write action), 409
``Validation Error`` (field errors by parameter name, as CKAN's), 400 ``Search Query Error`` and
``Bad request``; 429 when the rate limit is exceeded. Every answer carries the rate-limit
headers (``opendata.api.common``).

Here: the actions, ``package_search`` and the views. ``ckan_catalogue``: errors, parameters
and the catalogue's CKAN shapes; ``ckan_datastore``: ``datastore_search`` and the dumps;
``ckan_query``: the bit of Solr's syntax that ``q`` and ``fq`` are written in.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from functools import wraps

from django.http import JsonResponse
from django.urls import re_path
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from ..models import DatasetTheme, Licence
from ..models.pages import LICENCE_URLS
from . import ckan_datastore, ckan_query
from .ckan_catalogue import (
    ENTRY_VALUES,
    OPEN_LICENCES,
    ActionError,
    Call,
    Entry,
    Parameters,
    bad_request,
    invalid,
    is_theme,
    not_authorized,
    not_found,
    request_parameters,
    required,
    tag_shape,
)
from .common import ApiRequest, datasets_of, resolve

#: The CKAN release whose Action API this one answers like (``status_show``).
CKAN_VERSION = "2.10.0"
ROWS_DEFAULT, ROWS_MAX = 10, 1000
FACET_LIMIT_DEFAULT = 50
FACETS = ("tags", "groups", "license_id", "res_format", "organization")
#: Actions that write: CKAN answers an anonymous writer « Authorization Error »; this portal is
#: written through its admin only.
WRITE_SUFFIXES = ("_create", "_update", "_patch", "_delete", "_purge", "_upsert", "_insert")
#: Why a key is refused (``opendata.access.KeyRefused``), as the error message says it.
KEY_REFUSALS = {
    "unknown": gettext_lazy("this API key is unknown."),
    "revoked": gettext_lazy("this API key was revoked."),
    "expired": gettext_lazy("the membership of this API key's owner has ended."),
    "other_organization": gettext_lazy("this API key belongs to another organization."),
}


# --- actions ------------------------------------------------------------------------------------

ACTIONS: dict[str, Callable[[Call], object]] = {}


def action(function):
    """Registers ``function`` as the action of its name."""
    ACTIONS[function.__name__] = function
    return function


@action
def site_read(call: Call):
    """Whether the site may be read: always."""
    return True


@action
def status_show(call: Call):
    """The site and the CKAN release it answers like."""
    return {
        "site_title": call.settings.display_name,
        "site_description": call.settings.translated("description") or "",
        "site_url": call.request.build_absolute_uri("/").rstrip("/"),
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": call.settings.content_language,
        "extensions": ["datastore"],
    }


@action
def help_show(call: Call):
    """What an action does (``name``)."""
    name = call.params.text("name")
    function = ACTIONS.get(name)
    if function is None:
        raise not_found(_("Action name not known: %(name)s") % {"name": name})
    return function.__doc__


@action
def package_list(call: Call):
    """The names of the public datasets, by name (``limit``, ``offset``)."""
    names = sorted(entry.name for entry in call.entries(include_private=False))
    offset = call.params.integer("offset", 0)
    limit = call.params.integer("limit", len(names))
    return names[offset : offset + limit]


@action
def current_package_list_with_resources(call: Call):
    """The public datasets as packages, the last modified first (``limit``, ``offset``)."""
    entries = sorted(
        call.entries(include_private=False),
        key=lambda e: e.modified or dt.datetime.min.replace(tzinfo=dt.UTC),
        reverse=True,
    )
    offset = call.params.integer("offset", 0)
    limit = call.params.integer("limit", ROWS_MAX, maximum=ROWS_MAX)
    return call.packages(entries[offset : offset + limit])


@action
def package_show(call: Call):
    """A dataset as a package (``id``: its name or id)."""
    reference = required(call, "id", "name_or_id")
    dataset = call.dataset(reference)
    rows = datasets_of(call.site).filter(pk=dataset.pk).values(*ENTRY_VALUES)
    return call.packages([call.entry(rows[0])])[0]


@action
def resource_show(call: Call):
    """A dataset's data as a resource (``id``: the resource id)."""
    resource_id = required(call, "id")
    dataset = call.resource_dataset(resource_id)
    entry = call.entry(datasets_of(call.site).filter(pk=dataset.pk).values(*ENTRY_VALUES)[0])
    if not entry.has_data:
        raise not_found(_('Resource "%(id)s" was not found.') % {"id": resource_id})
    return call.resource(entry)


@action
def organization_list(call: Call):
    """The organization, CKAN's one organization (``all_fields`` for its details)."""
    if call.params.boolean("all_fields"):
        count = len(call.entries(include_private=True))
        return [call.organization(package_count=count)]
    return [call.home.slug]


@action
def organization_show(call: Call):
    """The organization (``id``: its name or id; ``include_datasets`` for its packages)."""
    reference = required(call, "id")
    if reference not in (call.home.slug, call.organization_id):
        raise not_found()
    entries = call.entries(include_private=True)
    shape = call.organization(package_count=len(entries))
    if call.params.boolean("include_datasets"):
        shape["packages"] = call.packages(entries[:ROWS_MAX])
    shape["users"] = []
    shape["extras"] = []
    shape["tags"] = []
    shape["groups"] = []
    return shape


def _group_counts(call: Call) -> Counter:
    return Counter(
        code
        for entry in call.entries(include_private=True)
        for code in entry.groups
        if is_theme(code)
    )


@action
def group_list(call: Call):
    """The themes of the datasets as groups (``all_fields``, ``sort``: ``name``, ``title`` or
    ``package_count``, ``limit``, ``offset``)."""
    counts = _group_counts(call)
    groups = [call.group(code, package_count=n) for code, n in counts.items()]
    sort = call.params.text("sort", "name asc").strip().split()
    key = sort[0] if sort else "name"
    if key not in ("name", "title", "package_count"):
        raise invalid("sort", _("Cannot sort by field `%(name)s`") % {"name": key})
    descending = len(sort) > 1 and sort[1].lower() == "desc"
    groups.sort(key=lambda g: (g[key], g["name"]), reverse=descending)
    offset = call.params.integer("offset", 0)
    limit = call.params.integer("limit", len(groups))
    groups = groups[offset : offset + limit]
    if call.params.boolean("all_fields"):
        return groups
    return [g["name"] for g in groups]


@action
def group_show(call: Call):
    """A theme as a group (``id``)."""
    reference = required(call, "id").lower()
    counts = _group_counts(call)
    if reference not in counts:
        raise not_found()
    return call.group(reference, package_count=counts[reference])


@action
def tag_list(call: Call):
    """The keywords of the datasets (``query``: a part of them; ``all_fields``)."""
    names = sorted({t for entry in call.entries(include_private=True) for t in entry.tags})
    query = ckan_query.words(call.params.text("query"))
    if query:
        names = [name for name in names if query in ckan_query.words(name)]
    if call.params.boolean("all_fields"):
        return [tag_shape(name) for name in names]
    return names


@action
def license_list(call: Call):
    """The licences datasets may have."""
    return [
        {
            "id": licence.value,
            "title": str(licence.label),
            "url": LICENCE_URLS.get(licence, ""),
            "status": "active",
            "maintainer": "",
            "family": "",
            "is_generic": licence == Licence.OTHER,
            "od_conformance": "approved" if licence in OPEN_LICENCES else "not reviewed",
            "osd_conformance": "not reviewed",
            "domain_content": False,
            "domain_data": True,
            "domain_software": False,
        }
        for licence in Licence
    ]


# --- package_search -----------------------------------------------------------------------------

SEARCH_FIELDS = frozenset(
    {
        "name",
        "id",
        "title",
        "notes",
        "text",
        "tags",
        "groups",
        "organization",
        "owner_org",
        "license_id",
        "res_format",
        "metadata_modified",
        "metadata_created",
        "type",
        "dataset_type",
        "state",
        "private",
        "capacity",
        "author",
        "maintainer",
    }
)
DATE_FIELDS = frozenset({"metadata_modified", "metadata_created"})
SORT_KEYS = {
    "score": lambda e: e.score,
    "metadata_modified": lambda e: e.modified,
    "metadata_created": lambda e: e.created,
    "title_string": lambda e: ckan_query.words(e.title),
    "title": lambda e: ckan_query.words(e.title),
    "name": lambda e: e.name,
    "id": lambda e: e.id,
}


def _values_of(call: Call, entry: Entry):
    fold = ckan_query.fold
    organization = fold(call.home.slug)

    def values_of(name):
        if name is None or name == "text":
            return entry.text
        if name in ("title", "notes", "author", "maintainer"):
            return ckan_query.words(getattr(entry, name))
        return {
            "name": lambda: [fold(entry.name)],
            "id": lambda: [entry.id],
            "tags": lambda: [fold(t) for t in entry.tags],
            "groups": lambda: entry.groups,
            "organization": lambda: [organization],
            "owner_org": lambda: [call.organization_id],
            "license_id": lambda: [fold(entry.license_id)],
            "res_format": lambda: ["csv"] if entry.has_data else [],
            "metadata_modified": lambda: [entry.modified] if entry.modified else [],
            "metadata_created": lambda: [entry.created] if entry.created else [],
            "type": lambda: ["dataset"],
            "dataset_type": lambda: ["dataset"],
            "state": lambda: ["active"],
            "private": lambda: ["true" if entry.private else "false"],
            "capacity": lambda: ["private" if entry.private else "public"],
        }[name]()

    return values_of


def _score(entry: Entry, words: list[str]) -> int:
    """Relevance of ``entry`` to the words of ``q``: found in the title, the keywords, the
    text."""
    title, tags = ckan_query.words(entry.title).split(), ckan_query.words(" ".join(entry.tags))
    score = 0
    for word in words:
        score += 3 * (word in title) + 2 * (word in tags.split()) + (word in entry.text.split())
    return score


def _sort(call: Call, entries: list[Entry], text: str) -> list[Entry]:
    clauses = []
    for part in text.split(","):
        bits = part.split()
        if not bits:
            continue
        name = bits[0]
        direction = bits[1].lower() if len(bits) > 1 else "asc"
        if name not in SORT_KEYS or direction not in ("asc", "desc") or len(bits) > 2:
            raise ActionError(
                400,
                "Search Query Error",
                _(
                    "Search Query is invalid: cannot sort by « %(sort)s »; sort by %(keys)s, "
                    "each asc or desc."
                )
                % {"sort": part.strip(), "keys": ", ".join(SORT_KEYS)},
            )
        clauses.append((SORT_KEYS[name], direction == "desc"))
    ordered = list(entries)
    # Stable sorts from the last key to the first; empty values last either way.
    for key, descending in reversed(clauses):
        present = [e for e in ordered if key(e) is not None]
        empty = [e for e in ordered if key(e) is None]
        ordered = sorted(present, key=key, reverse=descending) + empty
    return ordered


def _facet_display(call: Call, name: str, value: str) -> str:
    if name == "groups" and is_theme(value):
        return str(DatasetTheme(value.upper()).label)
    if name == "license_id" and value in Licence.values:
        return str(Licence(value).label)
    if name == "organization":
        return call.settings.display_name
    return value


def _facets(call: Call, entries: list[Entry], names: list[str], limit: int, mincount: int):
    facets, search_facets = {}, {}
    for name in names:
        counts = Counter()
        for entry in entries:
            if name == "tags":
                counts.update(set(entry.tags))
            elif name == "groups":
                counts.update(code for code in set(entry.groups) if is_theme(code))
            elif name == "license_id":
                counts[entry.license_id] += 1
            elif name == "res_format":
                if entry.has_data:
                    counts["CSV"] += 1
            elif name == "organization":
                counts[call.home.slug] += 1
        items = sorted(
            ((value, n) for value, n in counts.items() if n >= mincount),
            key=lambda item: (-item[1], item[0]),
        )
        if limit >= 0:
            items = items[:limit]
        facets[name] = dict(items)
        search_facets[name] = {
            "title": name,
            "items": [
                {"name": value, "display_name": _facet_display(call, name, value), "count": n}
                for value, n in items
            ],
        }
    return facets, search_facets


@action
def package_search(call: Call):
    """Datasets found by ``q`` and ``fq`` (Solr's syntax: words, ``field:value``, ranges),
    sorted (``sort``), paged (``rows`` ≤ 1000, ``start``), with facet counts
    (``facet.field``: ``tags``, ``groups``, ``license_id``, ``res_format``, ``organization``);
    members-only datasets with ``include_private`` for members."""
    params = call.params
    rows = params.integer("rows", ROWS_DEFAULT, maximum=ROWS_MAX)
    start = params.integer("start", 0)
    entries = call.entries(include_private=params.boolean("include_private"))
    q, fq = params.text("q"), params.text("fq")
    try:
        query = ckan_query.parse(q, SEARCH_FIELDS, DATE_FIELDS)
        filters = ckan_query.parse(fq, SEARCH_FIELDS, DATE_FIELDS)
    except ckan_query.SearchQueryError as error:
        raise ActionError(400, "Search Query Error", str(error)) from None
    found = []
    for entry in entries:
        values_of = _values_of(call, entry)
        if ckan_query.matches(query, values_of) and ckan_query.matches(filters, values_of):
            found.append(entry)
    free_words = ckan_query.words(" ".join(_free_words(query))).split()
    for entry in found:
        entry.score = _score(entry, free_words) if free_words else 0
    found = _sort(call, found, params.text("sort") or "score desc, metadata_modified desc")
    facet_names = params.names("facet.field") or []
    unknown = [name for name in facet_names if name not in FACETS]
    if unknown:
        raise ActionError(
            400,
            "Search Query Error",
            _("Search Query is invalid: no facet « %(name)s »; facets: %(facets)s.")
            % {"name": unknown[0], "facets": ", ".join(FACETS)},
        )
    facets, search_facets = _facets(
        call,
        found,
        facet_names,
        limit=_facet_limit(params),
        mincount=params.integer("facet.mincount", 1),
    )
    page = found[start : start + rows]
    results = call.packages(page)
    keep = params.names("fl")
    if keep:
        results = [{key: package.get(key) for key in keep} for package in results]
    return {
        "count": len(found),
        "sort": params.text("sort") or "score desc, metadata_modified desc",
        "results": results,
        "facets": facets,
        "search_facets": search_facets,
    }


def _facet_limit(params: Parameters) -> int:
    value = params.values.get("facet.limit")
    if value in (-1, "-1"):
        return -1
    return params.integer("facet.limit", FACET_LIMIT_DEFAULT)


def _free_words(node) -> list[str]:
    """The words of ``q`` searched in the text (for the relevance score)."""
    if node is None:
        return []
    if isinstance(node, ckan_query.AllOf | ckan_query.AnyOf):
        return [word for item in node.items for word in _free_words(item)]
    if isinstance(node, ckan_query.Term) and node.field in (None, "text", "title"):
        return [node.value]
    return []


action(ckan_datastore.datastore_search)


# --- the views ----------------------------------------------------------------------------------


def _reader_headers(response, api: ApiRequest | None):
    """The rate limits, and what a key or a session reads kept from shared caches."""
    if api is not None and api.rate is not None:
        for header, value in api.rate.headers().items():
            response[header] = value
    patch_vary_headers(response, ("Authorization", "X-CKAN-API-Key", "Cookie"))
    if api is not None and api.audience is not None and api.audience.members:
        response["Cache-Control"] = "private, no-store"
    return response


def _answer(request, api: ApiRequest | None, body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    return _reader_headers(response, api)


def _admitted(api: ApiRequest) -> None:
    """Refusals before any action: an unknown host, the rate exceeded, a refused key."""
    if api.site is None:
        raise not_found()
    if api.rate.exceeded:
        raise ActionError(
            429,
            "Rate Limit Error",
            _("Too many requests: try again in a minute."),
        )
    if api.refused:
        raise not_authorized(str(KEY_REFUSALS.get(api.refused, KEY_REFUSALS["unknown"])))


def in_reader_language(view):
    """The view in the reader's language (``Accept-Language``, else French): the API's
    addresses have no language prefix, for which Django would always choose the default."""

    @wraps(view)
    def answer(request, *args, **kwargs):
        with translation.override(translation.get_language_from_request(request)):
            return view(request, *args, **kwargs)

    return answer


@csrf_exempt
@in_reader_language
def action_view(request, name: str):
    """``/api/3/action/<name>``: an action, in CKAN's envelope."""
    help_url = request.build_absolute_uri(f"/api/3/action/help_show?name={name}")
    api = None
    try:
        api = resolve(request)
        _admitted(api)
        function = ACTIONS.get(name)
        if function is None:
            if name.endswith(WRITE_SUFFIXES):
                raise not_authorized(_("this catalogue is written by its organization only."))
            raise bad_request(_("Action name not known: %(name)s") % {"name": name})
        call = Call(request, api, Parameters(request_parameters(request)), name)
        result = function(call)
    except ActionError as error:
        return _answer(
            request, api, {"help": help_url, "success": False, "error": error.body()}, error.status
        )
    return _answer(request, api, {"help": help_url, "success": True, "result": result})


@in_reader_language
def util_status(request):
    """CKAN's ``/api/util/status`` (udata checks it before harvesting)."""
    api = resolve(request)
    try:
        _admitted(api)
    except ActionError as error:
        return _answer(request, api, {"success": False, "error": error.body()}, error.status)
    call = Call(request, api, Parameters({}), "status_show")
    return _answer(request, api, status_show(call))


@csrf_exempt
@in_reader_language
def dump_view(request, resource_id: str):
    """``/datastore/dump/<resource_id>``: the records as a download (``ckan_datastore.dump``)."""
    help_url = request.build_absolute_uri("/api/3/action/help_show?name=datastore_search")
    api = None
    try:
        api = resolve(request)
        _admitted(api)
        call = Call(request, api, Parameters(request_parameters(request)), "datastore_dump")
        response = ckan_datastore.dump(call, resource_id)
    except ActionError as error:
        return _answer(
            request, api, {"help": help_url, "success": False, "error": error.body()}, error.status
        )
    return _reader_headers(response, api)


@csrf_exempt
@in_reader_language
def api_root(request):
    """``/api/3``: the API's version, as CKAN answers it; ``/api/3/action/`` without a name is
    a bad request (in the envelope, never a redirect to a page)."""
    if request.path.rstrip("/").endswith("action"):
        return action_view(request, "")
    api = resolve(request)
    try:
        _admitted(api)
    except ActionError as error:
        return _answer(request, api, {"success": False, "error": error.body()}, error.status)
    return _answer(request, api, {"version": 3})


urlpatterns = [
    re_path(r"^api/3/?$", api_root, name="ckan_api"),
    re_path(r"^api/(?:3/)?action/?$", api_root, name="ckan_no_action"),
    re_path(r"^api/(?:3/)?action/(?P<name>\w+)/?$", action_view, name="ckan_action"),
    re_path(r"^api/(?:3/)?util/status/?$", util_status, name="ckan_util_status"),
    re_path(r"^datastore/dump/(?P<resource_id>[\w-]+)/?$", dump_view, name="ckan_dump"),
]
