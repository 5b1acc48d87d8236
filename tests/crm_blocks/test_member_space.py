"""The member space (``/espace-membre/``): staff invite a person of their CRM, who chooses a
password from the e-mailed link, logs in on their organization's site and sees what the plugins
show them there.

What a member or the organization would lose if these failed: an invitation that never
arrives, or arrives in the wrong language or with a link to another site; a link that does not
let them choose a password; another organization's member (or staff) let into the space, or
told that their e-mail exists there; passwords guessed without limit; a member's page kept in
a cache and shown to someone else.
"""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path, reverse
from wagtail import hooks

from crm_blocks.member_urls import _for_members
from crm_blocks.models import MemberAccount
from organizations.models import OrganizationGroup
from organizations.registry import OrganizationRole
from tests.factories import (
    contact_of,
    make_member,
    make_organization,
    make_organization_page,
    make_person,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

A = {"HTTP_HOST": "boreal.test"}
B = {"HTTP_HOST": "reseau.test"}
PASSWORD = "motdepasse-test"
LINK_RE = re.compile(r"http://[\w.:-]+(/[\w/-]*espace-membre/mot-de-passe/[\w-]+/[\w-]+/)")


@pytest.fixture(autouse=True)
def empty_cache():
    """Failed logins are counted in the cache: each test starts from none."""
    cache.clear()


@pytest.fixture
def maude(org_a):
    contact = contact_of(make_person(org_a.people_index, "Maude Gagnon"))
    contact.email = "Maude.Gagnon@exemple.org"
    contact.save()
    return contact


def invite(capture, host="boreal.test", email="maude.gagnon@exemple.org"):
    with capture(execute=True):
        call_command("invite_member", organization=host, email=email, stdout=io.StringIO())


def login(client, username, password=PASSWORD, host=A, **extra):
    return client.post(
        reverse("member_login"), {"username": username, "password": password}, **host, **extra
    )


def test_an_invited_person_chooses_a_password_from_the_link_and_logs_in(
    client, org_a, maude, django_capture_on_commit_callbacks
):
    """The invitation, in the organization's French, links to its own site; the link lets the
    person choose a password, logs them in, and they can log in again with it."""
    invite(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Maude.Gagnon@exemple.org"]
    assert "Votre espace membre" in message.subject and "Centre Images Boréales" in message.subject
    assert "Maude Gagnon" in message.body and "choisissez votre mot de passe" in message.body
    link = LINK_RE.search(message.body)
    assert link and link.group(0).startswith("http://boreal.test/espace-membre/"), message.body

    user = get_user_model().objects.get(username="maude.gagnon@exemple.org")
    assert not user.has_usable_password(), "no password until the person chooses one"
    members = OrganizationGroup.objects.get(site=org_a, role=OrganizationRole.MEMBERS).group
    assert user.groups.filter(pk=members.pk).exists()
    assert MemberAccount.objects.get(user=user).contact == maude

    form = client.get(link.group(1), follow=True, **A)
    assert form.status_code == 200 and "Choisissez votre mot de passe" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "Lumière-du-nord-42", "new_password2": "Lumière-du-nord-42"}, **A
    )
    assert done.status_code == 302 and done["Location"] == reverse("member_space")
    space = client.get(reverse("member_space"), **A)
    assert space.status_code == 200 and "Bonjour Maude Gagnon" in space.content.decode()

    client.post(reverse("member_logout"), **A)
    assert client.get(reverse("member_space"), **A).status_code == 302
    again = login(client, "MAUDE.gagnon@exemple.org", "Lumière-du-nord-42")
    assert again.status_code == 302 and again["Location"] == reverse("member_space")
    # The link worked once.
    assert "ne fonctionne plus" in client.get(link.group(1), follow=True, **A).content.decode()


def test_inviting_again_sends_a_new_link_to_the_same_login(
    org_a, maude, django_capture_on_commit_callbacks
):
    invite(django_capture_on_commit_callbacks)
    first = MemberAccount.objects.get(contact=maude)
    invite(django_capture_on_commit_callbacks, email="MAUDE.GAGNON@exemple.org")
    assert len(mail.outbox) == 2
    assert MemberAccount.objects.filter(contact=maude).count() == 1
    assert MemberAccount.objects.get(contact=maude).invited_at > first.invited_at


def test_an_invitation_says_clearly_why_it_cannot_be_sent(org_a, maude):
    """Staff are told what to fix, and nothing is written."""
    make_organization_page(org_a.organizations_index, "Productions du Nord")
    production = contact_of(make_organization_page(org_a.organizations_index, "Films de la Baie"))
    production.email = "bureau@films-baie.org"
    production.save()
    cases = {
        ("boreal.test", "personne@exemple.org"): "Aucune personne",
        ("boreal.test", "bureau@films-baie.org"): "pas d’une personne",
        ("boreal.test", "pas-un-courriel"): "n’est pas une adresse",
        ("inconnu.test", "maude.gagnon@exemple.org"): "Aucune organisation",
    }
    for (host, email), expected in cases.items():
        with pytest.raises(CommandError) as refused:
            call_command("invite_member", organization=host, email=email)
        assert expected in str(refused.value), (email, str(refused.value))
    assert not MemberAccount.objects.exists() and not mail.outbox


def test_an_english_speaking_organization_invites_in_english(
    django_capture_on_commit_callbacks,
):
    site = make_organization("Northern Lights Film Co-op", "northern.test", language="en")
    contact = contact_of(make_person(site.people_index, "Jordan Miller"))
    contact.email = "jordan@example.org"
    contact.save()
    invite(django_capture_on_commit_callbacks, host="northern.test", email="jordan@example.org")
    message = mail.outbox[0]
    assert message.subject == "Your member space at Northern Lights Film Co-op"
    assert "choose your password with this link" in message.body
    assert "http://northern.test/en/espace-membre/mot-de-passe/" in message.body


def test_another_organizations_member_is_refused_like_a_wrong_password(client, org_a, org_b):
    """A member of the Centre cannot enter the Réseau's space, and the Réseau's login page
    does not tell them that the e-mail exists elsewhere."""
    user, _contact = make_member(org_a, "Maude Gagnon", "maude@exemple.org")
    other = login(client, "maude@exemple.org", host=B)
    wrong = login(client, "maude@exemple.org", "pas-le-bon", host=B)
    nobody = login(client, "personne@exemple.org", host=B)
    assert other.status_code == wrong.status_code == nobody.status_code == 200
    error = "Ce courriel et ce mot de passe n’ouvrent pas d’espace membre ici."
    for response in (other, wrong, nobody):
        assert error in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("member_space"), **B).status_code == 302
    assert login(client, "maude@exemple.org", host=A).status_code == 302


def test_one_login_opens_the_space_of_each_organization_it_is_a_member_of(client, org_a, org_b):
    user, maude_a = make_member(org_a, "Maude Gagnon", "maude@exemple.org")
    same, maude_b = make_member(org_b, "Maude Gagnon", "maude@exemple.org")
    assert same == user and maude_a != maude_b
    assert login(client, "maude@exemple.org", host=A).status_code == 302
    assert login(Client(), "maude@exemple.org", host=B).status_code == 302


def test_staff_without_a_member_account_do_not_enter_the_member_space(client, crm_a):
    """The CRM staff's admin login is not a member's."""
    client.force_login(crm_a)
    response = client.get(reverse("member_space"), **A)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("member_login") + "?next=")
    refused = login(Client(), crm_a.username)
    assert "n’ouvrent pas d’espace membre" in refused.content.decode()


def test_the_login_form_needs_its_csrf_token(org_a):
    make_member(org_a, "Maude Gagnon", "maude@exemple.org")
    strict = Client(enforce_csrf_checks=True)
    assert login(strict, "maude@exemple.org").status_code == 403
    page = strict.get(reverse("member_login"), **A)
    token = page.cookies["csrftoken"].value
    response = strict.post(
        reverse("member_login"),
        {"username": "maude@exemple.org", "password": PASSWORD, "csrfmiddlewaretoken": token},
        **A,
    )
    assert response.status_code == 302


def test_repeated_failures_stop_password_checks_for_a_while(client, org_a, settings):
    """After too many wrong passwords for one login, even the right one is refused, in French,
    with a 429; another member is not affected."""
    settings.MEMBER_LOGIN_FAILURES = 3
    make_member(org_a, "Maude Gagnon", "maude@exemple.org")
    make_member(org_a, "Paul Roy", "paul@exemple.org")
    for _attempt in range(3):
        assert login(client, "maude@exemple.org", "devine").status_code == 200
    blocked = login(client, "maude@exemple.org")
    assert blocked.status_code == 429
    assert "Trop de tentatives manquées" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    assert login(client, "paul@exemple.org").status_code == 302


def test_a_member_asks_for_a_new_link_and_nobody_learns_who_is_a_member(
    client, org_a, org_b, django_capture_on_commit_callbacks
):
    make_member(org_a, "Maude Gagnon", "maude@exemple.org")
    make_member(org_b, "Agnès Varda", "agnes@exemple.org")
    answers = []
    for email in ("maude@exemple.org", "personne@exemple.org", "agnes@exemple.org"):
        with django_capture_on_commit_callbacks(execute=True):
            answers.append(client.post(reverse("member_password_reset"), {"email": email}, **A))
    assert {answer.status_code for answer in answers} == {302}
    assert {answer["Location"] for answer in answers} == {reverse("member_password_reset_done")}
    assert [message.to for message in mail.outbox] == [["maude@exemple.org"]]
    assert "Un nouveau mot de passe" in mail.outbox[0].subject
    assert "http://boreal.test/espace-membre/mot-de-passe/" in mail.outbox[0].body


def test_a_link_for_another_organizations_member_does_not_work_here(
    client, org_a, org_b, django_capture_on_commit_callbacks
):
    make_member(org_b, "Agnès Varda", "agnes@exemple.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("member_password_reset"), {"email": "agnes@exemple.org"}, **B)
    path = LINK_RE.search(mail.outbox[0].body).group(1)
    page = client.get(path, follow=True, **A).content.decode()
    assert "ne fonctionne plus" in page and "new_password1" not in page


def test_the_member_space_shows_each_plugins_section_and_is_never_cached(client, org_a):
    """A plugin's section is shown under its title, with the member's own account; the page
    says no cache may keep it."""
    user, contact = make_member(org_a, "Maude Gagnon", "maude@exemple.org")
    seen = []

    def greeting(request, account):
        seen.append(account)
        return [
            {
                "title": "Section d’essai",
                "template": "example_plugin/member_section.html",
                "context": {"greeting": f"Notes de {account.contact}"},
            }
        ]

    client.force_login(user)
    with hooks.register_temporarily("register_member_space_sections", greeting):
        response = client.get(reverse("member_space"), **A)
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<h2 id="member-section-\d+">Section d’essai</h2>', html)
    assert '<p class="example-section">Notes de Maude Gagnon</p>' in html
    assert seen == [user.member_account]
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    login_page = Client().get(reverse("member_login"), **A)
    assert "private" in login_page["Cache-Control"], "its CSRF token is this visitor's"
    assert '<meta name="robots" content="noindex">' in html


def test_a_plugins_member_address_is_for_members_only(org_a, org_b):
    """A view a plugin mounts below ``/espace-membre/`` runs for this organization's members
    only, with their account at hand; anyone else is sent to the login page."""
    user, _contact = make_member(org_a, "Maude Gagnon", "maude@exemple.org")
    called = []

    def my_data(request):
        called.append(request.member_account)
        return HttpResponse("ok")

    (pattern,) = list(_for_members([path("mes-donnees/", my_data)]))
    factory = RequestFactory()
    for host, logged_in in (("boreal.test", None), ("reseau.test", user)):
        request = factory.get("/espace-membre/mes-donnees/", HTTP_HOST=host)
        request.user = logged_in or AnonymousUser()
        response = pattern.callback(request)
        assert response.status_code == 302 and reverse("member_login") in response["Location"]
    request = factory.get("/espace-membre/mes-donnees/", HTTP_HOST="boreal.test")
    request.user = user
    assert pattern.callback(request).content == b"ok"
    assert called == [user.member_account]


def test_an_invitation_never_takes_over_a_staff_login(org_a, crm_a):
    """Staff whose login is the person's e-mail keep it: the invitation is refused, no
    password link is sent."""
    from crm_blocks.models import Contact, PersonPage

    crm_a.username = "marie@boreal.test"
    crm_a.save()
    person = org_a.people_index.add_child(instance=PersonPage(title="Marie Desk"))
    Contact.objects.filter(translation_key=person.translation_key).update(
        email="marie@boreal.test"
    )
    with pytest.raises(CommandError) as refused:
        call_command("invite_member", organization="boreal.test", email="marie@boreal.test")
    assert "administration" in str(refused.value)
    assert not MemberAccount.objects.exists() and not mail.outbox
