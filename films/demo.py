"""The film database of the demo network (``load_demo``, through the ``load_demo_content`` hook).

The association (the demo organization whose kind is "network") gets thirty films of six
distributors — every film with a French version, most with an audio-described one, many with
subtitles for the deaf and hard of hearing, a few in sign language — and screenings at its
member cinemas (the cinema records of its CRM) for the coming weeks. Everything is fictional.
Pages go through Wagtail's own path (``add_child``, ``save_revision``, ``publish``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.files.images import ImageFile
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Site

from crm_blocks.models import OrganizationPage
from events.models import EventIndexPage, NetworkMembers, NetworkSharing
from organizations.models import OrganizationKind, OrganizationSettings
from organizations.services import organization_collection

from .boxoffice import boxoffice_import
from .distributors import distributor_access_grant, distributor_user_add
from .models import (
    CinemaProfile,
    DistributorContact,
    FilmCredit,
    FilmIndexPage,
    FilmPage,
    FilmVersion,
    Screening,
)
from .versions import parse_version

#: title, original title, year, minutes, countries, languages, directors, cast, distributor
#: (record key), genres, synopsis, versions.
FILMS = [
    (
        "Les Heures claires",
        "",
        2026,
        104,
        "FR",
        "fr",
        "Nadia Rocher",
        "Inès Morel; Paul Vidal",
        "films-du-sillon",
        "drama",
        "Une infirmière de nuit retrouve le village de son enfance.",
        "VF; VF-AD; VFSTF-SME",
    ),
    (
        "La Rivière d'en bas",
        "",
        2025,
        92,
        "FR; BE",
        "fr",
        "Thomas Guérin",
        "Lou Bertin",
        "films-du-sillon",
        "drama",
        "Deux frères se disputent la ferme familiale au bord de l'eau.",
        "VF; VF-AD",
    ),
    (
        "L'Été des cerfs-volants",
        "",
        2026,
        88,
        "FR",
        "fr",
        "Claire Maréchal",
        "Jade Simon; Hugo Faure",
        "films-du-sillon",
        "comedy; family",
        "Une colonie de vacances qui ne ressemble à aucune autre.",
        "VF; VF-AD; VFSTF-SME",
    ),
    (
        "Le Bruit des vagues",
        "",
        2025,
        110,
        "FR",
        "fr",
        "Samir Belkacem",
        "Nora Haddad",
        "films-du-sillon",
        "drama",
        "Un pêcheur de Fécamp face à la fermeture du port.",
        "VF; VFSTF-SME",
    ),
    (
        "Nos Voisins les castors",
        "",
        2026,
        74,
        "FR",
        "fr",
        "Aude Perrin",
        "",
        "lanterne-distribution",
        "documentary; family",
        "Une année au bord d'un ruisseau jurassien.",
        "VF; VF-AD; VFSTF-SME; LSF",
    ),
    (
        "Les Mains de la terre",
        "",
        2025,
        81,
        "FR",
        "fr",
        "Julien Marchal",
        "",
        "lanterne-distribution",
        "documentary",
        "Des maraîchers racontent leur métier au fil des saisons.",
        "VF; VFSTF-SME",
    ),
    (
        "Petite Ourse",
        "",
        2026,
        45,
        "FR",
        "fr",
        "Léa Fontaine",
        "",
        "lanterne-distribution",
        "animation; family",
        "Trois courts métrages pour les tout-petits.",
        "VF; VF-AD",
    ),
    (
        "Sous le ciel de Dakar",
        "",
        2025,
        102,
        "SN; FR",
        "wo; fr",
        "Aminata Diallo",
        "Moussa Ndiaye; Awa Sarr",
        "rivages-films",
        "drama",
        "Une chauffeuse de taxi et ses passagers, le temps d'une nuit.",
        "VOSTFR; VFSTF-SME",
    ),
    (
        "La Montagne bleue",
        "Azul montaña",
        2026,
        118,
        "AR",
        "es",
        "Lucía Ferreyra",
        "Tomás Ibáñez",
        "rivages-films",
        "drama; adventure",
        "Une guide andine conduit une expédition qui tourne mal.",
        "VOSTFR; VF-AD",
    ),
    (
        "Le Thé de l'après-midi",
        "",
        2025,
        97,
        "JP",
        "ja",
        "Haruki Sato",
        "Yumi Kondo",
        "rivages-films",
        "drama",
        "Une famille de Kyoto se retrouve autour de la grand-mère.",
        "VOSTFR; VOSTFR-SME",
    ),
    (
        "Le Puits",
        "",
        2026,
        99,
        "FR",
        "fr",
        "Antoine Leclerc",
        "Maud Renard; Yanis Baroud",
        "contrechamp-distribution",
        "horror; thriller",
        "Un été caniculaire, un puits que personne ne doit ouvrir.",
        "VF; VFSTF-SME",
    ),
    (
        "Première Neige",
        "",
        2025,
        91,
        "FR",
        "fr",
        "Sarah Benoît",
        "Chloé Marin",
        "contrechamp-distribution",
        "drama",
        "Le premier film d'une jeune cinéaste des Alpes.",
        "VF; VF-AD; VFSTF-SME",
    ),
    (
        "Orbite basse",
        "",
        2026,
        107,
        "FR",
        "fr",
        "Kevin Laurent",
        "Sonia Adam",
        "contrechamp-distribution",
        "science_fiction",
        "Une mécanicienne répare des satellites que plus personne n'écoute.",
        "VF; VF-AD",
    ),
    (
        "La Nuit des lucioles",
        "",
        2025,
        94,
        "FR",
        "fr",
        "Élodie Garnier",
        "",
        "contrechamp-distribution",
        "fantasy; family",
        "Une fillette suit les lucioles jusqu'à un monde caché.",
        "VF; VF-AD; LSF",
    ),
    (
        "Les Fleuves du Nord",
        "",
        2026,
        101,
        "CA",
        "fr",
        "Geneviève Tremblay",
        "Maxime Gagnon; Rosalie Côté",
        "boreale-films",
        "drama",
        "Une pilote de brousse ravitaille les villages de la Côte-Nord.",
        "VF; VF-AD; VFSTF-SME",
    ),
    (
        "Maman a un chalet",
        "",
        2026,
        95,
        "CA",
        "fr",
        "Catherine Bouchard",
        "Anne Lavoie",
        "boreale-films",
        "comedy",
        "Trois sœurs, un chalet, une semaine de pluie.",
        "VF; VF-AD; VFSTF-SME",
    ),
    (
        "Le Dernier Traîneau",
        "",
        2024,
        78,
        "CA",
        "fr; iu",
        "Simon Ouellet",
        "",
        "boreale-films",
        "documentary",
        "Un musher du Nunavik transmet son savoir.",
        "VOSTFR; VFSTF-SME",
    ),
    (
        "Le Grand Voyage de Pom",
        "",
        2026,
        62,
        "FR",
        "fr",
        "Margot Leroy",
        "",
        "petit-ecran-vert",
        "animation; family",
        "Une pomme roule jusqu'à la mer.",
        "VF; VF-AD; VFSTF-SME; LSF",
    ),
    (
        "Les Souris du grenier",
        "",
        2025,
        41,
        "FR; BE",
        "fr",
        "Hélène Dubois",
        "",
        "petit-ecran-vert",
        "animation; family",
        "Cinq courts métrages d'animation en papier.",
        "VF; VF-AD",
    ),
    (
        "Cache-cache au jardin",
        "",
        2026,
        38,
        "FR",
        "fr",
        "Noémie Blanc",
        "",
        "petit-ecran-vert",
        "animation; family",
        "Un programme pour les enfants dès trois ans.",
        "VF; VF-AD; LSF",
    ),
    (
        "L'Atelier du dimanche",
        "",
        2025,
        99,
        "FR",
        "fr",
        "Isabelle Caron",
        "Mathilde Roche; Jean Aubry",
        "films-du-sillon",
        "comedy; drama",
        "Un atelier de couture rassemble des voisins qui ne se parlaient plus.",
        "VF; VF-AD; VFSTF-SME",
    ),
    (
        "Terre rouge",
        "",
        2025,
        106,
        "BF; FR",
        "fr; mos",
        "Issa Ouédraogo",
        "Fatou Kaboré",
        "rivages-films",
        "drama",
        "Une institutrice ouvre une école dans un village du Sahel.",
        "VF; VOSTFR; VF-AD",
    ),
    (
        "La Classe verte",
        "",
        2026,
        84,
        "FR",
        "fr",
        "Sophie Meunier",
        "",
        "lanterne-distribution",
        "documentary; family",
        "Une classe de CM2 passe un mois dans une ferme.",
        "VF; VF-AD; VFSTF-SME",
    ),
    (
        "Aurores",
        "",
        2025,
        90,
        "CA",
        "fr; en",
        "Marie-Ève Lapointe",
        "Jade Fortin",
        "boreale-films",
        "drama; romance",
        "Deux astronomes amateurs se rencontrent sous les aurores boréales.",
        "VF; VOSTFR; VF-AD; VFSTF-SME",
    ),
    (
        "Les Arbres de l'hiver",
        "",
        2026,
        102,
        "CA",
        "fr",
        "Julie Gauthier",
        "Émilie Bergeron; Samuel Paré",
        "boreale-films",
        "drama",
        "Un hiver dans une scierie de l'Abitibi, entre une mère et son fils.",
        "VF; VF-AD",
    ),
    (
        "La Traversée des Monts",
        "",
        2026,
        95,
        "FR",
        "fr",
        "Paul Rivière",
        "Agathe Morin",
        "films-du-sillon",
        "adventure; drama",
        "Deux randonneuses traversent les Pyrénées sur les chemins des passeurs.",
        "VF; VFSTF-SME",
    ),
    (
        "Lumières du Nord",
        "Northern Lights",
        2025,
        88,
        "CA",
        "en",
        "Sarah McKenzie",
        "",
        "boreale-films",
        "documentary",
        "Des astronomes du Yukon filment les aurores d'un hiver entier.",
        "VOSTFR",
    ),
    (
        "Été indien à Rimouski",
        "",
        2026,
        110,
        "CA",
        "fr",
        "Mathieu Lévesque",
        "Claudia Dionne; Félix Ouellet",
        "boreale-films",
        "comedy; romance",
        "Une fin de saison sur le Saint-Laurent, un festival à sauver.",
        "VF",
    ),
    (
        "Le Gardien du phare",
        "",
        2025,
        97,
        "FR",
        "fr",
        "Erwan Le Floch",
        "Yves Morvan",
        "contrechamp-distribution",
        "drama",
        "Le dernier gardien d'un phare d'Ouessant refuse de partir.",
        "VF; VF-AD; VFSTF-SME",
    ),
    (
        "Mémoires d'une rivière",
        "Memorias de un río",
        2026,
        76,
        "CO; FR",
        "es",
        "Valentina Ortiz",
        "",
        "rivages-films",
        "documentary",
        "Les habitants d'une rivière colombienne racontent ce qu'elle emporte.",
        "VOSTFR; VF",
    ),
]

#: Visa numbers the box-office exports of the demo's member cinemas name their films by
#: (``fixtures/boxoffice/``); the other films get one of their own.
VISAS = {
    "Les Arbres de l'hiver": "158432",
    "La Traversée des Monts": "160017",
    "Lumières du Nord": "159874",
    "Été indien à Rimouski": "161203",
    "Le Gardien du phare": "157655",
    "Mémoires d'une rivière": "",
}

#: Hours of the screenings the association lists for its member cinemas.
SHOW_TIMES = (dt.time(14, 0), dt.time(18, 0), dt.time(20, 30))


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _poster(title: str, collection):
    """A poster drawn with Pillow: a colour from the title, the title across it."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    digest = hashlib.sha256(title.encode()).digest()
    background = tuple(40 + value % 120 for value in digest[:3])
    accent = tuple(150 + value % 100 for value in digest[3:6])
    picture = PILImage.new("RGB", (400, 600), background)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((24, 24, 376, 576), outline=accent, width=6)
    draw.ellipse((100, 140, 300, 340), fill=accent)
    y = 400
    for line in _wrap(title, 18):
        draw.text((40, y), line, fill=(255, 255, 255))
        y += 22
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    image = get_image_model()(
        title=f"Affiche — {title}",
        collection=collection,
        file=ImageFile(io.BytesIO(buffer.getvalue()), name=f"affiche-{digest.hex()[:10]}.png"),
    )
    image.save()
    return image


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def _version(spec_text: str) -> FilmVersion:
    spec = parse_version(spec_text)
    return FilmVersion(
        label=spec.label,
        audio_language=spec.audio_language,
        subtitle_language=spec.subtitle_language,
        **spec.accessibility(),
    )


def load_demo_films(*, site, today: dt.date | None = None, log=None) -> int:
    """Create the network's film database and its member cinemas' screenings (once: a database
    that already has films is left as it is); returns how many films it created."""
    settings = OrganizationSettings.for_site(site)
    if settings.kind == OrganizationKind.CINEMA:
        return _member_cinema(site, settings, today or timezone.localdate(), log)
    if settings.kind != OrganizationKind.NETWORK:
        return 0
    index = FilmIndexPage.objects.filter(path__startswith=site.root_page.path).first()
    if index is None or FilmPage.objects.descendant_of(index).exists():
        return 0
    today = today or timezone.localdate()
    records = {
        page.slug: page
        for page in OrganizationPage.objects.live().filter(
            path__startswith=site.root_page.path, kind__in=("cinema", "distributor")
        )
    }
    collection = organization_collection(site)
    films = []
    for number, row in enumerate(FILMS):
        (
            title,
            original,
            year,
            minutes,
            countries,
            languages,
            directors,
            cast,
            distributor,
            genres,
            synopsis,
            versions,
        ) = row
        film = FilmPage(
            title=title,
            original_title=original,
            year=year,
            duration=minutes,
            countries=_split(countries),
            original_languages=_split(languages),
            distributor=records.get(distributor),
            release_date=today + dt.timedelta(days=7 * (number % 6) - 21),
            poster=_poster(title, collection),
            poster_credit=f"Illustration : {settings.display_name}",
            synopsis=f"<p>{synopsis}</p>",
            genres=_split(genres),
            age_rating="all",
            visa_number=VISAS.get(title, f"{162000 + number * 37}"),
            external_id=f"demo-film-{number + 1:02d}",
        )
        film.credits = [
            *(FilmCredit(role=FilmCredit.Role.DIRECTOR, name=name) for name in _split(directors)),
            *(FilmCredit(role=FilmCredit.Role.ACTOR, name=name) for name in _split(cast)),
        ]
        film.versions = [_version(code) for code in _split(versions)]
        index.add_child(instance=film)
        film.save_revision().publish()
        films.append(FilmPage.objects.get(pk=film.pk))
    cinemas = [p for p in records.values() if p.kind == "cinema"]
    count = _screenings(site, films, cinemas, today)
    count += _past_screenings(site, films, cinemas, today)
    profiles = _cinema_profiles(site, cinemas)
    # The association's agenda shows its members' events and screenings beside its own.
    EventIndexPage.objects.filter(path__startswith=site.root_page.path).update(
        show_network_members=True
    )
    login = _distributor_login(site, records.get(DISTRIBUTOR_WITH_LOGIN))
    contacts = _directory(site, records)
    if log:
        log(
            f"“{settings.display_name}”: {len(films)} films, {count} screenings, "
            f"{profiles} cinema profiles, "
            f"{contacts} distributors' contacts; distributor login “{login}” / "
            f"{DEMO_PASSWORD}."
        )
    return len(films)


#: The distributor whose staff have a login (they add and submit their own films).
DISTRIBUTOR_WITH_LOGIN = "films-du-sillon"
DISTRIBUTOR_LOGIN = "distribution@films-du-sillon.example.org"
DEMO_PASSWORD = "demo-mot-de-passe"  # noqa: S105 - demo only, printed by load_demo

#: Contacts the distributors validated for the members' directory: (distributor, name, role,
#: territory, e-mail, phone).
CONTACTS = [
    (
        "films-du-sillon",
        "Hélène Marchetti",
        "Programmation des salles",
        "France",
        "programmation@films-du-sillon.example.org",
        "01 55 55 02 20",
    ),
    (
        "films-du-sillon",
        "Bruno Carré",
        "Versions accessibles",
        "France",
        "accessibilite@films-du-sillon.example.org",
        "01 55 55 02 21",
    ),
    (
        "lanterne-distribution",
        "Aïcha Benali",
        "Jeune public",
        "Auvergne-Rhône-Alpes",
        "jeunepublic@lanterne-distribution.example.org",
        "04 55 55 02 22",
    ),
    (
        "boreale-films",
        "Pierre-Luc Gagné",
        "Ventes et programmation",
        "France et Belgique",
        "ventes@boreale-films.example.org",
        "03 55 55 02 23",
    ),
]


def _distributor_login(site, distributor) -> str:
    """One distributor with a login in its part of the film database (no e-mail sent)."""
    if distributor is None:
        return ""
    access = distributor_access_grant(site=site, distributor=distributor)
    user = distributor_user_add(access=access, email=DISTRIBUTOR_LOGIN, invite=False)
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    return user.get_username()


def _directory(site, records) -> int:
    now = timezone.now()
    rows = [
        DistributorContact(
            site=site,
            distributor=records[key],
            name=name,
            role=role,
            territory=territory,
            email=email,
            phone=phone,
            validated_at=now,
            consent_at=now,
            consent_text=(
                "J’accepte que mes coordonnées professionnelles soient communiquées aux salles "
                "membres du réseau, dans leur espace membre."
            ),
        )
        for key, name, role, territory, email, phone in CONTACTS
        if key in records
    ]
    DistributorContact.objects.bulk_create(rows)
    return len(rows)


#: The box-office export of each demo member cinema (``fixtures/boxoffice/``), and the day its
#: sessions start on: the demo moves them to the coming days.
BOXOFFICE = Path(__file__).resolve().parents[1] / "fixtures" / "boxoffice"
EXPORTS = {
    "Cinéma Lumière": "cinema-lumiere-seances.csv",
    "Le Rex": "le-rex-sessions.xlsx",
}
EXPORTS_FIRST_DAY = dt.date(2027, 1, 4)


def _member_cinema(site, settings, today, log) -> int:
    """A member cinema with a site of its own: it shares its events with the network and brings
    its screenings in from its box-office export, as its staff would."""
    network = (
        Site.objects.filter(organizationsettings__kind=OrganizationKind.NETWORK)
        .exclude(pk=site.pk)
        .order_by("pk")
        .first()
    )
    if network is not None:
        sharing = NetworkSharing.for_site(site)
        sharing.network = network
        sharing.share_events = True
        sharing.save()
        # The association accepts its member (its « Membres du réseau » settings).
        NetworkMembers.for_site(network).accepted_members.add(site)
    name = EXPORTS.get(site.site_name)
    if name is None or Screening.objects.filter(site=site).exists():
        return 0
    # The export's sessions, moved to start on the coming Monday.
    monday = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
    data = shifted_export((BOXOFFICE / name).read_bytes(), name, monday - EXPORTS_FIRST_DAY)
    report = boxoffice_import(site=site, data=data, filename=name, accept_close_matches=True)
    if log:
        log(
            f"“{settings.display_name}”: {report.new} screenings from its box-office export "
            f"({len(report.matched)} films found, {len(report.drafts)} new draft films, "
            f"{len(report.errors)} errors)."
        )
    return report.new


def shifted_export(data: bytes, filename: str, shift: dt.timedelta) -> bytes:
    """A box-office export with every date moved by ``shift``: a CSV's « 04/01/2027 », an
    XLSX's date and date-time cells."""
    if filename.endswith(".csv"):
        text = data.decode("cp1252")

        def move(match):
            day = dt.date(int(match[3]), int(match[2]), int(match[1])) + shift
            return day.strftime("%d/%m/%Y")

        return re.sub(r"\b(\d{2})/(\d{2})/(\d{4})\b", move, text).encode("cp1252")
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.value = cell.value + shift
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _screenings(site, films, cinemas, today) -> int:
    """Four weeks of screenings at each member cinema record: three films a week, each shown
    at the cinema's usual times, in its French or accessible versions in turn."""
    zone = ZoneInfo(OrganizationSettings.for_site(site).time_zone)
    rows = []
    for c, cinema in enumerate(sorted(cinemas, key=lambda page: page.pk)):
        for week in range(4):
            for slot in range(3):
                film = films[(c * 3 + week * 5 + slot) % len(films)]
                versions = list(film.versions.all())
                for day_offset in (2, 4, 5):
                    day = today + dt.timedelta(days=week * 7 + day_offset)
                    version = versions[(day_offset + slot) % len(versions)]
                    start = dt.datetime.combine(day, SHOW_TIMES[slot], tzinfo=zone)
                    screening = Screening(
                        site=site,
                        cinema=cinema,
                        film=film,
                        version=version,
                        version_label=version.label,
                        room=str(slot + 1),
                        starts_at=start,
                        ends_at=start + dt.timedelta(minutes=film.duration or 90),
                        local_date=day,
                    )
                    screening.set_derived_fields()
                    rows.append(screening)
    Screening.objects.bulk_create(rows)
    return len(rows)


#: Weeks of past screenings, with their admissions, for the barometer and the cinemas' figures.
PAST_WEEKS = 26


def _past_screenings(site, films, cinemas, today) -> int:
    """Twenty-six weeks of past screenings at each member cinema record, with admissions (as
    the box-office imports would have brought them): what the weekly barometer and the open
    data's admissions and market shares read. Seeded: the same figures on every load."""
    zone = ZoneInfo(OrganizationSettings.for_site(site).time_zone)
    chance = random.Random(f"{site.site_name}-admissions")  # noqa: S311 - demo figures
    rows = []
    for c, cinema in enumerate(sorted(cinemas, key=lambda page: page.pk)):
        # Some cinemas draw more people than others: their share of the network differs.
        audience = 15 + (c * 37) % 60
        for week in range(1, PAST_WEEKS + 1):
            for slot in range(3):
                film = films[(c * 5 + week * 3 + slot) % len(films)]
                for day_offset in (1, 4):
                    day = today - dt.timedelta(days=week * 7 - day_offset)
                    start = dt.datetime.combine(day, SHOW_TIMES[slot], tzinfo=zone)
                    screening = Screening(
                        site=site,
                        cinema=cinema,
                        film=film,
                        version_label="VF",
                        room=str(slot + 1),
                        starts_at=start,
                        ends_at=start + dt.timedelta(minutes=film.duration or 90),
                        local_date=day,
                        admissions=audience + chance.randint(0, audience),
                        currency="EUR",
                    )
                    screening.set_derived_fields()
                    rows.append(screening)
    Screening.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


#: (classification, Jeune public, Patrimoine et répertoire, Recherche et découverte, Court
#: métrage, screens, seats) of the member cinemas in turn.
PROFILES = [
    ("A", True, True, True, False, 5, 820),
    ("B", True, False, True, False, 3, 410),
    ("C", True, True, False, True, 2, 260),
    ("", False, False, False, False, 1, 120),
    ("D", True, False, False, False, 2, 180),
    ("B", False, True, True, True, 4, 560),
    ("E", True, False, False, False, 1, 95),
]


def _cinema_profiles(site, cinemas) -> int:
    """The member cinemas' Art et Essai classification, labels, screens and seats."""
    rows = []
    for n, cinema in enumerate(sorted(cinemas, key=lambda page: page.sort_name)):
        classification, young, heritage, research, shorts, screens, seats = PROFILES[
            n % len(PROFILES)
        ]
        rows.append(
            CinemaProfile(
                site=site,
                cinema=cinema,
                classification=classification,
                label_young_audience=young,
                label_heritage=heritage,
                label_research=research,
                label_short_films=shorts,
                screens=screens,
                seats=seats + 10 * n,
            )
        )
    CinemaProfile.objects.bulk_create(rows)
    return len(rows)
