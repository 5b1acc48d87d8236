"""Privacy canary, walked from the registry of private fields.

Two organizations, each with published, translated and draft records. A unique value is planted
in every registered private field — of every twin, and of one row of each other registered
model per organization — then every public output of both sites is read: every live page (and
its JSON-LD), every draft's address, the site search for each planted value, the sitemap,
robots.txt and the "not found" page. None may show a planted value.

A plugin that registers a new private field is covered without touching this file; a twin field
that is neither registered as private nor declared non-sensitive fails the first test.
"""

import datetime
import io
import itertools
import json
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import formats, translation
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Locale, Page

from organizations.scoping import public_pages_for_site, site_root_pages
from privacy import registry
from privacy.models import PrivateRecord
from privacy.pages import PrivateTwinPageMixin
from tests.factories import make_organization, make_organization_page, make_person

pytestmark = pytest.mark.django_db

JSON_LD_RE = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
#: What a searched word looks like when the search page repeats it (not a leak).
NEUTRAL_QUERY = "neutre0000z"


def test_every_twin_is_registered_and_each_of_its_fields_classified():
    """A new field on a twin (or on a registered model) must be declared private or
    non-sensitive, so that it cannot be forgotten by the canary."""
    twins = registry.private_record_models()
    assert twins, "no PrivateRecord subclass is installed: the canary would test nothing"
    registered = {declaration.model for declaration in registry.declarations()}
    assert not [model for model in twins if model not in registered], "twin not registered"
    problems = {
        model._meta.label: (registry.unclassified_fields(model), registry.unknown_fields(model))
        for model in {*twins, *registered}
    }
    problems = {label: found for label, found in problems.items() if any(found)}
    assert not problems, f"(unclassified, unknown) fields: {problems}"


def test_the_registry_notices_an_unclassified_field(monkeypatch):
    """The check above can fail: leave one private field out of its declaration and it is
    reported."""
    declared = registry.declarations()
    declaration = next(d for d in declared if d.fields)
    model, dropped = declaration.model, declaration.fields[0]
    trimmed = registry.PrivateFields(
        model, fields=declaration.fields[1:], non_sensitive=declaration.non_sensitive
    )
    monkeypatch.setattr(
        registry, "declarations", lambda: [trimmed if d is declaration else d for d in declared]
    )
    assert registry.unclassified_fields(model) == [dropped]


class Canaries:
    """Unique values planted in private fields, and the forms in which each could be shown."""

    def __init__(self):
        self.counter = itertools.count(1)
        self.searches: list[str] = []
        self.patterns: list[re.Pattern] = []
        self.planted: set[tuple[type, str]] = set()

    def next(self) -> int:
        return next(self.counter)

    def value(self, model, field):
        """A unique value for ``field``, or ``None`` for a field that cannot hold one (choices,
        booleans, relations: their rows carry the canaries)."""
        if field.is_relation or field.choices or isinstance(field, models.BooleanField):
            return None
        number = self.next()
        token = f"canari{number:04d}x"
        if isinstance(field, models.EmailField):
            value = f"{token}@canari.test"
        elif isinstance(field, models.URLField):
            value = f"https://canari.test/{token}"
        elif isinstance(field, models.CharField | models.TextField):
            value = token
        elif isinstance(field, models.DateTimeField):
            # Noon UTC: the same day in every organization's time zone, shown as a date.
            day = datetime.date(1901, 1, 1) + datetime.timedelta(number)
            self._date(model, field, day)
            return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
        elif isinstance(field, models.DateField):
            return self._date(model, field, datetime.date(1901, 1, 1) + datetime.timedelta(number))
        elif isinstance(field, models.DecimalField):
            return self._decimal(model, field, Decimal(f"{90000 + number}.{number % 90 + 10}"))
        elif isinstance(field, models.IntegerField) and not field.primary_key:
            return self._integer(model, field, 8_731_000 + number)
        elif isinstance(field, models.JSONField):
            value = {"canari": token}
        elif isinstance(field, models.BinaryField):
            self._record(model, field, [token])
            return token.encode()
        else:
            return None
        if getattr(field, "max_length", None):
            assert len(value) <= field.max_length, (model, field.name)
        self._record(model, field, [token])
        return value

    def _record(self, model, field, searches, patterns=()):
        self.planted.add((model, field.name))
        self.searches.extend(searches)
        self.patterns.extend(
            re.compile(pattern, re.I) for pattern in (*map(re.escape, searches), *patterns)
        )

    def _date(self, model, field, value):
        shown = {value.isoformat(), value.strftime("%d/%m/%Y"), value.strftime("%d.%m.%Y")}
        for language in ("fr", "en"):
            with translation.override(language):
                shown.add(formats.date_format(value))
                shown.add(formats.date_format(value, "SHORT_DATE_FORMAT"))
        self._record(model, field, [value.isoformat()], [re.escape(text) for text in shown])
        return value

    def _decimal(self, model, field, value):
        whole, fraction = str(value).split(".")
        grouped = rf"{whole[:-3]}[\s\u00a0\u202f,.]?{whole[-3:]}[.,]{fraction}"
        self._record(model, field, [str(value)], [grouped])
        return value

    def _integer(self, model, field, value):
        # « 8 731 017 » or « 8,731,017 » as a page would print it, never part of a longer number.
        text = str(value)
        gap = r"[\s\u00a0\u202f,.]?"
        grouped = rf"(?<!\d){text[:-6]}{gap}{text[-6:-3]}{gap}{text[-3:]}(?!\d)"
        self._record(model, field, [text], [grouped])
        return value

    def found_in(self, text: str) -> list[str]:
        return [pattern.pattern for pattern in self.patterns if pattern.search(text)]


class Planter:
    """Fills one organization's private rows with canaries, walking the registry."""

    def __init__(self, site, canaries: Canaries):
        self.site = site
        self.canaries = canaries
        #: The models of which this planter made a row.
        self.made: set = set()

    def private(self, model) -> tuple[str, ...]:
        return registry.private_fields(model)

    def plant_twin(self, twin) -> None:
        model = type(twin)
        for field in model._meta.concrete_fields:
            if field.name in self.private(model) and not field.is_relation:
                value = self.canaries.value(model, field)
                if value is not None:
                    setattr(twin, field.attname, value)
        twin.save()
        self.fill_many_to_many(twin)

    def fill_many_to_many(self, instance) -> None:
        model = type(instance)
        for field in model._meta.many_to_many:
            if field.name in self.private(model):
                getattr(instance, field.name).add(self.build(field.related_model, instance))

    def build(self, model, near=None):
        """A saved row of ``model`` in this organization, canaries in its private fields."""
        values, used = {}, set()
        for field in model._meta.concrete_fields:
            if field.primary_key:
                continue
            if field.is_relation:
                related = self.related(field, used, near)
                if related is not None:
                    values[field.name] = related
                continue
            if field.name in self.private(model):
                value = self.canaries.value(model, field)
                if value is not None:
                    values[field.attname] = value
                    continue
            if field.null or field.has_default() or field.blank:
                continue
            values[field.attname] = self.neutral(field)
        instance = model.objects.create(**values)
        self.made.add(model)
        self.fill_many_to_many(instance)
        return instance

    def related(self, field, used: set, near):
        target = field.related_model
        if target._meta.label == "wagtailcore.Site":
            return self.site
        if issubclass(target, PrivateRecord):
            twins = (
                target.objects.for_site(self.site)
                .complex_filter(field.get_limit_choices_to() or {})
                .exclude(pk__in=used)
                .order_by("pk")
            )
            if field.one_to_one:  # a twin has one such row at most (a member's login)
                twins = twins.filter(**{f"{field.related_query_name()}__isnull": True})
            twin = twins.first()
            if twin is None and field.null:
                return None  # an optional link (a kit a line was booked in)
            assert twin is not None, f"no {target.__name__} left for {field}"
            used.add(twin.pk)
            return twin
        if field.null:
            return None
        if issubclass(target, Page):
            return self.page_of(target)
        if field.many_to_one and hasattr(target.objects, "for_site"):
            # A row the planter already made (a member's login, which an API key points to):
            # a second one for the same person would break its one-per-person rule.
            existing = target.objects.for_site(self.site).order_by("pk").first()
            if existing is not None:
                return existing
        return self.build(target, near)

    def page_of(self, page_class):
        """A published page of ``page_class`` in this organization (a screening's film), made
        below a parent of a type it allows when the site has none."""
        page = page_class.objects.descendant_of(self.site.root_page).live().first()
        if page is not None:
            return page
        parent_class = page_class.allowed_parent_page_models()[0]
        parent = parent_class.objects.descendant_of(self.site.root_page).first()
        page = parent.add_child(
            instance=page_class(
                title=f"Exemple {page_class.__name__}", **required_values(page_class)
            )
        )
        page.save_revision().publish()
        return page

    def neutral(self, field):
        if field.choices:
            return field.choices[0][0]
        if isinstance(field, models.DateTimeField):
            # Aware, and later at each call: a period's end comes after its start.
            start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
            return start + datetime.timedelta(hours=self.canaries.next())
        if isinstance(field, models.DateField):
            return datetime.date(2026, 1, 1)
        if isinstance(field, models.DecimalField | models.IntegerField):
            return 0
        return f"neutre{self.canaries.next():04d}"


def translate_home_and_people(site, english):
    home = site.root_page.copy_for_translation(english)
    home.save_revision().publish()
    index = site.people_index.copy_for_translation(english)
    index.save_revision().publish()


def twin_page_classes():
    """Every installed page class that has a private twin (whatever plugin declares it)."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, Page)
        and issubclass(model, PrivateTwinPageMixin)
        and model.private_twin_model is not None
    ]


def required_values(page_class) -> dict:
    """Neutral values for the fields a page class cannot do without (an event's start date),
    beyond those of every page."""
    values = {}
    for field in page_class._meta.concrete_fields:
        if field.model is not page_class or field.is_relation or field.primary_key:
            continue
        if field.null or field.blank or field.has_default():
            continue
        if isinstance(field, models.DateField):
            values[field.attname] = datetime.date(2027, 3, 9)
        elif field.choices:
            values[field.attname] = field.choices[0][0]
        elif isinstance(field, models.CharField | models.TextField):
            values[field.attname] = "Exemple"  # a dataset's description
    return values


def pages_of_other_twin_kinds(site, pages):
    """One published page of every twin page class the records above do not cover, below a
    parent of a type it allows (made if the site has none): a new plugin's records are planted
    and looked for without this file knowing them."""
    covered = {type(page.specific) for page in pages}
    made = []
    for page_class in twin_page_classes():
        if page_class in covered:
            continue
        parent_class = page_class.allowed_parent_page_models()[0]
        parent = parent_class.objects.descendant_of(site.root_page).first()
        if parent is None:
            parent = site.root_page.add_child(
                instance=parent_class(title=f"Parent {page_class.__name__}")
            )
            parent.save_revision().publish()
        page = parent.add_child(
            instance=page_class(
                title=f"Exemple {page_class.__name__}", **required_values(page_class)
            )
        )
        page.save_revision().publish()
        made.append(page)
    return made


@pytest.fixture
def planted():
    """Two organizations, their records (published, translated, draft), canaries everywhere."""
    org_a = make_organization("Centre Images Boréales", "boreal.test", language="fr-ca")
    org_b = make_organization(
        "Réseau des cinémas indépendants", "reseau.test", language="fr-fr", time_zone="Europe/Paris"
    )
    english = Locale.objects.create(language_code="en")
    translate_home_and_people(org_a, english)
    records = {
        org_a: [
            make_person(org_a.people_index, "Élise Tremblay", summary="Monteuse."),
            make_organization_page(org_a.organizations_index, "Productions du Nord"),
            make_person(org_a.people_index, "Gaston Lapointe", publish=False),
        ],
        org_b: [
            make_person(org_b.people_index, "Agnès Varda", summary="Cinéaste."),
            make_organization_page(org_b.organizations_index, "Ciné Lumière"),
        ],
    }
    translated = records[org_a][0].copy_for_translation(english)
    translated.save_revision().publish()
    for site, pages in records.items():
        pages.extend(pages_of_other_twin_kinds(site, pages))

    canaries = Canaries()
    for site in records:
        planter = Planter(site, canaries)
        for declaration in registry.declarations():
            if issubclass(declaration.model, PrivateRecord):
                for twin in declaration.model.objects.for_site(site):
                    planter.plant_twin(twin)
        built = set()
        for declaration in registry.declarations():
            if not issubclass(declaration.model, PrivateRecord):
                if declaration.model in built:
                    continue  # made already, canaries and all, as another row's dependency
                planter.build(declaration.model)
                built.add(declaration.model)
            built.update(planter.made)
    # Pages are indexed when saved: index them again now that their twins hold the canaries,
    # as the next edit of each page would.
    call_command("update_index", stdout=io.StringIO(), stderr=io.StringIO())
    return records, canaries


def test_a_canary_is_planted_in_every_registered_private_field(planted):
    _records, canaries = planted
    missing = []
    for declaration in registry.declarations():
        for name in declaration.fields:
            field = declaration.model._meta.get_field(name)
            holds_no_value = (
                field.is_relation or field.choices or isinstance(field, models.BooleanField)
            )
            if (declaration.model, name) not in canaries.planted and not holds_no_value:
                missing.append(f"{declaration.model._meta.label}.{name}")
    assert not missing, f"the canary cannot plant a value in: {missing}"
    # Every twin really holds them (the searches below would otherwise prove nothing).
    for model in registry.private_record_models():
        concrete = [f.name for f in model._meta.concrete_fields]
        names = [name for name in registry.private_fields(model) if name in concrete]
        for twin in model.objects.all():
            values = " ".join(str(getattr(twin, name)) for name in names)
            assert canaries.found_in(values), f"nothing planted in {twin!r}"


def fixed_subpage_urls(page) -> list[str]:
    """The routes of a routable page that take no parameter (``feed.ics``, ``calendar.ics``,
    ``proposer/``…), whatever plugin declares them."""
    if not isinstance(page, RoutablePageMixin):
        return []
    urls = []
    for pattern in page.get_subpage_urls():
        if pattern.name and not pattern.pattern.regex.groups:
            suburl = page.reverse_subpage(pattern.name)
            if suburl:
                urls.append(suburl)
    return urls


def assert_no_canary(canaries, text, where):
    found = canaries.found_in(text)
    assert not found, f"private values leaked in {where}: {found[:5]}"


def json_ld_of(html: str) -> str:
    graphs = [json.loads(script) for script in JSON_LD_RE.findall(html)]
    return json.dumps(graphs, ensure_ascii=False)


def search_urls(site):
    """``(locale, url)`` of the site search in each language the site has a home page in."""
    for root in site_root_pages(site).select_related("locale"):
        with translation.override(root.locale.language_code):
            yield root.locale, reverse("search")


def test_no_canary_in_any_public_output_of_either_organization(client, planted):
    records, canaries = planted
    assert canaries.found_in(f"« {canaries.searches[0]} »"), "the canary matcher finds nothing"
    for site, pages in records.items():
        host = {"HTTP_HOST": site.hostname}
        public = list(public_pages_for_site(site).specific())
        assert {page.pk for page in pages if page.live} <= {page.pk for page in public}
        for page in public:
            url = page.relative_url(site)
            response = client.get(url, **host)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert_no_canary(canaries, html, url)
            assert_no_canary(canaries, json_ld_of(html), f"the JSON-LD of {url}")
            if page.pk == pages[0].pk:  # an empty page would prove nothing
                assert page.title in html and JSON_LD_RE.search(html), url
            for suburl in fixed_subpage_urls(page):
                # A page's own outputs (an agenda's feed, an event's calendar file, a form).
                response = client.get(url + suburl, **host)
                assert response.status_code == 200, url + suburl
                assert_no_canary(canaries, response.content.decode(), url + suburl)
        for root in site_root_pages(site):
            for page in Page.objects.descendant_of(root).not_live():
                response = client.get(page.relative_url(site), **host)
                assert response.status_code == 404, page.url_path
                assert_no_canary(canaries, response.content.decode(), f"draft {page.url_path}")
        for url in ("/sitemap.xml", "/robots.txt", "/une-page-qui-nexiste-pas/"):
            response = client.get(url, **host)
            assert response.status_code in (200, 404), url
            assert_no_canary(canaries, response.content.decode(), url)

        for locale, search in search_urls(site):
            # The search works: a public name finds its page.
            shown = Page.objects.filter(translation_key=pages[0].translation_key, locale=locale)
            if shown.exists():
                query = urlencode({"q": pages[0].title})
                html = client.get(f"{search}?{query}", **host).content.decode()
                assert f'href="{shown.get().relative_url(site)}"' in html, "search finds nothing"
            nothing = client.get(f"{search}?{urlencode({'q': NEUTRAL_QUERY})}", **host)
            nothing = nothing.content.decode()
            for query in canaries.searches:
                html = client.get(f"{search}?{urlencode({'q': query})}", **host).content.decode()
                where = f"{site.hostname}{search}?q={query}"
                assert_no_canary(canaries, html.replace(query, NEUTRAL_QUERY), where)
                # Not even a result without the value: the page only repeats the query.
                same = html.replace(query, NEUTRAL_QUERY) == nothing
                assert same, f"a search for a private value finds something: {where}"
