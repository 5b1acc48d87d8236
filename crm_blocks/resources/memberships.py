"""Memberships as spreadsheet rows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext, pgettext_lazy
from import_export import fields

from spreadsheets.files import CellValueError, parse_date
from spreadsheets.resources import (
    AmountWidget,
    DateWidget,
    LabelChoiceWidget,
    SpreadsheetResource,
    TextWidget,
    chunked,
    column,
    distinct_cells,
)
from spreadsheets.text import name_key

from ..models import (
    Contact,
    Membership,
    MembershipStatus,
    MembershipType,
)
from .records import AMBIGUOUS


class MembershipStatusWidget(LabelChoiceWidget):
    """A status by its code or its label, in either gender: labels agree with « adhésion »
    (« Active », « Annulée »), a spreadsheet's « statut » column often says "actif", "annulé"."""

    MASCULINE = {"actif": MembershipStatus.ACTIVE, "annule": MembershipStatus.CANCELLED}

    def lookup(self) -> dict[str, str]:
        return {**self.MASCULINE, **super().lookup()}


# --- Memberships ---------------------------------------------------------------------------


class MembershipResource(SpreadsheetResource):
    """Memberships: ``email`` (or ``external_id``) of the member, ``membership_type`` by name,
    ``start_date``, ``end_date``, ``fee``, ``status``. A membership is found by its member, its
    type and its start date: re-importing the same file updates, never duplicates."""

    sheet_columns = (
        column(
            "email",
            pgettext_lazy("spreadsheet column", "member email"),
            "email",
            "e-mail",
            "courriel",
            "courriel du membre",
        ),
        column(
            "external_id",
            pgettext_lazy("spreadsheet column", "member external id"),
            "external id",
            "identifiant",
            "id externe",
        ),
        column(
            "membership_type",
            pgettext_lazy("spreadsheet column", "membership type"),
            "type",
            "type d'adhésion",
            "adhésion",
            required=True,
        ),
        column(
            "start_date",
            pgettext_lazy("spreadsheet column", "start date"),
            "start",
            "début",
            "date de début",
            required=True,
        ),
        column(
            "end_date", pgettext_lazy("spreadsheet column", "end date"), "end", "fin", "date de fin"
        ),
        column(
            "fee",
            pgettext_lazy("spreadsheet column", "fee paid"),
            "fee",
            "amount",
            "montant",
            "cotisation",
        ),
        column("status", pgettext_lazy("spreadsheet column", "status"), "statut", "état"),
    )

    email = fields.Field(attribute="_email", column_name="email", widget=TextWidget())
    external_id = fields.Field(
        attribute="_external_id", column_name="external_id", widget=TextWidget()
    )
    membership_type = fields.Field(
        attribute="_type_name", column_name="membership_type", widget=TextWidget()
    )
    start_date = fields.Field(attribute="start_date", column_name="start_date", widget=DateWidget())
    end_date = fields.Field(attribute="end_date", column_name="end_date", widget=DateWidget())
    fee = fields.Field(attribute="fee", column_name="fee", widget=AmountWidget())
    status = fields.Field(
        attribute="status",
        column_name="status",
        widget=MembershipStatusWidget(
            [c for c in MembershipStatus.choices if c[0] != MembershipStatus.EXPIRED],
            default=MembershipStatus.ACTIVE,
        ),
    )

    class Meta(SpreadsheetResource.Meta):
        model = Membership
        import_id_fields = ()
        fields = (
            "email",
            "external_id",
            "membership_type",
            "start_date",
            "end_date",
            "fee",
            "status",
        )

    def get_queryset(self):
        return Membership.objects.filter(contact__site=self.site)

    def unchecked_fields(self):
        return ["contact", "membership_type"]

    def column_for_field(self, name):
        return {"contact": "email"}.get(name, name)

    def prepare(self, dataset) -> None:
        def cells(name):
            return distinct_cells(dataset, name)

        people = Contact.objects.filter(site=self.site)
        fields = ("pk", "email", "external_id")
        self.by_email, self.by_external_id = {}, {}
        # A person and an organization may share an e-mail (or an id): such a key names no
        # single member, and the row must say which one by the other key.
        for chunk in chunked([e.lower() for e in cells("email")]):
            found = people.annotate(email_lower=Lower("email")).filter(email_lower__in=chunk)
            for member in found.values_list(*fields, named=True):
                key = member.email.lower()
                self.by_email[key] = AMBIGUOUS if key in self.by_email else member
        for chunk in chunked(cells("external_id")):
            for member in people.filter(external_id__in=chunk).values_list(*fields, named=True):
                key = member.external_id
                self.by_external_id[key] = AMBIGUOUS if key in self.by_external_id else member
        self.types = {name_key(t.name): t for t in MembershipType.objects.filter(site=self.site)}
        members = {
            m.pk: m
            for m in [*self.by_email.values(), *self.by_external_id.values()]
            if m is not AMBIGUOUS
        }
        types = {t.pk: t for t in self.types.values()}
        self.existing = {}
        for chunk in chunked(list(members)):
            for membership in Membership.objects.filter(contact_id__in=chunk):
                membership._member = members[membership.contact_id]
                membership._type = types.get(membership.membership_type_id)
                key = (membership.contact_id, membership.membership_type_id, membership.start_date)
                self.existing[key] = membership
        self.seen_keys = {}

    def init_instance(self, row=None):
        return Membership()

    def membership_type_of(self, name) -> MembershipType | None:
        cache = self.__dict__.setdefault("_types_by_text", {})
        if name not in cache:
            cache[name] = self.types.get(name_key(str(name or "")))
        return cache[name]

    def get_instance(self, instance_loader, row):
        member = self.member(row)
        membership_type = self.membership_type_of(row.get("membership_type"))
        if member is None or member is AMBIGUOUS or membership_type is None:
            return None
        try:
            start = parse_date(row.get("start_date"))
        except CellValueError:
            return None
        return self.existing.get((member.pk, membership_type.pk, start))

    def member(self, row):
        """The member's ``(pk, email, external_id)``, found by external id or e-mail."""
        external_id = str(row.get("external_id") or "").strip()
        if external_id:
            return self.by_external_id.get(external_id)
        email = str(row.get("email") or "").strip().lower()
        return self.by_email.get(email) if email else None

    def after_init_instance(self, instance, new, row, **kwargs):
        member = getattr(instance, "_member", None)
        membership_type = getattr(instance, "_type", None)
        instance._email = member.email if member else ""
        instance._external_id = member.external_id if member else ""
        instance._type_name = membership_type.name if membership_type else ""
        super().after_init_instance(instance, new, row, **kwargs)

    def check_row(self, instance, row) -> None:
        errors = {}
        member = self.member(row)
        if member is AMBIGUOUS:
            column_name = "external_id" if str(row.get("external_id") or "").strip() else "email"
            errors[column_name] = gettext(
                "Several records of your organization (a person and an organization) have this "
                "%(what)s: give the member's other key (e-mail or external id) instead."
            ) % {"what": gettext("e-mail") if column_name == "email" else gettext("external id")}
            member = None
        elif member is None:
            column_name = "external_id" if str(row.get("external_id") or "").strip() else "email"
            if not str(row.get(column_name) or "").strip():
                errors["email"] = gettext("Give the member's e-mail or external id.")
            else:
                errors[column_name] = gettext(
                    "No record of your organization has this %(what)s: import the people first."
                ) % {
                    "what": gettext("e-mail") if column_name == "email" else gettext("external id")
                }
        else:
            instance.contact_id = member.pk
        membership_type = self.membership_type_of(instance._type_name)
        if membership_type is None:
            errors["membership_type"] = gettext(
                "Unknown membership type “%(name)s”; your organization has: %(choices)s."
            ) % {
                "name": instance._type_name,
                "choices": ", ".join(t.name for t in self.types.values()) or "—",
            }
        else:
            instance.membership_type_id = membership_type.pk
            instance._type_name = membership_type.name
        if member is not None and membership_type is not None and instance.start_date:
            key = (member.pk, membership_type.pk, instance.start_date)
            first = self.seen_keys.setdefault(key, self._current_row)
            if first != self._current_row:
                errors["start_date"] = gettext(
                    "This membership is already on row %(row)s of the file."
                ) % {"row": first}
        if instance.start_date is None and "start_date" in row:
            errors.setdefault("start_date", gettext("A start date is needed."))
        if instance.end_date and instance.start_date and instance.end_date < instance.start_date:
            errors["end_date"] = gettext("The end date must come after the start date.")
        if instance.fee is not None and instance.fee < 0:
            errors["fee"] = gettext("The fee cannot be negative.")
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Widgets parsed every cell and ``check_row`` applied the model's constraints: only
        the amount's digits are left to check (``full_clean`` per row would cost more than
        writing the row)."""
        errors = dict(import_validation_errors or {})
        if "fee" not in errors:
            try:
                Membership._meta.get_field("fee").clean(instance.fee, instance)
            except ValidationError as error:
                errors["fee"] = error.messages
        if errors:
            raise ValidationError(errors)

    def current_values(self, instance):
        return {
            "email": instance._email,
            "external_id": instance._external_id,
            "membership_type": instance._type_name,
            "start_date": instance.start_date,
            "end_date": instance.end_date,
            "fee": instance.fee,
            "status": instance.status,
        }

    def write(self) -> None:
        # The same file imported twice at once: the second to write stops (SQLite lets one
        # writer in at a time; on PostgreSQL the check runs in the writing transaction).
        keys = {(m.contact_id, m.membership_type_id, m.start_date) for m in self.pending_new}
        for chunk in chunked(sorted({m.contact_id for m in self.pending_new})):
            existing = Membership.objects.filter(contact_id__in=chunk).values_list(
                "contact_id", "membership_type_id", "start_date"
            )
            if any(tuple(key) in keys for key in existing):
                raise ValidationError(
                    gettext(
                        "Some of these memberships were created while the file was being "
                        "checked (was it imported twice at once?). Nothing was written: start "
                        "again."
                    )
                )
        Membership.objects.bulk_create(self.pending_new, batch_size=self.write_batch_size)
        self.tick(len(self.pending_new))
        Membership.objects.bulk_update(
            self.pending_updates,
            ["start_date", "end_date", "fee", "status"],
            batch_size=self.write_batch_size,
        )
        self.tick(len(self.pending_updates))

    def iter_export_rows(self, queryset=None, chunk_size: int = 2000):
        queryset = self.get_queryset() if queryset is None else queryset
        rows = queryset.order_by("pk").values_list(
            "contact__email",
            "contact__external_id",
            "membership_type__name",
            "start_date",
            "end_date",
            "fee",
            "status",
        )
        labels = {code: str(label) for code, label in MembershipStatus.choices}
        for email, external_id, type_name, start, end, fee, status in rows.iterator(
            chunk_size=chunk_size
        ):
            yield [email, external_id, type_name, start, end, fee, labels.get(status, status)]
