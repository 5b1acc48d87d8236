"""The OpenAgenda sync against our fake of the documented API, as an organization lives it:
its published events appear on OpenAgenda once (re-runs update, never copy), disappear there
when unpublished here; OpenAgenda's events arrive here as drafts or published events, follow
their changes and are unpublished when removed there; a failed run changes nothing here and
says why; a dry run changes nothing anywhere."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation

from events.models import EventAttendance, EventPage, OpenAgendaLink, OpenAgendaSettings
from events.openagenda.client import OpenAgendaError, clear_token_cache
from events.openagenda.sync import client_for, openagenda_sync
from tests.events.openagenda_fake import FakeOpenAgenda, configure
from tests.factories import make_event, make_organization

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture
def fake():
    clear_token_cache()
    server = FakeOpenAgenda().start()
    with override_settings(OPENAGENDA_API_URL=server.url):
        yield server
    server.stop()
    clear_token_cache()


@pytest.fixture
def site(org_a):
    """The house's organization (tests/conftest.py), as ``make_organization()`` builds it."""
    return org_a


def run(site, sleeps=None, **kwargs):
    settings = OpenAgendaSettings.for_site(site)
    client = client_for(settings, sleep=(sleeps if sleeps is not None else []).append)
    with translation.override("en"):
        return openagenda_sync(site, client=client, **kwargs)


def screening(site, title="Ciné-club : Mon oncle Antoine", **fields):
    values = {
        "kind": "screening",
        "summary": "Le classique de Claude Jutra, présenté par l'équipe.",
        "start_date": dt.date(2027, 3, 9),
        "start_time": dt.time(19, 0),
        "end_time": dt.time(21, 0),
        "place_name": "Cinéma du Parc",
        "street_address": "3575 av. du Parc",
        "locality": "Montréal",
        "postal_code": "H2X 3P9",
        "country": "Canada",
        "wheelchair_accessible": True,
        "audio_description": True,
    }
    values.update(fields)
    return make_event(site.agenda, title, **values)


def test_a_published_event_appears_on_openagenda_with_its_place_dates_and_flags(fake, site):
    """What OpenAgenda receives: the title and summary in the organization's language, the
    date with Montreal's offset, the place created once by our external identifier, the
    accessibility flags and the status; the link is kept here."""
    configure(site, fake)
    event = screening(site)
    report = run(site)
    assert report.counts["created"] == 1
    assert len(fake.events) == 1
    sent = next(iter(fake.events.values()))
    assert sent["title"] == {"fr": "Ciné-club : Mon oncle Antoine"}
    assert sent["description"]["fr"].startswith("Le classique de Claude Jutra")
    assert sent["timings"] == [
        {"begin": "2027-03-09T19:00:00-05:00", "end": "2027-03-09T21:00:00-05:00"}
    ]
    assert sent["accessibility"] == {"hi": False, "ii": False, "vi": True, "pi": False, "mi": True}
    assert sent["status"] == 1 and sent["attendanceMode"] == 1
    assert sent["extIds"] == [{"key": "liens-mutuels", "value": str(event.translation_key)}]
    (place,) = fake.locations.values()
    assert place["name"] == "Cinéma du Parc" and place["countryCode"] == "CA"
    assert sent["locationUid"] == str(place["uid"])
    link = OpenAgendaLink.objects.get(event=event)
    assert link.openagenda_uid == str(sent["uid"]) and link.direction == "push"
    put = fake.received("PUT", "/events/ext/liens-mutuels/")
    assert put[0]["path"].endswith(str(event.translation_key))


def test_running_again_updates_the_same_event_and_never_copies_it(fake, site):
    """A second run with nothing changed sends nothing; a changed title and a cancellation are
    sent to the same OpenAgenda event (one event there, status 6)."""
    configure(site, fake)
    event = screening(site)
    run(site)
    uid = next(iter(fake.events))
    report = run(site)
    assert report.counts["unchanged"] == 1 and len(fake.received("PUT")) == 1
    event.title = "Ciné-club : Mon oncle Antoine (copie restaurée)"
    event.status = "cancelled"
    event.save_revision().publish()
    report = run(site)
    assert report.counts["updated"] == 1
    assert list(fake.events) == [uid]
    assert fake.events[uid]["title"]["fr"].endswith("(copie restaurée)")
    assert fake.events[uid]["status"] == 6
    assert len(fake.locations) == 1  # the place found again by its external identifier


def test_an_event_unpublished_or_deleted_here_is_removed_from_openagenda(fake, site):
    """Unpublishing one event and deleting another removes both from OpenAgenda at the next
    run; their links go."""
    configure(site, fake)
    first = screening(site)
    second = screening(site, "Atelier de doublage", start_date=dt.date(2027, 3, 16))
    run(site)
    assert len(fake.events) == 2
    first.unpublish()
    EventPage.objects.get(pk=second.pk).delete()
    report = run(site)
    assert report.counts["deleted"] == 2
    assert fake.events == {} and len(fake.received("DELETE")) == 2
    assert not OpenAgendaLink.objects.filter(site=site).exists()


def test_an_online_event_needs_no_place_and_an_event_without_place_waits(fake, site):
    """An online talk goes with its link and no place; an in-person event naming no place is
    left out with a message until a default OpenAgenda place is set."""
    configure(site, fake)
    make_event(
        site.agenda,
        "Causerie en ligne",
        start_time=dt.time(12),
        attendance=EventAttendance.ONLINE,
        online_url="https://example.org/live",
    )
    make_event(site.agenda, "Assemblée générale", start_time=dt.time(18))
    report = run(site)
    assert report.counts["created"] == 1 and report.counts["skipped"] == 1
    assert any("Assemblée générale" in line for line in report.lines)
    (online,) = fake.events.values()
    assert online["attendanceMode"] == 2 and "locationUid" not in online
    assert online["onlineAccessLink"] == "https://example.org/live"


def test_openagenda_events_arrive_as_drafts_follow_changes_and_are_unpublished_when_removed(
    fake, site
):
    """Pulled into drafts: an editor finds OpenAgenda's event in the agenda, not yet public;
    a change on OpenAgenda updates its draft; once published by the editor and then removed
    on OpenAgenda, it is unpublished here."""
    configure(site, fake, push=False, pull=True)
    event = fake.add_event(
        title={"fr": "Festival du court métrage", "en": "Short film festival"},
        description={"fr": "Trois soirs de courts québécois."},
        longDescription={"fr": "Première ligne\n\nDeuxième <b>paragraphe</b>"},
        timings=[
            {"begin": "2027-04-02T19:30:00-0400", "end": "2027-04-02T22:00:00-0400"},
            {"begin": "2027-04-03T19:30:00-0400", "end": "2027-04-03T22:00:00-0400"},
        ],
        location={
            "name": "Salle Bourgie",
            "address": "1339 rue Sherbrooke O.",
            "countryCode": "CA",
        },
        accessibility={"hi": True, "mi": True},
        status=1,
    )
    report = run(site)
    assert report.counts["pulled_created"] == 1
    page = EventPage.objects.get(openagenda_links__openagenda_uid=str(event["uid"]))
    assert not page.live and page.title == "Festival du court métrage"
    assert page.start_date == dt.date(2027, 4, 2) and page.start_time == dt.time(19, 30)
    assert page.dates == "2027-04-03" and page.place_name == "Salle Bourgie"
    assert page.hearing_loop and page.wheelchair_accessible and not page.audio_description
    assert "&lt;b&gt;" not in str(page.body) and "<b>" not in str(page.body)
    assert run(site).counts["pulled_updated"] == 0  # nothing changed there
    fake.touch(event["uid"], title={"fr": "Festival du court métrage (12e édition)"})
    assert run(site).counts["pulled_updated"] == 1
    page.refresh_from_db()
    draft = page.get_latest_revision_as_object()
    assert draft.title.endswith("(12e édition)") and not page.live
    draft.save_revision().publish()  # the editor publishes it
    del fake.events[str(event["uid"])]
    report = run(site)
    assert report.counts["pulled_removed"] == 1
    page.refresh_from_db()
    assert not page.live


def test_pulled_published_events_are_public_and_never_sent_back(fake, site):
    """In "published" mode the event is public at once; the events we sent ourselves (our
    extId) are not brought back, and pulled ones are not sent back."""
    configure(site, fake, push=True, pull=True, pull_mode="published")
    screening(site)
    fake.add_event(
        title={"fr": "Vernissage"},
        description={"fr": "Exposition de photos."},
        timings=[{"begin": "2027-05-01T17:00:00.000Z", "end": "2027-05-01T19:00:00.000Z"}],
    )
    run(site)
    run(site)
    pages = EventPage.objects.descendant_of(site.agenda)
    assert pages.count() == 2
    pulled = pages.get(title="Vernissage")
    assert pulled.live and pulled.start_time == dt.time(13, 0)  # 17:00 UTC in Montreal
    assert len(fake.events) == 2  # ours and the vernissage, no copy either way


def test_a_failed_run_changes_nothing_here_and_says_why(fake, site):
    """OpenAgenda answers 500 to every write: after the bounded retries the run stops; the
    events read from OpenAgenda were not created here, no link was stored, and the message
    names the error."""
    configure(site, fake, push=True, pull=True, pull_mode="published")
    screening(site)
    fake.add_event(
        title={"fr": "Vernissage"},
        description={"fr": "Exposition."},
        timings=[{"begin": "2027-05-01T17:00:00Z", "end": "2027-05-01T19:00:00Z"}],
    )
    sleeps = []
    original_route = fake.route

    def route(method, path, query, headers, body):  # reads work, every write fails
        if method != "GET" and "requestAccessToken" not in path:
            return 500, {"message": "boom"}, {}, None
        return original_route(method, path, query, headers, body)

    fake.route = route
    with pytest.raises(OpenAgendaError, match="500"):
        run(site, sleeps=sleeps)
    assert len(sleeps) == 3
    assert EventPage.objects.descendant_of(site.agenda).count() == 1  # only ours
    assert not OpenAgendaLink.objects.exists()
    assert OpenAgendaSettings.for_site(site).last_synced_at is None


def test_a_dry_run_changes_nothing_anywhere(fake, site):
    """A dry run lists what it would send and bring, and writes nothing: no event or place on
    OpenAgenda, no page or link here."""
    configure(site, fake, push=True, pull=True)
    screening(site)
    fake.add_event(
        title={"fr": "Vernissage"},
        description={"fr": "Exposition."},
        timings=[{"begin": "2027-05-01T17:00:00Z", "end": "2027-05-01T19:00:00Z"}],
    )
    report = run(site, dry_run=True)
    assert report.counts["created"] == 1 and report.counts["pulled_created"] == 1
    assert any(line.startswith("Would") for line in report.lines)
    assert not [r for r in fake.requests if r["method"] in ("PUT", "PATCH", "DELETE")]
    assert not fake.received("POST", "/locations") and len(fake.events) == 1
    assert EventPage.objects.descendant_of(site.agenda).count() == 1
    assert not OpenAgendaLink.objects.exists()


def test_the_command_reports_in_the_organizations_language_and_fails_loudly(fake):
    """A French organization reads the command's summary in French; when OpenAgenda fails the
    command exits with an error (non-zero status) saying that nothing was changed."""
    site = make_organization("Cinéma Lumière", "lumiere.test", language="fr-fr")
    configure(site, fake)
    screening(site, country="France", time_zone="Europe/Paris")
    out = io.StringIO()
    call_command("sync_openagenda", "--organization", "lumiere.test", "--push", stdout=out)
    assert "Envoi à OpenAgenda — créés\u00a0: 1," in out.getvalue()
    assert next(iter(fake.events.values()))["timings"][0]["begin"] == "2027-03-09T19:00:00+01:00"
    fake.route = lambda *args: (403, {"message": "forbidden"}, {}, None)
    with pytest.raises(CommandError) as caught:
        call_command("sync_openagenda", "--organization", "lumiere.test", stdout=io.StringIO())
    assert "rien n’a été modifié" in str(caught.value) and "403" in str(caught.value)
    with pytest.raises(CommandError, match="inconnu.test"):
        call_command("sync_openagenda", "--organization", "inconnu.test")


def test_the_recorded_shapes_are_what_the_client_sends_and_reads(fake, site):
    """The shapes in ``fixtures/openagenda/`` are the contract: the recorded agenda answer is
    read into an event here, and what we send uses only the recorded request's fields."""
    import json
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "fixtures" / "openagenda"
    listing = json.loads((folder / "events_list_response.json").read_text())
    recorded = json.loads((folder / "event_upsert_request.json").read_text())
    configure(site, fake, push=True, pull=True)
    for event in listing["events"]:
        fake.events[str(event["uid"])] = event
    screening(site, age_min=12)
    run(site)
    page = EventPage.objects.get(title="Festival du court métrage")
    assert page.place_name == "Salle Bourgie" and page.dates == "2027-04-03"
    sent = next(e for e in fake.events.values() if e.get("extIds"))
    assert set(sent) - {"uid", "updatedAt"} <= set(recorded)


def test_the_worker_syncs_every_hour_once_settings_ask_for_it(fake, site, caplog):
    """Saving settings that send events queues one hourly run in the worker's queue; the run
    syncs the organization, logs a failure without its key, and queues the next one."""
    from django_tasks_db.models import DBTaskResult

    from events.tasks import sync_openagenda_task

    database = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=database):
        DBTaskResult.objects.all().delete()
        configure(site, fake)
        configure(site, fake)  # saved twice: still one run waiting
        waiting = DBTaskResult.objects.filter(task_path=sync_openagenda_task.module_path)
        assert waiting.count() == 1 and waiting.get().status == "READY"
        screening(site)
        waiting.update(status="SUCCESSFUL")
        assert sync_openagenda_task.call() == 1
        assert len(fake.events) == 1
        assert waiting.filter(status="READY").count() == 1
        fake.route = lambda *args: (403, {"message": "forbidden"}, {}, None)
        with caplog.at_level("WARNING", logger="events.openagenda"):
            assert sync_openagenda_task.call() == 0
        assert "403" in caplog.text and fake.secret_key not in caplog.text


def test_a_translated_event_goes_in_both_languages_with_its_image(fake, site):
    """An event translated into English is one event on OpenAgenda, with its French and
    English titles and summaries, and its image given by address with its credit."""
    from wagtail.models import Locale

    from tests.factories import make_image

    configure(site, fake)
    english = Locale.objects.get_or_create(language_code="en")[0]
    site.root_page.copy_for_translation(english).save_revision().publish()
    site.agenda.copy_for_translation(english).save_revision().publish()
    event = screening(site, image=make_image(), image_credit="Photo : ONF")
    translation_page = event.copy_for_translation(english)
    translation_page.title = "Film club: Mon oncle Antoine"
    translation_page.summary = "Claude Jutra's classic."
    translation_page.save_revision().publish()
    run(site)
    (sent,) = fake.events.values()
    assert sent["title"] == {
        "fr": "Ciné-club : Mon oncle Antoine",
        "en": "Film club: Mon oncle Antoine",
    }
    assert sent["description"]["en"] == "Claude Jutra's classic."
    assert sent["image"]["url"].startswith("http") and sent["imageCredits"] == "Photo : ONF"


def test_what_an_editor_decides_here_about_a_pulled_event_stands(fake, site):
    """An editor deletes one pulled event and unpublishes another: neither comes back while
    OpenAgenda leaves them unchanged; a link that is not http(s) is dropped, not a crash. An
    event removed from OpenAgenda then listed again is brought back and published."""
    configure(site, fake, push=False, pull=True, pull_mode="published")
    timings = [{"begin": "2027-05-01T17:00:00Z", "end": "2027-05-01T19:00:00Z"}]
    kept = fake.add_event(
        title={"fr": "Vernissage"},
        timings=timings,
        attendanceMode=3,
        onlineAccessLink="javascript:alert(1)",
    )
    fake.add_event(title={"fr": "Projection"}, timings=timings)
    run(site)
    page = EventPage.objects.get(title="Vernissage")
    assert page.live and page.online_url == "" and page.attendance == EventAttendance.IN_PERSON
    EventPage.objects.get(title="Projection").delete()
    page.unpublish()
    report = run(site)
    assert report.counts["pulled_created"] == 0 and report.counts["pulled_updated"] == 0
    page.refresh_from_db()
    assert not page.live and not EventPage.objects.filter(title="Projection").exists()
    removed = fake.events.pop(str(kept["uid"]))
    page.save_revision().publish()  # the editor publishes it again
    assert run(site).counts["pulled_removed"] == 1
    fake.events[str(kept["uid"])] = removed  # listed again, unchanged
    assert run(site).counts["pulled_updated"] == 1
    page.refresh_from_db()
    assert page.live


def test_a_run_cut_halfway_is_completed_by_the_next_without_copies(fake, site):
    """The first event is sent, then OpenAgenda fails for good: the run reports the error and
    stores nothing here; once OpenAgenda is back, the next run sends both and the first one
    is updated, not copied (two events there)."""
    configure(site, fake)
    screening(site)
    screening(site, "Atelier de doublage", start_date=dt.date(2027, 3, 16))
    original_route = fake.route
    puts = []

    def route(method, path, query, headers, body):  # the second event's PUT fails, always
        if method == "PUT":
            puts.append(path)
            if len(puts) > 1:
                return 503, {"message": "unavailable"}, {}, None
        return original_route(method, path, query, headers, body)

    fake.route = route
    with pytest.raises(OpenAgendaError, match="503"):
        run(site)
    assert len(fake.events) == 1 and not OpenAgendaLink.objects.exists()
    fake.route = original_route
    report = run(site)
    assert report.counts["created"] == 2
    assert len(fake.events) == 2 and OpenAgendaLink.objects.count() == 2


def test_an_unreadable_agenda_brings_nothing(fake, site):
    """OpenAgenda's list answers something that is not JSON: the run fails with that reason
    and no event is created here."""
    configure(site, fake, push=False, pull=True)
    fake.add_event(title={"fr": "Vernissage"}, timings=[{"begin": "2027-05-01T17:00:00Z"}])
    fake.fail_next(200, body=b"<html>Maintenance</html>")
    with pytest.raises(OpenAgendaError, match="JSON"):
        run(site)
    assert not EventPage.objects.descendant_of(site.agenda).exists()
    assert run(site).counts["pulled_created"] == 1


def test_a_draft_or_restricted_venue_record_never_reaches_openagenda(fake, site):
    """An event held at a venue record that is still a draft, or restricted to logged-in
    members, goes to OpenAgenda with the place typed on it (or the default OpenAgenda place):
    the venue's name, address and coordinates stay here. A published, public venue is sent."""
    from wagtail.models import PageViewRestriction

    from tests.factories import make_organization_page

    configure(site, fake, default_location_uid="")
    draft = make_organization_page(
        site.organizations_index,
        "Canari-lieu-0001",
        publish=False,
        street_address="1 rue Canari-adresse-0001",
        locality="Canari-ville",
        latitude=Decimal("45.123456"),
        longitude=Decimal("-73.654321"),
    )
    restricted = make_organization_page(
        site.organizations_index,
        "Canari-lieu-0002",
        street_address="2 rue Canari-adresse-0002",
    )
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    public = make_organization_page(
        site.organizations_index, "Salle publique", street_address="9 rue Ouverte"
    )
    screening(site, "Projection au lieu brouillon", venue=draft)
    screening(site, "Projection au lieu réservé", venue=restricted)
    screening(site, "Projection à la salle publique", venue=public, place_name="")
    report = run(site)
    assert report.counts["created"] == 3
    sent = repr(fake.locations) + repr(fake.events) + repr(fake.received("POST"))
    assert "Canari" not in sent and "45.123456" not in sent
    names = sorted(place["name"] for place in fake.locations.values())
    assert names == ["Cinéma du Parc", "Salle publique"]
