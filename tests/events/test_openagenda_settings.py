"""An editor keeps the organization's OpenAgenda settings in the admin: the secret key, once
saved, is never shown again (not in the form, not in the history, not in a revision); an
empty field keeps it; another organization's settings stay out of reach."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry, Revision

from events.models import OpenAgendaSettings
from organizations.registry import OrganizationRole
from privacy import registry
from tests.factories import make_organization, make_user

pytestmark = pytest.mark.django_db

SECRET = "sk-live-9d2f4c7a1e8b"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(**fields):
    data = {
        "agenda_uid": "48290417",
        "public_key": "pk-4f1a",
        "secret_key": "",
        "pull_mode": "draft",
        "default_location_uid": "",
        "push": "on",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def test_the_secret_key_is_write_only_in_the_admin():
    """The editor saves a secret key: the form then says one is saved but never shows it;
    saving with the field empty keeps it; a new one replaces it; "forget" removes it. The key
    is in no page of the form, no history entry and no revision."""
    site = make_organization()
    make_organization("Le Rex", "rex.test")
    editor = make_user(site, OrganizationRole.EDITORS)
    client = client_for(editor)
    url = reverse("wagtailsettings:edit", args=["events", "openagendasettings", site.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(secret_key=SECRET))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert OpenAgendaSettings.for_site(site).secret_key == SECRET
    page = client.get(url).content.decode()
    assert SECRET not in page
    assert "never shown again" in page or "n’est jamais réaffichée" in page
    client.post(url, form_data(agenda_uid="48290418"))
    saved = OpenAgendaSettings.for_site(site)
    assert saved.secret_key == SECRET and saved.agenda_uid == "48290418"
    client.post(url, form_data(secret_key="sk-live-new-0000"))
    assert OpenAgendaSettings.for_site(site).secret_key == "sk-live-new-0000"
    stored = [
        *ModelLogEntry.objects.values_list("label", "data"),
        *Revision.objects.values_list("content", flat=True),
    ]
    assert SECRET not in str(stored) and "sk-live-new-0000" not in str(stored)
    client.post(url, form_data(push=None, forget_secret_key="on"))
    assert OpenAgendaSettings.for_site(site).secret_key == ""


def test_sending_without_a_secret_key_is_refused_with_a_clear_message():
    """Ticking "send our events" without any secret key saved is refused on the form, with
    the reason next to the field; nothing is saved."""
    site = make_organization()
    client = client_for(make_user(site, OrganizationRole.EDITORS))
    url = reverse("wagtailsettings:edit", args=["events", "openagendasettings", site.pk])
    response = client.post(url, form_data())
    assert response.status_code == 200
    assert "secret" in response.content.decode() or "secrète" in response.content.decode()
    assert OpenAgendaSettings.for_site(site).agenda_uid == ""


def test_another_organizations_settings_are_out_of_reach():
    """An editor of the first organization asking for the second one's settings gets "not
    found", and its key stays as it was."""
    site = make_organization()
    other = make_organization("Le Rex", "rex.test")
    OpenAgendaSettings.objects.create(site=other, agenda_uid="1", secret_key=SECRET)
    client = client_for(make_user(site, OrganizationRole.EDITORS))
    url = reverse("wagtailsettings:edit", args=["events", "openagendasettings", other.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(secret_key="stolen")).status_code == 404
    assert OpenAgendaSettings.for_site(other).secret_key == SECRET


def test_the_secret_key_is_a_registered_private_field():
    """The privacy canary plants a value in the secret key and looks for it in every public
    output: the key is declared private."""
    assert registry.private_fields(OpenAgendaSettings) == ("secret_key",)
    assert registry.unclassified_fields(OpenAgendaSettings) == []
