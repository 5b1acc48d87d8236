"""The members' directory of distributors' contacts: a member of the network with a current
membership finds, in their member space, the contacts the distributors validated and that
consented, grouped by distributor; nobody else does — not a visitor, not a member of another
organization, not a member whose membership ended — and no public page, sitemap, search or
JSON-LD carries them. Staff record contacts in the admin, the validation and the consent."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from crm_blocks.models import Membership
from films.models import DistributorContact
from organizations.models import OrganizationKind
from organizations.registry import OrganizationRole
from tests.factories import make_film, make_member, make_organization_page, make_user

pytestmark = pytest.mark.django_db

A = {"HTTP_HOST": "boreal.test"}
CANARY = "merle7canari"


def distributor(site, title):
    return make_organization_page(
        site.organizations_index, title, kind=OrganizationKind.DISTRIBUTOR
    )


def contact(site, record, name, *, validated=True, consented=True, **fields):
    now = timezone.now()
    return DistributorContact.objects.create(
        site=site,
        distributor=record,
        name=name,
        validated_at=now if validated else None,
        consent_at=now if consented else None,
        consent_text="J’accepte d’être listé pour les membres du réseau." if consented else "",
        **fields,
    )


@pytest.fixture
def directory(org_a):
    fleuve = distributor(org_a, "Films du Fleuve")
    sphinx = distributor(org_a, "Sphinx Distribution")
    contact(
        org_a,
        fleuve,
        f"Ana {CANARY}",
        role="Programmation",
        territory="Québec",
        email=f"ana@{CANARY}.example",
        phone="+1 514 555 0199",
    )
    contact(org_a, sphinx, "Léa Morin", role="Presse", email="lea@sphinx.example")
    contact(org_a, fleuve, "Non Validée", validated=False)
    contact(org_a, sphinx, "Sans Consentement", consented=False)
    make_film(org_a.films, "Les Arbres de l'hiver", distributor=fleuve)
    return {"fleuve": fleuve, "sphinx": sphinx}


def test_a_current_member_sees_the_listed_contacts_grouped_by_distributor(client, org_a, directory):
    """Only validated, consented contacts, under their distributor's name, with role,
    territory, e-mail and phone."""
    user, _contact = make_member(org_a, "Maude Gagnon")
    client.force_login(user)
    response = client.get("/espace-membre/", **A)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Films du Fleuve" in page and "Sphinx Distribution" in page
    assert page.index("Films du Fleuve") < page.index(f"Ana {CANARY}")
    assert page.index(f"Ana {CANARY}") < page.index("Sphinx Distribution") < page.index("Léa")
    assert f"mailto:ana@{CANARY}.example" in page and "+1 514 555 0199" in page
    assert "Programmation" in page and "Québec" in page
    assert "Non Validée" not in page and "Sans Consentement" not in page
    assert "private" in response.headers.get("Cache-Control", "") or "no-cache" in (
        response.headers.get("Cache-Control", "")
    )


def test_nobody_else_reads_the_directory(client, org_a, org_b, directory):
    """A visitor is sent to the login page; a member of another organization, staff without a
    member account, and a member whose membership ended see no contact."""
    anonymous = client.get("/espace-membre/", **A)
    assert anonymous.status_code == 302 and "/espace-membre/connexion/" in anonymous["Location"]

    outsider, _ = make_member(org_b, "Paul Ailleurs")
    other = Client()
    other.force_login(outsider)
    response = other.get("/espace-membre/", **A)
    assert response.status_code == 302
    assert CANARY not in response.content.decode()

    staff = Client()
    staff.force_login(make_user(org_a, OrganizationRole.EDITORS))
    assert CANARY not in staff.get("/espace-membre/", **A).content.decode()

    former, former_contact = make_member(org_a, "Ancien Membre")
    Membership.objects.filter(contact=former_contact).update(
        start_date=datetime.date(2020, 1, 1), end_date=datetime.date(2021, 1, 1)
    )
    lapsed = Client()
    lapsed.force_login(former)
    page = lapsed.get("/espace-membre/", **A)
    assert page.status_code == 200
    assert CANARY not in page.content.decode()


def test_no_public_output_carries_a_contact(client, org_a, directory):
    """The public site — home, film database, the film and the distributor's pages, their
    JSON-LD, the sitemap, the search for the planted name — never shows a contact."""
    from films.models import FilmPage

    film = FilmPage.objects.get(title="Les Arbres de l'hiver")
    urls = ["/", "/sitemap.xml", "/search/?q=Ana", "/search/?q=Programmation"]
    for page in (org_a.films, film, directory["fleuve"]):
        urls.append(page.relative_url(org_a))
    seen = 0
    for path in urls:
        response = client.get(path, follow=True, **A)
        if response.status_code == 200:
            seen += 1
        assert CANARY not in response.content.decode(), path
    assert seen >= 4, "the public pages were not reached: the test would prove nothing"


def test_staff_record_a_contact_its_validation_and_the_consent(client, org_a, org_b, directory):
    """CRM staff add a contact of one of their distributors; ticking « validated » records who
    and when; a consent date without its wording is refused; another organization's staff
    do not see the contact."""
    staff = make_user(org_a, OrganizationRole.CRM_STAFF)
    client.force_login(staff)
    form = {
        "site": org_a.pk,
        "distributor": directory["sphinx"].pk,
        "name": "Jeanne Roy",
        "role": "Ventes",
        "territory": "France",
        "email": "jeanne@sphinx.example",
        "phone": "",
        "validated": "on",
        "consent_at": "2026-11-02 10:00",
        "consent_text": "",
    }
    refused = client.post("/admin/films_distributorcontact/new/", form)
    assert refused.status_code == 200
    assert not DistributorContact.objects.filter(name="Jeanne Roy").exists()
    form["consent_text"] = "Oui, pour les membres."
    created = client.post("/admin/films_distributorcontact/new/", form)
    assert created.status_code == 302
    jeanne = DistributorContact.objects.get(name="Jeanne Roy")
    assert jeanne.validated_by == staff and jeanne.validated_at is not None
    assert DistributorContact.objects.listed().filter(pk=jeanne.pk).exists()

    foreign = distributor(org_b, "Distribution Ailleurs")
    form.update(name="Intrus", distributor=foreign.pk)
    assert client.post("/admin/films_distributorcontact/new/", form).status_code == 200
    assert not DistributorContact.objects.filter(name="Intrus").exists()

    other = Client()
    other.force_login(make_user(org_b, OrganizationRole.CRM_STAFF))
    listing = other.get("/admin/films_distributorcontact/")
    assert listing.status_code == 200 and "Jeanne Roy" not in listing.content.decode()
    assert other.get(f"/admin/films_distributorcontact/edit/{jeanne.pk}/").status_code == 404
