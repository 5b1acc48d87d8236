"""What search engines read on an event's page: one valid graph (read back by extruct from the
rendered page) saying what, when — with UTC offsets —, where, who and for how much, a repeating
event's coming dates as sub-events, a festival's parts; nothing private, nothing a hostile title
could break, and a bounded number of queries."""

import datetime as dt
import json
from decimal import Decimal

import extruct
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import PageViewRestriction

from events.models import EventOccurrenceChange, EventPerformer, EventPrivate
from events.structured_data import SUB_EVENT_LIMIT
from structured_data.graph import build_graph
from structured_data.validation import MESSAGES, validate_graph
from tests.factories import make_event, make_image, make_organization_page, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

HOSTILE = "Ciné </script><script>alert('x')</script>; a, b\r\nfin \u2028 " + "x" * 300


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()


def the_graph(client, site, page):
    response = client.get(page.url, HTTP_HOST=site.hostname)
    assert response.status_code == 200, page.url
    html = response.content.decode()
    assert html.count('type="application/ld+json"') == 1
    (graph,) = extruct.extract(
        html, base_url=page.full_url, syntaxes=["json-ld"], uniform=False
    )["json-ld"]
    return graph


def assert_valid(graph):
    errors = [issue for issue in validate_graph(graph) if issue.level == "error"]
    assert not errors, [f"{e.node_type}.{e.property}: {e.message}" for e in errors]


def node(graph, node_id):
    (found,) = [n for n in graph["@graph"] if n.get("@id") == node_id]
    return found


def event_of(graph, page):
    return node(graph, f"{page.full_url}#event")


def built(page, site):
    request = RequestFactory().get(page.url, HTTP_HOST=site.hostname)
    request._wagtail_site = site
    with translation.override("fr"):
        return build_graph(page, request)


PLACE = {
    "place_name": "Salle Évasion",
    "street_address": "150 avenue du Lac",
    "postal_code": "J9X 4N7",
    "locality": "Rouyn-Noranda",
    "region": "QC",
    "country": "CA",
}


@pytest.mark.parametrize(
    ("kind", "schema_type"),
    [
        ("screening", "ScreeningEvent"),
        ("workshop", "EducationEvent"),
        ("talk", "EducationEvent"),
        ("festival", "Festival"),
        ("exhibition", "ExhibitionEvent"),
        ("meeting", "Event"),
        ("other", "Event"),
    ],
)
def test_each_kind_has_its_schema_type(client, org_a, kind, schema_type):
    """A cinema's screening is shown by Google as a screening, a workshop as a class…"""
    event = make_event(org_a.agenda, "Soirée", kind=kind, start_time=dt.time(19), **PLACE)
    graph = the_graph(client, org_a, event)
    assert_valid(graph)
    assert event_of(graph, event)["@type"] == schema_type
    (webpage,) = [n for n in graph["@graph"] if n["@type"] == "WebPage"]
    assert webpage["mainEntity"] == {"@id": f"{event.full_url}#event"}


def test_one_off_event_with_offsets_place_offers_and_image(client, org_a):
    """A one-off screening: its start and end with Montreal's offset, its typed place with its
    address, its price in the organization's currency, the members' price, its image with the
    credit, its language."""
    event = make_event(
        org_a.agenda,
        "Projection de courts",
        kind="screening",
        summary="Six courts métrages.",
        start_time=dt.time(19, 30),
        end_time=dt.time(21),
        latitude=Decimal("48.24"),
        longitude=Decimal("-79.02"),
        price=Decimal("12"),
        member_price=Decimal("8.5"),
        ticket_url="https://billets.example.org/courts",
        language="fr",
        image=make_image("Affiche"),
        image_credit="Photo : Ana Roy",
        **PLACE,
    )
    graph = the_graph(client, org_a, event)
    assert graph == built(event, org_a), "extruct reads back exactly what we built"
    assert_valid(graph)
    main = event_of(graph, event)
    assert main["startDate"] == "2027-03-09T19:30:00-05:00"
    assert main["endDate"] == "2027-03-09T21:00:00-05:00"
    assert main["eventStatus"] == "https://schema.org/EventScheduled"
    assert main["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert main["inLanguage"] == "fr"
    assert "subEvent" not in main
    place = node(graph, main["location"]["@id"])
    assert place["@type"] == "Place" and place["name"] == "Salle Évasion"
    assert place["address"]["postalCode"] == "J9X 4N7"
    assert place["geo"] == {"@type": "GeoCoordinates", "latitude": 48.24, "longitude": -79.02}
    offers = [node(graph, ref["@id"]) for ref in main["offers"]]
    assert [(o["price"], o["priceCurrency"]) for o in offers] == [("12.00", "CAD"), ("8.50", "CAD")]
    assert {o["url"] for o in offers} == {"https://billets.example.org/courts"}
    assert {o["availability"] for o in offers} == {"https://schema.org/InStock"}
    assert all(o["validFrom"] for o in offers)
    assert main["organizer"] == {"@id": "http://boreal.test/#organization"}
    image = node(graph, main["image"]["@id"])
    assert image["creditText"] == "Photo : Ana Roy" and image["contentUrl"].startswith("http")
    (webpage,) = [n for n in graph["@graph"] if n["@type"] == "WebPage"]
    assert webpage["primaryImageOfPage"] == main["image"]


def test_all_day_free_event_in_paris_gives_dates(client, org_b):
    """An exhibition over three days is given as dates (no time, no offset), free of charge."""
    event = make_event(
        org_b.agenda,
        "Exposition",
        kind="exhibition",
        start_date=dt.date(2027, 4, 2),
        end_date=dt.date(2027, 4, 4),
        is_free=True,
        **PLACE,
    )
    graph = the_graph(client, org_b, event)
    assert_valid(graph)
    main = event_of(graph, event)
    assert (main["startDate"], main["endDate"]) == ("2027-04-02", "2027-04-04")
    assert main["isAccessibleForFree"] is True
    offer = node(graph, main["offers"]["@id"])
    assert (offer["price"], offer["priceCurrency"]) == ("0.00", "EUR")


def test_recurring_event_describes_its_coming_dates_as_bounded_sub_events(client, org_b):
    """A weekly workshop: the page's event is its next date; the following dates are complete
    events of their own (each with its offset: Paris changes clocks on 28 March), no more than
    the limit; a date cancelled on its own is marked cancelled, a moved one rescheduled."""
    changes = [
        EventOccurrenceChange(original_date=dt.date(2027, 3, 16), action="cancel"),
        EventOccurrenceChange(
            original_date=dt.date(2027, 3, 23), action="move", new_date=dt.date(2027, 3, 24)
        ),
    ]
    event = make_event(
        org_b.agenda,
        "Atelier hebdomadaire",
        kind="workshop",
        start_time=dt.time(19),
        end_time=dt.time(21),
        recurrence="FREQ=WEEKLY",
        changes=changes,
        **PLACE,
    )
    graph = the_graph(client, org_b, event)
    assert_valid(graph)
    main = event_of(graph, event)
    assert main["startDate"] == "2027-03-09T19:00:00+01:00"
    subs = [node(graph, ref["@id"]) for ref in main["subEvent"]]
    assert len(subs) == SUB_EVENT_LIMIT
    assert subs[0]["@id"] == f"{event.full_url}#event-2027-03-16T19:00"
    assert subs[0]["eventStatus"] == "https://schema.org/EventCancelled"
    assert subs[1]["startDate"] == "2027-03-24T19:00:00+01:00"
    assert subs[1]["eventStatus"] == "https://schema.org/EventRescheduled"
    assert subs[1]["previousStartDate"] == "2027-03-23T19:00:00+01:00"
    assert subs[2]["startDate"] == "2027-03-30T19:00:00+02:00"
    assert {s["@type"] for s in subs} == {"EducationEvent"}
    assert {s["location"]["@id"] for s in subs} == {main["location"]["@id"]}
    assert {s["superEvent"]["@id"] for s in subs} == {main["@id"]}


def test_cancelled_and_full_events(client, org_a):
    """A cancelled event stays described, marked cancelled; a full one is scheduled with its
    tickets sold out."""
    cancelled = make_event(org_a.agenda, "Annulé", status="cancelled", price=5, **PLACE)
    full = make_event(org_a.agenda, "Complet", status="full", price=5, **PLACE)
    graph = the_graph(client, org_a, cancelled)
    assert event_of(graph, cancelled)["eventStatus"] == "https://schema.org/EventCancelled"
    graph = the_graph(client, org_a, full)
    main = event_of(graph, full)
    assert main["eventStatus"] == "https://schema.org/EventScheduled"
    assert node(graph, main["offers"]["@id"])["availability"] == "https://schema.org/SoldOut"


def test_rescheduled_event_gives_its_previous_date(client, org_a):
    """Google shows the new date and knows the first one was moved."""
    event = make_event(
        org_a.agenda,
        "Reporté",
        status="rescheduled",
        start_date=dt.date(2027, 5, 4),
        start_time=dt.time(19),
        previous_start_date=dt.date(2027, 3, 9),
        **PLACE,
    )
    graph = the_graph(client, org_a, event)
    assert_valid(graph)
    main = event_of(graph, event)
    assert main["eventStatus"] == "https://schema.org/EventRescheduled"
    assert main["startDate"] == "2027-05-04T19:00:00-04:00"
    assert main["previousStartDate"] == "2027-03-09T19:00:00-05:00"


def test_rescheduled_without_previous_date_is_reported(org_a):
    """The editor is told to give the date first announced."""
    event = make_event(org_a.agenda, "Reporté", status="rescheduled", **PLACE)
    keys = [str(i.message) for i in validate_graph(built(event, org_a))]
    assert str(MESSAGES["event.previousStartDate"]) in keys


def test_online_and_mixed_events(client, org_a):
    """Online: a VirtualLocation with its link; in person and online: both."""
    online = make_event(
        org_a.agenda, "En ligne", attendance="online", online_url="https://meet.example.org/a"
    )
    graph = the_graph(client, org_a, online)
    assert_valid(graph)
    main = event_of(graph, online)
    assert main["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    virtual = node(graph, main["location"]["@id"])
    assert virtual == {
        "@id": f"{online.full_url}#online",
        "@type": "VirtualLocation",
        "url": "https://meet.example.org/a",
    }
    mixed = make_event(
        org_a.agenda,
        "Hybride",
        attendance="mixed",
        online_url="https://meet.example.org/b",
        **PLACE,
    )
    graph = the_graph(client, org_a, mixed)
    assert_valid(graph)
    main = event_of(graph, mixed)
    assert main["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert [node(graph, ref["@id"])["@type"] for ref in main["location"]] == [
        "Place",
        "VirtualLocation",
    ]


def test_festival_and_its_parts_refer_to_each_other(client, org_a):
    """A festival lists its parts (child pages) as sub-events; each part names the festival."""
    festival = make_event(
        org_a.agenda,
        "Festival du court",
        kind="festival",
        start_date=dt.date(2027, 6, 1),
        end_date=dt.date(2027, 6, 5),
        **PLACE,
    )
    first = make_event(
        festival, "Ouverture", kind="screening", start_date=dt.date(2027, 6, 1),
        start_time=dt.time(20), **PLACE,
    )
    second = make_event(
        festival, "Clôture", kind="screening", start_date=dt.date(2027, 6, 5),
        start_time=dt.time(20), **PLACE,
    )
    make_event(festival, "Brouillon", publish=False, **PLACE)
    graph = the_graph(client, org_a, festival)
    assert_valid(graph)
    main = event_of(graph, festival)
    assert main["@type"] == "Festival"
    assert main["subEvent"] == [
        {"@id": f"{first.full_url}#event"},
        {"@id": f"{second.full_url}#event"},
    ]
    assert node(graph, f"{first.full_url}#event")["startDate"] == "2027-06-01T20:00:00-04:00"
    graph = the_graph(client, org_a, second)
    assert_valid(graph)
    assert event_of(graph, second)["superEvent"] == {"@id": f"{festival.full_url}#event"}
    assert node(graph, f"{festival.full_url}#event")["@type"] == "Festival"


def test_venue_record_is_referred_to_by_its_id(client, org_a):
    """A public cinema of the directory is the event's place under the @id of its own page;
    an organization that is not a place is at its ``#location``."""
    cinema = make_organization_page(
        org_a.organizations_index,
        "Cinéma du Rift",
        kind="cinema",
        street_address="42 rue Principale",
        locality="Ville-Marie",
    )
    centre = make_organization_page(
        org_a.organizations_index, "Centre du Lac", kind="production_centre", locality="Amos"
    )
    at_cinema = make_event(org_a.agenda, "Au Rift", venue=cinema)
    graph = the_graph(client, org_a, at_cinema)
    assert_valid(graph)
    place = node(graph, event_of(graph, at_cinema)["location"]["@id"])
    assert place["@id"] == f"{cinema.full_url}#organization"
    assert place["@type"] == "MovieTheater"
    assert place["address"]["addressLocality"] == "Ville-Marie"
    at_centre = make_event(org_a.agenda, "Au Lac", venue=centre)
    graph = the_graph(client, org_a, at_centre)
    assert_valid(graph)
    assert event_of(graph, at_centre)["location"] == {"@id": f"{centre.full_url}#location"}


def test_private_or_draft_venue_is_never_named(client, org_a):
    """A venue record that is a draft, or later restricted, is left out: the typed place is
    used instead, and nothing of the record reaches the graph."""
    draft = make_organization_page(
        org_a.organizations_index, "Lieu secret", publish=False, kind="cinema", locality="Nulle"
    )
    restricted = make_organization_page(
        org_a.organizations_index, "Lieu restreint", kind="cinema", locality="Cachée"
    )
    at_draft = make_event(org_a.agenda, "Au brouillon", venue=draft, **PLACE)
    at_restricted = make_event(org_a.agenda, "Au restreint", venue=restricted, **PLACE)
    PageViewRestriction.objects.create(page=restricted, restriction_type="login")
    cache.clear()
    for event in (at_draft, at_restricted):
        graph = the_graph(client, org_a, event)
        assert_valid(graph)
        text = json.dumps(graph, ensure_ascii=False)
        assert "Lieu secret" not in text and "Lieu restreint" not in text
        assert "Nulle" not in text and "Cachée" not in text
        assert event_of(graph, event)["location"] == {"@id": f"{event.full_url}#place"}


def test_performers_and_organizer_by_id_when_public(client, org_a):
    """Public person and organization records are named by their page's @id; a draft person's
    record is not read (the name typed on the event is used, if any)."""
    public = make_person(org_a.people_index, "Élise Tremblay")
    draft = make_person(org_a.people_index, "Personne privée", publish=False)
    partner = make_organization_page(org_a.organizations_index, "Productions du Nord")
    event = make_event(org_a.agenda, "Rencontre", kind="talk", organizer=partner, **PLACE)
    event.performers = [
        EventPerformer(person=public, role="invitée"),
        EventPerformer(person=draft, name="Invité surprise"),
        EventPerformer(name="Marc Roy"),
    ]
    event.save_revision().publish()
    graph = the_graph(client, org_a, event)
    assert_valid(graph)
    main = event_of(graph, event)
    assert main["performer"] == [
        {"@id": f"{public.full_url}#person"},
        {"@type": "Person", "name": "Invité surprise"},
        {"@type": "Person", "name": "Marc Roy"},
    ]
    assert node(graph, f"{public.full_url}#person")["name"] == "Élise Tremblay"
    assert main["organizer"] == {"@id": f"{partner.full_url}#organization"}
    assert "Personne privée" not in json.dumps(graph, ensure_ascii=False)


def test_editor_is_told_when_location_is_missing(client, org_a, editor_a):
    """Before publishing, the editor's report says where the event takes place is missing."""
    event = make_event(org_a.agenda, "Sans lieu", publish=False)
    client.force_login(editor_a)
    response = client.get(f"/admin/pages/{event.pk}/edit/")
    assert response.status_code == 200
    with translation.override("fr"):
        expected = str(MESSAGES["event.location"])
    html = response.content.decode()
    assert expected.replace("’", "&#x27;") in html or expected in html
    issues = validate_graph(built(event, org_a))
    assert [i.property for i in issues if i.level == "error"] == ["location"]


def test_hostile_titles_render_safely(client, org_a):
    """A title with a closing script tag, line breaks, separators and a very long line is
    written once, escaped, and read back unchanged."""
    event = make_event(org_a.agenda, "Titre", summary=HOSTILE[:300], **PLACE)
    event.title = HOSTILE[:255]
    event.place_name = HOSTILE[:200]
    event.save_revision().publish()
    response = client.get(event.url, HTTP_HOST=org_a.hostname)
    html = response.content.decode()
    head = html.split("</head>")[0]
    assert "<script>alert(" not in head
    graph = the_graph(client, org_a, event)
    main = event_of(graph, event)
    assert main["name"] == HOSTILE[:255]
    assert main["description"] == HOSTILE[:300]
    assert node(graph, main["location"]["@id"])["name"] == HOSTILE[:200]


def test_nothing_private_reaches_the_graph(client, org_a):
    """Internal notes and the contributor's e-mail stay in the staff's private tab."""
    event = make_event(org_a.agenda, "Atelier", **PLACE)
    private, _created = EventPrivate.objects.get_or_create(
        translation_key=event.translation_key, defaults={"site": org_a}
    )
    private.internal_notes = "xylocanari-jsonld notes"
    private.contributor_email = "xylocanari-jsonld@example.org"
    private.budget = "xylocanari-jsonld budget"
    private.save()
    event.save_revision().publish()
    response = client.get(event.url, HTTP_HOST=org_a.hostname)
    assert "xylocanari" not in response.content.decode()
    assert "xylocanari" not in json.dumps(built(event, org_a))


def test_queries_are_bounded_and_the_cached_graph_costs_none(client, org_a, settings):
    """Building the graph costs the same number of queries for a weekly event with performers
    and a festival with parts whatever their number; once cached it costs none."""
    settings.PAGE_CACHE_TIMEOUT = 0

    def count(page):
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            built(page, org_a)
        return len(ctx.captured_queries)

    people = [make_person(org_a.people_index, f"Personne {i}") for i in range(6)]
    small = make_event(org_a.agenda, "Petit", recurrence="FREQ=WEEKLY;COUNT=2", **PLACE)
    small.performers = [EventPerformer(person=people[0])]
    small.save_revision().publish()
    large = make_event(org_a.agenda, "Grand", recurrence="FREQ=DAILY", **PLACE)
    large.performers = [EventPerformer(person=p) for p in people]
    large.save_revision().publish()
    for i in range(2):
        make_event(large, f"Partie {i}", **PLACE)
    small, large = type(small).objects.get(pk=small.pk), type(large).objects.get(pk=large.pk)
    count(large)  # once, for what is read the first time only (the site's root paths…)
    with_two_parts = count(large)
    for i in range(2, 6):
        make_event(large, f"Partie {i}", **PLACE)
    # Six parts cost what two cost, and six performers and a daily rule no more than one
    # performer and two dates, besides the festival's one reading of its parts' performers:
    # nothing is read once per person, part or date.
    assert count(large) == with_two_parts
    assert count(large) <= count(small) + 2 <= 27
    client.get(large.url, HTTP_HOST=org_a.hostname)
    from django.template import engines

    template = engines["django"].from_string("{% load structured_data_tags %}{% structured_data %}")
    request = RequestFactory().get(large.url, HTTP_HOST=org_a.hostname)
    request._wagtail_site = org_a
    template.render({"page": large, "request": request})
    with CaptureQueriesContext(connection) as ctx:
        template.render({"page": large, "request": request})
    assert len(ctx.captured_queries) == 0
