"""Names of the countries films most often come from, for the public pages and the JSON-LD.

A film stores ISO 3166-1 alpha-2 codes; no library of country names is installed, so the
countries of the network's films are named here, in English with their French translation in
the catalogue. A code not in the table is shown as it is (``KZ``): honest, and an editor can ask
for it to be added.
"""

from django.utils.translation import gettext_lazy as _

COUNTRY_NAMES = {
    "AR": _("Argentina"),
    "AT": _("Austria"),
    "AU": _("Australia"),
    "BE": _("Belgium"),
    "BF": _("Burkina Faso"),
    "BR": _("Brazil"),
    "CA": _("Canada"),
    "CH": _("Switzerland"),
    "CI": _("Côte d’Ivoire"),
    "CL": _("Chile"),
    "CM": _("Cameroon"),
    "CN": _("China"),
    "CO": _("Colombia"),
    "CZ": _("Czechia"),
    "DE": _("Germany"),
    "DK": _("Denmark"),
    "DZ": _("Algeria"),
    "EG": _("Egypt"),
    "ES": _("Spain"),
    "FI": _("Finland"),
    "FR": _("France"),
    "GB": _("United Kingdom"),
    "GR": _("Greece"),
    "HT": _("Haiti"),
    "HU": _("Hungary"),
    "IE": _("Ireland"),
    "IL": _("Israel"),
    "IN": _("India"),
    "IR": _("Iran"),
    "IS": _("Iceland"),
    "IT": _("Italy"),
    "JP": _("Japan"),
    "KR": _("South Korea"),
    "LB": _("Lebanon"),
    "LU": _("Luxembourg"),
    "MA": _("Morocco"),
    "ML": _("Mali"),
    "MX": _("Mexico"),
    "NL": _("Netherlands"),
    "NO": _("Norway"),
    "NZ": _("New Zealand"),
    "PL": _("Poland"),
    "PS": _("Palestine"),
    "PT": _("Portugal"),
    "RO": _("Romania"),
    "RU": _("Russia"),
    "SE": _("Sweden"),
    "SN": _("Senegal"),
    "TN": _("Tunisia"),
    "TR": _("Türkiye"),
    "TW": _("Taiwan"),
    "UA": _("Ukraine"),
    "US": _("United States"),
}


def country_name(code: str) -> str:
    """The country's name in the active language, or its code when the table lacks it."""
    name = COUNTRY_NAMES.get(code.upper())
    return str(name) if name is not None else code.upper()
