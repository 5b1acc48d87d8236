"""French as a French reader expects it, in our catalogues and in the admin they shape.

- No inclusive-writing hacks nor guessed agreements (« un(e) », « Ce(tte) », « le/la »,
  « crées ») in any catalogue of ours, nor in the admin screens staff use every day: where
  Wagtail's own French has them, ``organizations.wagtail_french`` words them so that nothing
  has to agree with a noun nobody knows.
- One typography: a non-breaking space before « : ; ? ! » and inside « », so that no line ever
  starts with a colon or a closing quote.
- One vocabulary: « courriel », « site Web ».
- No English left in the French admin (Wagtail's login form names its password field in
  English; Wagtail's catalogue leaves "Any" untranslated; the tree's root page is "Root").
"""

import re

import lxml.html
import polib
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from crm_blocks.models import Membership, MembershipType
from tests.factories import contact_of, make_person
from tests.test_i18n import CATALOGUES, TAG_RE, entries, load_po, translations

catalogue = pytest.mark.parametrize("folder", list(CATALOGUES))

#: Gender or number guessed with brackets or slashes, the point médian, and "créé" agreeing
#: with nothing (« Pages crées »).
HACKS_RE = re.compile(
    r"\w\((?:e|es|s|x|tte|elle|le|la|ne|ice|rice|euse)\)"
    r"|\((?:la|le)\)"
    r"|\b(?:le/la|la/le|ce/cette|il/elle|un/une|du/de la)\b"
    r"|\w·\w"
    r"|\bcrées\b",
    re.IGNORECASE,
)
#: A normal space, or none, where French wants a non-breaking one.
LOOSE_PUNCTUATION_RE = re.compile(
    r"[ \u202f][:;?!»]|«[ \u202f]|(?<=\w)[?!](?=\s|$)|(?<=\S)(?<!\u00a0)»"
)
#: Where our catalogues say one thing one way.
VOCABULARY = {
    re.compile(r"\bsite web\b"): "« site Web »",
    re.compile(r"\be-?mail\b", re.IGNORECASE): "« courriel »",
}


def text_of(msgstr: str) -> str:
    return TAG_RE.sub("", msgstr)


@catalogue
def test_no_inclusive_writing_hack_nor_guessed_agreement(folder):
    """« Ajouter un(e) adhésion » reads as a bug to a French reader: write the word whole."""
    problems = [
        f"{entry.msgid!r} -> {msgstr!r}"
        for entry in entries(load_po(folder))
        for msgstr in translations(entry)
        if HACKS_RE.search(text_of(msgstr))
    ]
    assert not problems, "\n".join(problems)


@catalogue
def test_non_breaking_spaces_before_double_punctuation_and_inside_quotes(folder):
    problems = []
    for entry in entries(load_po(folder)):
        for msgstr in translations(entry):
            # A cell's syntax shown as an example (« Organisme (rôle); Autre… ») is data.
            text = re.sub(r"\(rôle\);", "", text_of(msgstr))
            if LOOSE_PUNCTUATION_RE.search(text):
                problems.append(f"{entry.msgid!r} -> {msgstr!r}")
    assert not problems, "use a non-breaking space (U+00A0):\n" + "\n".join(problems)


@catalogue
def test_one_vocabulary(folder):
    problems = [
        f"{entry.msgid!r} -> {msgstr!r}: write {word}"
        for entry in entries(load_po(folder))
        for msgstr in translations(entry)
        for pattern, word in VOCABULARY.items()
        if pattern.search(text_of(msgstr))
    ]
    assert not problems, "\n".join(problems)


def wagtail_catalogue_entries() -> dict:
    """Wagtail's own entries, by (msgid, msgid_plural)."""
    from pathlib import Path

    import wagtail

    found = {}
    root = Path(wagtail.__file__).parent
    # English catalogues hold every string; French ones miss a few ("root page").
    paths = [
        *root.glob("**/locale/fr/LC_MESSAGES/django.po"),
        *root.glob("**/locale/en/LC_MESSAGES/django.po"),
    ]
    for path in paths:
        for entry in polib.pofile(str(path)):
            found[(entry.msgid, entry.msgid_plural or None)] = entry
    return found


def reworded_msgids() -> list[str]:
    """The first argument of each ``gettext_noop``/``ngettext_lazy`` call of the module, read as
    ``makemessages`` reads it."""
    import ast
    import inspect

    from organizations import wagtail_french

    tree = ast.parse(inspect.getsource(wagtail_french))
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") in {"gettext_noop", "ngettext_lazy"}
    ]


def test_our_wording_of_wagtail_strings_still_matches_wagtail_and_wins():
    """Each string reworded in ``organizations.wagtail_french`` is still one of Wagtail's (a
    Wagtail upgrade that renames it would leave the old wording in force nowhere), and the
    admin shows ours."""
    wagtail_entries = wagtail_catalogue_entries()
    ours = {
        (entry.msgid, entry.msgid_plural or None): entry
        for entry in entries(load_po("organizations"))
    }
    assert len(reworded_msgids()) > 100
    stale, shadowed = [], []
    with translation.override("fr"):
        for key, entry in ours.items():
            if key not in wagtail_entries:
                continue
            msgid, plural = key
            shown = ngettext(msgid, plural, 2) if plural else gettext(msgid)
            if shown != translations(entry)[-1]:
                shadowed.append(f"{msgid!r}: {shown!r}")
    for msgid in reworded_msgids():
        if not any(key[0] == msgid for key in wagtail_entries):
            stale.append(msgid)
    assert not stale, f"no longer strings of Wagtail's: {stale}"
    assert not shadowed, f"Wagtail's wording still shown: {shadowed}"
    with translation.override("fr"):
        assert gettext("Add %(label)s") % {"label": "lien"} == "Ajouter\u00a0: lien"
        assert gettext("Any") == "Peu importe"
        assert gettext("Locale") == "Langue"


# --- The admin screens ---------------------------------------------------------------------


def visible_text(html: str) -> str:
    doc = lxml.html.fromstring(html)
    # Wagtail's own editor guide is fairly named after Wagtail.
    dropped = "//script|//style|//template|//svg|//textarea|//a[contains(@href, 'guide.wagtail')]"
    for element in doc.xpath(dropped):
        element.drop_tree()
    texts = [" ".join(doc.itertext())]
    for attribute in ("title", "aria-label", "placeholder", "alt"):
        texts += doc.xpath(f"//@{attribute}")
    return re.sub(r"\s+", " ", " ".join(texts))


ENGLISH_LEFT_RE = re.compile(r"\b(?:True|False|Any|Password|Root|Wagtail)\b")
#: "de" before a vowel where French elides (« pas de adhésions »): a placeholder filled blindly.
ELISION_RE = re.compile(r"\b(?:de|le|la|que|ne|se) [aeiouéèêàâîôûœ]", re.IGNORECASE)


@pytest.fixture
def crm_screens(org_a, crm_a, client):
    """The screens CRM staff of a French organization open in a day."""
    person = make_person(org_a.people_index, "Élise Tremblay")
    kind = MembershipType.objects.create(site=org_a, name="Individuel", default_fee=40)
    membership = Membership.objects.create(
        contact=contact_of(person), membership_type=kind, start_date="2026-01-05", fee=40
    )
    client.force_login(crm_a)
    return [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore", args=[org_a.people_index.pk]),
        reverse("wagtailadmin_pages:edit", args=[person.pk]),
        reverse("crm_contact:index"),
        reverse("crm_contact:inspect", args=[contact_of(person).pk]),
        reverse("crm_membership:index"),
        reverse("crm_membership:add"),
        reverse("crm_membership:edit", args=[membership.pk]),
        reverse("crm_membershiptype:index"),
        reverse("crm_affiliation:index"),
        reverse("crm_contacttag:index"),
        reverse(
            "wagtailsettings:edit",
            args=["organizations", "organizationsettings", org_a.pk],
        ),
    ]


@pytest.mark.django_db
def test_the_french_admin_has_no_hack_and_no_english_left(client, crm_screens):
    """What CRM staff see in French, screen after screen: no « un(e) », no « Ce(tte) », no
    « pas de adhésions », no "True" read out by a screen reader, no "Any", no "Root", no
    "Wagtail"."""
    problems = []
    for url in crm_screens:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        problems += [f"{url}: {m.group(0)!r}" for m in HACKS_RE.finditer(text)]
        problems += [f"{url}: {m.group(0)!r}" for m in ENGLISH_LEFT_RE.finditer(text)]
        problems += [
            f"{url}: {text[max(m.start() - 30, 0) : m.end() + 20]!r}"
            for m in ELISION_RE.finditer(text)
        ]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_the_login_page_is_french_and_carries_the_products_name(client):
    """Wagtail leaves its password field without a label: Django then names it "Password",
    in English for everybody."""
    response = client.get(reverse("wagtailadmin_login"), HTTP_ACCEPT_LANGUAGE="fr")
    doc = lxml.html.fromstring(response.content.decode())
    label = doc.xpath("//label[@for='id_password']")[0].text_content()
    assert "Mot de passe" in label
    assert doc.findtext(".//title").strip() == "Se connecter - Liens Mutuels"
    assert doc.xpath("//h1")[0].text_content().strip() == "Se connecter à Liens Mutuels"
    assert "Wagtail" not in visible_text(response.content.decode())
    icon = doc.xpath("//link[@rel='icon']/@href")
    assert icon and icon[0].endswith("img/favicon.svg")
    logo = doc.xpath("//img[contains(@src, 'liens-mutuels-logo.svg')]/@alt")
    assert logo == ["Liens Mutuels"]
    from home.forms import AdminLoginForm

    with translation.override("en"):
        assert str(AdminLoginForm().fields["password"].label) == "Password"


@pytest.mark.django_db
def test_every_admin_page_names_the_product(client, org_a, crm_a):
    client.force_login(crm_a)
    doc = lxml.html.fromstring(client.get(reverse("crm_contact:index")).content.decode())
    assert doc.findtext(".//title").strip().endswith(" - Liens Mutuels")
    logo = doc.xpath("//template[@data-wagtail-sidebar-branding-logo]")[0]
    assert "liens-mutuels-logo.svg" in lxml.html.tostring(logo, encoding="unicode")


def test_the_logo_is_an_svg_of_our_own():
    from pathlib import Path

    from lxml import etree

    path = Path(__file__).resolve().parent.parent / "site/static/img/liens-mutuels-logo.svg"
    svg = etree.parse(str(path)).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.findtext("{http://www.w3.org/2000/svg}title") == "Liens Mutuels"
    assert "wagtail" not in path.read_text().lower()
