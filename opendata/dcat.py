"""The organization's DCAT-AP 3.0 catalogue, for the harvesters of public portals.

``/catalog.ttl``, ``/catalog.rdf``, ``/catalog.jsonld`` (and ``/catalog?format=ttl|rdf|jsonld``,
and Opendatasoft's ``/api/explore/v2.1/catalog/exports/dcat`` in RDF/XML) describe the
published datasets of the organization whose host is asked, never another's and never a draft:

- ``dcat:Catalog``: title, description, publisher (``foaf:Agent``), home page, language,
  modification date, the EU data themes as its theme taxonomy, the two APIs as its services;
- ``dcat:Dataset`` per dataset: what its page says for catalogues (keywords, EU themes and
  frequency, contact point, spatial and temporal coverage, dates, identifier, landing page,
  access rights);
- ``dcat:Distribution`` per export format, whose download address is the dataset page's export
  route (:func:`export_url`), with IANA media types, EU file types and the licence;
- ``dcat:DataService`` for the Explore v2.1 and CKAN APIs.

The catalogue is the same for every reader (harvesters read it anonymously): a members-only
dataset is listed as restricted — EU access right ``RESTRICTED``, "available under certain
conditions", the conditions being a current membership — with one distribution pointing at its
page, no download address, and nothing of its data or its columns. Columns are never listed at
all, so no members-only column name can show.

Large catalogues are paged (:data:`PAGE_SIZE` datasets a page, ``?page=N``) with Hydra's
paging terms, in both the current vocabulary (``hydra:PartialCollectionView`` with
``hydra:first``/``next``/``previous``/``last``) and the older one that CKAN's and udata's DCAT
harvesters follow (``hydra:PagedCollection`` with ``hydra:firstPage``/``nextPage``…).

Validated against the DCAT-AP 3.0.0 SHACL shapes (``structured_data/data/reference/``) by the
tests: every object whose class the shapes check (a licence is a ``dct:LicenseDocument``, a
theme a ``skos:Concept`` with its label…) is typed in the catalogue itself, since harvesters
and validators do not dereference the EU vocabularies.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from hashlib import md5

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from organizations.models import OrganizationSettings
from public_cache.generations import site_generation

from .access import Audience
from .api.common import resolve
from .exports import formats_for
from .models import DatasetIndexPage, DatasetPage, DatasetTheme, Frequency, Licence, SourceKind
from .sources import live_source
from .tables import NoData, NotReadable, table_for

#: Datasets per catalogue page.
PAGE_SIZE = 100

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
EU = "http://publications.europa.eu/resource/authority/"
THEME = Namespace(EU + "data-theme/")
THEME_SCHEME = URIRef(EU + "data-theme")
FREQUENCY = Namespace(EU + "frequency/")
ACCESS_RIGHT = Namespace(EU + "access-right/")
FILE_TYPE = Namespace(EU + "file-type/")
LANGUAGE = Namespace(EU + "language/")
IANA = "https://www.iana.org/assignments/media-types/"
PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")

#: ``?format=`` (or the file extension) → rdflib's serializer and the answer's content type.
SERIALIZATIONS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "rdf": ("xml", "application/rdf+xml; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json; charset=utf-8"),
}
FORMAT_ALIASES = {"turtle": "ttl", "xml": "rdf", "rdfxml": "rdf", "json-ld": "jsonld"}

#: Per export format: its name, IANA media type and EU file type (``None``: the vocabulary
#: has no entry — JSON Lines is registered in neither).
EXPORT_FORMATS = {
    "csv": ("CSV", "text/csv", "CSV"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    "json": ("JSON", "application/json", "JSON"),
    "jsonl": ("JSON Lines", None, None),
    "geojson": ("GeoJSON", "application/geo+json", "GEOJSON"),
}

LANGUAGE_CODES = {"fr": "FRA", "en": "ENG"}

#: ADMS publisher types by organization kind (non-profit unless the kind says otherwise).
PUBLISHER_TYPES = {
    "production_company": "Company",
    "distributor": "Company",
    "media": "Company",
    "school": "Academia-ScientificOrganisation",
}
PUBLISHER_TYPE_LABELS = {
    "NonProfitOrganisation": "Non-Profit Organisation",
    "Company": "Company",
    "Academia-ScientificOrganisation": "Academia/Scientific organisation",
}

#: The APIs' documentations, which they conform to.
EXPLORE_STANDARD = URIRef("https://help.opendatasoft.com/apis/ods-explore-v2/")
CKAN_STANDARD = URIRef("https://docs.ckan.org/en/2.11/api/")

PREFIXES = {
    "dcat": DCAT,
    "dct": DCTERMS,
    "foaf": FOAF,
    "vcard": VCARD,
    "skos": SKOS,
    "xsd": XSD,
    "rdfs": RDFS,
    "hydra": HYDRA,
    "locn": LOCN,
}


def export_url(page: DatasetPage, fmt: str, request=None) -> str:
    """The address of ``page``'s export in ``fmt`` (``csv``, ``xlsx``…): the dataset page's
    ``exports/<fmt>/`` route. One builder for the catalogue, the page and the JSON-LD."""
    return export_url_at(page.get_full_url(request), fmt)


def export_url_at(page_url: str, fmt: str) -> str:
    """:func:`export_url` from the page's address, when the caller has it already (a page's
    address costs a look at every site's root)."""
    return f"{page_url}exports/{fmt}/"


def explore_export_url(site_url: str, page: DatasetPage, fmt: str) -> str:
    """The same export through the Explore API."""
    return f"{site_url}/api/explore/v2.1/catalog/datasets/{page.identifier}/exports/{fmt}"


def published_datasets(site):
    """The organization's published datasets in a stable order (pages of the catalogue),
    with what the catalogue reads of their tables."""
    return (
        DatasetPage.objects.published(within=site.root_page)
        .select_related("table")
        .prefetch_related("table__columns")
        .order_by("title", "pk")
    )


def dataset_modified(page: DatasetPage) -> datetime | None:
    """When the dataset last changed: its page, its uploaded table, or its live records."""
    moments = [page.last_published_at]
    if page.source_kind == SourceKind.LIVE:
        source = live_source(page.live_source)
        if source is not None and source.modified is not None:
            moments.append(_as_datetime(source.modified(page.get_site())))
    else:
        table = _table_of(page)
        if table is not None:
            moments.append(table.uploaded_at)
    moments = [m for m in moments if m is not None]
    return max(moments) if moments else None


def _as_datetime(value) -> datetime | None:
    if isinstance(value, datetime) or value is None:
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day).astimezone()
    return None


def _table_of(page: DatasetPage):
    try:
        return page.table
    except DatasetPage.table.RelatedObjectDoesNotExist:
        return None


class CataloguePage:
    """Which datasets one page of the catalogue holds."""

    def __init__(self, datasets, number: int):
        self.total = datasets.count()
        self.count = max(1, math.ceil(self.total / PAGE_SIZE))
        if number < 1 or number > self.count:
            raise Http404("No such catalogue page")
        self.number = number
        start = (number - 1) * PAGE_SIZE
        self.datasets = list(datasets[start : start + PAGE_SIZE])


class CatalogueBuilder:
    """Builds the RDF graph of one page of ``site``'s catalogue."""

    def __init__(self, site, request, page_number: int = 1):
        self.site = site
        self.request = request
        self.site_url = site.root_url
        self.settings = OrganizationSettings.for_site(site)
        self.language = self.settings.content_language
        self.portal = (
            DatasetIndexPage.objects.live().descendant_of(site.root_page).order_by("path").first()
        )
        self.all_datasets = published_datasets(site)
        self.page = CataloguePage(self.all_datasets, page_number)
        self.graph = Graph(bind_namespaces="none")
        for prefix, namespace in PREFIXES.items():
            self.graph.bind(prefix, namespace)
        self.public = Audience(site.pk)
        self.organization = URIRef(f"{self.site_url}/#organization")
        self.explore = URIRef(f"{self.site_url}/api/explore/v2.1/")
        self.ckan = URIRef(f"{self.site_url}/api/3/action/")
        #: The contact point of datasets that name none: the organization's first public e-mail.
        self.organization_email = next(
            (point.email for point in self.settings.contact_points.all() if point.email), ""
        )

    # --- small helpers ----------------------------------------------------------------------
    def add(self, subject, predicate, obj) -> None:
        self.graph.add((subject, predicate, obj))

    def text(self, value) -> Literal:
        return Literal(str(value), lang=self.language)

    def typed(self, uri: str | URIRef, *classes) -> URIRef:
        """``uri``, asserted to be of ``classes`` (what the shapes check of an object)."""
        node = URIRef(str(uri))
        for cls in classes:
            self.add(node, RDF.type, cls)
        return node

    def concept(self, uri: URIRef, label, scheme: URIRef | None = None) -> URIRef:
        self.add(uri, RDF.type, SKOS.Concept)
        self.add(uri, SKOS.prefLabel, self.text(label))
        if scheme is not None:
            self.add(uri, SKOS.inScheme, scheme)
        return uri

    # --- the parts -----------------------------------------------------------------------------
    def build(self) -> Graph:
        with translation.override(self.language):
            catalogue = self.catalogue()
            self.publisher()
            self.services()
            for page in self.page.datasets:
                dataset = self.dataset(page)
                self.add(catalogue, DCAT.dataset, dataset)
                self.add(self.explore, DCAT.servesDataset, dataset)
                self.add(self.ckan, DCAT.servesDataset, dataset)
            self.paging()
        return self.graph

    def catalogue_uri(self) -> URIRef:
        home = self.portal.get_full_url(self.request) if self.portal else f"{self.site_url}/"
        return URIRef(f"{home}#catalog")

    def catalogue(self) -> URIRef:
        catalogue = self.catalogue_uri()
        name = self.settings.display_name or self.site.site_name
        self.add(catalogue, RDF.type, DCAT.Catalog)
        title = f"{self.portal.title} – {name}" if self.portal else name
        self.add(catalogue, DCTERMS.title, self.text(title))
        description = (self.portal.intro if self.portal else "") or _(
            "Open data published by %(name)s."
        ) % {"name": name}
        self.add(catalogue, DCTERMS.description, self.text(description))
        self.add(catalogue, DCTERMS.publisher, self.organization)
        home = self.portal.get_full_url(self.request) if self.portal else f"{self.site_url}/"
        self.add(catalogue, FOAF.homepage, self.typed(home, FOAF.Document))
        language = LANGUAGE[LANGUAGE_CODES.get(self.language, "FRA")]
        self.add(catalogue, DCTERMS.language, self.typed(language, DCTERMS.LinguisticSystem))
        modified = self.catalogue_modified()
        if modified is not None:
            self.add(catalogue, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime))
        self.add(THEME_SCHEME, RDF.type, SKOS.ConceptScheme)
        self.add(THEME_SCHEME, DCTERMS.title, self.text(_("Data themes of the European Union")))
        self.add(catalogue, DCAT.themeTaxonomy, THEME_SCHEME)
        self.add(catalogue, DCAT.service, self.explore)
        self.add(catalogue, DCAT.service, self.ckan)
        return catalogue

    def catalogue_modified(self) -> datetime | None:
        """The last change among all the published datasets (not only this page's)."""
        dates = self.all_datasets.aggregate(
            page=Max("last_published_at"), table=Max("table__uploaded_at")
        )
        moments = [dates["page"], dates["table"]]
        keys = set(
            self.all_datasets.filter(source_kind=SourceKind.LIVE).values_list(
                "live_source", flat=True
            )
        )
        for key in keys:
            source = live_source(key)
            if source is not None and source.modified is not None:
                moments.append(_as_datetime(source.modified(self.site)))
        moments = [m for m in moments if m is not None]
        return max(moments) if moments else None

    def publisher(self) -> None:
        agent = self.organization
        self.add(agent, RDF.type, FOAF.Agent)
        self.add(agent, RDF.type, FOAF.Organization)
        self.add(agent, FOAF.name, self.text(self.settings.legal_name or self.site.site_name))
        self.add(agent, FOAF.homepage, URIRef(f"{self.site_url}/"))
        kind = PUBLISHER_TYPES.get(self.settings.kind, "NonProfitOrganisation")
        publisher_type = PUBLISHER_TYPE[kind]
        self.add(publisher_type, RDF.type, SKOS.Concept)
        # ADMS labels its publisher types in English only.
        self.add(publisher_type, SKOS.prefLabel, Literal(PUBLISHER_TYPE_LABELS[kind], lang="en"))
        self.add(agent, DCTERMS.type, publisher_type)

    def services(self) -> None:
        for uri, title, standard in (
            (self.explore, _("Explore API v2.1 (compatible with Opendatasoft)"), EXPLORE_STANDARD),
            (self.ckan, _("CKAN Action API"), CKAN_STANDARD),
        ):
            self.add(uri, RDF.type, DCAT.DataService)
            self.add(uri, DCTERMS.title, self.text(title))
            self.add(uri, DCAT.endpointURL, self.typed(uri, RDFS.Resource))
            self.add(uri, DCAT.endpointDescription, self.typed(standard, RDFS.Resource))
            self.add(uri, DCTERMS.conformsTo, self.typed(standard, DCTERMS.Standard))
            self.add(uri, DCTERMS.publisher, self.organization)
            self.add(uri, DCTERMS.accessRights, self.access_right("PUBLIC"))

    def access_right(self, code: str) -> URIRef:
        return self.typed(ACCESS_RIGHT[code], DCTERMS.RightsStatement)

    def dataset(self, page: DatasetPage) -> URIRef:
        page_url = page.get_full_url(self.request)
        dataset = URIRef(f"{page_url}#dataset")
        add = self.add
        add(dataset, RDF.type, DCAT.Dataset)
        add(dataset, DCTERMS.title, self.text(page.title))
        add(dataset, DCTERMS.description, self.text(page.description or page.title))
        add(dataset, DCTERMS.identifier, Literal(page.identifier))
        for keyword in page.keyword_list():
            add(dataset, DCAT.keyword, self.text(keyword))
        for code in page.themes or ():
            if code in DatasetTheme.values:
                theme = self.concept(THEME[code], DatasetTheme(code).label, THEME_SCHEME)
                add(dataset, DCAT.theme, theme)
        add(dataset, DCTERMS.publisher, self.dataset_publisher(page))
        contact = self.contact_point(page)
        if contact is not None:
            add(dataset, DCAT.contactPoint, contact)
        if page.frequency in Frequency.values:
            frequency = self.typed(FREQUENCY[page.frequency], DCTERMS.Frequency)
            add(frequency, SKOS.prefLabel, self.text(Frequency(page.frequency).label))
            add(dataset, DCTERMS.accrualPeriodicity, frequency)
        if page.spatial_coverage:
            place = BNode()
            add(place, RDF.type, DCTERMS.Location)
            add(place, SKOS.prefLabel, self.text(page.spatial_coverage))
            add(place, LOCN.geographicName, self.text(page.spatial_coverage))
            add(dataset, DCTERMS.spatial, place)
        if page.temporal_start or page.temporal_end:
            period = BNode()
            add(period, RDF.type, DCTERMS.PeriodOfTime)
            if page.temporal_start:
                add(period, DCAT.startDate, Literal(page.temporal_start, datatype=XSD.date))
            if page.temporal_end:
                add(period, DCAT.endDate, Literal(page.temporal_end, datatype=XSD.date))
            add(dataset, DCTERMS.temporal, period)
        if page.first_published_at:
            add(dataset, DCTERMS.issued, Literal(page.first_published_at, datatype=XSD.dateTime))
        modified = dataset_modified(page)
        if modified is not None:
            add(dataset, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime))
        add(dataset, DCAT.landingPage, self.typed(page_url, FOAF.Document))
        licence = self.licence(page)
        if page.members_only:
            add(dataset, DCTERMS.accessRights, self.access_right("RESTRICTED"))
            add(dataset, DCAT.distribution, self.restricted_distribution(page, page_url, licence))
        else:
            add(dataset, DCTERMS.accessRights, self.access_right("PUBLIC"))
            for distribution in self.distributions(page, page_url, licence, modified):
                add(dataset, DCAT.distribution, distribution)
        return dataset

    def dataset_publisher(self, page: DatasetPage):
        if not page.publisher:
            return self.organization
        agent = BNode()
        self.add(agent, RDF.type, FOAF.Agent)
        self.add(agent, FOAF.name, self.text(page.publisher))
        return agent

    def contact_point(self, page: DatasetPage):
        name, email = page.contact_name, page.contact_email
        if not (name or email):
            if not self.organization_email:
                return None
            name, email = self.settings.display_name, self.organization_email
        contact = BNode()
        self.add(contact, RDF.type, VCARD.Kind)
        self.add(contact, VCARD.fn, Literal(name or self.settings.display_name))
        if email:
            self.add(contact, VCARD.hasEmail, URIRef(f"mailto:{email}"))
        return contact

    def licence(self, page: DatasetPage) -> URIRef | None:
        if not page.licence_url:
            return None
        licence = self.typed(page.licence_url, DCTERMS.LicenseDocument)
        self.add(licence, RDFS.label, self.text(Licence(page.licence).label))
        return licence

    def restricted_distribution(self, page, page_url: str, licence) -> BNode:
        """Where members read a members-only dataset: its page (and the APIs, with a key)."""
        distribution = URIRef(f"{page_url}#distribution")
        self.add(distribution, RDF.type, DCAT.Distribution)
        self.add(distribution, DCTERMS.title, self.text(_("Data for members")))
        self.add(
            distribution,
            DCTERMS.description,
            self.text(
                _(
                    "The data are read by the organization's members with a current membership, "
                    "on the dataset's page or through the APIs with a member's key."
                )
            ),
        )
        self.add(distribution, DCAT.accessURL, self.typed(page_url, RDFS.Resource))
        self.add(distribution, DCAT.accessService, self.explore)
        if licence is not None:
            self.add(distribution, DCTERMS.license, licence)
        return distribution

    def distributions(self, page, page_url: str, licence, modified):
        try:
            table = table_for(page, self.public)
        except (NotReadable, NoData):
            return
        for fmt in formats_for(table):
            name, media_type, file_type = EXPORT_FORMATS.get(fmt, (fmt.upper(), None, None))
            distribution = URIRef(f"{page_url}#distribution-{fmt}")
            download = self.typed(export_url_at(page_url, fmt), RDFS.Resource)
            self.add(distribution, RDF.type, DCAT.Distribution)
            self.add(distribution, DCTERMS.title, self.text(f"{page.title} ({name})"))
            self.add(distribution, DCAT.accessURL, download)
            self.add(distribution, DCAT.downloadURL, download)
            if media_type:
                self.add(
                    distribution, DCAT.mediaType, self.typed(IANA + media_type, DCTERMS.MediaType)
                )
            if file_type:
                self.add(
                    distribution,
                    DCTERMS.format,
                    self.typed(FILE_TYPE[file_type], DCTERMS.MediaTypeOrExtent),
                )
            if licence is not None:
                self.add(distribution, DCTERMS.license, licence)
            if modified is not None:
                self.add(distribution, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime))
            yield distribution

    def paging(self) -> None:
        """Hydra's paging terms, when the catalogue has more than one page."""
        page = self.page
        if page.count == 1:
            return
        view = URIRef(self.page_url(page.number))
        add = self.add
        add(view, RDF.type, HYDRA.PartialCollectionView)
        add(view, RDF.type, HYDRA.PagedCollection)
        add(view, HYDRA.totalItems, Literal(page.total, datatype=XSD.integer))
        add(view, HYDRA.itemsPerPage, Literal(PAGE_SIZE, datatype=XSD.integer))
        links = {
            (HYDRA.first, HYDRA.firstPage): 1,
            (HYDRA.last, HYDRA.lastPage): page.count,
        }
        if page.number > 1:
            links[HYDRA.previous, HYDRA.previousPage] = page.number - 1
        if page.number < page.count:
            links[HYDRA.next, HYDRA.nextPage] = page.number + 1
        for predicates, number in links.items():
            for predicate in predicates:
                add(view, predicate, URIRef(self.page_url(number)))

    def page_url(self, number: int) -> str:
        query = self.request.GET.copy()
        query["page"] = str(number)
        query.pop("apikey", None)
        return self.request.build_absolute_uri(f"{self.request.path}?{query.urlencode()}")


def build_catalogue(site, request, page_number: int = 1) -> Graph:
    """One page of ``site``'s catalogue as an RDF graph."""
    return CatalogueBuilder(site, request, page_number).build()


def serialize(graph: Graph, fmt: str) -> bytes:
    serializer, _content_type = SERIALIZATIONS[fmt]
    if serializer == "json-ld":
        context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        return graph.serialize(format="json-ld", context=context, encoding="utf-8")
    return graph.serialize(format=serializer, encoding="utf-8")


def cache_seconds() -> int:
    return getattr(settings, "OPENDATA_CATALOGUE_CACHE_SECONDS", 300)


def cached_catalogue(site, request, fmt: str, page_number: int) -> bytes:
    """The serialized page of the catalogue, kept a few minutes
    (``OPENDATA_CATALOGUE_CACHE_SECONDS``, 300 by default; 0 keeps nothing) under the site's
    generation: publishing forgets it at once, a new upload or live records changing within
    those minutes. A page of 100 datasets takes about a second to build and serialize, and
    every harvester asks for the same document."""
    seconds = cache_seconds()
    if seconds <= 0:
        return serialize(build_catalogue(site, request, page_number), fmt)
    address = request.build_absolute_uri(f"{request.path}?{_query_without_key(request)}")
    digest = md5(address.encode(), usedforsecurity=False).hexdigest()
    key = f"opendata:dcat:{site.pk}:{site_generation(site.pk)}:{fmt}:{page_number}:{digest}"
    body = cache.get(key)
    if body is None:
        body = serialize(build_catalogue(site, request, page_number), fmt)
        cache.set(key, body, seconds)
    return body


def _query_without_key(request) -> str:
    query = request.GET.copy()
    query.pop("apikey", None)
    return query.urlencode()


def _requested_format(request, fmt: str | None) -> str | None:
    if fmt:
        return fmt
    asked = request.GET.get("format", "").strip().lower()
    if asked:
        asked = FORMAT_ALIASES.get(asked, asked)
        return asked if asked in SERIALIZATIONS else None
    accept = request.headers.get("Accept", "")
    for candidate, (_serializer, content_type) in SERIALIZATIONS.items():
        if content_type.split(";")[0] in accept:
            return candidate
    return "ttl"


def catalogue_view(request, fmt: str | None = None):
    """The catalogue in ``fmt`` (from the address, ``?format=`` or ``Accept``)."""
    api = resolve(request)
    if api.site is None:
        raise Http404("No organization here")
    headers = api.rate.headers()
    if api.rate.exceeded:
        response = HttpResponse(
            _("Too many requests: try again in a minute."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
    else:
        fmt = _requested_format(request, fmt)
        raw_page = request.GET.get("page", "1").strip() or "1"
        if fmt is None:
            response = HttpResponseBadRequest(
                _("Unknown format: use ttl, rdf or jsonld."), content_type="text/plain"
            )
        elif not (raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 7):
            response = HttpResponseBadRequest(
                _("The page must be a whole number from 1."), content_type="text/plain"
            )
        else:
            body = cached_catalogue(api.site, request, fmt, int(raw_page))
            response = HttpResponse(body, content_type=SERIALIZATIONS[fmt][1])
    for name, value in headers.items():
        response[name] = value
    response["Access-Control-Allow-Origin"] = "*"
    return response


urlpatterns = [
    path("catalog", catalogue_view, name="opendata_dcat"),
    path("catalog.ttl", catalogue_view, {"fmt": "ttl"}, name="opendata_dcat_ttl"),
    path("catalog.rdf", catalogue_view, {"fmt": "rdf"}, name="opendata_dcat_rdf"),
    path("catalog.jsonld", catalogue_view, {"fmt": "jsonld"}, name="opendata_dcat_jsonld"),
    # Opendatasoft's catalogue export in DCAT-AP: RDF/XML, as it answers.
    path(
        "api/explore/v2.1/catalog/exports/dcat",
        catalogue_view,
        {"fmt": "rdf"},
        name="opendata_explore_dcat",
    ),
]
