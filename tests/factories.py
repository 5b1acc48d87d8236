"""Builders for the site tree and records, shared by the test suite and the benchmarks."""

import datetime
import io
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.utils.text import slugify
from PIL import Image as PILImage
from wagtail.images.models import Image

from crm_blocks.models import (
    ConsentRecord,
    Contact,
    OrganizationIndexPage,
    OrganizationPage,
    PersonIndexPage,
    PersonPage,
    PersonRole,
)
from events.models import EventIndexPage, EventPage
from films.models import FilmIndexPage, FilmPage, FilmVersion, Screening
from films.versions import parse_version
from opendata.fields import Field
from opendata.models import DatasetIndexPage, DatasetPage, SourceKind
from opendata.uploads import store_table
from organizations.models import OrganizationGroup
from organizations.services import organization_create
from rentals.models import Equipment, EquipmentIndexPage, EquipmentPage, EquipmentUnit


def make_organization(name="Centre Images Boréales", hostname="boreal.test", **kwargs):
    """An organization as ``create_organization`` makes it, with its published people index and
    organizations index (the CRM's section pages) at hand."""
    site = organization_create(name=name, hostname=hostname, **kwargs)
    home = site.root_page
    site.people_index = PersonIndexPage.objects.child_of(home).get()
    site.organizations_index = OrganizationIndexPage.objects.child_of(home).get()
    site.agenda = EventIndexPage.objects.child_of(home).get()
    site.catalogue = EquipmentIndexPage.objects.child_of(home).get()
    site.films = FilmIndexPage.objects.child_of(home).get()
    site.data = DatasetIndexPage.objects.child_of(home).get()
    return site


def make_event(index, title="Atelier de montage", publish=True, changes=(), **fields):
    """An event page below ``index`` (an agenda or a festival), published unless told;
    ``changes`` are ``EventOccurrenceChange`` objects (dates moved or cancelled)."""
    fields.setdefault("start_date", datetime.date(2027, 3, 9))
    event = EventPage(title=title, live=publish, **fields)
    if changes:
        event.occurrence_changes = list(changes)
    index.add_child(instance=event)
    revision = event.save_revision()
    if publish:
        revision.publish()
    event.refresh_from_db()
    return event


def make_equipment(index, title="Caméra Sony FX6", units=1, publish=True, **fields):
    """An item of ``index`` (a catalogue) with ``units`` units numbered from its title
    (``FX6-1``…), published unless told; ``page.twin`` is its private record."""
    fields.setdefault("category", "camera")
    fields.setdefault("daily_rate", Decimal("100"))
    fields.setdefault("member_daily_rate", Decimal("60"))
    page = index.add_child(instance=EquipmentPage(title=title, live=publish, **fields))
    revision = page.save_revision()
    if publish:
        revision.publish()
    page.refresh_from_db()
    page.twin = Equipment.objects.get(translation_key=page.translation_key)
    prefix = "".join(word[:3] for word in title.split()[-2:]).upper()
    for number in range(1, units + 1):
        EquipmentUnit.objects.create(
            site=page.twin.site,
            equipment=page.twin,
            inventory_number=f"{prefix}-{page.pk}-{number}",
            serial_number=f"SN{page.pk:04d}{number:03d}",
        )
    return page


def make_person(index, title="Élise Tremblay", publish=True, roles=(), consent=None, **fields):
    """A person below ``index``, published unless told. A person is published only with their
    consent to a public profile (privacy by default): ``consent`` (by default, whether the page
    is published) records it first, as staff would, from the demo source."""
    person = index.add_child(instance=PersonPage(title=title, live=publish, **fields))
    if roles:
        person.roles.set(PersonRole.objects.filter(code__in=roles))
        person.save()
    if publish if consent is None else consent:
        give_public_profile_consent(person)
    revision = person.save_revision()
    if publish:
        revision.publish()
    person.refresh_from_db()
    return person


def make_organization_page(index, title="Productions du Nord", publish=True, **fields):
    page = index.add_child(instance=OrganizationPage(title=title, live=publish, **fields))
    revision = page.save_revision()
    if publish:
        revision.publish()
    page.refresh_from_db()
    return page


def give_public_profile_consent(page):
    """Record the consent of ``page``'s person to a public profile (demo source)."""
    from crm_blocks.consents import give_consent

    return give_consent(
        contact=contact_of(page), purpose="public_profile", source=ConsentRecord.Source.DEMO
    )


def contact_of(page) -> Contact:
    return Contact.objects.get(translation_key=page.translation_key)


def make_user(site=None, role=None, username=None, **kwargs):
    User = get_user_model()
    username = username or f"{role or 'user'}-{site.hostname if site else 'none'}"
    user = User.objects.create_user(
        username=username, password="motdepasse-test", email=f"{username}@example.org", **kwargs
    )
    if site is not None and role is not None:
        user.groups.add(OrganizationGroup.objects.get(site=site, role=role).group)
    return user


def make_image(title="Portrait", colour=(200, 80, 40), collection=None):
    buffer = io.BytesIO()
    PILImage.new("RGB", (320, 240), colour).save(buffer, format="PNG")
    kwargs = {"collection": collection} if collection else {}
    return Image.objects.create(
        title=title, file=ImageFile(buffer, name=f"{title.lower()}.png"), **kwargs
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")


def make_member(site, name="Maude Gagnon", email=None, today=None):
    """A person of ``site``'s CRM with a current membership and a login to the member space
    (``user.member_account``): ``(user, contact)``. The login is their e-mail."""
    from crm_blocks.models import MemberAccount, Membership, MembershipType

    email = email or f"{slugify(name)}@example.org"
    contact = contact_of(make_person(site.people_index, name))
    contact.email = email
    contact.save(update_fields=["email"])
    today = today or datetime.date.today()
    membership_type, _created = MembershipType.objects.get_or_create(
        site=site, name="Membre individuel"
    )
    Membership.objects.create(
        contact=contact,
        membership_type=membership_type,
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=335),
    )
    User = get_user_model()
    user = User.objects.filter(username=email.lower()).first() or User.objects.create_user(
        username=email.lower(), email=email, password="motdepasse-test"
    )
    user.member_account = MemberAccount.objects.create(user=user, contact=contact, site=site)
    user.groups.add(OrganizationGroup.objects.get(site=site, role="members").group)
    return user, contact


def make_film(index, title="Les Arbres de l'hiver", publish=True, versions=("VF",), **fields):
    """A film below ``index`` (the film database or a distributor's folder), published unless
    told, with one ``FilmVersion`` per code of ``versions`` (``"VF-AD"``, ``"VOSTFR"``…)."""
    fields.setdefault("year", 2026)
    fields.setdefault("duration", 95)
    film = FilmPage(title=title, live=publish, **fields)
    film.versions = [
        FilmVersion(
            label=spec.label,
            audio_language=spec.audio_language,
            subtitle_language=spec.subtitle_language,
            **spec.accessibility(),
        )
        for spec in map(parse_version, versions)
    ]
    index.add_child(instance=film)
    revision = film.save_revision()
    if publish:
        revision.publish()
    film.refresh_from_db()
    return film


def make_cinema(site, title="Cinéma du Parc", publish=True, **fields):
    """A cinema record (an organization page of kind cinema) in ``site``'s CRM."""
    fields.setdefault("kind", "cinema")
    return make_organization_page(site.organizations_index, title, publish=publish, **fields)


def make_screening(site, film, starts_at, cinema=None, version=None, room="1", **fields):
    """A screening of ``film`` at ``cinema`` (``None``: the organization is the cinema);
    ``starts_at`` aware; ``version`` a ``FilmVersion`` or its label."""
    if isinstance(version, str):
        version = film.versions.get(label=version)
    from zoneinfo import ZoneInfo

    from organizations.models import OrganizationSettings

    zone = ZoneInfo(OrganizationSettings.for_site(site).time_zone)
    fields.setdefault("ends_at", starts_at + datetime.timedelta(minutes=film.duration or 90))
    return Screening.objects.create(
        site=site,
        film=film,
        cinema=cinema,
        version=version,
        version_label=version.label if version else "",
        room=room,
        starts_at=starts_at,
        local_date=starts_at.astimezone(zone).date(),
        **fields,
    )


def make_organization_of_kind(name, hostname, kind, **kwargs):
    """``make_organization``, then its ``OrganizationSettings.kind`` set (``"network"``,
    ``"cinema"``…)."""
    from organizations.models import OrganizationSettings

    site = make_organization(name, hostname, **kwargs)
    OrganizationSettings.objects.filter(site=site).update(kind=kind)
    return site


def share_agenda(member, network, share=True, accept=True):
    """``member`` chooses ``network`` in its network agenda settings (``NetworkSharing``), and
    shares its public events with it unless told; the network accepts it (``NetworkMembers``)
    unless told."""
    from events.models import NetworkMembers, NetworkSharing

    sharing = NetworkSharing.for_site(member)
    sharing.network = network
    sharing.share_events = share
    sharing.full_clean()
    sharing.save()
    if accept:
        NetworkMembers.for_site(network).accepted_members.add(member)
    return sharing


def join_network(member, network, share=True):
    """``network`` made a network (its settings' kind), and ``member`` choosing it in its
    network settings, sharing its public events and screenings there unless told."""
    from organizations.models import OrganizationSettings

    OrganizationSettings.objects.filter(site=network).update(kind="network")
    share_agenda(member, network, share=share)


def make_dataset(index, title="Salles de cinéma", *, fields=(), rows=(), publish=True, **attrs):
    """A dataset below ``index`` (an organization's data portal), published unless told. With
    ``fields`` (``opendata.fields.Field``, or ``(name, type)`` pairs) and ``rows`` (dicts by
    field name), an uploaded table; with ``live_source=KEY``, a live dataset."""
    attrs.setdefault("description", f"{title} : données de test.")
    if attrs.get("live_source"):
        attrs.setdefault("source_kind", SourceKind.LIVE)
    page = index.add_child(instance=DatasetPage(title=title, live=publish, **attrs))
    revision = page.save_revision()
    if publish:
        revision.publish()
    page.refresh_from_db()
    if fields:
        fields = [f if isinstance(f, Field) else Field(f[0], f[0], f[1]) for f in fields]
        store_table(page, fields, rows, filename="test.csv")
    return page
