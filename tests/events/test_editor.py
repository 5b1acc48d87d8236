"""Staff create and edit events in the French admin with the friendly repetition fields."""

import datetime as dt

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from events.models import EventOccurrence, EventPage, EventPrivate
from tests.factories import make_event, make_organization, make_user

pytestmark = pytest.mark.django_db


def event_form(title="Atelier de montage", repeat_weekdays=(), **extra):
    data = nested_form_data(
        {
            "title": title,
            "slug": "atelier-de-montage",
            "kind": "workshop",
            "status": "scheduled",
            "summary": "Chaque deuxième mardi.",
            "body": streamfield([]),
            "start_date": "2027-03-09",
            "start_time": "19:00",
            "end_date": "",
            "end_time": "21:00",
            "time_zone": "",
            "repeat": "",
            "repeat_interval": "1",
            "dates": "",
            "exceptions": "",
            "occurrence_changes": inline_formset([]),
            "performers": inline_formset([]),
            "attendance": "in_person",
            "audience": "everyone",
            "language": "fr",
            "currency": "",
            **extra,
        }
    )
    data["action-publish"] = "publish"
    data["repeat_weekdays"] = list(repeat_weekdays)
    return data


@pytest.fixture
def editor_client(client):
    site = make_organization()
    client.force_login(make_user(site, "editors"))
    return client, site


def test_an_editor_publishes_the_second_tuesday_of_each_month(editor_client):
    client, site = editor_client
    response = client.post(
        f"/admin/pages/add/events/eventpage/{site.agenda.pk}/",
        event_form(
            repeat="MONTHLY",
            repeat_weekdays=["TU"],
            repeat_position="2",
            repeat_until="2027-06-30",
            exceptions="13/04/2027",
            private_internal_notes="Réserver la salle B.",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    event = EventPage.objects.get(title="Atelier de montage")
    assert event.live
    assert event.recurrence == "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20270630"
    assert list(
        EventOccurrence.objects.filter(event=event).values_list("local_date", flat=True)
    ) == [dt.date(2027, 3, 9), dt.date(2027, 5, 11), dt.date(2027, 6, 8)]
    assert EventPrivate.objects.get(translation_key=event.translation_key).internal_notes == (
        "Réserver la salle B."
    )
    # The note is in the twin, never in the page's revisions.
    assert "Réserver" not in str(event.latest_revision.content)


def test_the_editor_shows_the_rule_in_its_fields_and_the_next_dates(editor_client):
    client, site = editor_client
    event = make_event(
        site.agenda,
        start_date=dt.date(2027, 3, 9),
        start_time=dt.time(19),
        recurrence="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=4",
    )
    response = client.get(f"/admin/pages/{event.pk}/edit/")
    form = response.context["form"]
    assert form["repeat"].value() == "WEEKLY"
    assert form["repeat_interval"].value() == 2
    assert form["repeat_weekdays"].value() == ["TU", "TH"]
    assert form["repeat_count"].value() == 4
    html = response.content.decode()
    assert "Prochaines dates" in html
    assert "jeudi 11 mars 2027, 19:00" in html


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"repeat": "WEEKLY", "repeat_position": "2"}, "repeat_position", "mensuel"),
        ({"repeat": "MONTHLY", "repeat_position": "2"}, "repeat_weekdays", "Cochez"),
        ({"repeat": "DAILY", "repeat_until": "2027-01-01"}, "repeat_until", "avant"),
        ({"repeat": "DAILY", "repeat_until": "2027-04-01", "repeat_count": "3"}, "repeat", "soit"),
        ({"exceptions": "31/02/2027"}, "exceptions", "n’est pas une date"),
        ({"end_date": "2027-03-01"}, "end_date", "avant"),
    ],
)
def test_a_rule_that_makes_no_sense_is_refused_in_french(editor_client, extra, field, message):
    client, site = editor_client
    response = client.post(
        f"/admin/pages/add/events/eventpage/{site.agenda.pk}/", event_form(**extra)
    )
    assert response.status_code == 200
    assert not EventPage.objects.exists()
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field]), form.errors[field]
