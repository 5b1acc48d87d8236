"""The film database as spreadsheet rows (``films``): what a distributor's catalogue or the
network's own list brings in, and what it exports back, with the same columns:

``external_id, visa, title, original_title, year, duration, countries, languages, directors,
cast, distributor, release_date, genres, synopsis, versions`` (French headers accepted:
« identifiant externe, visa, titre, titre original, année, durée, pays, langues, réalisation,
distribution, distributeur, date de sortie, genres, synopsis, versions »).

A row is the film page itself (``spreadsheets.pages.PageResource``). Which film a row updates:
the film with its ``external_id``, else with its CNC ``visa``, else with the same title (accents,
case and leading article aside) and year; a row matching none is a new film. Several columns
stand for more than one field:

- ``directors`` and ``cast``: names separated by ``;``; each is linked to the organization's
  person record when exactly one has that name, kept as a typed name otherwise;
- ``distributor``: the name of one of the organization's records of kind distributor (a name
  it does not know is a row error); a new film goes into that distributor's folder of the film
  database when it has one, below the film database otherwise;
- ``versions``: the codes cinemas write (``VF; VOSTFR; VF-AD; VFSTF-SME; LSF``), read by
  ``films.versions.parse_versions``; an unknown code is a row error naming it;
- ``genres``: codes or labels (French or English) separated by ``;``.

A single invalid row and nothing is written (``spreadsheets``' two phases).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from import_export import fields

from crm_blocks.models import OrganizationPage, PersonPage
from organizations.fields import split_codes
from organizations.models import OrganizationKind
from spreadsheets.pages import PageResource
from spreadsheets.resources import (
    DateWidget,
    LabelChoiceWidget,
    TextWidget,
    chunked,
    column,
    distinct_cells,
    raw_stream_to_paragraphs,
)
from spreadsheets.text import name_key

from .models import (
    DistributorFilmsPage,
    FilmCredit,
    FilmGenre,
    FilmIndexPage,
    FilmPage,
    FilmVersion,
)
from .titles import fold_title
from .versions import parse_versions

# --- Cells ----------------------------------------------------------------------------------


def _names(text: str) -> list[str]:
    names = []
    for piece in re.split(r"[;\n]+", text or ""):
        name = " ".join(piece.split())
        if name and name not in names:
            names.append(name)
    return names


class NamesWidget(TextWidget):
    """Names separated by ``;`` (``Céline Sciamma; Agnès Varda``)."""

    def clean(self, value, row=None, **kwargs):
        return _names(super().clean(value, row))

    def render(self, value, obj=None, **kwargs):
        return "; ".join(value or ())

    def describe(self) -> str:
        return gettext(
            "Names separated by “;”. A name that is exactly one of your person records is "
            "linked to it."
        )


class WholeNumberWidget(TextWidget):
    """A whole number (``95``, ``95.0`` from a number cell); blank is none."""

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row).replace("\u00a0", "").replace(" ", "")
        if not text:
            return None
        if re.fullmatch(r"\d+([.,]0+)?", text):
            return int(re.split(r"[.,]", text)[0])
        raise ValueError(gettext("“%(value)s” is not a whole number.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return value

    def describe(self) -> str:
        return gettext("A whole number.")


class CodeListWidget(TextWidget):
    """Codes separated by ``;`` or ``,`` (``FR; CA``, ``fr, en``), in upper or lower case."""

    def __init__(self, *, upper: bool = False, hint: str = "", **kwargs):
        super().__init__(**kwargs)
        self.upper = upper
        self.hint = hint

    def clean(self, value, row=None, **kwargs):
        codes = split_codes(super().clean(value, row))
        return [code.upper() if self.upper else code.lower() for code in codes]

    def render(self, value, obj=None, **kwargs):
        return "; ".join(value or ())

    def describe(self) -> str:
        return str(self.hint)


class GenresWidget(TextWidget):
    """Genres by code or label (French or English), separated by ``;`` or ``,``."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lookup = LabelChoiceWidget(FilmGenre.choices)

    def clean(self, value, row=None, **kwargs):
        codes, unknown = [], []
        for piece in re.split(r"[;,\n]+", super().clean(value, row)):
            if not piece.strip():
                continue
            code = self.lookup.code_for(piece)
            if code is None:
                unknown.append(piece.strip())
            elif code not in codes:
                codes.append(code)
        if unknown:
            raise ValueError(
                gettext("Unknown genre: %(genres)s. Use: %(choices)s.")
                % {
                    "genres": ", ".join(unknown),
                    "choices": "; ".join(str(label) for _code, label in FilmGenre.choices),
                }
            )
        return codes

    def render(self, value, obj=None, **kwargs):
        labels = dict(FilmGenre.choices)
        return "; ".join(str(labels.get(code, code)) for code in value or ())

    def describe(self) -> str:
        return gettext("Genres separated by “;”: %(choices)s.") % {
            "choices": "; ".join(str(label) for _code, label in FilmGenre.choices)
        }


class VersionsWidget(TextWidget):
    """Version codes separated by ``;`` (``VF; VOSTFR; VF-AD``), each read into its languages
    and accessibility features."""

    def clean(self, value, row=None, **kwargs):
        try:
            return parse_versions(super().clean(value, row))
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None

    def render(self, value, obj=None, **kwargs):
        return "; ".join(spec.label for spec in value or ())

    def describe(self) -> str:
        return gettext(
            "The versions cinemas can book, separated by “;”: VF; VOSTFR; VF-AD (audio "
            "description); VFSTF-SME (French subtitles for the deaf and hard of hearing); LSF."
        )


def text_to_rich_text(text: str) -> str:
    """Plain paragraphs (separated by blank lines) as the synopsis' rich text."""
    parts = [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(
        "<p>" + "<br/>".join(escape(line) for line in part.split("\n")) + "</p>" for part in parts
    )


def rich_text_to_text(value: str) -> str:
    """The synopsis as plain paragraphs: the inverse of ``text_to_rich_text``."""
    if not value:
        return ""
    return raw_stream_to_paragraphs([{"type": "text", "value": {"text": value}}])


class SynopsisWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        return text_to_rich_text(super().clean(value, row))

    def render(self, value, obj=None, **kwargs):
        return rich_text_to_text(value)

    def describe(self) -> str:
        return gettext("Text; separate paragraphs with an empty line.")


# --- Films ----------------------------------------------------------------------------------

#: Columns that are not one field of the page each.
COMPOSITE_COLUMNS = ("directors", "cast", "distributor", "versions")
CREDIT_COLUMNS = {"directors": FilmCredit.Role.DIRECTOR, "cast": FilmCredit.Role.ACTOR}


def _field(name: str, widget, attribute: str | None = None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=name, widget=widget)


class FilmResource(PageResource):
    """Films: ``external_id, visa, title, original_title, year, duration, countries, languages,
    directors, cast, distributor, release_date, genres, synopsis, versions``."""

    page_model = FilmPage
    index_model = FilmIndexPage
    page_fields = {
        "external_id": "external_id",
        "visa": "visa_number",
        "title": "title",
        "original_title": "original_title",
        "year": "year",
        "duration": "duration",
        "countries": "countries",
        "languages": "original_languages",
        "release_date": "release_date",
        "genres": "genres",
        "synopsis": "synopsis",
    }
    sheet_columns = (
        column(
            "external_id",
            pgettext_lazy("spreadsheet column", "external id"),
            "identifiant externe",
            "identifiant",
            "id externe",
            "référence",
        ),
        column("visa", pgettext_lazy("spreadsheet column", "visa"), "visa CNC", "n° de visa"),
        column("title", pgettext_lazy("spreadsheet column", "title"), "titre", required=True),
        column(
            "original_title",
            pgettext_lazy("spreadsheet column", "original title"),
            "titre original",
            "titre VO",
        ),
        column("year", pgettext_lazy("spreadsheet column", "year"), "année", "annee"),
        column(
            "duration",
            pgettext_lazy("spreadsheet column", "duration"),
            "durée",
            "durée (minutes)",
        ),
        column("countries", pgettext_lazy("spreadsheet column", "countries"), "pays"),
        column(
            "languages",
            pgettext_lazy("spreadsheet column", "languages"),
            "langues",
            "langues originales",
        ),
        column(
            "directors",
            pgettext_lazy("spreadsheet column", "directors"),
            "réalisation",
            "réalisateurs",
            "réalisatrices",
        ),
        column("cast", pgettext_lazy("spreadsheet column", "cast"), "distribution", "interprètes"),
        column(
            "distributor",
            pgettext_lazy("spreadsheet column", "distributor"),
            "distributeur",
        ),
        column(
            "release_date",
            pgettext_lazy("spreadsheet column", "release date"),
            "date de sortie",
            "sortie",
        ),
        column("genres", pgettext_lazy("spreadsheet column", "genres"), "genre"),
        column("synopsis", pgettext_lazy("spreadsheet column", "synopsis"), "résumé"),
        column("versions", pgettext_lazy("spreadsheet column", "versions"), "version"),
    )

    external_id = _field("external_id", TextWidget(), "external_id")
    visa = _field("visa", TextWidget(), "visa_number")
    title = _field("title", TextWidget(), "title")
    original_title = _field("original_title", TextWidget(), "original_title")
    year = _field("year", WholeNumberWidget(), "year")
    duration = _field("duration", WholeNumberWidget(), "duration")
    countries = _field(
        "countries",
        CodeListWidget(
            upper=True, hint=gettext_lazy("Country codes separated by “;”: FR; CA; BE.")
        ),
        "countries",
    )
    languages = _field(
        "languages",
        CodeListWidget(hint=gettext_lazy("Language codes separated by “;”: fr; en; iu.")),
        "original_languages",
    )
    directors = _field("directors", NamesWidget())
    cast = _field("cast", NamesWidget())
    distributor = _field("distributor", TextWidget())
    release_date = _field("release_date", DateWidget(), "release_date")
    genres = _field("genres", GenresWidget(), "genres")
    synopsis = _field("synopsis", SynopsisWidget(), "synopsis")
    versions = _field("versions", VersionsWidget())

    class Meta(PageResource.Meta):
        model = FilmPage
        fields = (
            "external_id",
            "visa",
            "title",
            "original_title",
            "year",
            "duration",
            "countries",
            "languages",
            "directors",
            "cast",
            "distributor",
            "release_date",
            "genres",
            "synopsis",
            "versions",
        )

    @classmethod
    def column_model_field(cls, name: str):
        if name in COMPOSITE_COLUMNS:
            return None
        return super().column_model_field(name)

    # Finding the films of the file -------------------------------------------------------------

    def prepare(self, dataset) -> None:
        self._columns = list(dataset.headers or [])
        self.check_page_permissions()
        # Every film of the organization, by its three keys: a network holds thousands at
        # most, read in one query (and their drafts in a few).
        films = self.apply_drafts(list(self.site_pages().order_by("pk")))
        self.by_external_id: dict[str, FilmPage] = {}
        self.by_visa: dict[str, FilmPage] = {}
        self.by_title_year: dict[tuple[str, int | None], FilmPage] = {}
        for film in films:
            if film.external_id:
                self.by_external_id.setdefault(film.external_id.strip(), film)
            if film.visa_number:
                self.by_visa.setdefault(film.visa_number.strip(), film)
            self.by_title_year.setdefault((fold_title(film.title), film.year), film)
        self.seen_films: dict[int, int] = {}
        self.seen_keys: dict[str, int] = {}
        self.prepare_people(dataset)
        self.prepare_distributors(dataset)
        self.prepare_credits(films)

    def get_instance(self, instance_loader, row):
        external_id = str(row.get("external_id") or "").strip()
        if external_id and external_id in self.by_external_id:
            return self.by_external_id[external_id]
        visa = str(row.get("visa") or "").strip()
        if visa and visa in self.by_visa:
            return self.by_visa[visa]
        title = str(row.get("title") or "").strip()
        if not title:
            return None
        try:
            year = WholeNumberWidget().clean(row.get("year"))
        except ValueError:
            return None
        film = self.by_title_year.get((fold_title(title), year))
        # Same title and year, but another identifier: another film (a remake, a homonym).
        if film is not None and external_id and film.external_id.strip() not in ("", external_id):
            return None
        if film is not None and visa and film.visa_number.strip() not in ("", visa):
            return None
        return film

    def prepare_people(self, dataset) -> None:
        """Person records of the organization by folded name, for the names the file gives: a
        name two records share is ambiguous and stays a typed name."""
        names = set()
        for name in ("directors", "cast"):
            for cell in distinct_cells(dataset, name):
                names.update(name_key(n) for n in _names(cell))
        self.people_by_name: dict[str, int | None] = {}
        self.person_titles: dict[int, str] = {}
        if not names:
            return
        people = self.scope_queryset(PersonPage.objects.all(), [self.site])
        seen: dict[str, set] = defaultdict(set)
        for pk, title, translation_key in people.order_by("pk").values_list(
            "pk", "title", "translation_key"
        ):
            key = name_key(title)
            if key in names and translation_key not in seen[key]:
                seen[key].add(translation_key)
                self.people_by_name[key] = pk if len(seen[key]) == 1 else None
                self.person_titles.setdefault(pk, title)

    def prepare_distributors(self, dataset) -> None:
        """Distributor records of the organization by folded name, and their folders."""
        self.distributors_by_name: dict[str, int | None] = {}
        self.distributor_titles: dict[int, str] = {}
        records = self.scope_queryset(
            OrganizationPage.objects.filter(kind=OrganizationKind.DISTRIBUTOR), [self.site]
        )
        wanted = {name_key(name) for name in distinct_cells(dataset, "distributor")}
        seen: dict[str, set] = defaultdict(set)
        for pk, title, translation_key in records.order_by("pk").values_list(
            "pk", "title", "translation_key"
        ):
            self.distributor_titles[pk] = title
            key = name_key(title)
            if key in wanted and translation_key not in seen[key]:
                seen[key].add(translation_key)
                self.distributors_by_name[key] = pk if len(seen[key]) == 1 else None
        self.folders = {
            folder.distributor_id: folder
            for folder in self.scope_queryset(DistributorFilmsPage.objects.all(), [self.site])
        }

    def prepare_credits(self, films) -> None:
        """Each film's credits and versions as the file would write them (its latest draft's
        where it has one), for the rows that leave them unchanged."""
        self.credit_names: dict[int, dict[str, list[str]]] = {}
        self.version_labels: dict[int, list[str]] = {}
        published = [film.pk for film in films if getattr(film, "_draft_content", None) is None]
        person_ids = set()
        drafts = [film for film in films if getattr(film, "_draft_content", None) is not None]
        for film in drafts:
            for credit in film._draft_content.get("credits", []):
                if credit.get("person"):
                    person_ids.add(credit["person"])
        for chunk in chunked(published):
            for film_id, role, person_id, name in (
                FilmCredit.objects.filter(film_id__in=chunk)
                .order_by("film_id", "sort_order", "pk")
                .values_list("film_id", "role", "person_id", "name")
            ):
                names = self.credit_names.setdefault(film_id, {"director": [], "actor": []})
                names.setdefault(role, []).append((person_id, name))
                if person_id:
                    person_ids.add(person_id)
            for film_id, label in (
                FilmVersion.objects.filter(film_id__in=chunk)
                .order_by("film_id", "sort_order", "pk")
                .values_list("film_id", "label")
            ):
                self.version_labels.setdefault(film_id, []).append(label)
        for film in drafts:
            names = self.credit_names.setdefault(film.pk, {"director": [], "actor": []})
            for credit in sorted(
                film._draft_content.get("credits", []), key=lambda c: c.get("sort_order") or 0
            ):
                names.setdefault(credit.get("role"), []).append(
                    (credit.get("person"), credit.get("name") or "")
                )
            self.version_labels[film.pk] = [
                v.get("label", "")
                for v in sorted(
                    film._draft_content.get("versions", []),
                    key=lambda v: v.get("sort_order") or 0,
                )
            ]
        missing = sorted(person_ids - set(self.person_titles))
        for chunk in chunked(missing):
            self.person_titles.update(
                PersonPage.objects.filter(pk__in=chunk).values_list("pk", "title")
            )

    # Values of a page, both ways ----------------------------------------------------------------

    def apply_draft_values(self, page, content: dict) -> None:
        super().apply_draft_values(page, content)
        if "distributor" in content:
            page.distributor_id = content["distributor"]

    def _credit_list(self, page, role: str) -> list[str]:
        pending = getattr(page, "_pending_credits", {}).get(role)
        if pending is not None:
            return [name for _person, name in pending]
        credits = self.credit_names.get(page.pk, {}) if page.pk else {}
        return [
            self.person_titles.get(person, name) if person else name
            for person, name in credits.get(role, [])
        ]

    def cell_value(self, page, name: str):
        """What column ``name`` holds for ``page``, as exports write it."""
        if name in CREDIT_COLUMNS:
            return "; ".join(self._credit_list(page, CREDIT_COLUMNS[name]))
        if name == "versions":
            pending = getattr(page, "_pending_versions", None)
            if pending is not None:
                return "; ".join(spec.label for spec in pending)
            return "; ".join(self.version_labels.get(page.pk, []) if page.pk else [])
        if name == "distributor":
            return (
                self.distributor_titles.get(page.distributor_id, "") if page.distributor_id else ""
            )
        field = self.fields.get(name)
        return field.export(page) if field is not None else ""

    def export_cell(self, page, column: str):
        return self.cell_value(page, column)

    def current_values(self, instance) -> dict:
        return {c.name: self.cell_value(instance, c.name) for c in self.sheet_columns}

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        name = field.column_name
        if name not in COMPOSITE_COLUMNS:
            return super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)
        if name not in row:
            return None
        value = field.widget.clean(row[name], row=row)
        if name in CREDIT_COLUMNS:
            credits = [
                (self.people_by_name.get(name_key(person_name)), person_name)
                for person_name in value
            ]
            if not hasattr(instance, "_pending_credits"):
                instance._pending_credits = {}
            instance._pending_credits[CREDIT_COLUMNS[name]] = credits
        elif name == "versions":
            instance._pending_versions = value
        elif name == "distributor":
            self.read_distributor(instance, value)
        return None

    def read_distributor(self, instance, name: str) -> None:
        key = name_key(name or "")
        if not key:
            instance.distributor_id = None
            return
        pk = self.distributors_by_name.get(key, 0)
        if pk is None:
            raise ValueError(
                gettext("Several distributor records are called “%(name)s”: rename one.")
                % {"name": name}
            )
        if not pk:
            raise ValueError(
                gettext(
                    "No distributor record is called “%(name)s”: create it in the CRM (an "
                    "organization of kind distributor) first."
                )
                % {"name": name}
            )
        instance.distributor_id = pk

    # Checks ---------------------------------------------------------------------------------------

    def check_row(self, instance, row) -> None:
        errors = {}
        if instance.pk is not None:
            first = self.seen_films.setdefault(instance.pk, self._current_row)
            if first != self._current_row:
                errors["title"] = [
                    gettext("This film is already on row %(row)s of the file.") % {"row": first}
                ]
        external_id = str(row.get("external_id") or "").strip()
        if external_id:
            first = self.seen_keys.setdefault(external_id, self._current_row)
            if first != self._current_row:
                errors["external_id"] = [
                    gettext("This record is already on row %(row)s of the file.") % {"row": first}
                ]
        if instance.pk is None and not (instance.title or "").strip():
            errors.setdefault("title", [gettext("A name is needed to create a record.")])
        elif instance.pk is None and not self.can_add:
            errors.setdefault("title", [self.cannot_add_message()])
        if errors:
            raise ValidationError(errors)

    # Writing ------------------------------------------------------------------------------------

    @staticmethod
    def _credits(credits_by_role: dict) -> list[FilmCredit]:
        items = []
        for role in (FilmCredit.Role.DIRECTOR, FilmCredit.Role.ACTOR):
            for person_id, name in credits_by_role.get(role, []):
                items.append(
                    FilmCredit(role=role, person_id=person_id, name="" if person_id else name)
                )
        for order, credit in enumerate(items):
            credit.sort_order = order
        return items

    @staticmethod
    def _versions(specs) -> list[FilmVersion]:
        versions = []
        for order, spec in enumerate(specs):
            versions.append(
                FilmVersion(
                    label=spec.label,
                    audio_language=spec.audio_language,
                    subtitle_language=spec.subtitle_language,
                    sort_order=order,
                    **spec.accessibility(),
                )
            )
        return versions

    def _existing_credits(self, page) -> dict:
        known = self.credit_names.get(page.pk, {})
        return {role: list(known.get(role, [])) for role in ("director", "actor")}

    # Writing: ``PageResource.write`` with films' folders, credits and versions.

    def parent_for(self, page, index):
        folder = self.folders.get(page.distributor_id) if page.distributor_id else None
        return folder or index

    def prepare_new(self, page) -> None:
        if getattr(page, "_pending_credits", None):
            page.credits = self._credits(page._pending_credits)
        if getattr(page, "_pending_versions", None) is not None:
            page.versions = self._versions(page._pending_versions)

    def apply_row(self, page, draft) -> None:
        super().apply_row(page, draft)
        if "distributor" in self._columns:
            draft.distributor_id = page.distributor_id
        pending = getattr(page, "_pending_credits", None)
        if pending:
            credits = self._existing_credits(page)
            credits.update(pending)
            draft.credits = self._credits(credits)
        if getattr(page, "_pending_versions", None) is not None:
            draft.versions = self._versions(page._pending_versions)

    # Export ---------------------------------------------------------------------------------------

    def iter_export_rows(self, queryset=None, chunk_size: int = 500) -> Iterator[list]:
        pages = self.site_pages() if queryset is None else queryset
        ids = list(pages.order_by("pk").values_list("pk", flat=True))
        self.person_titles = getattr(self, "person_titles", {})
        self.distributor_titles = (
            dict(
                OrganizationPage.objects.filter(kind=OrganizationKind.DISTRIBUTOR)
                .filter(distributed_films__in=ids)
                .values_list("pk", "title")
                .distinct()
            )
            if ids
            else {}
        )
        for chunk in chunked(ids, chunk_size):
            batch = self.apply_drafts(
                list(self.page_model.objects.filter(pk__in=chunk).order_by("pk"))
            )
            self.prepare_credits(batch)
            missing = sorted(
                {p.distributor_id for p in batch if p.distributor_id} - set(self.distributor_titles)
            )
            self.distributor_titles.update(
                OrganizationPage.objects.filter(pk__in=missing).values_list("pk", "title")
            )
            for page in batch:
                yield [self.cell_value(page, c.name) for c in self.sheet_columns]
