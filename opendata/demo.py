"""The demo's data portals (``load_demo``, through the ``load_demo_content`` hook).

The association (the organization of kind network) publishes its active cinemas on a map, its
agenda, Open Films and the weekly admissions barometer (members only) as live datasets — views
of the records its staff keep — and a few uploaded tables: some 5,000 schools with a film
option in Québec and France, film festivals, screens per region and the subsidies paid to its
cinemas. The production centre publishes its equipment catalogue and its events.

Everything is fictional: the schools are made up from invented parts near real city centres,
generated in code from a fixed seed (the same rows on every load), and stored in bulk through
``opendata.uploads.store_table``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from django.utils import timezone

from organizations.models import OrganizationKind, OrganizationSettings

from .fields import Field, FieldType
from .models import (
    DatasetAccess,
    DatasetIndexPage,
    DatasetPage,
    DatasetTheme,
    Frequency,
    Licence,
    SourceKind,
)
from .uploads import store_table

#: How many schools the demo's largest table has.
SCHOOLS = 5000


def load_demo_opendata(*, site, today: dt.date | None = None, log=None) -> int:
    """The data portal of a demo network or production centre (once: a portal that already has
    datasets is left as it is); returns how many datasets it created."""
    settings = OrganizationSettings.for_site(site)
    specs = {
        OrganizationKind.NETWORK: network_datasets,
        OrganizationKind.PRODUCTION_CENTRE: production_centre_datasets,
    }.get(settings.kind)
    portal = DatasetIndexPage.objects.filter(path__startswith=site.root_page.path).first()
    if specs is None or portal is None or DatasetPage.objects.child_of(portal).exists():
        return 0
    today = today or timezone.localdate()
    common = {
        "publisher": settings.display_name,
        "contact_name": f"Données ouvertes — {settings.display_name}",
        # The organization's first public address (its reception).
        "contact_email": next(
            (
                point.email
                for point in settings.contact_points.order_by("sort_order")
                if point.email
            ),
            "",
        ),
    }
    created = 0
    rows = 0
    for spec in specs(today):
        table = spec.pop("table", None)
        page = DatasetPage(**{**common, **spec})
        portal.add_child(instance=page)
        page.save_revision().publish()
        if table is not None:
            fields, records, filename = table
            rows += store_table(page, fields, records, filename=filename).row_count
        created += 1
    if log:
        log(f"“{settings.display_name}”: {created} datasets ({rows} rows uploaded).")
    return created


# --- The association's datasets -------------------------------------------------------------


def network_datasets(today: dt.date) -> list[dict]:
    return [
        {
            "title": "Cinémas actifs",
            "slug": "cinemas-actifs",
            "description": (
                "Les salles de cinéma du réseau, leur adresse et leur position sur la carte, le "
                "nombre d'écrans et de fauteuils. Les adhérents lisent aussi le classement Art et "
                "Essai, les labels, les entrées des 52 dernières semaines et la part de chaque "
                "salle dans les entrées du réseau."
            ),
            "keywords": "cinéma, salles, art et essai, carte, équipements culturels",
            "themes": [DatasetTheme.EDUC, DatasetTheme.REGI],
            "licence": Licence.ETALAB_2,
            "temporal_start": today,
            "frequency": Frequency.CONTINUOUS,
            "spatial_coverage": "France",
            "source_kind": SourceKind.LIVE,
            "live_source": "films.cinemas",
        },
        {
            "title": "Agenda",
            "slug": "agenda",
            "description": (
                "Les prochaines dates de l'agenda du réseau : ses événements, les séances et les "
                "événements partagés par les salles membres, avec le lieu, la ville, les tarifs "
                "et l'accessibilité."
            ),
            "keywords": "agenda, événements, séances, sorties",
            "themes": [DatasetTheme.EDUC],
            "licence": Licence.ETALAB_2,
            "frequency": Frequency.CONTINUOUS,
            "spatial_coverage": "France",
            "temporal_start": today,
            "source_kind": SourceKind.LIVE,
            "live_source": "events.agenda",
        },
        {
            "title": "Open Films",
            "slug": "open-films",
            "description": (
                "Les films publiés de la base du réseau et leurs versions : titre, année, durée, "
                "pays, langues, genres, distributeur, date de sortie, versions accessibles "
                "(audiodescription, sous-titres pour sourds et malentendants) et identifiants."
            ),
            "keywords": "films, distribution, accessibilité, audiodescription, visa",
            "themes": [DatasetTheme.EDUC, DatasetTheme.ECON],
            "licence": Licence.ODBL,
            "temporal_start": dt.date(1950, 1, 1),
            "frequency": Frequency.CONTINUOUS,
            "spatial_coverage": "France",
            "source_kind": SourceKind.LIVE,
            "live_source": "films.films",
        },
        {
            "title": "Baromètre hebdomadaire des entrées",
            "slug": "barometre-hebdomadaire-des-entrees",
            "description": (
                "Les entrées de chaque semaine, par film et par salle, sur les 26 dernières "
                "semaines, d'après les exports de billetterie des salles. Réservé aux adhérents."
            ),
            "keywords": "entrées, billetterie, fréquentation, baromètre",
            "themes": [DatasetTheme.ECON, DatasetTheme.EDUC],
            "licence": Licence.OTHER,
            "frequency": Frequency.WEEKLY,
            "spatial_coverage": "France",
            "temporal_start": today - dt.timedelta(weeks=26),
            "access": DatasetAccess.MEMBERS,
            "source_kind": SourceKind.LIVE,
            "live_source": "films.barometer",
        },
        {
            "title": "Établissements scolaires avec une option cinéma",
            "slug": "etablissements-option-cinema",
            "description": (
                "Écoles, collèges, lycées, écoles secondaires et cégeps qui proposent une option, "
                "une spécialité ou un dispositif d'éducation au cinéma, au Québec et en France, "
                "avec leur position et leurs effectifs. Données fictives de démonstration : "
                "aucun de ces établissements n'existe."
            ),
            "keywords": "éducation à l'image, écoles, option cinéma, jeune public",
            "themes": [DatasetTheme.EDUC, DatasetTheme.SOCI],
            "licence": Licence.ETALAB_2,
            "frequency": Frequency.ANNUAL,
            "spatial_coverage": "Québec et France",
            "temporal_start": dt.date(today.year, 1, 1),
            "temporal_end": dt.date(today.year, 12, 31),
            "table": (SCHOOL_FIELDS, schools(), "etablissements-option-cinema.csv"),
        },
        {
            "title": "Festivals de cinéma",
            "slug": "festivals-de-cinema",
            "description": (
                "Les festivals partenaires du réseau : ville, mois, année de création, nombre de "
                "films présentés et position. Données fictives de démonstration."
            ),
            "keywords": "festivals, cinéma, partenaires",
            "themes": [DatasetTheme.EDUC],
            "licence": Licence.CC_BY_4,
            "temporal_start": dt.date(today.year, 1, 1),
            "temporal_end": dt.date(today.year, 12, 31),
            "frequency": Frequency.ANNUAL,
            "spatial_coverage": "France et Québec",
            "table": (FESTIVAL_FIELDS, rows_of(FESTIVAL_FIELDS, FESTIVALS), "festivals.csv"),
        },
        {
            "title": "Écrans par région",
            "slug": "ecrans-par-region",
            "description": (
                "Le nombre de salles, d'écrans et de fauteuils des cinémas adhérents par région. "
                "Données fictives de démonstration."
            ),
            "keywords": "écrans, fauteuils, régions, équipement cinématographique",
            "themes": [DatasetTheme.REGI, DatasetTheme.EDUC],
            "licence": Licence.ETALAB_2,
            "frequency": Frequency.ANNUAL,
            "spatial_coverage": "France",
            "temporal_start": dt.date(today.year - 1, 1, 1),
            "temporal_end": dt.date(today.year - 1, 12, 31),
            "table": (REGION_FIELDS, rows_of(REGION_FIELDS, REGIONS), "ecrans-par-region.xlsx"),
        },
        {
            "title": "Aides attribuées aux salles",
            "slug": "aides-aux-salles",
            "description": (
                "Les aides à la programmation et à l'éducation à l'image versées aux salles "
                "adhérentes. Les montants sont réservés aux adhérents. Données fictives de "
                "démonstration."
            ),
            "keywords": "aides, subventions, programmation, éducation à l'image",
            "themes": [DatasetTheme.ECON, DatasetTheme.GOVE],
            "licence": Licence.ETALAB_2,
            "frequency": Frequency.ANNUAL,
            "spatial_coverage": "France",
            "temporal_start": dt.date(today.year - 2, 1, 1),
            "temporal_end": dt.date(today.year - 1, 12, 31),
            "members_fields": "montant",
            "table": (SUBSIDY_FIELDS, subsidies(today), "aides-aux-salles.ods"),
        },
    ]


# --- The production centre's datasets ----------------------------------------------------------


def production_centre_datasets(today: dt.date) -> list[dict]:
    return [
        {
            "title": "Catalogue d'équipement",
            "slug": "catalogue-equipement",
            "description": (
                "Le matériel que le centre loue aux productions : catégorie, marque, modèle et "
                "tarifs à la journée (non-membres, membres, productions commerciales)."
            ),
            "keywords": "équipement, location, caméras, éclairage, son",
            "themes": [DatasetTheme.EDUC, DatasetTheme.ECON],
            "licence": Licence.CC_BY_4,
            "temporal_start": today,
            "frequency": Frequency.CONTINUOUS,
            "spatial_coverage": "Québec",
            "source_kind": SourceKind.LIVE,
            "live_source": "rentals.equipment",
        },
        {
            "title": "Événements du centre",
            "slug": "evenements",
            "description": (
                "Les prochaines dates de l'agenda du centre : ateliers, projections, rencontres "
                "et festival, avec le lieu, la ville et les tarifs."
            ),
            "keywords": "agenda, ateliers, projections, formations",
            "themes": [DatasetTheme.EDUC],
            "licence": Licence.CC_BY_4,
            "frequency": Frequency.CONTINUOUS,
            "spatial_coverage": "Québec",
            "temporal_start": today,
            "source_kind": SourceKind.LIVE,
            "live_source": "events.agenda",
        },
    ]


# --- Schools with a film option (fictional, generated) -----------------------------------------

SCHOOL_FIELDS = (
    Field("nom", "Nom"),
    Field("niveau", "Niveau", facet=True),
    Field("option", "Option ou dispositif", facet=True),
    Field("ville", "Ville", facet=True),
    Field("region", "Région", facet=True),
    Field("pays", "Pays", facet=True),
    Field("eleves", "Élèves", FieldType.INTEGER),
    Field("eleves_option", "Élèves suivant l'option", FieldType.INTEGER),
    Field("position", "Position", FieldType.GEO_POINT),
)

#: (city, region, latitude, longitude) of real city centres; the schools are placed around them.
CITIES = {
    "Canada": [
        ("Montréal", "Montréal", 45.5019, -73.5674),
        ("Québec", "Capitale-Nationale", 46.8139, -71.2080),
        ("Laval", "Laval", 45.6066, -73.7124),
        ("Gatineau", "Outaouais", 45.4765, -75.7013),
        ("Longueuil", "Montérégie", 45.5312, -73.5181),
        ("Sherbrooke", "Estrie", 45.4042, -71.8929),
        ("Trois-Rivières", "Mauricie", 46.3432, -72.5432),
        ("Saguenay", "Saguenay–Lac-Saint-Jean", 48.4284, -71.0686),
        ("Rimouski", "Bas-Saint-Laurent", 48.4490, -68.5230),
        ("Rouyn-Noranda", "Abitibi-Témiscamingue", 48.2366, -79.0231),
    ],
    "France": [
        ("Paris", "Île-de-France", 48.8566, 2.3522),
        ("Lyon", "Auvergne-Rhône-Alpes", 45.7640, 4.8357),
        ("Marseille", "Provence-Alpes-Côte d'Azur", 43.2965, 5.3698),
        ("Toulouse", "Occitanie", 43.6047, 1.4442),
        ("Nantes", "Pays de la Loire", 47.2184, -1.5536),
        ("Lille", "Hauts-de-France", 50.6292, 3.0573),
        ("Bordeaux", "Nouvelle-Aquitaine", 44.8378, -0.5792),
        ("Strasbourg", "Grand Est", 48.5734, 7.7521),
        ("Rennes", "Bretagne", 48.1173, -1.6778),
        ("Clermont-Ferrand", "Auvergne-Rhône-Alpes", 45.7772, 3.0870),
        ("Dijon", "Bourgogne-Franche-Comté", 47.3220, 5.0415),
        ("Rouen", "Normandie", 49.4432, 1.0999),
        ("Orléans", "Centre-Val de Loire", 47.9030, 1.9093),
        ("Ajaccio", "Corse", 41.9192, 8.7386),
    ],
}
#: (level, how many pupils at most, options offered) per country.
LEVELS = {
    "Canada": [
        ("École primaire", 600, ("Projet cinéma en classe", "Ciné-club jeunesse")),
        (
            "École secondaire",
            1800,
            ("Concentration cinéma", "Profil arts médiatiques", "Ciné-club jeunesse"),
        ),
        ("Cégep", 4500, ("Programme Arts, lettres et communication — cinéma",)),
    ],
    "France": [
        ("École élémentaire", 400, ("École et cinéma", "Ma classe au cinéma")),
        ("Collège", 900, ("Collège au cinéma", "Atelier cinéma")),
        (
            "Lycée",
            1600,
            (
                "Lycéens et apprentis au cinéma",
                "Cinéma-audiovisuel, enseignement de spécialité",
                "Cinéma-audiovisuel, option facultative",
            ),
        ),
    ],
}
#: Invented parts of names: no combination is a real school.
FIRST_NAMES = (
    "Adèle",
    "Armand",
    "Aurore",
    "Basile",
    "Blanche",
    "Célestin",
    "Clémence",
    "Désiré",
    "Éliane",
    "Fernand",
    "Gilberte",
    "Honorine",
    "Isidore",
    "Joséphine",
    "Léontine",
    "Marius",
    "Noémie",
    "Octave",
    "Philomène",
    "Rosalie",
    "Séraphin",
    "Ursule",
    "Valentin",
    "Zélie",
)
LAST_NAMES = (
    "Aubertin",
    "Bellerose",
    "Chanteclair",
    "Delorme",
    "Estival",
    "Fontenelle",
    "Granval",
    "Hautecœur",
    "Lamarine",
    "Montclar",
    "Noirval",
    "Orsenne",
    "Plessard",
    "Quintal",
    "Rivebelle",
    "Sablière",
    "Tourmaline",
    "Valcourt",
    "Vermandois",
    "Vireloup",
)
PLACES = (
    "des Tilleuls",
    "du Vieux-Moulin",
    "des Trois-Rivages",
    "de la Colline-Bleue",
    "des Hirondelles",
    "du Grand-Pré",
    "des Quatre-Vents",
    "de l'Étang-Clair",
    "des Érables",
    "du Bois-Joli",
    "de la Source-Vive",
    "des Mille-Étoiles",
)


def schools(seed: str = "liens-mutuels-ecoles", count: int = SCHOOLS) -> Iterator[dict]:
    """``count`` fictional schools, the same ones for the same seed: two in three in France,
    one in three in Québec, within about 15 km of a city centre."""
    chance = random.Random(seed)  # noqa: S311 - demo data, not secrets
    for number in range(count):
        country = "Canada" if number % 3 == 0 else "France"
        city, region, lat, lon = chance.choice(CITIES[country])
        level, most, options = chance.choice(LEVELS[country])
        if chance.random() < 0.5:
            named = f"{chance.choice(FIRST_NAMES)}-{chance.choice(LAST_NAMES)}"
        else:
            named = chance.choice(PLACES)
        pupils = chance.randint(most // 6, most)
        yield {
            "nom": f"{level} {named}",
            "niveau": level,
            "option": chance.choice(options),
            "ville": city,
            "region": "Québec" if country == "Canada" else region,
            "pays": country,
            "eleves": pupils,
            "eleves_option": max(8, pupils // chance.randint(4, 20)),
            "position": (
                round(lat + chance.uniform(-0.13, 0.13), 5),
                round(lon + chance.uniform(-0.18, 0.18), 5),
            ),
        }


# --- Small tables -------------------------------------------------------------------------------


def rows_of(fields, rows) -> list[dict]:
    names = [f.name for f in fields]
    return [dict(zip(names, row, strict=True)) for row in rows]


FESTIVAL_FIELDS = (
    Field("festival", "Festival"),
    Field("ville", "Ville", facet=True),
    Field("pays", "Pays", facet=True),
    Field("mois", "Mois", facet=True),
    Field("creation", "Année de création", FieldType.INTEGER),
    Field("films", "Films présentés", FieldType.INTEGER),
    Field("site_web", "Site Web", FieldType.URL),
    Field("position", "Position", FieldType.GEO_POINT),
)
FESTIVALS = [
    (
        "Les Nuits de l'écran vert",
        "Rennes",
        "France",
        "mars",
        1998,
        64,
        "https://ecran-vert.example.org/",
        (48.1173, -1.6778),
    ),
    (
        "Festival des Petites Lanternes",
        "Dijon",
        "France",
        "octobre",
        2004,
        45,
        "https://petites-lanternes.example.org/",
        (47.3220, 5.0415),
    ),
    (
        "Rencontres du film de montagne",
        "Clermont-Ferrand",
        "France",
        "janvier",
        1991,
        80,
        "https://film-montagne.example.org/",
        (45.7772, 3.0870),
    ),
    (
        "Courts d'Azur",
        "Marseille",
        "France",
        "juin",
        2010,
        120,
        "https://courts-azur.example.org/",
        (43.2965, 5.3698),
    ),
    (
        "Festival Cinéma et Mémoire",
        "Lille",
        "France",
        "novembre",
        2001,
        38,
        "https://cinema-memoire.example.org/",
        (50.6292, 3.0573),
    ),
    (
        "Regards du Nord",
        "Rouyn-Noranda",
        "Canada",
        "octobre",
        1995,
        70,
        "https://regards-du-nord.example.org/",
        (48.2366, -79.0231),
    ),
    (
        "Festival des Images boréales",
        "Saguenay",
        "Canada",
        "février",
        2008,
        55,
        "https://images-boreales.example.org/",
        (48.4284, -71.0686),
    ),
    (
        "Ciné-Fleuve",
        "Rimouski",
        "Canada",
        "septembre",
        2013,
        42,
        "https://cine-fleuve.example.org/",
        (48.4490, -68.5230),
    ),
    (
        "Festival Jeune Public des Quatre-Vents",
        "Nantes",
        "France",
        "avril",
        2016,
        36,
        "https://quatre-vents.example.org/",
        (47.2184, -1.5536),
    ),
    (
        "Semaine du cinéma corse et méditerranéen",
        "Ajaccio",
        "France",
        "juillet",
        2006,
        29,
        "https://cinema-corse.example.org/",
        (41.9192, 8.7386),
    ),
]

REGION_FIELDS = (
    Field("region", "Région", facet=True),
    Field("salles", "Salles adhérentes", FieldType.INTEGER),
    Field("ecrans", "Écrans", FieldType.INTEGER),
    Field("fauteuils", "Fauteuils", FieldType.INTEGER),
    Field("art_et_essai", "Salles classées Art et Essai", FieldType.INTEGER),
)
REGIONS = [
    ("Auvergne-Rhône-Alpes", 21, 58, 9850, 17),
    ("Bourgogne-Franche-Comté", 9, 19, 3120, 7),
    ("Bretagne", 14, 31, 5240, 12),
    ("Centre-Val de Loire", 6, 13, 2010, 5),
    ("Corse", 2, 4, 610, 1),
    ("Grand Est", 11, 27, 4480, 8),
    ("Hauts-de-France", 10, 24, 4150, 7),
    ("Île-de-France", 28, 84, 15230, 25),
    ("Normandie", 8, 18, 2890, 6),
    ("Nouvelle-Aquitaine", 17, 40, 6720, 14),
    ("Occitanie", 16, 37, 6080, 13),
    ("Pays de la Loire", 10, 22, 3570, 8),
    ("Provence-Alpes-Côte d'Azur", 13, 34, 5900, 10),
]

SUBSIDY_FIELDS = (
    Field("annee", "Année", FieldType.INTEGER, facet=True),
    Field("salle", "Salle"),
    Field("dispositif", "Dispositif", facet=True),
    Field("montant", "Montant (€)", FieldType.DECIMAL, members_only=True),
)
PROGRAMMES = ("Aide à la programmation", "Éducation à l'image", "Accessibilité des séances")
HALLS = (
    "Cinéma Lumière",
    "Le Rex",
    "Ciné-Vallée",
    "Le Méliès des Collines",
    "L'Écran du Port",
    "Cinéma des Tilleuls",
)


def subsidies(today: dt.date) -> list[dict]:
    """The last two years' subsidies: each cinema gets one to three programmes' aid."""
    rows = []
    for year in (today.year - 2, today.year - 1):
        for hall in HALLS:
            for programme in PROGRAMMES[: 1 + len(hall) % 3]:
                amount = 1500 + (len(rows) * 731) % 6500
                rows.append(
                    {"annee": year, "salle": hall, "dispositif": programme, "montant": amount}
                )
    return rows
