"""A visitor proposes an event on the agenda's form; it waits, private, for an editor.

What a visitor, a contributor or the organization would lose if these failed: a proposal
published without a moderator, a contributor's e-mail on the public site, a refusal without a
word of explanation (or in English), a flood of proposals from one address, a fake image
stored, a contributor never told what became of their proposal — or told twice.
"""

import datetime as dt
import io
import json
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image as PILImage
from wagtail.models import (
    GroupApprovalTask,
    Locale,
    Revision,
    WorkflowPage,
    WorkflowState,
)

from events.models import EventPage, EventPrivate
from organizations.models import OrganizationGroup, OrganizationProvision
from organizations.registry import OrganizationRole
from organizations.services import organization_collection, organization_private_collection
from tests.factories import make_organization, make_organization_page, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

EMAIL = "canari.contributrice@exemple.org"
NAME = "Canari Contributrice"
START = (dt.date.today() + dt.timedelta(days=30)).isoformat()
YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


@pytest.fixture(autouse=True)
def empty_cache():
    """Proposals are counted per address in the cache: each test starts from none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(org_a):
    """The house's Centre Images Boréales (tests/conftest.py)."""
    return org_a


@pytest.fixture
def editor(org):
    return make_user(org, OrganizationRole.EDITORS, username="paul-redacteur")


def form_url(org, route="proposer/"):
    return f"{org.agenda.url}{route}"


def png(size=(64, 48), name="affiche.png"):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (20, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def proposal(**changes):
    data = {
        "title": "Ciné-club du jeudi",
        "start_date": START,
        "start_time": "19:30",
        "end_date": "",
        "end_time": "21:30",
        "venue": "",
        "place_name": "Salle paroissiale",
        "street_address": "12, rue Principale",
        "postal_code": "J9X 1A1",
        "locality": "Rouyn-Noranda",
        "summary": "Projection et discussion.",
        "description": "Un film québécois.\n\nDiscussion ensuite.",
        "image_credit": "",
        "is_free": "on",
        "price": "",
        "ticket_url": "",
        "contributor_name": NAME,
        "contributor_email": EMAIL,
        "consent": "on",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def post(client, org, data, route="proposer/"):
    return client.post(form_url(org, route), data, HTTP_HOST=org.hostname)


def get(client, url, org):
    return client.get(url, HTTP_HOST=org.hostname)


def approve(event, user):
    task_state = event.current_workflow_task_state
    task_state.task.specific.on_action(task_state, user, "approve")


def reject(event, user):
    task_state = event.current_workflow_task_state
    task_state.task.specific.on_action(task_state, user, "reject")


def test_the_form_is_there_in_french_with_the_sites_places(client, org):
    """A visitor opens « Proposer un événement »: a heading, labelled fields, the site's
    public organizations as places (not a draft's), and the trap for bots hidden from
    people and screen readers."""
    make_organization_page(org.organizations_index, "Cinéma Paramount")
    make_organization_page(org.organizations_index, "Lieu secret", publish=False)
    response = get(client, form_url(org), org)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Proposer un événement</h1>" in html
    assert '<label for="id_title">Titre de l’événement' in html
    assert "Cinéma Paramount" in html
    assert "Lieu secret" not in html
    assert '<div class="contribution-trap" aria-hidden="true">' in html
    assert 'name="website"' in html and 'tabindex="-1"' in html
    assert "Centre Images Boréales" in html  # the consent names who keeps the details
    assert "private" in response["Cache-Control"]  # never kept for the next visitor


def test_a_proposal_waits_for_an_editor_and_its_contributor_is_told_once(
    client, org, editor, django_capture_on_commit_callbacks
):
    """A visitor's proposal becomes a draft in the agenda's moderation, its contributor kept
    in the private twin only; the editors get a French e-mail naming the agenda's stage; an
    editor approves it, it is published, its image joins the organization's media, and the
    contributor gets one e-mail — not a second when the event is published again."""
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, org, proposal(image=png()))
    assert response.status_code == 302
    assert response["Location"].endswith("/proposer/?sent=1")
    thanks = get(client, response["Location"], org)
    assert "Merci pour votre proposition" in thanks.content.decode()

    event = EventPage.objects.get(title="Ciné-club du jeudi")
    assert not event.live and event.owner is None
    assert event.get_parent().pk == org.agenda.pk
    assert event.start_time == dt.time(19, 30) and event.is_free
    assert event.place_name == "Salle paroissiale" and event.locality == "Rouyn-Noranda"
    state = WorkflowState.objects.get(object_id=str(event.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    twin = EventPrivate.objects.get(translation_key=event.translation_key)
    assert (twin.contributor_email, twin.contributor_name) == (EMAIL, NAME)
    assert "Centre Images Boréales" in twin.contributor_consent
    assert twin.contributed_at is not None
    for revision in Revision.objects.filter(object_id=str(event.pk)):
        content = json.dumps(revision.content)
        assert EMAIL not in content and NAME not in content
    assert event.image.collection == organization_private_collection(org)
    assert "affiche" not in event.image.file.name  # the visitor's file name is not kept

    staff_mail = [message for message in mail.outbox if editor.email in message.to]
    assert len(staff_mail) == 1
    assert "Propositions à l’agenda" in staff_mail[0].subject + staff_mail[0].body
    assert "soumise" in staff_mail[0].body  # Wagtail's French, not English
    assert not [message for message in mail.outbox if EMAIL in message.to]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approve(event, editor)
    event.refresh_from_db()
    assert event.live
    told = [message for message in mail.outbox if message.to == [EMAIL]]
    assert len(told) == 1
    assert told[0].subject == "Votre événement « Ciné-club du jeudi » est publié"
    assert event.full_url in told[0].body and "Bonjour Canari Contributrice" in told[0].body
    assert event.image.collection == organization_collection(org)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event.save_revision(user=editor).publish(user=editor)
    assert not [message for message in mail.outbox if EMAIL in message.to]


def test_a_refused_proposal_is_said_once_and_stays_private(
    client, org, editor, django_capture_on_commit_callbacks
):
    """An editor refuses a proposal: the contributor gets one French e-mail saying so, the
    event stays unpublished, and refusing again after a resubmission sends nothing more."""
    post(client, org, proposal())
    event = EventPage.objects.get(title="Ciné-club du jeudi")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reject(event, editor)
    event.refresh_from_db()
    assert not event.live
    told = [message for message in mail.outbox if message.to == [EMAIL]]
    assert len(told) == 1
    assert "ne le publiera pas" in told[0].body
    assert told[0].subject == "Votre proposition « Ciné-club du jeudi »"

    mail.outbox.clear()
    WorkflowState.objects.get(
        object_id=str(event.pk), status=WorkflowState.STATUS_NEEDS_CHANGES
    ).resume(user=editor)
    event.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        reject(event, editor)
    assert not [message for message in mail.outbox if EMAIL in message.to]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Ce champ est obligatoire."),
        ({"contributor_email": "pas-une-adresse"}, "contributor_email", "adresse de courriel"),
        ({"consent": None}, "consent", "Veuillez donner votre consentement"),
        ({"start_date": YESTERDAY}, "start_date", "Cette date est passée"),
        (
            {"end_date": YESTERDAY, "start_date": START},
            "end_date",
            "L’événement ne peut pas finir avant de commencer.",
        ),
        (
            {"start_time": "20:00", "end_time": "19:00"},
            "end_time",
            "L’événement ne peut pas finir avant de commencer.",
        ),
        ({"place_name": "", "venue": ""}, "place_name", "Choisissez un lieu dans la liste"),
        ({"venue": "999999", "place_name": ""}, "venue", "Sélectionnez un choix valide"),
        ({"price": "12,50"}, "price", "Un événement gratuit n’a pas de prix"),
        ({"price": "douze"}, "price", "Saisissez un nombre."),
    ],
)
def test_each_refusal_is_explained_in_french_and_writes_nothing(
    client, org, changes, field, message
):
    """Each mistake gets its French message next to its field, linked to it for screen
    readers, in the summary at the top, and nothing is created."""
    make_organization_page(org.organizations_index, "Cinéma Paramount")
    response = post(client, org, proposal(**changes))
    assert response.status_code == 400
    html = response.content.decode()
    error = html.split(f'id="id_{field}_error">', 1)[1].split("</p>", 1)[0]
    assert message in error.replace("&#x27;", "’").replace("'", "’")
    (tag,) = re.findall(rf'<(?:input|select|textarea)[^>]*id="id_{field}"[^>]*>', html)
    assert f"id_{field}_error" in re.search(r'aria-describedby="([^"]*)"', tag).group(1)
    assert "La proposition n’a pas pu être envoyée" in html.replace("&#x27;", "’")
    assert not EventPage.objects.exists()
    assert not EventPrivate.objects.exclude(contributor_email="").exists()


def test_a_bot_filling_the_trap_is_thanked_and_nothing_is_written(client, org):
    """A bot filling the hidden field is answered like a person (so it learns nothing), and
    no event, twin or e-mail comes of it."""
    response = post(client, org, proposal(website="http://spam.example"))
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    assert not EventPage.objects.exists()
    assert mail.outbox == []


def test_one_address_may_send_only_so_many_proposals(client, org, settings):
    """After the allowed number of proposals in an hour, the next one is refused with a French
    explanation (status 429) and nothing is created; another address is not concerned."""
    settings.EVENTS_CONTRIBUTIONS_PER_HOUR = 2
    for number in range(2):
        assert post(client, org, proposal(title=f"Projection {number}")).status_code == 302
    response = post(client, org, proposal(title="Projection de trop"))
    assert response.status_code == 429
    assert "beaucoup de propositions" in response.content.decode()
    assert EventPage.objects.count() == 2
    other = client.post(
        form_url(org), proposal(title="Autre poste"), HTTP_HOST=org.hostname, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 302
    assert EventPage.objects.count() == 3


def test_an_image_too_large_or_not_an_image_is_refused(client, org, settings):
    """A photo over the size limit and a text file named .jpg are refused with a French message;
    neither is stored, nor is the event created."""
    from wagtail.images import get_image_model

    settings.EVENTS_CONTRIBUTION_MAX_IMAGE_SIZE = 2_000
    large = png(size=(600, 600))
    assert large.size > 2_000
    response = post(client, org, proposal(image=large))
    assert response.status_code == 400
    assert "L’image est trop lourde" in response.content.decode().replace("&#x27;", "’")

    fake = SimpleUploadedFile("photo.jpg", b"Ceci n'est pas une image.\n" * 10, "image/jpeg")
    response = post(client, org, proposal(image=fake))
    assert response.status_code == 400
    assert "Ce fichier n’est pas une image" in response.content.decode().replace("&#x27;", "’")

    gif_named_png = png(name="photo.jpg")  # a real PNG under a .jpg name
    response = post(client, org, proposal(image=gif_named_png))
    assert response.status_code == 400
    assert not EventPage.objects.exists()
    assert not get_image_model().objects.exists()


def test_the_english_agenda_takes_proposals_at_propose(client, org):
    """The English agenda answers at /en/…/propose/, in English, and the proposal lands below
    the English agenda."""
    english = Locale.objects.create(language_code="en")
    home = org.root_page.copy_for_translation(english)
    home.save_revision().publish()
    agenda = org.agenda.copy_for_translation(english)
    agenda.save_revision().publish()
    agenda.refresh_from_db()
    url = f"{agenda.relative_url(org)}propose/"  # the house has two sites: page.url is absolute
    assert url.startswith("/en/")
    page = client.get(url, HTTP_HOST=org.hostname)
    assert page.status_code == 200
    assert "<h1>Propose an event</h1>" in page.content.decode()
    response = client.post(url, proposal(title="Film club"), HTTP_HOST=org.hostname)
    assert response.status_code == 302
    event = EventPage.objects.get(title="Film club")
    assert event.get_parent().pk == agenda.pk and event.locale == english
    refused = client.post(url, proposal(title=""), HTTP_HOST=org.hostname)
    assert "This field is required." in refused.content.decode()


def test_the_contributors_details_never_reach_the_public(
    client, org, editor, django_capture_on_commit_callbacks
):
    """Published, the event is on its page, in the agenda's search and sitemap — and the
    contributor's name and e-mail are on none of them, nor in its JSON-LD."""
    post(client, org, proposal(title="Ciné-club canari"))
    event = EventPage.objects.get(title="Ciné-club canari")
    with django_capture_on_commit_callbacks(execute=True):
        approve(event, editor)
    event.refresh_from_db()
    client.logout()
    for url in (event.url, org.agenda.url, "/search/?q=canari", "/sitemap.xml"):
        response = get(client, url, org)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert EMAIL not in body and NAME not in body, url
    assert "Ciné-club canari" in get(client, event.url, org).content.decode()
    assert "Ciné-club canari" in get(client, "/search/?q=canari", org).content.decode()
    assert event.url in get(client, "/sitemap.xml", org).content.decode()


def test_every_organization_gets_the_agendas_moderation(capsys):
    """A new organization's agenda is moderated by its editors from the start; an existing one
    gets it from ``sync_organizations``; a workflow its staff removed is not put back."""
    site = make_organization("Ancien Ciné", "ancien.test")
    agenda = site.agenda
    editors = OrganizationGroup.objects.get(site=site, role=OrganizationRole.EDITORS).group
    workflow = agenda.get_workflow()
    assert workflow is not None and workflow.name == "Modération de l’agenda"
    task = GroupApprovalTask.objects.get(workflow_tasks__workflow=workflow)
    assert list(task.groups.all()) == [editors]

    WorkflowPage.objects.filter(page=agenda).delete()
    OrganizationProvision.objects.filter(site=site, key="workflow:events.proposals").delete()
    assert not WorkflowPage.objects.filter(page=agenda).exists()
    call_command("sync_organizations")
    assert "flux de modération\u00a0: 1" in capsys.readouterr().out
    assert WorkflowPage.objects.get(page=agenda).workflow.name == "Modération de l’agenda"

    WorkflowPage.objects.filter(page=agenda).delete()
    call_command("sync_organizations")
    assert not WorkflowPage.objects.filter(page=agenda).exists()
