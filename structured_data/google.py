"""What Google Search needs in the structured data of the rich results we aim for.

Data, not code: :mod:`structured_data.validation` reads these tables. Each requirement names a
property path and the key of the plain-language sentence shown to editors (``MESSAGES`` in
``validation.py``). Sources are Google Search Central's structured data pages, one per entry in
``source``; Google revises them, so re-read that page when a rich result stops showing.

Requirement paths
    ``"name"``                 the node has a non-empty ``name``;
    ``"acceptedAnswer.text"``  every value of ``acceptedAnswer`` (references followed) has ``text``;
    ``"offers|review|aggregateRating"``  at least one of these (Google's "one of" rules).

A requirement with ``when`` applies only to nodes with that property value (a rescheduled
event's previous date). A requirement marked ``except_last`` is waived for the last item of a
list (the last breadcrumb, the current page, needs no link).

Requirements apply to a node of the listed type or of any of its schema.org subtypes (an NGO is an
Organization, a ScreeningEvent an Event). ``NESTED`` adds requirements on the values of one
property of a target type (the questions of an FAQ page, the items of a breadcrumb), matched by
the value's type; ``expected`` is the sentence shown when no value has one of those types.

``not_reported`` lists Google's recommendations we deliberately keep quiet about: identifiers and
statistics the CMS has no field for, reviews we do not collect. Reporting them would give editors
warnings they cannot act on. Move one to ``recommended`` when a field for it appears.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Requirement:
    path: str
    #: Key of the editor-facing sentence in ``validation.MESSAGES``.
    key: str
    except_last: bool = False
    #: ``(property, value)``: the requirement only applies to a node whose ``property`` has
    #: that value (``previousStartDate`` of a rescheduled event).
    when: tuple[str, str] | None = None
    #: A property whose presence makes the requirement moot: a screening presenting a film
    #: (``workPresented``) has no performer, and its tickets are sold at the cinema's box
    #: office, which publishes no prices here — nothing an editor could give.
    unless: str | None = None

    @property
    def alternatives(self) -> tuple[str, ...]:
        return tuple(self.path.split("|"))


R = Requirement

EVENT_DOC = "https://developers.google.com/search/docs/appearance/structured-data/event"
ORGANIZATION_DOC = (
    "https://developers.google.com/search/docs/appearance/structured-data/organization"
)
PROFILE_PAGE_DOC = (
    "https://developers.google.com/search/docs/appearance/structured-data/profile-page"
)
FAQ_DOC = "https://developers.google.com/search/docs/appearance/structured-data/faqpage"
BREADCRUMB_DOC = "https://developers.google.com/search/docs/appearance/structured-data/breadcrumb"
DATASET_DOC = "https://developers.google.com/search/docs/appearance/structured-data/dataset"
PRODUCT_SNIPPET_DOC = (
    "https://developers.google.com/search/docs/appearance/structured-data/product-snippet"
)
MERCHANT_LISTING_DOC = (
    "https://developers.google.com/search/docs/appearance/structured-data/merchant-listing"
)
MOVIE_DOC = "https://developers.google.com/search/docs/appearance/structured-data/movie"
VIDEO_DOC = "https://developers.google.com/search/docs/appearance/structured-data/video"
IMAGE_METADATA_DOC = (
    "https://developers.google.com/search/docs/appearance/structured-data/image-license-metadata"
)
LOGO_DOC = "https://developers.google.com/search/docs/appearance/structured-data/logo"

#: Requirements by node type.
GOOGLE_REQUIREMENTS: dict[str, dict] = {
    # Event: required location, name, startDate; location is a Place (address required) or a
    # VirtualLocation (url required) — see NESTED.
    "Event": {
        "source": EVENT_DOC,
        "required": [
            R("name", "event.name"),
            R("startDate", "event.startDate"),
            R("location", "event.location"),
        ],
        "recommended": [
            R("description", "event.description"),
            R("endDate", "event.endDate"),
            R("eventStatus", "event.eventStatus"),
            R("eventAttendanceMode", "event.eventAttendanceMode"),
            R("image", "event.image"),
            R("offers", "event.offers", unless="workPresented"),
            R("organizer", "event.organizer"),
            R("performer", "event.performer", unless="workPresented"),
            # Only meaningful for a rescheduled event: Google reads it with EventRescheduled.
            R(
                "previousStartDate",
                "event.previousStartDate",
                when=("eventStatus", "https://schema.org/EventRescheduled"),
            ),
        ],
    },
    # Organization: "There are no required properties; instead, add the properties that apply to
    # your content." The logo needs url beside it (LOGO_DOC).
    "Organization": {
        "source": ORGANIZATION_DOC,
        "required": [],
        "recommended": [
            R("name", "organization.name"),
            R("url", "organization.url"),
            R("logo", "organization.logo"),
            R("description", "organization.description"),
            R("address", "organization.address"),
        ],
        "not_reported": [
            "alternateName",
            "legalName",
            "sameAs",
            "telephone",
            "email",
            "contactPoint",
            "foundingDate",
            "numberOfEmployees",
            "iso6523Code",
            "naics",
            "duns",
            "leiCode",
            "globalLocationNumber",
            "taxID",
            "vatID",
        ],
    },
    # ProfilePage: required mainEntity (a Person or an Organization) and mainEntity.name.
    "ProfilePage": {
        "source": PROFILE_PAGE_DOC,
        "required": [R("mainEntity", "profile.mainEntity")],
        "recommended": [
            R("dateCreated", "profile.dateCreated"),
            R("dateModified", "profile.dateModified"),
        ],
    },
    # FAQPage: required mainEntity, a list of Questions (see NESTED). FAQ rich results are shown
    # only for well-known government and health sites since August 2023; the markup stays valid.
    "FAQPage": {
        "source": FAQ_DOC,
        "required": [R("mainEntity", "faq.mainEntity")],
        "recommended": [],
    },
    # BreadcrumbList: required itemListElement (ListItems, see NESTED).
    "BreadcrumbList": {
        "source": BREADCRUMB_DOC,
        "required": [R("itemListElement", "breadcrumb.itemListElement")],
        "recommended": [],
    },
    # Dataset: required name and description (50 to 5,000 characters).
    "Dataset": {
        "source": DATASET_DOC,
        "required": [R("name", "dataset.name"), R("description", "dataset.description")],
        "recommended": [
            R("creator", "dataset.creator"),
            R("license", "dataset.license"),
            R("keywords", "dataset.keywords"),
            R("url", "dataset.url"),
            R("temporalCoverage", "dataset.temporalCoverage"),
            R("spatialCoverage", "dataset.spatialCoverage"),
            # Members-only data have no public download: their conditions are stated instead.
            R("distribution", "dataset.distribution", unless="conditionsOfAccess"),
            R("includedInDataCatalog", "dataset.includedInDataCatalog"),
        ],
        "not_reported": [
            "alternateName",
            "citation",
            "funder",
            "hasPart",
            "isBasedOn",
            "identifier",
            "isAccessibleForFree",
            "measurementTechnique",
            "sameAs",
            "variableMeasured",
            "version",
        ],
    },
    # Product snippet: required name and one of review, aggregateRating, offers. Merchant listings
    # (MERCHANT_LISTING_DOC) also require image and an offer with a price and currency.
    "Product": {
        "source": PRODUCT_SNIPPET_DOC,
        "required": [
            R("name", "product.name"),
            R("offers|review|aggregateRating", "product.offers"),
        ],
        "recommended": [
            R("image", "product.image"),
            R("description", "product.description"),
        ],
        "not_reported": ["aggregateRating", "review", "brand", "sku", "gtin", "mpn"],
    },
    # Movie carousel: required image and name.
    "Movie": {
        "source": MOVIE_DOC,
        "required": [R("name", "movie.name"), R("image", "movie.image")],
        "recommended": [
            R("dateCreated", "movie.dateCreated"),
            R("director", "movie.director"),
        ],
        "not_reported": ["aggregateRating", "review"],
    },
    # Video: required name, thumbnailUrl, uploadDate. Google recommends a URL to the video,
    # contentUrl and/or embedUrl; description moved from required to recommended in 2023.
    "VideoObject": {
        "source": VIDEO_DOC,
        "required": [
            R("name", "video.name"),
            R("thumbnailUrl", "video.thumbnailUrl"),
            R("uploadDate", "video.uploadDate"),
        ],
        "recommended": [
            R("description", "video.description"),
            R("contentUrl|embedUrl", "video.contentUrl"),
            R("duration", "video.duration"),
        ],
        "not_reported": [
            "expires",
            "hasPart",
            "interactionStatistic",
            "publication",
            "regionsAllowed",
            "ineligibleRegion",
        ],
    },
    # Image metadata (credit and licence in Google Images): required contentUrl and one of
    # creator, creditText, copyrightNotice, license; recommended acquireLicensePage and the rest.
    # ``optional`` because it is an enhancement: an image without it is still a valid image, so
    # what is "required" for the enhancement is reported as a warning.
    "ImageObject": {
        "source": IMAGE_METADATA_DOC,
        "optional": True,
        "required": [
            R("contentUrl", "image.contentUrl"),
            R("creator|creditText|copyrightNotice|license", "image.credit"),
        ],
        # Google recommends each credit field too, but five suggestions per image drown the
        # editor's report: one "add a credit" is enough to act on.
        "recommended": [],
    },
}

#: Requirements on the values of ``(type, property)``, by the value's type.
NESTED: dict[tuple[str, str], dict] = {
    ("ProfilePage", "mainEntity"): {
        "source": PROFILE_PAGE_DOC,
        "expected": "profile.mainEntity.type",
        "specs": [
            {
                "types": ("Person", "Organization"),
                "required": [R("name", "profile.name")],
                "recommended": [
                    R("image", "profile.image"),
                    R("description", "profile.description"),
                    R("sameAs", "profile.sameAs"),
                ],
                "not_reported": [
                    "alternateName",
                    "identifier",
                    "interactionStatistic",
                    "agentInteractionStatistic",
                ],
            }
        ],
    },
    ("FAQPage", "mainEntity"): {
        "source": FAQ_DOC,
        "expected": "faq.question",
        "specs": [
            {
                "types": ("Question",),
                "required": [
                    R("name", "faq.question.name"),
                    R("acceptedAnswer", "faq.question.acceptedAnswer"),
                    R("acceptedAnswer.text", "faq.answer.text"),
                ],
                "recommended": [],
            }
        ],
    },
    ("BreadcrumbList", "itemListElement"): {
        "source": BREADCRUMB_DOC,
        "expected": "breadcrumb.listItem",
        "specs": [
            {
                "types": ("ListItem",),
                "required": [
                    R("position", "breadcrumb.position"),
                    R("name", "breadcrumb.name"),
                    R("item", "breadcrumb.item", except_last=True),
                ],
                "recommended": [],
            }
        ],
    },
    ("Event", "location"): {
        "source": EVENT_DOC,
        "specs": [
            {
                "types": ("Place",),
                "required": [R("address", "event.location.address")],
                "recommended": [R("name", "event.location.name")],
            },
            {
                "types": ("VirtualLocation",),
                "required": [R("url", "event.location.url")],
                "recommended": [],
            },
        ],
    },
    # An event's tickets: each property recommended (offers itself is recommended).
    ("Event", "offers"): {
        "source": EVENT_DOC,
        "specs": [
            {
                "types": ("Offer",),
                "required": [],
                "recommended": [
                    R("price", "event.offers.price"),
                    R("priceCurrency", "event.offers.priceCurrency"),
                    R("availability", "event.offers.availability"),
                    R("url", "event.offers.url"),
                    R("validFrom", "event.offers.validFrom"),
                ],
            }
        ],
    },
    # A product's offer (MERCHANT_LISTING_DOC): price and currency required.
    ("Product", "offers"): {
        "source": MERCHANT_LISTING_DOC,
        "specs": [
            {
                "types": ("Offer",),
                "required": [
                    R("price|priceSpecification.price", "offer.price"),
                    R("priceCurrency|priceSpecification.priceCurrency", "offer.priceCurrency"),
                ],
                "recommended": [R("availability", "offer.availability")],
            }
        ],
    },
    ("Dataset", "distribution"): {
        "source": DATASET_DOC,
        "specs": [
            {
                "types": ("DataDownload",),
                "required": [R("contentUrl", "dataset.distribution.contentUrl")],
                "recommended": [R("encodingFormat", "dataset.distribution.encodingFormat")],
            }
        ],
    },
}


def requirement_keys() -> set[str]:
    """Every message key the tables use (the validator must have a sentence for each)."""
    keys: set[str] = set()
    specs = list(GOOGLE_REQUIREMENTS.values())
    for nested in NESTED.values():
        specs.extend(nested["specs"])
        if "expected" in nested:
            keys.add(nested["expected"])
    for spec in specs:
        for requirement in [*spec.get("required", []), *spec.get("recommended", [])]:
            keys.add(requirement.key)
    return keys
