"""The demo that `make demo` serves: its organizations load, every public page carries one valid
graph, and none of the demo's private details shows on the public site."""

import html
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from wagtail.models import Page, Site

from crm_blocks.models import Contact
from home.demo import demo_counts, load_demo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture(scope="module")
def house(house_transaction, django_db_blocker):
    """The demo instead of the usual organizations: loaded once for the module (see
    tests/conftest.py), as ``make demo`` loads it."""
    with django_db_blocker.unblock():
        return {"demo": load_demo(port=8000, stdout=io.StringIO())}


@pytest.fixture
def demo(house_copy):
    return house_copy["demo"]


def public_pages(site):
    from organizations.scoping import public_pages_for_site

    return public_pages_for_site(site).specific()


@pytest.fixture(scope="module")
def public_answers(house, django_db_blocker):
    """Every public page of every demo site, plus its sitemap and a search, requested once for
    the module by a visitor: ``{(hostname, url): (status, text)}``. Reading the same pages
    twice (their graph, then the private details) told nothing more. The requests run in a
    savepoint rolled back after them, as a test's would."""
    answers = {}
    client = Client()
    with django_db_blocker.unblock(), transaction.atomic():
        for site in Site.objects.all():
            urls = [page.url for page in public_pages(site)] + ["/sitemap.xml", "/search/?q=a"]
            for url in urls:
                response = client.get(url, HTTP_HOST=site.hostname, SERVER_PORT=site.port)
                answers[site.hostname, url] = (response.status_code, response.content.decode())
        transaction.set_rollback(True)
    return answers


def test_demo_loads_its_organizations_and_is_idempotent(demo):
    """The production centre, the network and its two member cinemas with sites of their own."""
    sites = {site.hostname: site for site in Site.objects.all()}
    assert set(sites) == {
        "127.0.0.1",
        "localhost",
        "cinema-lumiere.localhost",
        "le-rex.localhost",
    }
    assert sites["127.0.0.1"].is_default_site
    before = (Page.objects.count(), Contact.objects.count())
    load_demo(port=8000, stdout=io.StringIO())
    assert (Page.objects.count(), Contact.objects.count()) == before
    boreal = demo_counts(sites["127.0.0.1"])
    assert boreal["people"] >= 10 and boreal["organizations"] >= 5 and boreal["pages_en"] >= 3


def test_every_demo_page_has_one_graph_that_passes_the_check(demo, public_answers):
    """Every public page of the demo answers with one graph, and the check finds neither an
    error nor a warning in any of them."""
    for site in Site.objects.all():
        for page in public_pages(site):
            status, text = public_answers[site.hostname, page.url]
            assert status == 200, page.url
            assert text.count('type="application/ld+json"') == 1, page.url
    # Every warning of the check is something an editor can give (a photo and its credit, a
    # link to the profile elsewhere, an image credit): the demo gives them all, so that what a
    # newcomer sees in the report is a model, not a to-do list. (One run of the check: it
    # reads every page of four organizations.)
    out = io.StringIO()
    call_command("check_structured_data", stdout=out)
    summary = out.getvalue().splitlines()[-1]
    assert " 0 error(s), 0 warning(s)." in summary, out.getvalue()
    assert int(summary.split()[0]) >= 40, "the public pages were all checked"


def test_the_demo_shows_its_public_affiliations_and_a_map(client, demo):
    site = Site.objects.get(hostname="127.0.0.1")
    person = client.get("/personnes/mathieu-gagnon/", HTTP_HOST=site.hostname).content.decode()
    assert "Productions Aurore boréale</a> — Réalisateur associé" in person
    juror = client.get("/personnes/elise-tremblay/", HTTP_HOST=site.hostname).content.decode()
    assert "Jurée" not in juror, "an affiliation not made public stays in the CRM"
    index = client.get("/partenaires/", HTTP_HOST=site.hostname).content.decode()
    assert 'data-places-map="places-map-data-1"' in index


def test_no_private_detail_of_the_demo_is_public(demo, public_answers):
    private = set()
    for contact in Contact.objects.all():
        private |= {contact.email, contact.secondary_email, contact.phone, contact.mobile_phone}
        private |= {contact.street_address, contact.notes}
    private.discard("")
    assert len(private) > 20, "the demo plants private details"
    for site in Site.objects.all():
        urls = [page.url for page in public_pages(site)] + ["/sitemap.xml", "/search/?q=a"]
        for url in urls:
            _status, text = public_answers[site.hostname, url]
            leaked = [value for value in private if value in text]
            assert not leaked, (url, leaked)


def test_the_demo_is_indexed_for_search_in_french(client, demo):
    """``make demo`` indexes what it loads, stemmed and without accents: a visitor of the demo
    finds « Location d'équipement » by typing « equipements », « Les Films du Lac Osisko » by
    « film »."""
    site = Site.objects.get(hostname="127.0.0.1")

    def found(query):
        response = client.get(
            "/search/", {"q": query}, HTTP_HOST=site.hostname, SERVER_PORT=site.port
        )
        return html.unescape(response.content.decode())

    assert "Location d'équipement" in found("equipements")
    assert "Les Films du Lac Osisko" in found("film")


def test_the_demo_agenda_shows_what_events_can_do(demo):
    """Each demo organization's agenda has about twenty events with coming dates: a weekly
    workshop with a date excluded and one moved, a monthly screening that stays at 19:00 local
    across the spring clock change, a cancelled event, an online talk, a festival with its
    sub-events, and a proposal from the public waiting, unpublished, with its contributor's
    details kept private."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from events.models import EventOccurrence, EventPage, EventPrivate
    from organizations.models import OrganizationSettings

    for site in Site.objects.all():
        events = EventPage.objects.descendant_of(site.root_page)
        assert 18 <= events.count() <= 24
        assert EventOccurrence.objects.for_site(site).upcoming().exists()
        workshop = events.get(kind="workshop", recurrence__startswith="FREQ=WEEKLY")
        statuses = set(workshop.occurrences.values_list("status", flat=True))
        assert statuses == {"scheduled", "moved"} and workshop.exceptions
        excluded = dt.date.fromisoformat(workshop.exceptions)
        assert not workshop.occurrences.filter(local_date=excluded).exists()

        monthly = events.get(recurrence__startswith="FREQ=MONTHLY")
        tz = ZoneInfo(OrganizationSettings.for_site(site).time_zone)
        dates = list(monthly.occurrences.all())
        assert {o.start.astimezone(tz).hour for o in dates} == {19}
        offsets = {o.start.astimezone(tz).utcoffset() for o in dates}
        assert len(offsets) == 2, "the dates span the spring clock change"
        assert any(o.local_date.month == 3 for o in dates)
        assert any(o.local_date.month == 4 for o in dates)

        assert events.filter(status="cancelled", live=True).exists()
        assert events.filter(attendance="online").exclude(online_url="").exists()
        festival = events.get(kind="festival")
        assert EventPage.objects.child_of(festival).live().count() == 3

        proposal = events.get(live=False)
        twin = EventPrivate.objects.get(translation_key=proposal.translation_key)
        assert twin.contributor_email and twin.contributed_at <= timezone.now()


def test_the_demo_network_has_its_film_database_and_member_cinemas(demo):
    """The association shows thirty films from six distributors, with audio-described and
    deaf-subtitled versions, and screenings at its twelve member cinemas, all with coordinates."""
    from crm_blocks.models import OrganizationPage
    from films.models import FilmPage, FilmVersion, Screening

    network = Site.objects.get(hostname="localhost")
    films = FilmPage.objects.live().descendant_of(network.root_page)
    assert films.count() == 30
    versions = FilmVersion.objects.filter(film__in=films)
    assert versions.filter(audio_description=True).count() >= 10
    assert versions.filter(sdh_subtitles=True).count() >= 10
    records = OrganizationPage.objects.live().descendant_of(network.root_page)
    assert records.filter(kind="distributor").count() == 6
    cinemas = records.filter(kind="cinema")
    assert cinemas.count() == 12
    assert not cinemas.filter(latitude__isnull=True).exists()
    assert Screening.objects.filter(site=network, cinema__in=cinemas).count() >= 12 * 4


def test_the_demo_member_cinemas_share_their_screenings_with_the_network(client, demo):
    """Cinéma Lumière and Le Rex brought their screenings from their box-office exports and
    share their events: the network's agenda lists their screenings beside its own, linked
    to the network's film pages; a distributor's login waits in its folder."""
    from django.contrib.auth import get_user_model

    from films.models import DistributorAccess, Screening

    network = Site.objects.get(hostname="localhost")
    for host in ("cinema-lumiere.localhost", "le-rex.localhost"):
        member = Site.objects.get(hostname=host)
        screenings = Screening.objects.filter(site=member)
        assert screenings.count() > 30, host
        assert not screenings.filter(film__live=False).exists(), "every film was found"
    response = client.get("/agenda/", HTTP_HOST=network.hostname, SERVER_PORT=network.port)
    text = response.content.decode()
    assert "Cinéma Lumière" in text and "Le Rex" in text
    access = DistributorAccess.objects.get(site=network)
    assert get_user_model().objects.filter(groups=access.group).count() == 1


def test_the_demo_network_publishes_its_data_portal(client, demo):
    """The association's portal lists at least eight datasets — its live cinemas (members read
    their classification and admissions), agenda, Open Films and barometer (members only), and
    uploaded tables among which some 5,000 fictional schools placed in Québec and France — and
    the production centre publishes its equipment catalogue and its events."""
    from opendata.access import Audience
    from opendata.models import DatasetIndexPage, DatasetPage
    from opendata.query import Query
    from opendata.tables import NotReadable, table_for

    network = Site.objects.get(organizationsettings__kind="network")
    datasets = {
        page.live_source or page.slug: page
        for page in DatasetPage.objects.published(within=network.root_page)
    }
    assert len(datasets) >= 8
    portal = DatasetIndexPage.objects.descendant_of(network.root_page).get()
    answer = client.get(portal.url, HTTP_HOST=network.hostname, SERVER_PORT=network.port)
    assert answer.status_code == 200
    listed = html.unescape(answer.content.decode())
    assert all(page.title in listed for page in datasets.values())

    public, members = Audience(network.pk), Audience(network.pk, members=True)
    cinemas = table_for(datasets["films.cinemas"], public)
    assert cinemas.count() >= 10 and cinemas.geo_field() is not None
    assert "classification" not in cinemas.names
    figures = list(table_for(datasets["films.cinemas"], members).iterate())
    assert sum(1 for r in figures if r["classification"]) >= 5
    assert sum(r["admissions"] for r in figures) > 0
    assert 99 <= sum(r["market_share"] or 0 for r in figures) <= 101
    with pytest.raises(NotReadable):
        table_for(datasets["films.barometer"], public)
    assert table_for(datasets["films.barometer"], members).count() > 100
    assert table_for(datasets["films.films"], public).count() == 30
    assert table_for(datasets["events.agenda"], public).count() > 0

    schools = table_for(datasets["etablissements-option-cinema"], public)
    assert 4500 <= schools.count() <= 5500
    for record in schools.records(Query(limit=100)):
        point = record["position"]
        in_quebec = 44 < point["lat"] < 50 and -80 < point["lon"] < -64
        in_france = 41 < point["lat"] < 52 and -5 < point["lon"] < 10
        assert in_quebec or in_france, record

    centre = Site.objects.get(organizationsettings__kind="production_centre")
    sources = set(
        DatasetPage.objects.published(within=centre.root_page).values_list("live_source", flat=True)
    )
    assert sources == {"rentals.equipment", "events.agenda"}


def test_each_demo_organization_has_its_person_in_charge_purposes_and_consents(demo):
    """Issue 14: every demo organization names its person in charge, asks the built-in
    purposes, and logs a few consents by purpose; one of them withdrawn, and every published
    person with their consent to a public profile."""
    from crm_blocks.consents import has_consent
    from crm_blocks.models import ConsentRecord, PersonPage
    from privacy.models import ConsentPurpose, PrivacySettings

    withdrawn = 0
    for site in Site.objects.all():
        settings = PrivacySettings.for_site(site)
        assert settings.officer_name and settings.officer_email
        assert ConsentPurpose.objects.filter(site=site, code="public_profile").exists()
        logged = ConsentRecord.objects.filter(contact__site=site, purpose_ref__isnull=False)
        assert logged.exclude(purpose_ref__code="public_profile").exists()
        withdrawn += logged.filter(withdrawn_on__isnull=False).count()
        for page in PersonPage.objects.descendant_of(site.root_page).live():
            contact = Contact.objects.get(translation_key=page.translation_key)
            assert has_consent(contact, "public_profile"), page.title
    assert withdrawn >= 1

def test_each_demo_organization_has_a_request_to_handle_and_a_proof_of_erasure(demo):
    """« Vie privée » has something to show in every demo organization: an open request of
    access (identity checked) and an erasure completed with its proof, the erased person gone."""
    from crm_blocks.models import Contact
    from crm_blocks.privacy_demo import ERASED_EMAIL
    from privacy.models import ErasureProof, PrivacyRequest

    for organization in demo.organizations:
        site = organization.site
        open_request = PrivacyRequest.objects.get(site=site, kind="access")
        assert open_request.is_open and open_request.identity_checked
        erasure = PrivacyRequest.objects.get(site=site, kind="erasure")
        assert erasure.status == "completed" and erasure.email == ""
        assert ErasureProof.objects.filter(site=site, request=erasure).exists()
        assert not Contact.objects.filter(site=site, email=ERASED_EMAIL).exists()
