"""The validator tells editors what search engines will not understand or will miss."""

import copy
from datetime import UTC, date, datetime

import pytest
from django.utils import translation
from django.utils.functional import Promise

from structured_data import nodes
from structured_data.google import requirement_keys
from structured_data.validation import MESSAGES, Issue, validate_graph

SITE = "https://boreal.test"
PAGE = f"{SITE}/personnes/elise-tremblay/"
EVENT_PAGE = f"{SITE}/evenements/projection/"


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English (the site's default language is French)."""
    with translation.override("en"):
        yield


def credited_image(node_id, url):
    return {
        "@id": node_id,
        "@type": "ImageObject",
        "contentUrl": url,
        "url": url,
        "creditText": "Photo : Marc Lebrun",
        "creator": {"@type": "Person", "name": "Marc Lebrun"},
        "copyrightNotice": "© Marc Lebrun",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "acquireLicensePage": f"{SITE}/credits/",
    }


def valid_graph():
    """A complete graph: site, profile page, breadcrumb, person and an event."""
    return {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@id": f"{SITE}/#organization",
                "@type": "NGO",
                "name": "Centre Images Boréales",
                "url": f"{SITE}/",
                "description": "Centre d'artistes en cinéma.",
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": "1 rue du Nord",
                    "addressLocality": "Rimouski",
                },
                "logo": credited_image(f"{SITE}/#logo", f"{SITE}/media/logo.png"),
            },
            {
                "@id": f"{SITE}/#website",
                "@type": "WebSite",
                "url": f"{SITE}/",
                "name": "Centre Images Boréales",
                "publisher": {"@id": f"{SITE}/#organization"},
                "inLanguage": "fr-CA",
            },
            {
                "@id": f"{PAGE}#webpage",
                "@type": "ProfilePage",
                "url": PAGE,
                "name": "Élise Tremblay",
                "isPartOf": {"@id": f"{SITE}/#website"},
                "breadcrumb": {"@id": f"{PAGE}#breadcrumb"},
                "mainEntity": {"@id": f"{PAGE}#person"},
                "primaryImageOfPage": {"@id": f"{PAGE}#primaryimage"},
                "dateCreated": "2024-03-01T10:00:00-05:00",
                "dateModified": "2024-05-02",
            },
            {
                "@id": f"{PAGE}#breadcrumb",
                "@type": "BreadcrumbList",
                "itemListElement": [
                    {"@type": "ListItem", "position": 1, "name": "Accueil", "item": f"{SITE}/"},
                    {
                        "@type": "ListItem",
                        "position": 2,
                        "name": "Personnes",
                        "item": f"{SITE}/personnes/",
                    },
                    {"@type": "ListItem", "position": 3, "name": "Élise Tremblay"},
                ],
            },
            credited_image(f"{PAGE}#primaryimage", f"{SITE}/media/elise.jpg"),
            {
                "@id": f"{PAGE}#person",
                "@type": "Person",
                "name": "Élise Tremblay",
                "description": "Monteuse.",
                "image": {"@id": f"{PAGE}#primaryimage"},
                "sameAs": ["https://www.imdb.com/name/nm0000001/"],
                "memberOf": {"@id": f"{SITE}/#organization"},
            },
            {
                "@id": f"{EVENT_PAGE}#event",
                "@type": "ScreeningEvent",
                "name": "Projection : courts métrages",
                "description": "Cinq courts métrages de la région.",
                "startDate": "2024-06-15T19:30:00-04:00",
                "endDate": "2024-06-15T21:30:00-04:00",
                "eventStatus": "https://schema.org/EventScheduled",
                "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
                "image": f"{SITE}/media/affiche.jpg",
                "location": {
                    "@type": "Place",
                    "name": "Salle Nord",
                    "address": {"@type": "PostalAddress", "addressLocality": "Rimouski"},
                },
                "offers": {
                    "@type": "Offer",
                    "price": "0",
                    "priceCurrency": "CAD",
                    "availability": "https://schema.org/InStock",
                    "url": EVENT_PAGE,
                    "validFrom": "2024-05-01",
                },
                "organizer": {"@id": f"{SITE}/#organization"},
                "performer": {"@id": f"{PAGE}#person"},
            },
        ],
    }


def node(graph, node_id):
    return next(n for n in graph["@graph"] if n.get("@id") == node_id)


def codes(issues, level=None):
    return [(i.code, i.property) for i in issues if level is None or i.level == level]


def test_a_complete_graph_has_no_issue():
    assert validate_graph(valid_graph()) == []


def test_the_document_must_use_the_schema_org_context_and_one_graph():
    issues = validate_graph({"@context": "http://example.org", "@graph": []})
    assert codes(issues) == [("context", "@context")]
    issues = validate_graph({"@context": "https://schema.org", "@type": "Person"})
    assert ("graph", "@graph") in codes(issues)


def test_an_unknown_type_is_an_error():
    graph = valid_graph()
    node(graph, f"{PAGE}#person")["@type"] = "Persn"
    issues = validate_graph(graph)
    assert codes(issues, "error") == [("unknown-type", "@type")]
    assert issues[0].node_id == f"{PAGE}#person"


def test_an_unknown_property_is_an_error():
    graph = valid_graph()
    node(graph, f"{PAGE}#person")["favouriteColour"] = "vert"
    issues = validate_graph(graph)
    assert codes(issues) == [("unknown-property", "favouriteColour")]
    assert issues[0].node_type == "Person"


def test_a_property_of_another_type_is_an_error():
    graph = valid_graph()
    node(graph, f"{PAGE}#person")["startDate"] = "2024-01-01"
    issues = validate_graph(graph)
    assert codes(issues) == [("property-not-on-type", "startDate")]
    assert "Person" in str(issues[0].message)


def test_nested_objects_are_checked_too():
    graph = valid_graph()
    node(graph, f"{SITE}/#organization")["address"]["geo"] = "45,-73"
    issues = validate_graph(graph)
    assert codes(issues) == [("property-not-on-type", "geo")]
    assert issues[0].node_type == "PostalAddress"


def test_a_reference_to_a_node_that_is_not_in_the_graph_is_an_error():
    graph = valid_graph()
    node(graph, f"{PAGE}#person")["worksFor"] = {"@id": f"{SITE}/#nowhere"}
    issues = validate_graph(graph)
    assert codes(issues) == [("dangling-reference", "worksFor")]
    assert issues[0].node_id == f"{PAGE}#person"


def test_a_reference_may_point_to_a_nested_node():
    graph = valid_graph()
    node(graph, f"{PAGE}#person")["affiliation"] = {"@id": f"{SITE}/#logo"}
    assert codes(validate_graph(graph)) == []


def test_an_event_without_start_date_misses_a_required_property():
    graph = valid_graph()
    del node(graph, f"{EVENT_PAGE}#event")["startDate"]
    issues = validate_graph(graph)
    assert codes(issues) == [("google-required", "startDate")]
    assert issues[0].level == "error"
    assert str(issues[0].message) == "Add a start date to the event."


def test_a_missing_recommended_property_is_only_a_warning():
    graph = valid_graph()
    del node(graph, f"{EVENT_PAGE}#event")["endDate"]
    issues = validate_graph(graph)
    assert codes(issues, "error") == []
    assert codes(issues, "warning") == [("google-recommended", "endDate")]


def test_the_venue_of_an_event_needs_an_address():
    graph = valid_graph()
    del node(graph, f"{EVENT_PAGE}#event")["location"]["address"]
    issues = validate_graph(graph)
    assert codes(issues) == [("google-required", "address")]
    assert issues[0].node_type == "Place"


def test_a_profile_page_is_about_a_named_person_found_by_its_id():
    graph = valid_graph()
    del node(graph, f"{PAGE}#person")["name"]
    issues = validate_graph(graph)
    assert codes(issues) == [("google-required", "name")]
    assert issues[0].node_id == f"{PAGE}#person"
    assert str(issues[0].message) == "Give this profile a name."


def test_a_profile_without_photo_gets_a_warning():
    graph = valid_graph()
    del node(graph, f"{PAGE}#person")["image"]
    issues = validate_graph(graph)
    assert codes(issues, "error") == []
    assert [str(i.message) for i in issues] == [
        "Add a photo so that Google can show this profile with a picture."
    ]


def test_a_profile_page_about_something_else_is_an_error():
    graph = valid_graph()
    node(graph, f"{PAGE}#webpage")["mainEntity"] = {"@id": f"{PAGE}#breadcrumb"}
    assert ("google-type", "mainEntity") in codes(validate_graph(graph), "error")
    del node(graph, f"{PAGE}#webpage")["mainEntity"]
    assert codes(validate_graph(graph)) == [("google-required", "mainEntity")]


def test_every_breadcrumb_link_but_the_last_needs_an_address():
    graph = valid_graph()
    items = node(graph, f"{PAGE}#breadcrumb")["itemListElement"]
    del items[1]["item"]
    del items[0]["name"]
    issues = validate_graph(graph)
    assert codes(issues) == [("google-required", "name"), ("google-required", "item")]
    assert all(i.node_type == "ListItem" for i in issues)


def faq_graph(question):
    page = f"{SITE}/faq/"
    return {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@id": f"{page}#webpage",
                "@type": "FAQPage",
                "url": page,
                "mainEntity": [{"@id": f"{page}#q1"}],
            },
            {"@id": f"{page}#q1", "@type": "Question", **question},
        ],
    }


def test_each_faq_question_needs_its_text_and_an_answer_text():
    ok = {"name": "Où ?", "acceptedAnswer": {"@type": "Answer", "text": "Ici."}}
    assert validate_graph(faq_graph(ok)) == []
    no_text = {"name": "Où ?", "acceptedAnswer": {"@type": "Answer"}}
    assert codes(validate_graph(faq_graph(no_text))) == [("google-required", "acceptedAnswer.text")]
    no_answer = {"name": "Où ?"}
    assert codes(validate_graph(faq_graph(no_answer))) == [("google-required", "acceptedAnswer")], (
        "one sentence, not one per missing level"
    )


def test_an_image_without_credit_gets_a_single_warning():
    graph = valid_graph()
    image = node(graph, f"{PAGE}#primaryimage")
    for prop in ("creditText", "creator", "copyrightNotice", "license", "acquireLicensePage"):
        del image[prop]
    issues = validate_graph(graph)
    assert codes(issues, "error") == []
    assert codes(issues) == [("google-required", "creator|creditText|copyrightNotice|license")]


def test_urls_must_be_absolute_and_dates_iso_8601():
    graph = valid_graph()
    person = node(graph, f"{PAGE}#person")
    person["sameAs"] = ["/personnes/elise/", "https://example.org/elise"]
    node(graph, f"{EVENT_PAGE}#event")["startDate"] = "15 juin 2024"
    issues = validate_graph(graph)
    assert codes(issues) == [("invalid-url", "sameAs"), ("invalid-date", "startDate")]
    assert "/personnes/elise/" in str(issues[0].message)


def test_issues_are_small_frozen_values_with_lazy_sentences():
    graph = valid_graph()
    del node(graph, f"{EVENT_PAGE}#event")["startDate"]
    (issue,) = validate_graph(graph)
    assert isinstance(issue, Issue)
    assert isinstance(issue.message, Promise)
    assert (issue.level, issue.node_id, issue.node_type, issue.property) == (
        "error",
        f"{EVENT_PAGE}#event",
        "ScreeningEvent",
        "startDate",
    )


def test_every_google_requirement_has_a_sentence_for_editors():
    missing = requirement_keys() - set(MESSAGES)
    assert not missing


def test_the_validator_does_not_change_the_document():
    graph = valid_graph()
    del node(graph, f"{PAGE}#person")["name"]
    before = copy.deepcopy(graph)
    validate_graph(graph)
    assert graph == before


def test_nodes_built_with_the_typed_classes_validate():
    event = nodes.Event(
        id=f"{EVENT_PAGE}#event",
        name="Projection",
        start_date=datetime(2024, 6, 15, 23, 30, tzinfo=UTC),
        location=nodes.Place(
            name="Salle Nord", address=nodes.PostalAddress(address_locality="Rimouski")
        ),
    )
    movie = nodes.Movie(
        id=f"{EVENT_PAGE}#movie",
        name="Le Nord",
        image=f"{SITE}/media/affiche.jpg",
        date_created=date(2023, 1, 1),
    )
    issues = validate_graph(
        {"@context": "https://schema.org", "@graph": [event.to_jsonld(), movie.to_jsonld()]}
    )
    assert codes(issues, "error") == []
    assert ("google-recommended", "director") in codes(issues, "warning")
