"""The private twin of a CRM record: the CRM's use of ``privacy.models.PrivateRecord``.

A person or organization page holds only what may be published. Everything private — e-mails,
phones, postal address, birth date, notes, consents, internal tags — lives in a ``Contact`` keyed
to the page's ``translation_key``: it never enters a page revision, the public search index, a
template or an API, and the French and English pages of one record share it. Its private fields
are registered in ``declarations.py`` (``crm_private_fields``).
"""

import difflib

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Abs, Length, Lower
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Page, Site

from language_search.analysis import content_analyzers, substring_stems
from organizations.scoping import SiteScopedQuerySet
from organizations.sorting import collate, primary_key
from privacy.models import PrivateRecord, PrivateRecordQuerySet

#: How alike two normalised names must be to be called near-identical (0–1).
SIMILAR_NAME_RATIO = 0.88
#: How many records, those that share the most fragments of the name, are compared letter by
#: letter: the warning costs the same in a CRM of a hundred records or of a hundred thousand.
SIMILAR_NAME_CANDIDATES = 50
#: At most this many fragments of a name are looked for (a name of some thirty letters).
SIMILAR_NAME_FRAGMENTS = 64


class ContactTag(models.Model):
    """An internal tag (``donor``, ``board 2025``), private to one organization."""

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="contact_tags",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    name = models.CharField(_("name"), max_length=100)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = [collate("name").asc()]
        verbose_name = _("internal tag")
        verbose_name_plural = _("internal tags")
        constraints = [
            models.UniqueConstraint("site", Lower("name"), name="unique_contact_tag_name_per_site"),
        ]

    def __str__(self):
        return self.name


def record_name(contact_path: str = "") -> models.Subquery:
    """The title of a record's first page, for annotating a queryset of contacts
    (``contact_path=""``) or of rows pointing to one (``"contact"``, ``"person"``…): listings
    then show names without one query per row."""
    key = f"{contact_path}__translation_key" if contact_path else "translation_key"
    pages = Page.objects.filter(translation_key=models.OuterRef(key))
    return models.Subquery(pages.order_by("pk").values("title")[:1])


def normalise_name(name: str) -> str:
    """Lower case, without accents, punctuation or word order: ``"Tremblay, Élise"`` and
    ``"elise tremblay"`` normalise alike."""
    words = "".join(c if c.isalnum() else " " for c in primary_key(name)).split()
    return " ".join(sorted(words))


def name_fragments(normalised: str) -> list[str]:
    """The two- and three-letter pieces of each word of a normalised name (a word of one or two
    letters whole): a near-identical name shares most of them, even with a typo in every word,
    whatever the order of its words."""
    fragments: dict[str, None] = {}
    for word in normalised.split():
        if len(word) <= 2:
            fragments[word] = None
            continue
        for size in (3, 2):
            for start in range(len(word) - size + 1):
                fragments[word[start : start + size]] = None
    return list(fragments)[:SIMILAR_NAME_FRAGMENTS]


class ContactQuerySet(PrivateRecordQuerySet):
    def with_name(self):
        """Annotate ``name`` with the title of the record's (first) page."""
        return self.annotate(name=record_name())

    def for_choices(self):
        """Records as a choice list shows them: by name, in French alphabetical order."""
        return self.with_name().order_by(collate("name"), "pk")

    def matching(self, text: str):
        """Records holding every word of ``text`` in their name, e-mail or second e-mail, case
        and accents aside, a word's plural or singular too: « echu » finds « Bruno Échu »,
        « cinémas » finds « Cinéma Beaubien ».

        Names are matched in the record pages' folded ``sort_name``; a one-word term also by
        its French and English stems (``language_search``), which find its singular."""
        analyzers = content_analyzers()
        matching = self
        for term in text.split():
            names = models.Q()
            for form in {primary_key(term)} | substring_stems(term, analyzers):
                names |= models.Q(personpage__sort_name__contains=form)
                names |= models.Q(organizationpage__sort_name__contains=form)
            named = Page.objects.filter(names).values("translation_key")
            matching = matching.filter(
                models.Q(translation_key__in=named)
                | models.Q(email__icontains=term)
                | models.Q(secondary_email__icontains=term)
            )
        return matching

    def with_email(self, email: str):
        """Records using ``email`` (whatever its case), named (``with_name``)."""
        matching = self.annotate(email_lower=Lower("email")).filter(email_lower=email.lower())
        return matching.with_name()

    def pages_with_similar_name(self, name: str, page_model: type[Page] = Page) -> list[Page]:
        """One page per record whose name is near-identical to ``name`` (the same words
        whatever their order, case, accents or punctuation, give or take a typo in each),
        sorted by title. ``page_model`` is the record's page class.

        The database ranks the records by how many fragments of the name their folded name
        (``sort_name``) holds, the closest in length first among equals; only the
        ``SIMILAR_NAME_CANDIDATES`` best are compared letter by letter (``difflib``), so the
        cost does not grow with the size of the CRM. Two queries, whatever its size."""
        target = normalise_name(name)
        if not target:
            return []
        # sort_name is folded like the fragments; a page model without it is searched by title.
        field = "sort_name__contains" if hasattr(page_model, "sort_name") else "title__icontains"
        shared = sum(
            (
                Case(
                    When(**{field: fragment}, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
                for fragment in name_fragments(target)
            ),
            Value(0),
        )
        candidates = (
            page_model.objects.filter(translation_key__in=self.values("translation_key"))
            .annotate(shared=shared, length_gap=Abs(Length("title") - len(name.strip())))
            .order_by("-shared", "length_gap", "pk")
            .values_list("pk", "title", "translation_key")[:SIMILAR_NAME_CANDIDATES]
        )
        found, seen = [], set()
        for pk, title, key in candidates:
            if key in seen:
                continue
            ratio = difflib.SequenceMatcher(None, target, normalise_name(title)).ratio()
            if ratio >= SIMILAR_NAME_RATIO:
                seen.add(key)
                found.append(pk)
        return list(Page.objects.filter(pk__in=found).order_by(collate("title"), "pk"))


class Contact(PrivateRecord, ClusterableModel):
    """One CRM record's private details, shared by all translations of its page (its view
    permission, ``crm_blocks.view_contact``, is given to each organization's CRM staff)."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANIZATION = "organization", _("Organization")

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        help_text=_(
            "The record's identifier in another system (box office, member list), so that "
            "spreadsheets from there update this record instead of duplicating it."
        ),
    )

    email = models.EmailField(_("e-mail"), blank=True)
    secondary_email = models.EmailField(_("secondary e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=40, blank=True)
    street_address = models.CharField(_("street address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    locality = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("province or region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    notes = models.TextField(_("private notes"), blank=True)
    tags = models.ManyToManyField(
        ContactTag, blank=True, related_name="contacts", verbose_name=_("internal tags")
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    #: Set when the person's erasure kept the record for a legal reason (an accounting record
    #: points to it): its private details are empty and its pages deleted (``privacy``).
    anonymized_at = models.DateTimeField(_("anonymized on"), null=True, blank=True, editable=False)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("CRM record")
        verbose_name_plural = _("CRM records")
        permissions = [
            ("export_contact", _("Can export CRM records")),
            ("import_contact", _("Can import CRM records")),
        ]
        constraints = [
            models.UniqueConstraint(
                "site",
                "kind",
                Lower("email"),
                condition=~models.Q(email=""),
                name="unique_contact_email_per_site_and_kind",
                violation_error_message=_(
                    "Another record of this organization already uses this e-mail."
                ),
            ),
            models.UniqueConstraint(
                "site",
                "kind",
                "external_id",
                condition=~models.Q(external_id=""),
                name="unique_contact_external_id_per_site_and_kind",
                violation_error_message=_(
                    "Another record of this organization already uses this external id."
                ),
            ),
        ]

    def __str__(self):
        if self.anonymized_at is not None:
            return str(_("Anonymized person"))
        name = getattr(self, "name", None)
        if name is None:
            page = self.pages().first()
            name = page.title if page else ""
        return name or self.email or str(self.translation_key)

    @property
    def phones(self) -> str:
        """Every number the record has, as staff read them in a listing: a record reached only
        by mobile does not look unreachable."""
        return " · ".join(number for number in (self.phone, self.mobile_phone) if number)

    def page_in(self, locale=None):
        pages = list(self.pages().specific())
        for page in pages:
            if locale is not None and page.locale_id == locale.pk:
                return page
        return pages[0] if pages else None


class ConsentRecord(models.Model):
    """A consent given (or withdrawn) by a contact: what for, in which words, from where."""

    class Source(models.TextChoices):
        FORM = "form", _("Web form")
        PAPER = "paper", _("Paper form")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        IMPORT = "import", _("Spreadsheet import")
        IN_PERSON = "in_person", _("In person")
        MEMBER_SPACE = "member_space", _("Member space")
        DEMO = "demo", _("Demo data")

    contact = ParentalKey(Contact, on_delete=models.CASCADE, related_name="consents")
    #: The purpose and the exact words agreed to (empty on rows logged before purposes existed,
    #: which keep their free-text ``purpose`` and ``wording``).
    purpose_ref = models.ForeignKey(
        "privacy.ConsentPurpose",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="consent_records",
        verbose_name=_("consent purpose"),
    )
    wording_version = models.ForeignKey(
        "privacy.ConsentWording",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="consent_records",
        verbose_name=_("wording version"),
    )
    given_on = models.DateField(_("date"))
    purpose = models.CharField(_("purpose"), max_length=200)
    wording = models.TextField(_("wording shown"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consent log")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True)
                | models.Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
                violation_error_message=_("A consent cannot be withdrawn before it was given."),
            ),
        ]

    def __str__(self):
        return f"{self.purpose} ({date_format(self.given_on, 'DATE_FORMAT')})"


class ContactNoteQuerySet(SiteScopedQuerySet):
    # Its site-scoped permission policy reads this path (a note has no site of its own).
    site_lookup = "contact__site"


class ContactNote(models.Model):
    """A dated note in a record's timeline (a call, a meeting, a follow-up)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="timeline_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    body = models.TextField(_("note"))

    objects = ContactNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("timeline note")
        verbose_name_plural = _("timeline notes")

    def __str__(self):
        return self.body[:60]
