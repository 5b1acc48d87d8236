"""What CKAN's actions share: their errors, their parameters, and the organization's catalogue
as CKAN shapes it (packages, their resource, the organization, groups, tags) for one call.

Searching, sorting and counting read the datasets as :class:`Entry` rows (``values()``, no page
built); only the packages of the page shown are read as pages (their URL).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Q
from django.utils.translation import gettext as _

from organizations.models import OrganizationSettings

from ..fields import INTEGER_LIMIT
from ..models import DatasetPage, DatasetTheme, Licence, SourceKind
from ..models.pages import LICENCE_URLS
from ..sources import live_sources
from ..tables import NoData, NotReadable, table_for
from . import ckan_query
from .common import ApiRequest, datasets_of

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
            except (UnicodeDecodeError, ValueError, RecursionError):
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
        if number > INTEGER_LIMIT:
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
            "groups": [self.group(code) for code in entry.groups if is_theme(code)],
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


def is_theme(code: str) -> bool:
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


def required(call: Call, *names: str) -> str:
    """The first of ``names`` given (CKAN's aliases), or a Validation Error naming the first."""
    for name in names:
        value = call.params.text(name).strip()
        if value:
            return value
    raise invalid(names[0], _("Missing value"))
