"""The French catalogues: complete, well formed, compiled, and up to date with the code.

There is one catalogue per installed app of this repository (``organizations/locale``,
``spreadsheets/locale``, ``crm_blocks/locale``…, ``site/home/locale``), found from
``INSTALLED_APPS`` so that a new plugin is checked without anyone listing it, and ``site/locale``
for the site's templates (all refreshed by ``make messages``). Their compiled ``.mo`` files are
committed, so that a machine without gettext serves French; the tests below fail when a ``.po``
is edited without recompiling, or when the code gains a string that is not in its catalogue yet.

Conventions checked here: typographic apostrophe (’) and French quotes (« ») in translations,
placeholders and HTML kept as they are.
"""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

ROOT = Path(__file__).resolve().parent.parent



def _catalogues() -> dict[str, tuple[str, ...]]:
    """Source folder -> folders at its top level that belong to another catalogue or hold no
    strings (the site's ``home`` app has its own; ``config`` only names the languages, which
    Django translates itself)."""
    from django.apps import apps

    found = {}
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        inside = path.relative_to(ROOT).parts if ROOT in path.parents else ()
        if not inside or inside[0] in {"tests", ".venv"} or "site-packages" in inside:
            continue
        folder = path.relative_to(ROOT).as_posix()
        found[folder] = ("static",) if folder.startswith("site/") else ()
    found["site"] = ("home", "config", "static")
    return found


CATALOGUES = _catalogues()

PLACEHOLDER_RE = re.compile(r"%\((\w+)\)[sdifr]|%[sdif]|\{\w*\}")
TAG_RE = re.compile(r"<[^>]+>")


def po_path(folder: str) -> Path:
    return ROOT / folder / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def load_po(folder: str) -> polib.POFile:
    path = po_path(folder)
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: run `make messages`"
    return polib.pofile(str(path))


def entries(po: polib.POFile):
    return [entry for entry in po if not entry.obsolete]


def translations(entry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[key] for key in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER_RE.finditer(text))


def describe(entry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:3])
    return f"{entry.msgid!r} ({where})"


catalogue = pytest.mark.parametrize("folder", list(CATALOGUES))


# --- (a) Each catalogue is complete and well formed -----------------------------------------


@catalogue
def test_header_is_french_utf8_with_french_plurals(folder):
    po = load_po(folder)
    assert not po.metadata_is_fuzzy, "remove the header's fuzzy flag"
    assert po.metadata["Language"] == "fr"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n>1);"


@catalogue
def test_every_entry_is_translated_and_none_is_fuzzy(folder):
    po = load_po(folder)
    assert entries(po), "empty catalogue"
    untranslated = [describe(e) for e in entries(po) if not all(translations(e))]
    fuzzy = [describe(e) for e in entries(po) if "fuzzy" in e.flags]
    assert not untranslated, "untranslated: " + "; ".join(untranslated)
    assert not fuzzy, "fuzzy (check, then remove the flag): " + "; ".join(fuzzy)


@catalogue
def test_translations_keep_placeholders_and_html(folder):
    problems = []
    for entry in entries(load_po(folder)):
        for index, msgstr in enumerate(translations(entry)):
            source = entry.msgid_plural if entry.msgid_plural and index else entry.msgid
            if placeholders(msgstr) != placeholders(source):
                problems.append(f"{describe(entry)}: placeholders {placeholders(msgstr)}")
            if sorted(TAG_RE.findall(msgstr)) != sorted(TAG_RE.findall(source)):
                problems.append(f"{describe(entry)}: HTML differs")
    assert not problems, "\n".join(problems)


@catalogue
def test_translations_use_french_typography_consistently(folder):
    """One apostrophe (’) and French quotes (« »): a straight ' would also be escaped in HTML."""
    problems = []
    for entry in entries(load_po(folder)):
        for msgstr in translations(entry):
            text = TAG_RE.sub("", msgstr)
            if "'" in text or "“" in text or "”" in text:
                problems.append(f"{describe(entry)} -> {msgstr!r}")
    assert not problems, "use ’ and « »: " + "; ".join(problems)


# --- (b) The committed .mo matches its .po --------------------------------------------------


def as_dict(catalog) -> dict:
    result = {}
    for entry in catalog:
        unusable = entry.obsolete or not entry.msgid or "fuzzy" in entry.flags
        if unusable or not all(translations(entry)):
            continue
        key = (entry.msgctxt, entry.msgid, entry.msgid_plural or None)
        result[key] = tuple(translations(entry))
    return result


@catalogue
def test_compiled_catalogue_is_up_to_date(folder):
    po = load_po(folder)
    mo_path = po_path(folder).with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.relative_to(ROOT)} is missing: run `make messages`"
    mo = polib.mofile(str(mo_path))
    stale = f"{mo_path.relative_to(ROOT)} is stale: run compilemessages (`make messages`)"
    assert as_dict(mo) == as_dict(po), stale
    assert mo.metadata.get("Plural-Forms") == po.metadata["Plural-Forms"], stale


def test_one_string_reads_the_same_in_every_catalogue():
    """Django merges the apps' catalogues, the first installed app winning: a string translated
    two ways would silently show another app's wording (the agenda's « Afficher tout » became
    « Tout afficher » when the films plugin was installed above it)."""
    seen: dict[tuple, dict[tuple, list[str]]] = {}
    for folder in CATALOGUES:
        for key, value in as_dict(load_po(folder)).items():
            seen.setdefault(key, {}).setdefault(value, []).append(folder)
    differing = {
        key[1]: {" / ".join(v): folders for v, folders in values.items()}
        for key, values in seen.items()
        if len(values) > 1
    }
    assert not differing, differing


# --- (c) The catalogues cover the code ------------------------------------------------------


def copy_sources(folder: str, destination: Path) -> Path:
    source = ROOT / folder
    skipped = set(CATALOGUES[folder])

    def ignore(directory, names):
        ignored = {n for n in names if n in ("locale", "__pycache__") or n.startswith(".")}
        if Path(directory) == source:
            ignored |= skipped & set(names)
        return ignored

    target = destination / Path(folder).name
    shutil.copytree(source, target, ignore=ignore)
    return target


@catalogue
def test_catalogue_has_every_string_of_the_code(folder, tmp_path, monkeypatch, settings):
    """Extract the strings again (into a scratch copy, never into the repository) and compare."""
    assert shutil.which("xgettext"), (
        "gettext is needed to check the catalogues (apt install gettext)"
    )
    copy = copy_sources(folder, tmp_path)
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = []  # so that makemessages writes only into the scratch copy
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["fr"], no_obsolete=True, verbosity=0)
    fresh = polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))

    def keys(po):
        return {(e.msgctxt, e.msgid, e.msgid_plural or None) for e in entries(po)}

    missing = keys(fresh) - keys(load_po(folder))
    leftover = keys(load_po(folder)) - keys(fresh)
    assert not missing, (
        f"not in {folder}/locale yet (run `make messages`): {sorted(missing, key=str)}"
    )
    assert not leftover, f"no longer in the code (run `make messages`): {sorted(leftover, key=str)}"


def test_user_facing_strings_are_french():
    from crm_blocks.models import Contact, PersonPage
    from organizations.models import OrganizationSettings

    with translation.override("fr"):
        french = {
            "CRM record": str(Contact._meta.verbose_name),
            "Private (CRM)": gettext("Private (CRM)"),
            "Full name": gettext("Full name"),
            "This is not the same record": str(
                PersonPage.base_form_class.base_fields["confirm_distinct_record"].label
            ),
            "Search": gettext("Search"),
            "Words to look for": gettext("Words to look for"),
            "Skip to the main content": gettext("Skip to the main content"),
            "Page not found": gettext("Page not found"),
            "organization": str(OrganizationSettings._meta.verbose_name),
        }
        assert french["CRM record"] == "Fiche CRM"
        assert french["Search"] == "Rechercher"
        assert french["Skip to the main content"] == "Passer au contenu principal"
        assert "utilise déjà ce courriel" in gettext(
            "“%(name)s” already uses this e-mail. Open that record instead."
        )
        assert ngettext("%(counter)s person", "%(counter)s people", 1) % {"counter": 1} == (
            "1 personne"
        )
        assert ngettext("%(counter)s person", "%(counter)s people", 2) % {"counter": 2} == (
            "2 personnes"
        )
        # The tenant is an « organisation »; an organization of the CRM is an « organisme ».
        assert pgettext("tenant", "organization") == "organisation"
        assert str(Contact._meta.get_field("site").verbose_name) == "organisation"
        assert gettext("organization") == "organisme"
        assert gettext("Next page") == "Page suivante"
    same = [english for english, text in french.items() if text == english]
    assert not same, f"still in English under French: {same}"


def test_structured_data_report_speaks_french_to_editors():
    """The validator's sentences are lazy: built in any language, shown in the editor's."""
    from structured_data.panels import StructuredDataPanel
    from structured_data.validation import MESSAGES, message_for, validate_graph

    with translation.override("en"):
        photo = message_for("profile.image")
        faq = message_for("faq.question")
        url = message_for("invalid-url", value="www.boreal.test")
        issues = validate_graph({"@context": "https://schema.org", "@graph": [{"name": "?"}]})
    with translation.override("fr"):
        assert str(photo) == (
            "Ajoutez une photo pour que Google puisse afficher ce profil avec une image."
        )
        assert str(faq) == (
            "La FAQ doit contenir des questions. Le code du site Web doit être corrigé\u00a0: "
            "prévenez la personne qui administre votre site."
        )
        assert str(url).startswith(
            "«\u00a0www.boreal.test\u00a0» n’est pas une adresse Web complète"
        )
        assert [str(issue.message) for issue in issues] == [str(message_for("missing-type"))]
        assert str(issues[0].message).startswith("Une partie de la description de la page")
        assert str(StructuredDataPanel().heading) == "Moteurs de recherche"
        assert gettext("To fix:") == "À corriger\u00a0:"
        french = {key: str(message) for key, message in MESSAGES.items()}
    with translation.override("en"):
        assert str(photo) == "Add a photo so that Google can show this profile with a picture."
        same = sorted(key for key, message in MESSAGES.items() if str(message) == french[key])
    assert not same, f"validator sentences still in English under French: {same}"


@pytest.mark.django_db
def test_public_pages_are_french_for_a_french_organization(client, org_a):
    html = client.get(reverse("search"), HTTP_HOST=org_a.hostname).content.decode()
    assert "Passer au contenu principal" in html
    assert "Mots à rechercher" in html
    html = client.get("/pas-de-page-ici/", HTTP_HOST=org_a.hostname).content.decode()
    assert "Page introuvable" in html


# --- (d) The operator's command speaks French -----------------------------------------------


@pytest.mark.django_db
def test_create_organization_explains_a_bad_language_in_french():
    with translation.override("fr"):
        assert gettext("Unknown language “%(language)s”; choose one of: %(choices)s.").startswith(
            "Langue inconnue"
        )
        with pytest.raises(CommandError) as error:
            call_command(
                "create_organization", "--name", "X", "--hostname", "x.test", "--language", "de"
            )
    message = str(error.value)
    assert "Rien n’a été créé." in message
    assert "Langue inconnue «\u00a0de\u00a0»" in message
    assert "fr-ca, fr-fr, en" in message
