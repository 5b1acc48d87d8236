"""The demo organizations: loaded from the data files in ``fixtures/demo/``.

Each folder of ``fixtures/demo/`` describes one organization in four human-editable JSON files
(``organization.json``, ``people.json``, ``organizations.json``, ``crm.json``; see the README
there). :func:`load_demo` builds them through the same services an editor's actions go through
(``organization_create``, the record pages' ``Contact`` twin, Wagtail's translation copy), so the
demo shows what the code really produces rather than a database dump that drifts from it.

Dates in the CRM files may be relative (``"today-30d"``) so that an "active" membership stays
active whenever the demo is loaded; everything else is deterministic.

Longer than our usual module on purpose: it is one loader read top to bottom (organization,
images, pages, translations, CRM rows, accounts), plus the small picture drawer that makes its
logos and portraits; each plugin's own demo data will get a loader of its own in that plugin.
"""

from __future__ import annotations

import calendar
import colorsys
import datetime
import hashlib
import io
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail import hooks
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Site
from wagtail.users.models import UserProfile

from crm_blocks.consents import give_consent, has_consent, withdraw_consent
from crm_blocks.models import (
    Affiliation,
    ConsentRecord,
    Contact,
    ContactNote,
    ContactTag,
    Membership,
    MembershipType,
    OrganizationIndexPage,
    OrganizationPage,
    PersonIndexPage,
    PersonLink,
    PersonPage,
    PersonRole,
)
from crm_blocks.services import contact_for_page, contact_update_private_details
from organizations.models import (
    OrganizationContactPoint,
    OrganizationGroup,
    OrganizationSettings,
    OrganizationSocialProfile,
)
from organizations.scoping import public_pages_for_site, site_root_pages
from organizations.services import organization_create
from privacy.models import PrivacySettings, Processor
from privacy.models.consents import PUBLIC_PROFILE
from privacy.pages import twin_model_of

from .models import StandardPage

#: ``<repository>/fixtures/demo``: one folder per organization, loaded in name order.
DEMO_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "demo"

#: Demo credentials, printed by ``load_demo``. Never use them outside a demo.
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"  # noqa: S105 - demo only, printed on purpose
ACCOUNT_PASSWORD = "demo-mot-de-passe"  # noqa: S105 - demo only, printed on purpose
ACCOUNT_LANGUAGE = "fr"

#: The language demo translations are written in (the content is French first).
TRANSLATION_LANGUAGES = ("en",)

RELATIVE_DATE_RE = re.compile(r"^today(?:([+-])(\d+)d)?$")


class DemoDataError(ImproperlyConfigured):
    """A demo data file is inconsistent (unknown key, missing parent translation, …)."""


@dataclass
class DemoAccount:
    username: str
    password: str
    organization: str
    role: str
    created: bool


@dataclass
class DemoOrganization:
    name: str
    site: Site
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class DemoResult:
    port: int
    organizations: list[DemoOrganization] = field(default_factory=list)
    accounts: list[DemoAccount] = field(default_factory=list)

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/admin/"


def load_demo(
    port: int = 8000,
    stdout=None,
    *,
    data_dir: Path = DEMO_DIR,
    today: datetime.date | None = None,
) -> DemoResult:
    """Create the demo organizations, their content, CRM data and accounts, in one transaction.

    Idempotent: an organization whose site already exists (same name) is left as it is — only
    its port follows ``port``, so that absolute URLs match the server — and existing accounts
    keep their password. Returns what was found or created, for the caller to print.
    """
    log = stdout.write if stdout is not None else (lambda message: None)
    today = today or timezone.localdate()
    folders = sorted(p for p in Path(data_dir).iterdir() if (p / "organization.json").is_file())
    if not folders:
        raise DemoDataError(f"No demo organization in {data_dir}.")

    result = DemoResult(port=port)
    image_files: list = []
    try:
        with transaction.atomic():
            result.accounts.append(_ensure_admin(log))
            for folder in folders:
                loader = OrganizationLoader(
                    folder, port=port, today=today, log=log, image_files=image_files
                )
                organization = loader.load()
                result.organizations.append(organization)
                result.accounts.extend(loader.ensure_accounts(organization.site))
    except BaseException:
        # The transaction rolled back the rows; remove the picture files they pointed to.
        for file in image_files:
            file.storage.delete(file.name)
        raise
    return result


def demo_counts(site: Site) -> dict[str, int]:
    """What the demo put in ``site``: pages per language, records, CRM rows."""
    pages = Page.objects.none()
    for root in site_root_pages(site):
        pages |= Page.objects.descendant_of(root, inclusive=True)
    contacts = Contact.objects.for_site(site)
    return {
        "pages": pages.count(),
        "pages_en": pages.filter(locale__language_code="en").count(),
        "public_pages": public_pages_for_site(site).count(),
        "people": contacts.filter(kind="person").count(),
        "organizations": contacts.filter(kind="organization").count(),
        "memberships": Membership.objects.for_site(site).count(),
        "current_memberships": Membership.objects.for_site(site).current().count(),
        "affiliations": Affiliation.objects.for_site(site).count(),
        "consents": ConsentRecord.objects.filter(contact__site=site).count(),
        "notes": ContactNote.objects.filter(contact__site=site).count(),
        "tags": ContactTag.objects.for_site(site).count(),
        "images": get_image_model().objects.filter(collection__name=site.site_name).count(),
    }


def _ensure_admin(log) -> DemoAccount:
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=ADMIN_USERNAME,
        defaults={"email": "admin@example.org", "is_staff": True, "is_superuser": True},
    )
    if created:
        user.set_password(ADMIN_PASSWORD)
        user.save(update_fields=["password"])
        _set_admin_language(user)
        log(f"Superuser “{ADMIN_USERNAME}” created.")
    else:
        log(f"Superuser “{ADMIN_USERNAME}” already exists; its password is unchanged.")
    return DemoAccount(ADMIN_USERNAME, ADMIN_PASSWORD, "", "superuser", created)


def _set_admin_language(user) -> None:
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = ACCOUNT_LANGUAGE
    profile.save(update_fields=["preferred_language"])


def parse_date(value: str | None, today: datetime.date) -> datetime.date | None:
    """``"2024-05-01"``, ``"today"``, ``"today-30d"`` or ``"today+10d"``."""
    if value in (None, ""):
        return None
    match = RELATIVE_DATE_RE.match(value)
    if match is None:
        return datetime.date.fromisoformat(value)
    sign, days = match.groups()
    offset = datetime.timedelta(days=int(days or 0))
    return today - offset if sign == "-" else today + offset


def add_months(start: datetime.date, months: int) -> datetime.date:
    """``start`` plus ``months`` calendar months, the day clamped to the month's length."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return start.replace(
        year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1])
    )


class OrganizationLoader:
    """Loads one folder of ``fixtures/demo``: an organization and everything in it."""

    def __init__(self, folder: Path, *, port: int, today: datetime.date, log, image_files: list):
        self.folder = folder
        self.image_files = image_files
        self.port = port
        self.today = today
        self.log = log
        self.data = self._read("organization.json")
        self.name = self.data["organization"]["name"]
        self.images: dict[str, Any] = {}
        #: French pages by slug (standard pages, indexes) or key (records), for references.
        self.pages: dict[str, Page] = {}
        #: (page, its data) in creation order, parents first: for stream fields and translations.
        self.created: list[tuple[Page, dict]] = []
        self.tags: dict[str, ContactTag] = {}
        #: username → (user, created now), so that an account is reported once as created.
        self.users: dict[str, tuple[Any, bool]] = {}

    # Reading ------------------------------------------------------------------------------

    def _read(self, filename: str, required: bool = True) -> dict:
        path = self.folder / filename
        if not path.is_file():
            if required:
                raise DemoDataError(f"Missing demo file {path}.")
            return {}
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)

    # Organization -------------------------------------------------------------------------

    def load(self) -> DemoOrganization:
        existing = Site.objects.filter(site_name=self.name).first()
        if existing is not None:
            self._follow_port(existing)
            self.log(f"“{self.name}” already exists ({existing.root_url}): left unchanged.")
            return DemoOrganization(self.name, existing, False, demo_counts(existing))

        spec = self.data["organization"]
        site = organization_create(
            name=self.name,
            hostname=spec["hostname"],
            port=self.port,
            language=spec["language"],
            time_zone=spec["time_zone"],
            is_default=spec.get("is_default", False),
        )
        self.site = site
        self.home = site.root_page.specific
        self.time_zone = ZoneInfo(spec["time_zone"])
        self.collection = (
            Collection.get_first_root_node().get_children().filter(name=self.name).first()
        )
        self.crm = self._read("crm.json", required=False)

        self._create_images()
        self._update_settings()
        self._create_tags()
        self._create_pages()
        self._fill_and_publish()
        self._translate()
        self._create_crm_records()
        self._create_privacy()
        self._load_plugins_content()
        counts = demo_counts(site)
        self.log(
            f"“{self.name}” created ({site.root_url}): {counts['pages']} pages "
            f"({counts['pages_en']} in English), {counts['people']} people, "
            f"{counts['organizations']} organizations, {counts['memberships']} memberships."
        )
        return DemoOrganization(self.name, site, True, counts)

    def _load_plugins_content(self) -> None:
        """What each plugin adds to a demo organization (its events…): a plugin registers a
        ``load_demo_content`` hook, ``fn(*, site, today, log)``, and keeps its demo data to
        itself, so that the site never imports a plugin's models for its demo."""
        for load in hooks.get_hooks("load_demo_content"):
            load(site=self.site, today=self.today, log=self.log)

    def _follow_port(self, site: Site) -> None:
        if site.port == self.port:
            return
        if Site.objects.filter(hostname=site.hostname, port=self.port).exclude(pk=site.pk).exists():
            self.log(
                f"“{self.name}” stays on port {site.port}: another site already uses "
                f"{site.hostname}:{self.port}."
            )
            return
        self.log(f"“{self.name}” moved from port {site.port} to port {self.port}.")
        site.port = self.port
        site.save(update_fields=["port"])

    # Images -------------------------------------------------------------------------------

    def _create_images(self) -> None:
        for spec in self.data.get("images", []):
            self.images[spec["key"]] = self._save_image(
                key=spec["key"],
                title=spec["title"],
                description=spec.get("description", ""),
                picture=draw_picture(spec["kind"], spec.get("text", ""), spec.get("colors")),
            )

    def _record_image(self, kind: str, key: str, title: str, label: str):
        """A generated portrait (people) or logo (organizations) for a record."""
        return self._save_image(
            key=key,
            title=title,
            description="",
            picture=draw_picture(kind, initials(label), colors_for(key)),
        )

    def _save_image(self, *, key: str, title: str, description: str, picture: bytes):
        Image = get_image_model()
        image = Image(title=title, description=description, collection=self.collection)
        prefix = self.folder.name.split("-", 1)[-1]
        image.file.save(f"demo-{prefix}-{key}.png", ContentFile(picture), save=False)
        self.image_files.append(image.file)
        image._set_image_file_metadata()  # opens the stored file to read its size and hash
        image.file.close()
        image.full_clean()
        image.save()
        return image

    # Settings -----------------------------------------------------------------------------

    def _update_settings(self) -> None:
        spec = dict(self.data.get("settings", {}))
        contact_points = spec.pop("contact_points", [])
        social_profiles = spec.pop("social_profiles", [])
        logo = spec.pop("logo", None)
        settings = OrganizationSettings.objects.get(site=self.site)
        for name, value in spec.items():
            setattr(settings, name, value)
        if logo:
            settings.logo = self._image(logo)
        settings.contact_points = [OrganizationContactPoint(**cp) for cp in contact_points]
        settings.social_profiles = [OrganizationSocialProfile(**sp) for sp in social_profiles]
        settings.full_clean(exclude=["site"])
        settings.save()

    # Pages --------------------------------------------------------------------------------

    def _create_pages(self) -> None:
        """Every page, as a draft with its plain fields; stream fields come once all exist."""
        self.created.append((self.home, self.data.get("home", {})))
        for spec in self.data.get("pages", []):
            page = StandardPage(
                title=spec["title"],
                slug=spec["slug"],
                introduction=spec.get("introduction", ""),
                show_in_menus=spec.get("show_in_menus", False),
            )
            self._add(self.home, page, spec["slug"], spec)

        people = self._read("people.json", required=False)
        if people:
            index = self._add_index(PersonIndexPage, people["index"])
            for spec in people.get("people", []):
                self._add_person(index, spec)
        organizations = self._read("organizations.json", required=False)
        if organizations:
            index = self._add_index(OrganizationIndexPage, organizations["index"])
            for spec in organizations.get("organizations", []):
                self._add_organization(index, spec)

    def _add(self, parent: Page, page: Page, key: str, spec: dict) -> Page:
        if key in self.pages:
            raise DemoDataError(f"{self.folder.name}: two pages use the key “{key}”.")
        page.live = False
        parent.add_child(instance=page)
        self.pages[key] = page
        self.created.append((page, spec))
        return page

    def _add_index(self, page_class, spec: dict) -> Page:
        """The section page ``create_organization`` made for ``page_class``, given the demo's
        title, slug and introduction (or a new one, if the section was not made)."""
        page = page_class.objects.child_of(self.home).first()
        if page is None:
            page = page_class(title=spec["title"], slug=spec["slug"])
            page = self._add(self.home, page, spec["slug"], spec)
        elif spec["slug"] in self.pages:
            raise DemoDataError(f"{self.folder.name}: two pages use the key “{spec['slug']}”.")
        else:
            self.pages[spec["slug"]] = page
            self.created.append((page, spec))
        page.title = spec["title"]
        page.slug = spec["slug"]
        page.intro = spec.get("intro", "")
        page.show_in_menus = spec.get("show_in_menus", False)
        page.save()
        return page

    def _add_person(self, index: Page, spec: dict) -> Page:
        page = PersonPage(
            title=spec["title"],
            slug=spec["key"],
            given_name=spec.get("given_name", ""),
            family_name=spec.get("family_name", ""),
            summary=spec.get("summary", ""),
        )
        if spec.get("photo", True):
            page.photo = self._record_image(
                "portrait", spec["key"], f"Portrait — {spec['title']}", spec["title"]
            )
            # The demo drew the portrait: it says so, as an editor credits a photographer.
            page.photo_credit = spec.get("photo_credit", f"Illustration : {self.name}")
        roles = list(PersonRole.objects.filter(code__in=spec.get("roles", [])))
        if len(roles) != len(set(spec.get("roles", []))):
            raise DemoDataError(f"{spec['key']}: unknown role in {spec.get('roles')}.")
        page.roles = roles
        page.links = [
            PersonLink(label=link["label"], url=link["url"]) for link in spec.get("links", [])
        ]
        return self._add(index, page, spec["key"], spec)

    def _add_organization(self, index: Page, spec: dict) -> Page:
        plain = {
            name: spec.get(name, "")
            for name in (
                "kind",
                "summary",
                "website",
                "street_address",
                "postal_code",
                "locality",
                "region",
                "country",
            )
        }
        page = OrganizationPage(
            title=spec["title"],
            slug=spec["key"],
            latitude=spec.get("latitude"),
            longitude=spec.get("longitude"),
            **plain,
        )
        if spec.get("logo", True):
            page.logo = self._record_image(
                "emblem", spec["key"], f"Logo — {spec['title']}", spec["title"]
            )
        return self._add(index, page, spec["key"], spec)

    def _fill_and_publish(self) -> None:
        for page, spec in self.created:
            for name, value in spec.items():
                if self._is_stream_field(page, name):
                    setattr(page, name, self._stream(page, name, value))
            if page.pk == self.home.pk and "introduction" in spec:
                page.introduction = spec["introduction"]
            revision = page.save_revision()
            if spec.get("live", True):
                self._consent_to_publication(page)
                revision.publish()

    def _consent_to_publication(self, page: Page) -> None:
        """A demo person is published with their consent to a public profile, as staff would
        record it first (privacy by default: ``PersonPage.publish`` checks it)."""
        if not isinstance(page, PersonPage):
            return
        contact = contact_for_page(page, site=self.site)
        if not has_consent(contact, PUBLIC_PROFILE):
            give_consent(
                contact=contact,
                purpose=PUBLIC_PROFILE,
                source=ConsentRecord.Source.DEMO,
                given_on=self.today - datetime.timedelta(days=100),
            )

    def _create_privacy(self) -> None:
        """``privacy.json``: the person in charge of personal information, the processors, and
        consents by purpose (one of them withdrawn, to show the log)."""
        spec = self._read("privacy.json", required=False)
        if not spec:
            return
        settings = PrivacySettings.for_site(self.site)
        for name, value in spec.get("settings", {}).items():
            setattr(settings, name, value)
        settings.processors = [Processor(**processor) for processor in spec.get("processors", [])]
        settings.full_clean(exclude=["site"])
        settings.save()
        for consent in spec.get("consents", []):
            record = give_consent(
                contact=self._contact(consent["contact"]),
                purpose=consent["code"],
                source=consent["source"],
                given_on=parse_date(consent["given_on"], self.today),
            )
            if consent.get("withdrawn_on"):
                withdraw_consent(record=record)
                record.refresh_from_db()
                record.withdrawn_on = max(
                    parse_date(consent["withdrawn_on"], self.today), record.given_on
                )
                record.save(update_fields=["withdrawn_on"])

    def _translate(self) -> None:
        for page, spec in self.created:
            for language, fields in spec.get("translations", {}).items():
                if language not in TRANSLATION_LANGUAGES:
                    raise DemoDataError(f"{page.slug}: no content language “{language}”.")
                locale, _created = Locale.objects.get_or_create(language_code=language)
                parent = page.get_parent()
                if parent.depth > 1 and not parent.has_translation(locale):
                    raise DemoDataError(
                        f"{page.slug}: translate its parent “{parent.slug}” to {language} first."
                    )
                translation = page.copy_for_translation(locale, copy_parents=False)
                for name, value in fields.items():
                    if self._is_stream_field(translation, name):
                        value = self._stream(translation, name, value)
                    setattr(translation, name, value)
                revision = translation.save_revision()
                if spec.get("live", True):
                    revision.publish()

    @staticmethod
    def _is_stream_field(page: Page, name: str) -> bool:
        try:
            return isinstance(page._meta.get_field(name), StreamField)
        except FieldDoesNotExist:
            return False

    def _stream(self, page: Page, name: str, raw: list):
        """Validate a stream written in Wagtail's JSON shape, references resolved."""
        block = page._meta.get_field(name).stream_block
        value = block.to_python(self._resolve(raw))
        return block.clean(value)

    def _resolve(self, value):
        """Replace ``{"$page": key}`` and ``{"$image": key}`` by the ids they name."""
        if isinstance(value, list):
            return [self._resolve(item) for item in value]
        if isinstance(value, dict):
            if set(value) == {"$page"}:
                if value["$page"] not in self.pages:
                    raise DemoDataError(f"{self.folder.name}: no page “{value['$page']}”.")
                return self.pages[value["$page"]].pk
            if set(value) == {"$image"}:
                return self._image(value["$image"]).pk
            return {key: self._resolve(item) for key, item in value.items()}
        return value

    def _image(self, key: str):
        if key not in self.images:
            raise DemoDataError(f"{self.folder.name}: no image “{key}”.")
        return self.images[key]

    # CRM ----------------------------------------------------------------------------------

    def _create_tags(self) -> None:
        for name in self._read("crm.json", required=False).get("tags", []):
            tag = ContactTag(site=self.site, name=name)
            tag.full_clean()
            tag.save()
            self.tags[name] = tag

    def _contact(self, key: str):
        if key not in self.pages or twin_model_of(self.pages[key]) is not Contact:
            raise DemoDataError(f"{self.folder.name}: no person or organization “{key}”.")
        return contact_for_page(self.pages[key], site=self.site)

    def _create_crm_records(self) -> None:
        for page, spec in self.created:
            if twin_model_of(page) is not Contact:
                continue
            contact = contact_for_page(page, site=self.site)
            contact_update_private_details(contact=contact, data=spec.get("private", {}))
            unknown = set(spec.get("tags", [])) - set(self.tags)
            if unknown:
                raise DemoDataError(f"{page.slug}: undeclared tags {sorted(unknown)} in crm.json.")
            contact.tags.set([self.tags[name] for name in spec.get("tags", [])])

        crm = self.crm
        types = {}
        for spec in crm.get("membership_types", []):
            membership_type = MembershipType(site=self.site, **spec)
            membership_type.full_clean()
            membership_type.save()
            types[spec["name"]] = membership_type

        for spec in crm.get("memberships", []):
            membership_type = types[spec["type"]]
            start = parse_date(spec["start_date"], self.today)
            if "end_date" in spec:
                end = parse_date(spec["end_date"], self.today)
            elif membership_type.duration_months:
                end = add_months(start, membership_type.duration_months) - datetime.timedelta(
                    days=1
                )
            else:
                end = None
            membership = Membership(
                contact=self._contact(spec["member"]),
                membership_type=membership_type,
                start_date=start,
                end_date=end,
                fee=spec.get("fee", membership_type.default_fee),
                status=spec.get("status", "active"),
            )
            membership.full_clean()
            membership.save()

        for spec in crm.get("affiliations", []):
            affiliation = Affiliation(
                person=self._contact(spec["person"]),
                organization=self._contact(spec["organization"]),
                role=spec["role"],
                start_date=parse_date(spec.get("start_date"), self.today),
                end_date=parse_date(spec.get("end_date"), self.today),
                public=spec.get("public", False),
            )
            affiliation.full_clean()
            affiliation.save()

        for spec in crm.get("consents", []):
            consent = ConsentRecord(
                contact=self._contact(spec["contact"]),
                given_on=parse_date(spec["given_on"], self.today),
                purpose=spec["purpose"],
                wording=spec["wording"],
                source=spec["source"],
                withdrawn_on=parse_date(spec.get("withdrawn_on"), self.today),
            )
            consent.full_clean()
            consent.save()

        author = self._account_user("crm_staff")
        for spec in crm.get("notes", []):
            note = ContactNote(
                contact=self._contact(spec["contact"]), author=author, body=spec["body"]
            )
            note.full_clean()
            note.save()
            # ``created_at`` is set on creation; date the note back as the data file says.
            written = datetime.datetime.combine(
                self.today - datetime.timedelta(days=spec.get("days_ago", 0)),
                datetime.time(10, 0),
                tzinfo=self.time_zone,
            )
            ContactNote.objects.filter(pk=note.pk).update(created_at=written)

    # Accounts -----------------------------------------------------------------------------

    def _account_user(self, role: str):
        """The account of ``role`` (created now if needed), to sign the timeline notes."""
        for spec in self.data.get("accounts", []):
            if spec["role"] == role:
                return self._ensure_account(self.site, spec)[0]
        return None

    def ensure_accounts(self, site: Site) -> list[DemoAccount]:
        accounts = []
        for spec in self.data.get("accounts", []):
            _user, created = self._ensure_account(site, spec)
            accounts.append(
                DemoAccount(spec["username"], ACCOUNT_PASSWORD, self.name, spec["role"], created)
            )
        return accounts

    def _ensure_account(self, site: Site, spec: dict):
        if spec["username"] in self.users:
            return self.users[spec["username"]]
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=spec["username"],
            defaults={
                "email": spec.get("email", ""),
                "first_name": spec.get("first_name", ""),
                "last_name": spec.get("last_name", ""),
            },
        )
        if created:
            user.set_password(ACCOUNT_PASSWORD)
            user.save(update_fields=["password"])
            _set_admin_language(user)
            self.log(f"Account “{user.username}” created ({spec['role']}, {self.name}).")
        group = OrganizationGroup.objects.select_related("group").get(site=site, role=spec["role"])
        user.groups.add(group.group)
        self.users[spec["username"]] = (user, created)
        return user, created


# Pictures ---------------------------------------------------------------------------------


def initials(label: str) -> str:
    """``"Élise Tremblay"`` → ``"ÉT"``; short words (de, du, la, …) are skipped."""
    words = [w for w in re.split(r"[\s'’-]+", label) if len(w) > 2 or w.isupper()]
    return "".join(w[0] for w in words[:2]).upper() or label[:1].upper()


def colors_for(key: str) -> list[str]:
    """Two colours derived from ``key``: the same record always gets the same picture."""
    hue = int(hashlib.sha256(key.encode()).hexdigest()[:4], 16) / 0xFFFF
    dark = colorsys.hls_to_rgb(hue, 0.30, 0.45)
    light = colorsys.hls_to_rgb((hue + 0.08) % 1, 0.78, 0.55)
    return ["#" + "".join(f"{round(c * 255):02x}" for c in rgb) for rgb in (dark, light)]


def draw_picture(kind: str, text: str, colors: list[str] | None = None) -> bytes:
    """A simple PNG drawn with Pillow (no download, same bytes every time).

    ``kind``: ``logo`` (400×400), ``banner`` (1200×500), ``portrait`` or ``emblem`` (300×300).
    """
    from PIL import Image as PILImage
    from PIL import ImageDraw

    background, accent = colors or ["#223344", "#aaccee"]
    sizes = {
        "logo": (400, 400),
        "banner": (1200, 500),
        "portrait": (300, 300),
        "emblem": (300, 300),
    }
    if kind not in sizes:
        raise DemoDataError(f"Unknown picture kind “{kind}”.")
    width, height = sizes[kind]
    picture = PILImage.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(picture)

    if kind == "banner":
        # Bands of light above a horizon, and their reflection in the water below.
        horizon = int(height * 0.68)
        for band in range(5):
            amplitude, phase = 18 + band * 6, band * 0.9
            top = 70 + band * 38
            points = [
                (x, top + amplitude * math.sin(x / 140 + phase)) for x in range(0, width + 20, 20)
            ]
            points += [(x, y + 34) for x, y in reversed(points)]
            draw.polygon(points, fill=_mix(background, accent, 0.25 + band * 0.12))
        draw.rectangle([0, horizon, width, height], fill=_mix(background, "#000000", 0.35))
        for row in range(6):
            y = horizon + 14 + row * 22
            draw.line(
                [(160 + row * 40, y), (width - 160 - row * 40, y)],
                fill=_mix(background, accent, 0.3),
                width=3,
            )
        font, shown = _font(56, text)
        draw.text((60, horizon - 40), shown, font=font, fill="#ffffff", anchor="ls")
    elif kind == "logo":
        draw.ellipse([40, 40, width - 40, height - 40], fill=_mix(background, accent, 0.15))
        for ring in range(3):
            inset = 80 + ring * 34
            draw.arc([inset, inset, width - inset, height - inset], 200, 340, fill=accent, width=14)
        font, shown = _font(96, text)
        draw.text((width / 2, height * 0.66), shown, font=font, fill="#ffffff", anchor="mm")
    elif kind == "portrait":
        light = _mix(background, accent, 0.55)
        draw.ellipse([105, 55, 195, 145], fill=light)
        draw.ellipse([55, 160, 245, 360], fill=light)
        font, shown = _font(44, text)
        draw.text((width / 2, 265), shown, font=font, fill=background, anchor="mm")
    else:  # emblem
        draw.rounded_rectangle(
            [30, 30, width - 30, height - 30], radius=36, outline=accent, width=10
        )
        font, shown = _font(110, text)
        draw.text((width / 2, height / 2), shown, font=font, fill=accent, anchor="mm")

    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _font(size: int, text: str):
    """DejaVu Sans Bold when the system has it (Debian's fonts-dejavu-core), for accents;
    otherwise Pillow's bundled font, which has no accented letters, with the text unaccented."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf", size), text
    except OSError:
        bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return ImageFont.load_default(size=size), bare


def _mix(first: str, second: str, ratio: float) -> tuple[int, int, int]:
    a = [int(first[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(second[i : i + 2], 16) for i in (1, 3, 5)]
    return tuple(round(x + (y - x) * ratio) for x, y in zip(a, b, strict=True))
