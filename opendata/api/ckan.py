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
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, wraps
from urllib.parse import urlencode

from django.db.models import Q
from django.http import JsonResponse
from django.urls import re_path
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from organizations.models import OrganizationSettings

from ..exports import export_response
from ..fields import FieldType
from ..models import DatasetPage, DatasetTheme, Licence, SourceKind
from ..models.pages import LICENCE_URLS
from ..query import Compare, In, IsNull, Query, QueryError, Search, coerce
from ..query.ast import conjunction, field_named
from ..sources import live_sources
from ..tables import NoData, NotReadable, UploadedTable, table_for
from . import ckan_query
from .common import ApiRequest, datasets_of, resolve

#: The CKAN release whose Action API this one answers like (``status_show``).
CKAN_VERSION = "2.10.0"
ROWS_DEFAULT, ROWS_MAX = 10, 1000
DATASTORE_LIMIT_DEFAULT, DATASTORE_LIMIT_MAX = 100, 32000
FACET_LIMIT_DEFAULT = 50
#: CKAN's datastore types for ours.
DATASTORE_TYPES = {
    FieldType.TEXT: "text",
    FieldType.URL: "text",
    FieldType.INTEGER: "int",
    FieldType.DECIMAL: "numeric",
    FieldType.DATE: "date",
    FieldType.DATETIME: "timestamp",
    FieldType.BOOLEAN: "bool",
    FieldType.GEO_POINT: "json",
}
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
FREQUENCY_URI = "http://publications.europa.eu/resource/authority/frequency/"
#: Open licences in the Open Definition's sense (CKAN's ``isopen``).
OPEN_LICENCES = frozenset(Licence) - {Licence.OTHER}


# --- errors -----------------------------------------------------------------------------------


class ActionError(Exception):
    """An error answer: HTTP ``status``, CKAN's ``__type``, a message, and for validation
    errors the messages by parameter (``fields``)."""

    def __init__(self, status: int, kind: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.kind, self.message, self.fields = status, kind, message, fields or {}

    def body(self) -> dict:
        error = {"__type": self.kind, "message": self.message}
        error.update(self.fields)
        return error


def not_found(message: str = "") -> ActionError:
    return ActionError(404, "Not Found Error", message or _("Not found"))


def not_authorized(message: str) -> ActionError:
    return ActionError(
        403, "Authorization Error", _("Access denied: %(reason)s") % {"reason": message}
    )


def invalid(name: str, message: str) -> ActionError:
    """CKAN's « Validation Error »: the messages of each parameter, by its name."""
    return ActionError(409, "Validation Error", f"{name}: {message}", {name: [message]})


def bad_request(message: str) -> ActionError:
    return ActionError(400, "Bad request", _("Bad request - %(reason)s") % {"reason": message})


# --- parameters -------------------------------------------------------------------------------


def request_parameters(request) -> dict:
    """The action's parameters: a POST's JSON object or form, else the query string (a
    repeated GET parameter is a list). ``apikey`` is never a parameter."""
    if request.method == "POST":
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            params = {key: values[-1] for key, values in request.POST.lists()}
        else:
            try:
                params = json.loads(request.body or b"{}")
            except (UnicodeDecodeError, ValueError):
                raise bad_request(_("JSON Error: the body is not a JSON object.")) from None
            if not isinstance(params, dict):
                raise bad_request(_("JSON Error: the body is not a JSON object."))
        # Parameters in the query string of a POST count too (udata's CKAN < 1.8 mode).
        for key, values in request.GET.lists():
            params.setdefault(key, values[-1] if len(values) == 1 else values)
    else:
        params = {
            key: values[-1] if len(values) == 1 else values for key, values in request.GET.lists()
        }
    params.pop("apikey", None)
    return params


@dataclass
class Parameters:
    values: dict

    def text(self, name: str, default: str = "") -> str:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, list):
            value = value[-1] if value else ""
        return str(value)

    def integer(self, name: str, default: int, *, maximum: int | None = None) -> int:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise invalid(name, _("Invalid integer")) from None
        if isinstance(value, float | bool) or number < 0:
            raise invalid(name, _("Must be a natural number"))
        # CKAN caps sizes at their maximum rather than refusing them.
        return min(number, maximum) if maximum is not None else number

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        raise invalid(name, _("Value must be one of: true, false"))

    def structure(self, name: str, default=None):
        """A list or object: as sent in JSON, or a JSON text (GET); other text as is."""
        value = self.values.get(name, default)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            try:
                return json.loads(value)
            except ValueError:
                raise invalid(name, _("Invalid JSON")) from None
        return value

    def names(self, name: str) -> list[str] | None:
        """A list of names: a JSON list, or text separated by commas."""
        value = self.structure(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(name, _("A list of names is expected"))
        return [v.strip() for v in value if v.strip()]


# --- the catalogue of a request -----------------------------------------------------------------


def utc_text(moment: dt.datetime | None) -> str | None:
    """CKAN's timestamps: ISO, UTC, without an offset."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat()


@dataclass
class Entry:
    """A dataset as the catalogue searches it (read with ``values()``: no page is built for the
    entries that are searched, sorted and counted but not shown)."""

    pk: int
    name: str
    id: str
    resource_id: str
    title: str
    notes: str
    tags: list[str]
    groups: list[str]
    license_id: str
    private: bool
    created: dt.datetime | None
    modified: dt.datetime | None
    has_data: bool
    author: str
    maintainer: str
    score: int = 0

    @cached_property
    def text(self) -> str:
        return ckan_query.words(
            " ".join([self.name, self.title, self.notes, *self.tags, self.author, self.maintainer])
        )


ENTRY_VALUES = (
    "pk",
    "dataset_id",
    "slug",
    "package_uuid",
    "resource_uuid",
    "title",
    "description",
    "keywords",
    "themes",
    "licence",
    "access",
    "first_published_at",
    "last_published_at",
    "source_kind",
    "live_source",
    "table__id",
    "table__uploaded_at",
    "publisher",
    "contact_name",
)


@dataclass
class Call:
    """One action call: the request, its organization and reader, its parameters."""

    request: object
    api: ApiRequest
    params: Parameters
    name: str
    _entries: dict = field(default_factory=dict)
    _modified: dict = field(default_factory=dict)

    @property
    def site(self):
        return self.api.site

    @property
    def audience(self):
        return self.api.audience

    @cached_property
    def settings(self) -> OrganizationSettings:
        return OrganizationSettings.for_site(self.site)

    @cached_property
    def home(self):
        return self.site.root_page

    @cached_property
    def organization_id(self) -> str:
        return str(self.home.translation_key)

    @cached_property
    def sources(self) -> dict:
        return live_sources()

    def source_modified(self, key: str) -> dt.datetime | None:
        """When a live source's records last changed (once per source and call)."""
        known = self._modified
        if key not in known:
            source = self.sources.get(key)
            moment = source.modified(self.site) if source and source.modified else None
            if isinstance(moment, dt.date) and not isinstance(moment, dt.datetime):
                moment = dt.datetime.combine(moment, dt.time(), tzinfo=dt.UTC)
            known[key] = moment
        return known[key]

    def entries(self, *, include_private: bool) -> list[Entry]:
        """The organization's datasets this reader may find, by title: members-only ones for
        members who ask (``include_private``, CKAN's private datasets)."""
        private = include_private and self.audience.members
        if private not in self._entries:
            rows = datasets_of(self.site).values(*ENTRY_VALUES)
            if not private:
                rows = rows.filter(access="public")
            self._entries[private] = [self.entry(row) for row in rows]
        return self._entries[private]

    def entry(self, row: dict) -> Entry:
        modified = row["last_published_at"]
        if row["source_kind"] == SourceKind.LIVE:
            has_data = row["live_source"] in self.sources
            changed = self.source_modified(row["live_source"]) if has_data else None
        else:
            has_data = row["table__id"] is not None
            changed = row["table__uploaded_at"]
        if changed is not None and (modified is None or changed > modified):
            modified = changed
        keywords = [w.strip() for w in (row["keywords"] or "").split(",") if w.strip()]
        return Entry(
            pk=row["pk"],
            name=row["dataset_id"] or row["slug"],
            id=str(row["package_uuid"]),
            resource_id=str(row["resource_uuid"]),
            title=row["title"],
            notes=row["description"] or "",
            tags=keywords,
            groups=[str(code).lower() for code in row["themes"] or ()],
            license_id=row["licence"],
            private=row["access"] == "members",
            created=row["first_published_at"],
            modified=modified,
            has_data=has_data,
            author=row["publisher"] or "",
            maintainer=row["contact_name"] or "",
        )

    def dataset(self, reference: str) -> DatasetPage:
        """The dataset named ``reference`` (its identifier or package id) that the reader may
        read, or Not Found — whether it does not exist or is for members only."""
        datasets = datasets_of(self.site)
        if not self.audience.members:
            datasets = datasets.filter(access="public")
        named = Q(dataset_id=reference) | Q(dataset_id="", slug=reference)
        if _is_uuid(reference):
            named |= Q(package_uuid=reference)
        found = datasets.filter(named).first()
        if found is None:
            raise not_found()
        return found

    def resource_dataset(self, resource_id: str) -> DatasetPage:
        datasets = datasets_of(self.site)
        if not self.audience.members:
            datasets = datasets.filter(access="public")
        found = (
            datasets.filter(resource_uuid=resource_id).first() if _is_uuid(resource_id) else None
        )
        if found is None:
            raise not_found(_('Resource "%(id)s" was not found.') % {"id": resource_id})
        return found

    # --- shapes ---------------------------------------------------------------------------------

    def organization(self, *, package_count: int | None = None) -> dict:
        settings = self.settings
        created = utc_text(self.home.first_published_at) or utc_text(
            self.home.latest_revision_created_at
        )
        shape = {
            "id": self.organization_id,
            "name": self.home.slug,
            "title": settings.display_name,
            "display_name": settings.display_name,
            "description": settings.translated("description") or "",
            "image_url": (
                self.request.build_absolute_uri(settings.logo.file.url) if settings.logo else ""
            ),
            "created": created or "",
            "is_organization": True,
            "approval_status": "approved",
            "state": "active",
            "type": "organization",
            "revision_id": "",
            "revision_timestamp": created or "",
        }
        if package_count is not None:
            shape["package_count"] = package_count
        return shape

    def group(self, code: str, *, package_count: int | None = None) -> dict:
        label = str(DatasetTheme(code.upper()).label)
        shape = {
            "id": code,
            "name": code,
            "title": label,
            "display_name": label,
            "description": "",
            "image_url": "",
            "image_display_url": "",
            "is_organization": False,
            "type": "group",
            "state": "active",
            "approval_status": "approved",
        }
        if package_count is not None:
            shape["package_count"] = package_count
        return shape

    def dump_url(self, resource_id: str) -> str:
        return self.request.build_absolute_uri(f"/datastore/dump/{resource_id}")

    def resource(self, entry: Entry) -> dict:
        modified, created = utc_text(entry.modified), utc_text(entry.created)
        return {
            "id": entry.resource_id,
            "package_id": entry.id,
            "position": 0,
            "name": entry.title,
            "description": "",
            "format": "CSV",
            "mimetype": "text/csv",
            "mimetype_inner": None,
            "url": self.dump_url(entry.resource_id),
            "url_type": None,
            "resource_type": "file",
            "datastore_active": True,
            "size": None,
            "hash": None,
            "cache_url": None,
            "created": created or modified or "",
            "last_modified": modified,
            "metadata_modified": modified,
            "state": "active",
        }

    def packages(self, entries: list[Entry]) -> list[dict]:
        """The package dicts of ``entries``, in their order (one query for their pages)."""
        pages = {
            page.pk: page
            for page in DatasetPage.objects.filter(pk__in=[e.pk for e in entries]).select_related(
                "locale"
            )
        }
        organization = self.organization()
        return [self.package(entry, pages[entry.pk], organization) for entry in entries]

    def package(self, entry: Entry, page: DatasetPage, organization: dict) -> dict:
        resources = [self.resource(entry)] if entry.has_data else []
        extras = []
        if page.spatial_coverage:
            extras.append({"key": "spatial-text", "value": page.spatial_coverage})
        if page.temporal_start:
            extras.append({"key": "temporal_start", "value": page.temporal_start.isoformat()})
        if page.temporal_end:
            extras.append({"key": "temporal_end", "value": page.temporal_end.isoformat()})
        if page.frequency:
            extras.append({"key": "frequency", "value": FREQUENCY_URI + page.frequency})
        extras.append({"key": "publisher_name", "value": entry.author or organization["title"]})
        licence = Licence(page.licence) if page.licence in Licence.values else None
        return {
            "id": entry.id,
            "name": entry.name,
            "title": entry.title,
            "notes": entry.notes,
            "type": "dataset",
            "state": "active",
            "private": entry.private,
            "license_id": page.licence,
            "license_title": str(licence.label) if licence else page.licence,
            "license_url": LICENCE_URLS.get(page.licence, ""),
            "isopen": licence in OPEN_LICENCES,
            "metadata_created": utc_text(entry.created) or utc_text(entry.modified),
            "metadata_modified": utc_text(entry.modified) or utc_text(entry.created),
            "author": entry.author or organization["title"],
            "author_email": page.contact_email or None,
            "maintainer": entry.maintainer or None,
            "maintainer_email": page.contact_email or None,
            "url": page.get_full_url(self.request) or "",
            "version": None,
            "owner_org": organization["id"],
            "organization": organization,
            "tags": [tag_shape(name) for name in entry.tags],
            "num_tags": len(entry.tags),
            "groups": [self.group(code) for code in entry.groups if _is_theme(code)],
            "resources": resources,
            "num_resources": len(resources),
            "extras": extras,
            "relationships_as_object": [],
            "relationships_as_subject": [],
        }

    def table(self, dataset: DatasetPage, resource_id: str):
        try:
            return table_for(dataset, self.audience)
        except (NotReadable, NoData):
            raise not_found(_('Resource "%(id)s" was not found.') % {"id": resource_id}) from None


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(str(text))
    except ValueError:
        return False
    return True


def _is_theme(code: str) -> bool:
    return code.upper() in DatasetTheme.values


TAG_NAMESPACE = uuid.UUID("6f0e1c52-53c3-4f57-9a55-0b5cbd0d4c1e")


def tag_shape(name: str) -> dict:
    return {
        "id": str(uuid.uuid5(TAG_NAMESPACE, name)),
        "name": name,
        "display_name": name,
        "state": "active",
        "vocabulary_id": None,
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


def _required(call: Call, *names: str) -> str:
    for name in names:
        value = call.params.text(name).strip()
        if value:
            return value
    raise invalid(names[0], _("Missing value"))


@action
def package_show(call: Call):
    """A dataset as a package (``id``: its name or id)."""
    reference = _required(call, "id", "name_or_id")
    dataset = call.dataset(reference)
    rows = datasets_of(call.site).filter(pk=dataset.pk).values(*ENTRY_VALUES)
    return call.packages([call.entry(rows[0])])[0]


@action
def resource_show(call: Call):
    """A dataset's data as a resource (``id``: the resource id)."""
    resource_id = _required(call, "id")
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
    reference = _required(call, "id")
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
        if _is_theme(code)
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
    reference = _required(call, "id").lower()
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
    if name == "groups" and _is_theme(value):
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
                counts.update(code for code in set(entry.groups) if _is_theme(code))
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


# --- datastore_search ---------------------------------------------------------------------------


def _where(params: Parameters, table):
    """The filter of ``q`` (text, or an object of texts by field) and ``filters`` (an object of
    values by field; a list is any of them)."""
    parts = []
    q = params.structure("q")
    if isinstance(q, dict):
        for name, text in q.items():
            try:
                field_named(table.fields, name)
            except QueryError as error:
                raise invalid("q", error.message) from None
            if str(text).strip():
                parts.append(Search(str(text), field=name))
    elif q is not None and not isinstance(q, str | int | float):
        raise invalid("q", _("Text or an object of texts by field is expected"))
    elif q is not None and str(q).strip():
        parts.append(Search(str(q)))
    filters = params.structure("filters")
    if filters not in (None, ""):
        if not isinstance(filters, dict):
            raise invalid("filters", _("An object of values by field is expected"))
        for name, value in filters.items():
            try:
                column = field_named(table.fields, name)
                if value is None:
                    parts.append(IsNull(name))
                elif isinstance(value, list):
                    parts.append(In(name, tuple(coerce(column, v) for v in value)))
                else:
                    parts.append(Compare(name, "=", coerce(column, value)))
            except QueryError as error:
                raise invalid("filters", error.message) from None
    return conjunction(*parts)


def _order(params: Parameters, table) -> tuple:
    value = params.structure("sort")
    if value in (None, ""):
        return ()
    clauses = value if isinstance(value, list) else str(value).split(",")
    order = []
    for clause in clauses:
        bits = str(clause).replace('"', "").split()
        if not bits:
            continue
        name, direction = bits[0], (bits[1].lower() if len(bits) > 1 else "asc")
        if direction not in ("asc", "desc") or len(bits) > 2:
            raise invalid("sort", _("Cannot sort by « %(sort)s »") % {"sort": str(clause).strip()})
        if name == "_id":
            if direction == "desc":
                raise invalid("sort", _("Records are given in ascending « _id » order only"))
            break  # the records' own order
        if table.field(name) is None:
            raise invalid("sort", _("Unknown field: %(name)s.") % {"name": name})
        order.append((name, direction == "desc"))
    return tuple(order)


def _record_id(table, value: str):
    return int(value) if isinstance(table, UploadedTable) and value.isdigit() else value


def _links(call: Call, offset: int, limit: int) -> dict:
    kept = {
        key: json.dumps(value) if isinstance(value, dict | list) else value
        for key, value in call.params.values.items()
        if key != "offset"
    }
    path = call.request.path.rstrip("/")
    return {
        "start": f"{path}?{urlencode(kept, doseq=False)}",
        "next": f"{path}?{urlencode({**kept, 'offset': offset + limit}, doseq=False)}",
    }


@action
def datastore_search(call: Call):
    """A dataset's records (``resource_id``), found by ``q`` and ``filters``, with ``fields``,
    ``sort``, ``limit`` (100 by default), ``offset``, ``include_total`` and
    ``records_format`` (``objects`` or ``lists``); ``_links`` lead to the next page."""
    params = call.params
    resource_id = _required(call, "resource_id", "id")
    dataset = call.resource_dataset(resource_id)
    table = call.table(dataset, resource_id)
    where = _where(params, table)
    order = _order(params, table)
    limit = params.integer("limit", DATASTORE_LIMIT_DEFAULT, maximum=DATASTORE_LIMIT_MAX)
    offset = params.integer("offset", 0)
    records_format = params.text("records_format", "objects")
    if records_format not in ("objects", "lists"):
        raise invalid("records_format", _("Value must be one of: objects, lists"))
    chosen = params.names("fields")
    if chosen is None:
        chosen = ["_id", *table.names]
    unknown = [name for name in chosen if name != "_id" and table.field(name) is None]
    if unknown:
        raise invalid("fields", _("Unknown field: %(name)s.") % {"name": unknown[0]})
    id_type = "int" if isinstance(table, UploadedTable) else "text"
    fields = []
    for name in chosen:
        if name == "_id":
            fields.append({"id": "_id", "type": id_type})
            continue
        column = table.field(name)
        info = {"label": str(column.label)}
        if column.description:
            info["notes"] = str(column.description)
        fields.append({"id": name, "type": DATASTORE_TYPES.get(column.type, "text"), "info": info})
    try:
        found = table.records(Query(where=where, order_by=order, limit=limit, offset=offset))
    except QueryError as error:
        raise invalid("sort", error.message) from None
    records = []
    for record in found:
        values = [
            _record_id(table, record["_id"]) if name == "_id" else record.get(name)
            for name in chosen
        ]
        records.append(
            values if records_format == "lists" else dict(zip(chosen, values, strict=True))
        )
    result = {
        "resource_id": resource_id,
        "fields": fields,
        "records_format": records_format,
        "records": records,
        "limit": limit,
        "offset": offset,
        "_links": _links(call, offset, limit),
        "include_total": params.boolean("include_total", True),
    }
    if result["include_total"]:
        result["total"] = table.count(where)
        result["total_was_estimated"] = False
    return result


# --- the views ----------------------------------------------------------------------------------


def _answer(request, api: ApiRequest | None, body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if api is not None and api.rate is not None:
        for header, value in api.rate.headers().items():
            response[header] = value
    return response


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


DUMP_FORMATS = {"csv": ("csv", ","), "tsv": ("csv", "\t"), "json": ("json", ",")}


@csrf_exempt
@in_reader_language
def dump_view(request, resource_id: str):
    """``/datastore/dump/<resource_id>``: the records as a download (``format``: ``csv``,
    ``tsv`` or ``json``; ``q``, ``filters`` and ``sort`` as ``datastore_search``'s)."""
    help_url = request.build_absolute_uri("/api/3/action/help_show?name=datastore_search")
    api = None
    try:
        api = resolve(request)
        _admitted(api)
        call = Call(request, api, Parameters(request_parameters(request)), "datastore_dump")
        fmt = call.params.text("format", "csv").lower()
        if fmt not in DUMP_FORMATS:
            raise invalid("format", _("Value must be one of: csv, tsv, json"))
        dataset = call.resource_dataset(resource_id)
        table = call.table(dataset, resource_id)
        where, order = _where(call.params, table), _order(call.params, table)
        export_format, delimiter = DUMP_FORMATS[fmt]
        response = export_response(
            table,
            export_format,
            where=where,
            order_by=order,
            filename=dataset.identifier,
            delimiter=delimiter,
        )
    except ActionError as error:
        return _answer(
            request, api, {"help": help_url, "success": False, "error": error.body()}, error.status
        )
    if fmt == "tsv":
        response["Content-Type"] = "text/tab-separated-values; charset=utf-8"
        response["Content-Disposition"] = f'attachment; filename="{dataset.identifier}.tsv"'
    for header, value in api.rate.headers().items():
        response[header] = value
    return response


@csrf_exempt
@in_reader_language
def api_root(request):
    """``/api/3``: the API's version, as CKAN answers it; ``/api/3/action/`` without a name is
    a bad request (in the envelope, never a redirect to a page)."""
    if request.path.rstrip("/").endswith("action"):
        return action_view(request, "")
    return JsonResponse({"version": 3})


urlpatterns = [
    re_path(r"^api/3/?$", api_root, name="ckan_api"),
    re_path(r"^api/(?:3/)?action/?$", api_root, name="ckan_no_action"),
    re_path(r"^api/(?:3/)?action/(?P<name>\w+)/?$", action_view, name="ckan_action"),
    re_path(r"^api/(?:3/)?util/status/?$", util_status, name="ckan_util_status"),
    re_path(r"^datastore/dump/(?P<resource_id>[\w-]+)/?$", dump_view, name="ckan_dump"),
]
