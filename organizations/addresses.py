"""Postal addresses written the way the country's post office and readers expect.

- Canada (Canada Post): the city, the province and the postal code on one line, two spaces before
  the code: « Montréal (Québec)  H2X 1Y4 » in French, "Montréal QC  H2X 1Y4" in English.
- France and its neighbours that write the postal code first: « 69002 Lyon », no region.
- Elsewhere: "City, Region Postal code".

The address stays structured everywhere it is stored and in schema.org's ``PostalAddress``; only
its display is formatted here. Countries are recognised by name (in French or English) or ISO
code; without a country, a Canadian postal code is enough to tell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import translation

#: Two non-breaking spaces: Canada Post's gap before the postal code, kept on one line.
CANADA_POSTAL_CODE_GAP = "\u00a0\u00a0"

CANADIAN_POSTAL_CODE_RE = re.compile(r"^([A-Z]\d[A-Z])\s*(\d[A-Z]\d)$")


@dataclass(frozen=True)
class Province:
    code: str
    french: str
    english: str


PROVINCES = [
    Province("AB", "Alberta", "Alberta"),
    Province("BC", "Colombie-Britannique", "British Columbia"),
    Province("MB", "Manitoba", "Manitoba"),
    Province("NB", "Nouveau-Brunswick", "New Brunswick"),
    Province("NL", "Terre-Neuve-et-Labrador", "Newfoundland and Labrador"),
    Province("NS", "Nouvelle-Écosse", "Nova Scotia"),
    Province("NT", "Territoires du Nord-Ouest", "Northwest Territories"),
    Province("NU", "Nunavut", "Nunavut"),
    Province("ON", "Ontario", "Ontario"),
    Province("PE", "Île-du-Prince-Édouard", "Prince Edward Island"),
    Province("QC", "Québec", "Quebec"),
    Province("SK", "Saskatchewan", "Saskatchewan"),
    Province("YT", "Yukon", "Yukon"),
]

#: Countries whose addresses put the postal code before the city, with no region.
POSTAL_CODE_FIRST = {"FR", "BE", "CH", "LU", "MC", "DE", "AT", "ES", "IT", "NL", "PT"}

COUNTRY_NAMES = {
    "CA": ("canada", "ca", "can"),
    "FR": ("france", "fr", "fra", "republique francaise"),
    "BE": ("belgique", "belgium", "be", "bel"),
    "CH": ("suisse", "switzerland", "ch", "che"),
    "LU": ("luxembourg", "lu", "lux"),
    "MC": ("monaco", "mc", "mco"),
    "DE": ("allemagne", "germany", "deutschland", "de", "deu"),
    "AT": ("autriche", "austria", "at", "aut"),
    "ES": ("espagne", "spain", "espana", "es", "esp"),
    "IT": ("italie", "italy", "italia", "it", "ita"),
    "NL": ("pays-bas", "netherlands", "nederland", "nl", "nld"),
    "PT": ("portugal", "pt", "prt"),
    "US": ("etats-unis", "united states", "usa", "us", "united states of america"),
}


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.casefold().replace(".", " ").split())


COUNTRY_CODES = {name: code for code, names in COUNTRY_NAMES.items() for name in names}
PROVINCES_BY_NAME = {
    _plain(name): province
    for province in PROVINCES
    for name in (province.code, province.french, province.english)
}


def country_code(country: str, postal_code: str = "") -> str:
    """The ISO code of ``country`` as typed (``"Canada"``, ``"France"``, ``"FR"``…), ``""`` when
    unknown; a Canadian postal code stands for Canada when no country is given."""
    code = COUNTRY_CODES.get(_plain(country), "")
    canadian_code = CANADIAN_POSTAL_CODE_RE.match((postal_code or "").strip().upper())
    if not code and not (country or "").strip() and canadian_code:
        return "CA"
    return code


def canadian_postal_code(postal_code: str) -> str:
    """``h2x1y4`` → ``H2X 1Y4``; anything else as typed."""
    match = CANADIAN_POSTAL_CODE_RE.match((postal_code or "").strip().upper())
    return f"{match.group(1)} {match.group(2)}" if match else (postal_code or "").strip()


def _canadian_locality_line(locality: str, region: str, postal_code: str, language: str) -> str:
    province = PROVINCES_BY_NAME.get(_plain(region))
    if language == "fr":
        region_text = province.french if province else region
        place = f"{locality} ({region_text})" if locality and region_text else locality or region
    else:
        region_text = province.code if province else region
        place = " ".join(part for part in (locality, region_text) if part)
    code = canadian_postal_code(postal_code)
    return CANADA_POSTAL_CODE_GAP.join(part for part in (place, code) if part)


def address_lines(
    *,
    street_address: str = "",
    postal_code: str = "",
    locality: str = "",
    region: str = "",
    country: str = "",
    language: str | None = None,
) -> list[str]:
    """The lines of an address as the country writes them, in ``language`` (the active one by
    default) where the country's format depends on it. Blank parts are left out."""
    language = (language or translation.get_language() or "fr").split("-")[0]
    street_address, postal_code, locality, region, country = (
        (value or "").strip() for value in (street_address, postal_code, locality, region, country)
    )
    code = country_code(country, postal_code)
    if code == "CA":
        locality_line = _canadian_locality_line(locality, region, postal_code, language)
    elif code in POSTAL_CODE_FIRST:
        locality_line = " ".join(part for part in (postal_code, locality) if part)
    else:
        place = ", ".join(part for part in (locality, region) if part)
        locality_line = " ".join(part for part in (place, postal_code) if part)
    return [line for line in (street_address, locality_line, country) if line]


ADDRESS_FIELDS = ("street_address", "postal_code", "locality", "region", "country")


def place_address_lines(place, language: str | None = None) -> list[str]:
    """:func:`address_lines` of anything with the address fields (``street_address``,
    ``postal_code``, ``locality``, ``region``, ``country``): a model with those attributes, or
    a block's value with those keys."""
    if isinstance(place, Mapping):
        parts = {name: place.get(name) or "" for name in ADDRESS_FIELDS}
    else:
        parts = {name: getattr(place, name, "") or "" for name in ADDRESS_FIELDS}
    return address_lines(**parts, language=language)
