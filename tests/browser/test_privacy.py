"""Browser: a member downloads their data from the member space; the person in charge completes
an erasure request from the French admin."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from crm_blocks.models import Contact
from privacy.models import ErasureProof, PrivacyRequest
from tests.factories import make_member

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.browser
def test_a_member_downloads_a_copy_of_their_data(new_page, org):
    """Signed in to the member space, a member asks for their copy and downloads a ZIP whose
    data.json holds their own record, and whose summary is in French."""
    member, contact = make_member(org, "Maude Gagnon")
    contact.notes = "Canari-note-navigateur"
    contact.save()
    page = new_page()
    page.goto("/espace-membre/connexion/")
    page.fill("#id_username", member.get_username())
    page.fill("#id_password", "motdepasse-test")
    with page.expect_navigation():
        page.locator("form.member-form button[type=submit]").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Obtenir une copie de mes données").click()
    expect(page.get_by_role("status")).to_contain_text("Votre copie est en préparation")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger ma copie (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    data = json.loads(archive.read("data.json"))
    assert data["email"] == contact.email
    assert "Canari-note-navigateur" in json.dumps(data["sources"]["crm_blocks.record"])
    assert "Vos renseignements personnels" in archive.read("summary.html").decode()


@pytest.mark.browser
def test_the_person_in_charge_completes_an_erasure_from_the_admin(
    new_page, org, crm_user, login
):
    """The member's erasure request waits in « Demandes relatives aux renseignements
    personnels »; the person in charge opens it, reviews what will be deleted and kept (the
    paid membership, anonymized, for the accounting), erases, and reads the proof's reference;
    the member's record is gone."""
    member, contact = make_member(org, "Paul Roy")
    contact.memberships.update(fee=40)
    PrivacyRequest.objects.create(
        site=org,
        kind="erasure",
        email=contact.email,
        name="Paul Roy",
        channel="member_space",
        identity_check="Connecté à son espace membre",
        identity_checked_at=contact.created_at,
    )
    page = new_page()
    login(page, crm_user, "/admin/privacy_request/")
    with page.expect_navigation():
        page.get_by_role("link", name="Effacement").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Revoir ce qui sera effacé").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Votre fiche et votre profil public")
    expect(table).to_contain_text("Loi sur l’administration fiscale")
    with page.expect_navigation():
        page.get_by_role("button", name="Effacer définitivement").click()
    proof = ErasureProof.objects.get(site=org)
    expect(page.locator("main")).to_contain_text(proof.reference)
    expect(page.locator("main")).to_contain_text("Terminée")
    assert not Contact.objects.filter(email=contact.email).exists()
    assert not type(member).objects.filter(pk=member.pk).exists()
