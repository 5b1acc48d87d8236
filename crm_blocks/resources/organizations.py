"""Organizations as spreadsheet rows."""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext_lazy

from organizations.models import OrganizationKind
from spreadsheets.resources import (
    LabelChoiceWidget,
    column,
)
from spreadsheets.text import fold, name_key

from ..models import (
    Contact,
    OrganizationIndexPage,
    OrganizationPage,
)
from .records import (
    EMAIL_COLUMN,
    EXTERNAL_ID_COLUMN,
    NOTES_COLUMN,
    PHONE_COLUMN,
    ContactRecordResource,
    PageValueField,
    text_field,
)


class OrganizationResource(ContactRecordResource):
    """Organizations: ``email, name, kind, website, street_address, postal_code, city, phone,
    notes`` (and ``external_id``); found by external id, e-mail, or name and postal code."""

    contact_kind = Contact.Kind.ORGANIZATION
    page_model = OrganizationPage
    index_model = OrganizationIndexPage
    page_fields = {
        "kind": "kind",
        "website": "website",
        "street_address": "street_address",
        "postal_code": "postal_code",
        "city": "locality",
    }
    sheet_columns = (
        EMAIL_COLUMN,
        column(
            "name",
            pgettext_lazy("spreadsheet column", "name"),
            "organization",
            "organisme",
            "organisation",
            "nom",
            required=True,
        ),
        column("kind", pgettext_lazy("spreadsheet column", "kind"), "type", "genre"),
        column(
            "website", pgettext_lazy("spreadsheet column", "website"), "site web", "site", "web"
        ),
        column(
            "street_address",
            pgettext_lazy("spreadsheet column", "street address"),
            "address",
            "adresse",
        ),
        column(
            "postal_code",
            pgettext_lazy("spreadsheet column", "postal code"),
            "postcode",
            "zip",
            "code postal",
        ),
        column(
            "city", pgettext_lazy("spreadsheet column", "city"), "locality", "ville", "municipalité"
        ),
        PHONE_COLUMN,
        NOTES_COLUMN,
        EXTERNAL_ID_COLUMN,
    )

    email = text_field("email")
    name = PageValueField("name")
    kind = PageValueField("kind")
    website = PageValueField("website")
    street_address = PageValueField("street_address")
    postal_code = PageValueField("postal_code")
    city = PageValueField("city")
    phone = text_field("phone")
    notes = text_field("notes")
    external_id = text_field("external_id")

    class Meta(ContactRecordResource.Meta):
        fields = (
            "email",
            "name",
            "kind",
            "website",
            "street_address",
            "postal_code",
            "city",
            "phone",
            "notes",
            "external_id",
        )

    @cached_property
    def kind_widget(self) -> LabelChoiceWidget:
        """Reads the "kind" column: a code, or a label in any of the installation's languages."""
        return LabelChoiceWidget(OrganizationKind.choices)

    def after_init_record(self, instance, page) -> None:
        instance._page_name = page.title if page is not None else ""

    def prepare_more(self, dataset, cells) -> None:
        headers = list(dataset.headers or [])
        self.by_name_and_code = {}
        if "name" not in headers:
            return
        names = {name_key(n) for n in cells("name")}
        contacts = {c.translation_key: c for c in self.get_queryset()}
        pages = OrganizationPage.objects.filter(translation_key__in=list(contacts))
        for title, code, key in pages.values_list("title", "postal_code", "translation_key"):
            name = name_key(title)
            if name in names:
                self.by_name_and_code.setdefault((name, fold(code).replace(" ", "")), contacts[key])

    def extra_contacts(self):
        return list(self.by_name_and_code.values())

    def find_contact(self, row):
        """By external id or e-mail; failing that, by name and postal code (an organization
        first imported without e-mail is found again when a later file has one)."""
        return super().find_contact(row) or self.match_by_name(row)

    def match_by_name(self, row):
        name = name_key(str(row.get("name") or ""))
        code = fold(str(row.get("postal_code") or "")).replace(" ", "")
        return self.by_name_and_code.get((name, code)) if name else None

    def row_keys(self, row):
        keys = super().row_keys(row)
        if not keys and str(row.get("name") or "").strip():
            name = name_key(str(row["name"]))
            keys = [("name", name, fold(str(row.get("postal_code") or "")).replace(" ", ""))]
        return keys

    def check_row(self, instance, row) -> None:
        errors = {}
        kind = instance._page_kind
        if kind and kind not in OrganizationKind.values:
            # A kind may be given by its label, in any of the installation's languages.
            code = self.kind_widget.code_for(kind)
            if code is not None:
                instance._page_kind = code
            else:
                errors["kind"] = [
                    gettext("Unknown kind “%(kind)s”; use one of: %(choices)s.")
                    % {
                        "kind": kind,
                        "choices": ", ".join(str(label) for label in OrganizationKind.labels),
                    }
                ]
                instance._page_kind = ""
        try:
            super().check_row(instance, row)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, messages)
        if errors:
            raise ValidationError(errors)

    def record_title(self, instance) -> str:
        return (instance._page_name or "").strip()

    def new_page(self, instance):
        return OrganizationPage(
            title=self.record_title(instance), kind=instance._page_kind or OrganizationKind.OTHER
        )
