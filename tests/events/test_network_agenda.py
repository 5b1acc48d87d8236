"""A network's agenda as its visitors and its members see it: the association's own events and
the public events of the member organizations that chose to share them, each linked to its page
on the member's site; never an organization that did not opt in, never a draft or a private
page; filters by organization, region, department and accessibility; a cost that does not grow
with the number of members; a member's new event shown on the next visit."""

import datetime as dt
import json

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from events.models import EventIndexPage, NetworkSharing
from organizations.models import OrganizationSettings
from organizations.registry import OrganizationRole
from tests.factories import (
    make_event,
    make_organization_of_kind,
    make_organization_page,
    make_user,
    share_agenda,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

DAY = dt.date(2027, 3, 9)


@pytest.fixture
def network(org_b):
    """The house's second organization, « Réseau des cinémas indépendants », as a network
    whose agenda shows its members."""
    OrganizationSettings.objects.filter(site=org_b).update(kind="network")
    EventIndexPage.objects.filter(pk=org_b.agenda.pk).update(show_network_members=True)
    org_b.agenda.refresh_from_db()
    return org_b


@pytest.fixture(autouse=True)
def rendered_every_time(settings):
    settings.PAGE_CACHE_TIMEOUT = 0


def member(name, host, network=None, share=True, **kwargs):
    kwargs.setdefault("language", "fr-fr")
    kwargs.setdefault("time_zone", "Europe/Paris")
    site = make_organization_of_kind(name, host, "cinema", **kwargs)
    if network is not None:
        share_agenda(site, network, share=share)
    return site


def visit(client, site, query=""):
    response = client.get(f"{site.agenda.url}{query}", HTTP_HOST=site.hostname)
    assert response.status_code == 200
    return response


def items(response):
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return {
        link.get_text(strip=True): link["href"] for link in soup.select(".agenda-item__title a")
    }


def test_a_sharing_member_s_events_appear_linked_to_their_own_site(client, network):
    """A visitor of the network's agenda sees the association's own events and those of a
    member that opted in, each linked to its page on the member's own site."""
    rex = member("Le Rex", "le-rex.test", network)
    make_event(network.agenda, "Assemblée du réseau", start_date=DAY)
    make_event(rex.agenda, "Ciné-goûter au Rex", start_date=DAY + dt.timedelta(days=1))

    found = items(visit(client, network))

    assert found["Assemblée du réseau"] == "/agenda/assemblee-du-reseau/"
    assert found["Ciné-goûter au Rex"] == "http://le-rex.test/agenda/cine-gouter-au-rex/"
    assert "Le Rex" in visit(client, network).content.decode()


def test_organizations_that_did_not_opt_in_never_appear(client, network, org_a):
    """A cinema that did not share, one that chose the network but did not tick "share", one
    sharing with another network: none of their events reach this network's agenda."""
    other_network = make_organization_of_kind("Autre réseau", "autre-reseau.test", "network")
    silent = member("Cinéma Muet", "muet.test")
    undecided = member("Cinéma Indécis", "indecis.test", network, share=False)
    elsewhere = member("Cinéma Ailleurs", "ailleurs.test", other_network)
    rex = member("Le Rex", "le-rex.test", network)
    for site, title in (
        (silent, "CANARY-muet"),
        (undecided, "CANARY-indecis"),
        (elsewhere, "CANARY-ailleurs"),
        (org_a, "CANARY-boreal"),
    ):
        make_event(site.agenda, title)
    make_event(rex.agenda, "Séance du Rex")

    html = visit(client, network).content.decode()
    as_json = client.get(f"{network.agenda.url}events.json", HTTP_HOST=network.hostname)

    assert "Séance du Rex" in html
    assert "CANARY" not in html
    assert "CANARY" not in as_json.content.decode()
    assert "Séance du Rex" in as_json.content.decode()


def test_members_drafts_and_private_pages_never_show(client, network):
    """A member's draft event and its event behind a password are not public: the network's
    agenda shows neither."""
    rex = member("Le Rex", "le-rex.test", network)
    make_event(rex.agenda, "CANARY-brouillon", publish=False)
    private = make_event(rex.agenda, "CANARY-privé")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    make_event(rex.agenda, "Séance publique")

    found = items(visit(client, network))

    assert list(found) == ["Séance publique"]


def test_only_a_network_s_agenda_that_asks_shows_its_members(client, network, org_a):
    """The members' events show on the agenda that asks for them (``show_network_members``)
    of an organization that is a network: not elsewhere."""
    rex = member("Le Rex", "le-rex.test", network)
    make_event(rex.agenda, "Séance du Rex")
    EventIndexPage.objects.filter(pk=network.agenda.pk).update(show_network_members=False)

    assert "Séance du Rex" not in items(visit(client, network))

    EventIndexPage.objects.filter(pk=network.agenda.pk).update(show_network_members=True)
    OrganizationSettings.objects.filter(site=network).update(kind="cinema")

    assert "Séance du Rex" not in items(visit(client, network))


def test_a_member_s_own_agenda_lists_only_its_events(client, network):
    """Sharing does not bring the network's or other members' events into a member's agenda."""
    rex = member("Le Rex", "le-rex.test", network)
    lux = member("Le Lux", "le-lux.test", network)
    make_event(rex.agenda, "Séance du Rex")
    make_event(lux.agenda, "Séance du Lux")
    make_event(network.agenda, "Assemblée du réseau")

    assert list(items(visit(client, rex))) == ["Séance du Rex"]


def test_filters_by_organization_region_department_and_accessibility(client, network):
    """A visitor narrows the network's agenda to one cinema, a region, a French department
    (from the venue's postal code, Corsica's 2A and 2B included) or an accessibility feature;
    the form offers those that list something."""
    rex = member("Le Rex", "le-rex.test", network)
    corse = member("Cinéma d'Ajaccio", "ajaccio.test", network)
    OrganizationSettings.objects.filter(site=corse).update(region="Corse", postal_code="20000")
    lyon = make_organization_page(
        rex.organizations_index,
        "Salle de Lyon",
        region="Auvergne-Rhône-Alpes",
        postal_code="69003",
    )
    make_event(rex.agenda, "Séance lyonnaise", venue=lyon, audio_description=True)
    make_event(
        rex.agenda,
        "Séance sans lieu",
        place_name="Parc",
        postal_code="75011",
        region="Île-de-France",
    )
    make_event(corse.agenda, "Séance corse")

    assert list(items(visit(client, network, "?cinema=ajaccio.test"))) == ["Séance corse"]
    assert list(items(visit(client, network, "?department=2A"))) == ["Séance corse"]
    assert list(items(visit(client, network, "?department=2B"))) == []
    assert list(items(visit(client, network, "?department=69"))) == ["Séance lyonnaise"]
    assert list(items(visit(client, network, "?region=%C3%8Ele-de-France"))) == ["Séance sans lieu"]
    assert list(items(visit(client, network, "?access=audio_description"))) == ["Séance lyonnaise"]
    soup = BeautifulSoup(visit(client, network).content.decode(), "html.parser")
    cinemas = [o["value"] for o in soup.select("select[name=cinema] option") if o["value"]]
    assert sorted(cinemas) == ["ajaccio.test", "le-rex.test"]
    departments = [o["value"] for o in soup.select("select[name=department] option")]
    assert departments == ["", "2A", "69", "75"]
    assert soup.select_one("select[name=region]") is not None


def test_an_unknown_organization_or_department_is_said_not_guessed(client, network):
    """A filter naming no member, or no department, is shown as an error in French, and left
    aside (as a wrong date is): the visitor sees the whole list, not a guess."""
    rex = member("Le Rex", "le-rex.test", network)
    make_event(rex.agenda, "Séance du Rex")

    soup = BeautifulSoup(
        visit(client, network, "?cinema=inconnu.test&department=7").content.decode(),
        "html.parser",
    )
    errors = soup.select_one(".form-errors").get_text()

    assert "«\u00a0inconnu.test\u00a0» n’est pas une organisation de cet agenda." in errors
    assert "«\u00a07\u00a0» n’est pas un département français" in errors
    assert list(items(visit(client, network, "?cinema=inconnu.test"))) == ["Séance du Rex"]


def query_count(client, site, query=""):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{site.agenda.url}{query}", HTTP_HOST=site.hostname)
    assert response.status_code == 200
    return len(captured.captured_queries), response


@pytest.mark.parametrize("query", ["", "?month=2027-03", "events.json", "embed/"])
def test_the_cost_does_not_grow_with_members_and_events(client, network, query):
    """The network's agenda, its JSON and its embed cost as many queries with six members and
    thirty events as with two members and four events."""
    path = "" if query.startswith("?") else query
    params = query if query.startswith("?") else ""

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{network.agenda.url}{path}{params}", HTTP_HOST=network.hostname)
        assert response.status_code == 200
        return len(captured.captured_queries), response

    members = [member(f"Cinéma {n}", f"cinema{n}.test", network) for n in range(2)]
    for n, site in enumerate(members):
        venue = make_organization_page(site.organizations_index, f"Salle {n}", postal_code="69001")
        make_event(site.agenda, f"Séance {n}", venue=venue, start_date=DAY + dt.timedelta(n))
        make_event(site.agenda, f"Atelier {n}", start_date=DAY + dt.timedelta(n + 1))
    few, response = count()
    assert "Séance 1" in response.content.decode()

    members += [member(f"Cinéma {n}", f"cinema{n}.test", network) for n in range(2, 6)]
    for n, site in enumerate(members):
        venue = make_organization_page(site.organizations_index, f"Lieu {n}", postal_code="13001")
        for k in range(5):
            make_event(
                site.agenda, f"Projection {n}-{k}", venue=venue, start_date=DAY + dt.timedelta(k)
            )
    many, response = count()
    assert "Cinéma 5" in response.content.decode()

    assert many == few


def test_the_network_s_graph_never_describes_members_events(client, network):
    """Search engines read a member's event on the member's page only: the network's agenda
    emits no node of it in its JSON-LD (no duplicate ``Event``)."""
    rex = member("Le Rex", "le-rex.test", network)
    make_event(rex.agenda, "Séance du Rex")

    soup = BeautifulSoup(visit(client, network).content.decode(), "html.parser")
    graphs = [json.loads(s.string) for s in soup.select('script[type="application/ld+json"]')]

    assert graphs
    assert "Séance du Rex" not in json.dumps(graphs, ensure_ascii=False)
    assert "le-rex.test" not in json.dumps(graphs)


def test_a_member_s_new_event_shows_on_the_next_visit(client, network, settings):
    """Members do nothing more than publish: the network's cached agenda is forgotten when a
    sharing member publishes, and when a member starts or stops sharing."""
    settings.PAGE_CACHE_TIMEOUT = 600
    rex = member("Le Rex", "le-rex.test", network)
    assert "Séance du Rex" not in items(visit(client, network))
    assert visit(client, network).headers.get("ETag")  # now cached

    make_event(rex.agenda, "Séance du Rex")
    assert "Séance du Rex" in items(visit(client, network))

    lux = member("Le Lux", "le-lux.test")
    make_event(lux.agenda, "Séance du Lux")
    assert "Séance du Lux" not in items(visit(client, network))
    share_agenda(lux, network)
    assert "Séance du Lux" in items(visit(client, network))

    share_agenda(lux, network, share=False)
    assert "Séance du Lux" not in items(visit(client, network))


def test_a_member_cannot_choose_itself_or_an_organization_that_is_no_network(network, org_a):
    """The setting refuses, with a message, a network that is the organization itself or an
    organization that is not a network."""
    rex = member("Le Rex", "le-rex.test")
    sharing = NetworkSharing.for_site(rex)
    sharing.network, sharing.share_events = org_a, True
    with pytest.raises(ValidationError) as error:
        sharing.full_clean()
    assert "network" in error.value.message_dict

    OrganizationSettings.objects.filter(site=rex).update(kind="network")
    sharing.network = rex
    with pytest.raises(ValidationError):
        sharing.full_clean()


def test_a_member_s_editor_chooses_the_network_in_the_admin(client, network, org_a):
    """The member's editors open the network agenda setting of their site; it offers the
    installation's networks only, and saving it shares the events."""
    rex = member("Le Rex", "le-rex.test")
    editor = make_user(rex, OrganizationRole.EDITORS)
    client.force_login(editor)
    url = f"/admin/settings/events/networksharing/{rex.pk}/"

    response = client.get(url, HTTP_HOST=rex.hostname)

    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    offered = {o["value"] for o in soup.select("select[name=network] option") if o["value"]}
    assert offered == {str(network.pk)}
    assert "&lt;iframe" in response.content.decode()

    response = client.post(
        url, {"network": network.pk, "share_events": "on"}, HTTP_HOST=rex.hostname
    )
    assert response.status_code == 302
    assert NetworkSharing.for_site(rex).share_events


def test_any_change_of_a_member_forgets_the_network_s_pages(network):
    """Whatever forgets a sharing member's cached pages (an import's bulk publication calls the
    same rule) forgets its network's too, and no other organization's."""
    from public_cache.generations import invalidate_sites, site_generation

    rex = member("Le Rex", "le-rex.test", network)
    silent = member("Cinéma Muet", "muet.test")
    before = {site.pk: site_generation(site.pk) for site in (network, rex, silent)}

    invalidate_sites(site_ids=[rex.pk])

    assert site_generation(rex.pk) != before[rex.pk]
    assert site_generation(network.pk) != before[network.pk]
    assert site_generation(silent.pk) == before[silent.pk]
    invalidate_sites(site_ids=[silent.pk])
    assert site_generation(network.pk) == before[network.pk] + 1


def test_a_member_the_network_did_not_accept_never_appears(client, network):
    """An organization that chose the network on its own shows nothing in the network's
    agenda until the network's editors accept it; accepting it shows its events at once."""
    from events.models import NetworkMembers

    intruder = member("Salle inconnue", "inconnue.test")
    share_agenda(intruder, network, accept=False)
    make_event(intruder.agenda, "Canari-intrus-0001", start_date=DAY)

    assert "Canari-intrus-0001" not in items(visit(client, network))

    NetworkMembers.for_site(network).accepted_members.add(intruder)
    assert "Canari-intrus-0001" in items(visit(client, network))


def test_the_network_s_editor_accepts_the_organizations_that_chose_it(client, network):
    """The network's editors see, in « Membres du réseau », the organizations that chose their
    network — not the others — and tick those they accept."""
    from events.models import NetworkMembers

    candidate = member("Le Rex", "le-rex.test")
    share_agenda(candidate, network, accept=False)
    stranger = member("Cinéma Muet", "muet.test")
    editor = make_user(network, OrganizationRole.EDITORS)
    client.force_login(editor)
    url = f"/admin/settings/events/networkmembers/{network.pk}/"

    response = client.get(url, HTTP_HOST=network.hostname)

    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    offered = {box["value"] for box in soup.select("input[name=accepted_members]")}
    assert offered == {str(candidate.pk)}
    assert str(stranger.pk) not in offered

    response = client.post(url, {"accepted_members": [candidate.pk]}, HTTP_HOST=network.hostname)
    assert response.status_code == 302
    assert list(NetworkMembers.for_site(network).accepted_members.all()) == [candidate]
    refused = client.post(url, {"accepted_members": [stranger.pk]}, HTTP_HOST=network.hostname)
    assert refused.status_code == 200
    assert list(NetworkMembers.for_site(network).accepted_members.all()) == [candidate]
