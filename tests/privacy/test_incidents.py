"""The register of confidentiality incidents (Law 25, GDPR art. 33-34), kept by CRM staff.

What a user would lose without it: an organization could not show the Commission d'accès à
l'information or the CNIL the register the law asks for, nor see at a glance an incident that
risks serious injury and was never notified. What they would lose if it were careless: dates
that contradict each other, messages in English, another organization reading their incidents.
"""

import csv
import datetime as dt
import io

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from privacy.models import Incident, IncidentRisk, IncidentStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(site, **changes):
    data = {
        "site": site.pk,
        "description": "Ordinateur portable volé dans la voiture de la coordonnatrice",
        "occurred_on": "2026-11-02",
        "discovered_on": "2026-11-03",
        "information_concerned": "Noms, courriels et téléphones des membres",
        "people_concerned": "240",
        "people_estimated": "on",
        "risk": IncidentRisk.SERIOUS,
        "risk_assessment": "Fichier non chiffré; numéros de téléphone personnels.",
        "authority": "",
        "authority_notified_on": "",
        "authority_reference": "",
        "people_notified_on": "",
        "people_notification_means": "",
        "measures": "Mots de passe changés; chiffrement des postes.",
        "status": IncidentStatus.OPEN,
    }
    data.update(changes)
    return data


def incident(site, description="Courriel envoyé au mauvais groupe", **fields):
    values = {
        "occurred_on": dt.date(2026, 10, 1),
        "discovered_on": dt.date(2026, 10, 2),
        "information_concerned": "Courriels",
        "people_concerned": 12,
        **fields,
    }
    return Incident.objects.create(site=site, description=description, **values)


def test_crm_staff_record_an_incident_through_the_admin_form(crm_a, org_a):
    """The form saves every detail of the incident to the staff member's organization."""
    response = logged_in(crm_a).post(reverse("privacy_incident:add"), form_data(org_a))
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = Incident.objects.get()
    assert saved.site == org_a
    assert (saved.people_concerned, saved.people_estimated) == (240, True)
    assert saved.risk == IncidentRisk.SERIOUS and saved.awaits_notification


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"discovered_on": "2026-11-01"},
            "discovered_on",
            "Un incident ne peut pas être découvert avant d’être survenu",
        ),
        (
            {"authority": "cai", "authority_notified_on": "2026-11-02"},
            "authority_notified_on",
            "La Commission ou l’autorité ne peut pas avoir été avisée avant",
        ),
        (
            {"people_notified_on": "2026-10-30", "people_notification_means": "Courriel"},
            "people_notified_on",
            "Les personnes ne peuvent pas avoir été avisées avant",
        ),
        (
            {"authority_notified_on": "2026-11-04"},
            "authority",
            "Précisez quelle autorité a été avisée",
        ),
        ({"risk_assessment": "  "}, "risk_assessment", "Expliquez pourquoi le risque"),
    ],
)
def test_dates_that_contradict_each_other_are_refused_in_french(
    crm_a, org_a, changes, field, message
):
    """Each inconsistent answer is refused with a French message next to its field, and
    nothing is saved."""
    response = logged_in(crm_a).post(reverse("privacy_incident:add"), form_data(org_a, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert message in response.content.decode().replace("&#x27;", "'").replace("&rsquo;", "’")
    assert not Incident.objects.exists()


def test_the_database_refuses_a_discovery_before_the_incident():
    """The rule holds even for code that skips the form."""
    from tests.factories import make_organization

    site = make_organization("Atelier Test", "atelier.test")
    with pytest.raises(IntegrityError), transaction.atomic():
        incident(site, occurred_on=dt.date(2026, 10, 5), discovered_on=dt.date(2026, 10, 1))


def test_the_listing_flags_a_serious_incident_never_notified(crm_a, org_a):
    """An incident that risks serious injury and was not notified to the authority is flagged,
    and listed first; once notified, the flag goes."""
    incident(org_a, "Incident-mineur", discovered_on=dt.date(2026, 10, 20))
    serious = incident(
        org_a,
        "Incident-grave",
        risk=IncidentRisk.SERIOUS,
        risk_assessment="Données de santé",
        discovered_on=dt.date(2026, 10, 2),
    )
    client = logged_in(crm_a)
    html = client.get(reverse("privacy_incident:index")).content.decode()
    assert "Risque grave\u00a0: aviser l’autorité" in html
    assert html.index("Incident-grave") < html.index("Incident-mineur")
    awaiting = client.get(reverse("privacy_incident:index") + "?awaiting=true").content.decode()
    assert "Incident-grave" in awaiting and "Incident-mineur" not in awaiting
    Incident.objects.filter(pk=serious.pk).update(
        authority="cai", authority_notified_on=dt.date(2026, 10, 3)
    )
    html = client.get(reverse("privacy_incident:index")).content.decode()
    assert "Risque grave\u00a0: aviser l’autorité" not in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_register_exports_with_every_incident_of_the_organization(crm_a, org_a, org_b, fmt):
    """The export holds the organization's incidents with their details, not another's, and no
    cell a spreadsheet would run as a formula."""
    incident(org_a, '=HYPERLINK("http://x";"Incident-Boréal")', people_concerned=37)
    incident(org_b, "Incident-du-Réseau")
    response = logged_in(crm_a).get(reverse("privacy_incident:index") + f"?export={fmt}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(content)).active
        # Text cells, never formulas, whatever they start with.
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(rows) == 2
    header, row = rows
    assert "Nombre de personnes concernées" in header
    text = [str(cell) for cell in row]
    assert "37" in text
    assert any("Incident-Boréal" in cell for cell in text)
    if fmt == "csv":
        assert not any(cell.startswith("=") for cell in text)
    assert "Incident-du-Réseau" not in repr(rows)


def test_another_organization_cannot_see_or_open_an_incident(crm_b, org_a, editor_a):
    """The second organization's staff list none of the first's incidents and get « not
    found » at its address; an editor without the CRM role does not reach the register."""
    secret = incident(org_a, "Incident-confidentiel-Boréal")
    client = logged_in(crm_b)
    assert (
        "Incident-confidentiel-Boréal"
        not in client.get(reverse("privacy_incident:index")).content.decode()
    )
    assert client.get(reverse("privacy_incident:edit", args=[secret.pk])).status_code == 404
    response = client.post(
        reverse("privacy_incident:edit", args=[secret.pk]), {"description": "piraté"}
    )
    assert response.status_code == 404
    secret.refresh_from_db()
    assert secret.description == "Incident-confidentiel-Boréal"
    assert logged_in(editor_a).get(reverse("privacy_incident:index")).status_code in (302, 403)
