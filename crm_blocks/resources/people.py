"""People as spreadsheet rows."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from import_export import fields

from spreadsheets.resources import (
    TextWidget,
    chunked,
    column,
    paragraphs_to_stream,
    raw_stream_to_paragraphs,
)
from spreadsheets.text import fold, name_key

from ..models import (
    Affiliation,
    Contact,
    PersonIndexPage,
    PersonPage,
)
from .records import (
    AMBIGUOUS,
    EMAIL_COLUMN,
    EXTERNAL_ID_COLUMN,
    NOTES_COLUMN,
    PHONE_COLUMN,
    ContactRecordResource,
    PageValueField,
    format_affiliations,
    organization_name_annotation,
    organization_records,
    parse_affiliations,
    text_field,
)


class PersonResource(ContactRecordResource):
    """People: ``email, first_name, last_name, phone, notes, bio`` (and ``external_id``,
    ``affiliations``). French headers work too: ``courriel, prénom, nom, téléphone, notes,
    biographie``."""

    contact_kind = Contact.Kind.PERSON
    page_model = PersonPage
    index_model = PersonIndexPage
    page_fields = {"first_name": "given_name", "last_name": "family_name", "bio": "bio"}
    title_column = "last_name"
    sheet_columns = (
        EMAIL_COLUMN,
        column(
            "first_name", pgettext_lazy("spreadsheet column", "first name"), "given name", "prénom"
        ),
        column(
            "last_name",
            pgettext_lazy("spreadsheet column", "last name"),
            "family name",
            "surname",
            "nom de famille",
            "nom",
            required=True,
        ),
        PHONE_COLUMN,
        NOTES_COLUMN,
        column("bio", pgettext_lazy("spreadsheet column", "biography"), "biographie"),
        EXTERNAL_ID_COLUMN,
        column(
            "affiliations",
            pgettext_lazy("spreadsheet column", "affiliations"),
            "organisations",
            help=_("“Organization (role); Other organization (role)”"),
        ),
    )

    email = text_field("email")
    first_name = PageValueField("first_name")
    last_name = PageValueField("last_name")
    phone = text_field("phone")
    notes = text_field("notes")
    bio = PageValueField("bio")
    external_id = text_field("external_id")
    affiliations = fields.Field(
        attribute="_affiliations", column_name="affiliations", widget=TextWidget()
    )

    class Meta(ContactRecordResource.Meta):
        fields = (
            "email",
            "first_name",
            "last_name",
            "phone",
            "notes",
            "bio",
            "external_id",
            "affiliations",
        )

    def read_page_value(self, page, name):
        if name == "bio":
            return raw_stream_to_paragraphs(list(page.bio.raw_data))
        if name in ("first_name", "last_name") and not (page.given_name or page.family_name):
            # Entered in the editor as a full name only: the last word is taken as the family
            # name, so that the row can create the record again elsewhere.
            first, _space, last = page.title.strip().rpartition(" ")
            return first if name == "first_name" else last
        return super().read_page_value(page, name)

    def write_page_value(self, page, name, value):
        if name == "bio":
            page.bio = paragraphs_to_stream(value)
        else:
            super().write_page_value(page, name, value)

    def check_page_value(self, name, attribute, value):
        if name != "bio":
            super().check_page_value(name, attribute, value)

    def record_title(self, instance) -> str:
        return " ".join(
            part for part in (instance._page_first_name, instance._page_last_name) if part
        ).strip()

    def new_page(self, instance):
        return PersonPage(title=self.record_title(instance))

    def match_by_name(self, row):
        """A person without e-mail or id is found by name when exactly one record of the
        organization without e-mail bears it: re-importing the same file does not duplicate."""
        name = name_key(" ".join(str(row.get(c) or "") for c in ("first_name", "last_name")))
        found = self.by_name.get(name)
        return found if found is not None and found is not AMBIGUOUS else None

    def prepare_more(self, dataset, cells) -> None:
        self.by_name = {}
        headers = list(dataset.headers or [])
        nameless = "email" not in headers or any(
            not str(row[headers.index("email")] or "").strip() for row in dataset
        )
        if nameless and "external_id" not in headers:
            pages = PersonPage.objects.filter(
                translation_key__in=self.get_queryset().filter(email="").values("translation_key")
            ).only("title", "translation_key")
            keys = {}
            for page in pages:
                key = name_key(page.title)
                if keys.setdefault(key, page.translation_key) != page.translation_key:
                    keys[key] = AMBIGUOUS
            contacts = {
                c.translation_key: c
                for c in self.get_queryset().filter(
                    translation_key__in=[k for k in keys.values() if k is not AMBIGUOUS]
                )
            }
            self.by_name = {
                key: (value if value is AMBIGUOUS else contacts.get(value))
                for key, value in keys.items()
            }
        self.organizations = {}
        if "affiliations" in headers:
            for key, contact in organization_records(self.site).items():
                self.organizations[key] = contact
        self.affiliations_by_person = defaultdict(list)

    def extra_contacts(self):
        return [c for c in self.by_name.values() if c is not None and c is not AMBIGUOUS]

    def prepare_records(self, contacts) -> None:
        """Each person's affiliations, as ``(organization name, role)`` pairs."""
        self._affiliations = {}
        for chunk in chunked([c.pk for c in contacts]):
            for person_id, role, name in (
                Affiliation.objects.filter(person_id__in=chunk)
                .annotate(organization_name=organization_name_annotation())
                .order_by("pk")
                .values_list("person_id", "role", "organization_name")
            ):
                self._affiliations.setdefault(person_id, []).append((name or "", role))

    def after_init_record(self, instance, page) -> None:
        entries = self._affiliations.get(instance.pk, []) if instance.pk else []
        instance._affiliations = format_affiliations(entries)
        instance._affiliation_entries = entries

    def check_row(self, instance, row) -> None:
        errors = {}
        try:
            super().check_row(instance, row)
        except ValidationError as error:
            errors = error.message_dict
        if "affiliations" in row and "affiliations" not in errors:
            wanted, unknown = [], []
            for name, role in parse_affiliations(instance._affiliations):
                organization = self.organizations.get(name_key(name))
                if organization is None or organization is AMBIGUOUS:
                    unknown.append(name)
                else:
                    wanted.append((organization, name, role))
            if unknown:
                errors["affiliations"] = [
                    gettext(
                        "No single organization record is named %(names)s: import "
                        "organizations first, or check the spelling."
                    )
                    % {"names": ", ".join(f"“{n}”" for n in unknown)}
                ]
            else:
                existing = {(fold(n), fold(r)) for n, r in instance._affiliation_entries}
                missing = [w for w in wanted if (fold(w[1]), fold(w[2])) not in existing]
                instance._new_affiliations = missing
                if not missing:
                    # Only additions count: affiliations are never removed by an import.
                    instance._affiliations = instance._before.get("affiliations", "")
        if errors:
            raise ValidationError(errors)

    def write_more(self) -> None:
        affiliations = [
            Affiliation(person=contact, organization=organization, role=role)
            for contact in [*self.pending_new, *self.pending_updates]
            for organization, _name, role in getattr(contact, "_new_affiliations", [])
        ]
        Affiliation.objects.bulk_create(affiliations, batch_size=self.write_batch_size)


#: Marks a name that several records share, so it cannot identify one.
