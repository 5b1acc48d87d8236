"""The admin-URL walk: every admin URL that Wagtail and our plugins mount, requested by each
role of one organization with the other organization's ids, must show nothing of the other
organization and change nothing of theirs.

How the other organization's ids reach every parameter without knowing what each view expects:
the database's id counters are moved forward before the other organization is built (so that
its site, home page, groups, collection, settings… each get ``ORG_ID``), and again before its
records are planted (so that its person page, revision, image, document, workflow state, lock,
editing session, import job, redirect, tag… each get ``RECORD_ID``). Any integer parameter
filled with one of these two ids then names something of theirs, whichever model the view
looks up. A view mounted tomorrow is covered without anyone listing it here.

Every name the other organization holds carries ``CANARY``; searches ask for ``SEARCHED``,
another word of the same names, so that a page repeating the query is not taken for a leak.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from urllib.parse import urlencode

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

CANARY = "xylocanari"
SEARCHED = "Zorbexa"
ORG_ID = 90210
RECORD_ID = 90310
MISSING_ID = 97979
#: The named views that are not part of the product: Wagtail's own "does the 500 page work"
#: trigger, which raises on purpose.
NOT_WALKED = {"wagtailadmin_error_test"}


# --- Moving id counters forward ----------------------------------------------------------------


def integer_pk_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and isinstance(model._meta.pk, models.AutoField | models.BigAutoField)
    ]


def move_id_counters(to: int) -> None:
    """The next row of every table with an integer id gets ``to`` (tables already past it keep
    counting from where they are)."""
    with connection.cursor() as cursor:
        for model in integer_pk_models():
            table, column = model._meta.db_table, model._meta.pk.column
            if connection.vendor == "postgresql":
                highest = model._base_manager.aggregate(highest=models.Max("pk"))["highest"] or 0
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                    [connection.ops.quote_name(table), column, max(highest, to - 1)],
                )
            else:
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                if row is None:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, to - 1]
                    )
                elif row[0] < to - 1:
                    cursor.execute(
                        "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [to - 1, table]
                    )


# --- The other organization and its planted records ----------------------------------------------


def plant_other_organization(owner_of_the_records) -> dict:
    """Organization B, built after the counters moved, then its records. Returns what tests
    check against (its site, pages, image…)."""
    from wagtail.admin.models import EditingSession
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.documents.models import Document
    from wagtail.models import Collection, PageViewRestriction, Workflow

    from crm_blocks.models import ContactNote, ContactTag, Membership, MembershipType
    from organizations.registry import OrganizationRole
    from organizations.services import organization_collection
    from spreadsheets.models import ImportJob
    from tests.factories import contact_of, make_organization, make_person, make_user

    move_id_counters(ORG_ID)
    site = make_organization(f"Cinémas {CANARY} {SEARCHED}", f"{CANARY}.test", language="fr-fr")
    collection = organization_collection(site)
    move_id_counters(RECORD_ID)
    staff = make_user(site, OrganizationRole.CRM_STAFF, username=f"{CANARY}-staff")
    staff.first_name, staff.last_name = SEARCHED, CANARY.title()
    staff.save()
    person = make_person(site.people_index, title=f"{SEARCHED} {CANARY} publiée")
    contact = contact_of(person)
    contact.email = f"{CANARY}@{CANARY}.test"
    contact.notes = f"{SEARCHED} {CANARY} notes privées"
    contact.save()
    person.title = f"{SEARCHED} {CANARY} brouillon"
    person.save_revision(user=staff, log_action=True)
    draft = make_person(site.people_index, title=f"{SEARCHED} {CANARY} inédite", publish=False)
    PageViewRestriction.objects.create(page=draft, restriction_type="password", password="x")
    person.locked, person.locked_by, person.locked_at = True, staff, timezone.now()
    person.save(update_fields=["locked", "locked_by", "locked_at"])
    workflow = Workflow.objects.filter(active=True).first()
    if workflow is not None:
        workflow.start(person, staff)
    EditingSession.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(person, for_concrete_model=False),
        object_id=str(person.pk),
        last_seen_at=timezone.now(),
    )
    sub_collection = collection.add_child(instance=Collection(name=f"{SEARCHED} {CANARY}"))
    image = make_canary_image(collection)
    image.tags.add(f"{SEARCHED}-{CANARY}")
    document = Document.objects.create(
        title=f"{SEARCHED} {CANARY} document",
        file=ContentFile(f"{CANARY}\n".encode(), name=f"{CANARY}.txt"),
        collection=collection,
    )
    document.tags.add(f"{SEARCHED}-{CANARY}-doc")
    tag = ContactTag.objects.create(site=site, name=f"{SEARCHED} {CANARY}")
    contact.tags.add(tag)
    contact.save()
    membership_type = MembershipType.objects.create(site=site, name=f"{SEARCHED} {CANARY}")
    Membership.objects.create(
        contact=contact,
        membership_type=membership_type,
        start_date=datetime.date.today(),
        fee=12,
    )
    ContactNote.objects.create(contact=contact, author=staff, body=f"{SEARCHED} {CANARY} note")
    ImportJob.objects.create(
        site=site, user=staff, kind="people", filename=f"{CANARY}.csv", format="csv"
    )
    Redirect.objects.create(old_path=f"/{CANARY}", site=site, redirect_page=person)
    plant_rentals(site, contact, membership_type)
    plant_privacy(site, contact, staff)
    return {
        "site": site,
        "person": person,
        "draft": draft,
        "image": image,
        "document": document,
        "collection": sub_collection,
        "staff": staff,
        "owner": owner_of_the_records,
    }


def plant_rentals(site, contact, membership_type) -> None:
    """The other organization's equipment desk: an item and its unit, a training its member
    holds, a closure, the rates of its membership type, and a booking of the unit — each the
    first row of its table, so each gets ``RECORD_ID``."""
    from rentals.models import (
        Closure,
        EquipmentIndexPage,
        MembershipRate,
        Qualification,
        Training,
    )
    from rentals.services import request_booking
    from tests.factories import make_equipment

    catalogue = EquipmentIndexPage.objects.child_of(site.root_page).get()
    item = make_equipment(catalogue, f"{SEARCHED} {CANARY} caméra", units=1)
    item.twin.units.update(inventory_number=f"{CANARY}-1", serial_number=f"{CANARY}-SN")
    training = Training.objects.create(site=site, name=f"{SEARCHED} {CANARY} formation")
    Qualification.objects.create(
        contact=contact, training=training, obtained_on=datetime.date.today(), note=CANARY
    )
    Closure.objects.create(
        site=site,
        start_date=datetime.date(2030, 12, 25),
        end_date=datetime.date(2030, 12, 25),
        reason=f"{SEARCHED} {CANARY} fermeture",
    )
    MembershipRate.objects.create(membership_type=membership_type, column="member")
    request_booking(
        site,
        contact,
        [(item, 1)],
        datetime.date(2030, 1, 7),
        datetime.date(2030, 1, 9),
        production_title=f"{SEARCHED} {CANARY} tournage",
        notes=f"{SEARCHED} {CANARY} notes",
    )


def plant_privacy(site, contact, staff) -> None:
    """The other organization's access log (a look at its record) and incident register."""
    from privacy.access import log_view
    from privacy.models import Incident

    log_view(user=staff, instance=contact)
    Incident.objects.create(
        site=site,
        description=f"{SEARCHED} {CANARY} incident",
        occurred_on=datetime.date(2026, 1, 2),
        discovered_on=datetime.date(2026, 1, 3),
        information_concerned=f"{CANARY} courriels",
        people_concerned=3,
    )


def make_canary_image(collection):
    from tests.factories import make_image

    return make_image(title=f"{SEARCHED} {CANARY} image", collection=collection)


# --- Filling URL patterns ----------------------------------------------------------------------


def admin_patterns() -> Iterator[tuple[str, URLPattern]]:
    """(route, pattern) of every URL pattern mounted under the admin."""

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif route.startswith("admin/") and pattern.name not in NOT_WALKED:
                yield route, pattern

    yield from walk(get_resolver().url_patterns, "")


def model_candidates() -> list[tuple[str, str]]:
    """(app label, model name) of every model an admin URL may take by name: pages, snippets,
    settings, media, workflow tasks, tags, and every model of the project's own plugins
    (Django's and Wagtail's internal tables are left out: no URL takes them by name)."""
    from taggit.models import Tag
    from wagtail.contrib.settings.registry import registry as settings_registry
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import get_page_models
    from wagtail.snippets.models import get_snippet_models
    from wagtail.workflows import get_task_types

    framework = ("django.", "wagtail.", "taggit", "django_tasks", "modelcluster")
    chosen = {
        *get_page_models(),
        *get_snippet_models(),
        *settings_registry,
        *get_task_types(),
        get_image_model(),
        get_document_model(),
        Tag,
        *(
            model
            for model in apps.get_models()
            if not model._meta.app_config.name.startswith(framework)
        ),
    }
    return sorted((model._meta.app_label, model._meta.model_name) for model in chosen)


#: Parameters that name something other than a row, and what to fill them with.
NAMED_VALUES = {
    "action_name": ["approve", "reject"],
    "filter_spec": ["original"],
    "kind": ["people"],
    "fmt": ["csv"],
    "uidb64": ["x"],
    "token": ["x"],
}
APP_PARAMS = {"app_label", "app_name", "content_type_app_name"}
MODEL_PARAMS = {"model_name", "content_type_model_name"}


def expand(route: str, pattern: URLPattern) -> list[str]:
    """The concrete URLs to request for one pattern, every parameter filled: ids with both of
    the other organization's ids, model names with every installed model (bulk actions with
    every registered action), anything else with the canary."""
    from wagtail.admin.views.bulk_action.registry import bulk_action_registry

    names = list(pattern.pattern.regex.groupindex)
    if route.endswith("^.*/$"):  # the admin's catch-all "not found"
        return []
    app = next((name for name in names if name in APP_PARAMS), None)
    model = next((name for name in names if name in MODEL_PARAMS), None)
    if app and model and "action" in names:
        bulk_action_registry._scan_for_bulk_actions()
        choices = [
            {app: app_label, model: model_name, "action": action}
            for app_label, by_model in bulk_action_registry.actions.items()
            for model_name, actions in by_model.items()
            for action in actions
        ]
    elif app and model:
        choices = [{app: a, model: m} for a, m in model_candidates()]
    else:
        choices = [{}]
    ids = [
        name
        for name in names
        if name not in choices[0]
        and name not in NAMED_VALUES
        and ("id" in name.split("_") or name == "pk" or _is_int(pattern, name))
    ]
    for name in names:
        if name in choices[0] or name in ids:
            continue
        values = NAMED_VALUES.get(name, [CANARY])
        choices = [dict(choice, **{name: value}) for choice in choices for value in values]
    if ids:  # every id of one URL names the same row number: theirs in every table
        choices = [
            dict(choice, **dict.fromkeys(ids, str(value)))
            for choice in choices
            for value in (ORG_ID, RECORD_ID)
        ]
    return [_route_fill(route, choice) for choice in choices]


def _is_int(pattern: URLPattern, name: str) -> bool:
    converter = getattr(pattern.pattern, "converters", {}).get(name)
    return type(converter).__name__ == "IntConverter"


def _route_fill(route: str, values: dict[str, str]) -> str:
    filled = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], route)
    filled = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], filled)
    return "/" + filled.replace("^", "").replace("$", "").replace("\\.", ".")


# --- Reading responses ---------------------------------------------------------------------------


def response_text(response) -> str:
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    if body[:2] == b"PK":  # XLSX / ODS exports: their XML parts
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                body = b"".join(archive.read(name) for name in archive.namelist())
        except zipfile.BadZipFile:
            pass
    text = body.decode("utf-8", "replace")
    location = response.headers.get("Location", "")
    return f"{location}\n{text}"


def leaks(response) -> list[str]:
    """The canary's appearances in a response (with some context)."""
    text = response_text(response)
    found = []
    for match in re.finditer(CANARY, text, re.I):
        found.append(text[max(0, match.start() - 60) : match.end() + 30].replace("\n", " "))
    return found[:3]


# --- "Nothing of theirs changes" ---------------------------------------------------------------

#: Tables a request may write without touching anything of the other organization: sessions and
#: what Wagtail keeps about the requesting user.
WRITES_ALLOWED = {"django_session", "wagtailusers_userprofile"}
WRITE_RE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)


def written_tables(queries) -> list[str]:
    """The tables that the captured SQL statements write to (allowed ones left out)."""
    tables = set()
    for query in queries:
        match = WRITE_RE.match(query["sql"])
        if match and match.group(1) not in WRITES_ALLOWED:
            tables.add(match.group(1))
    return sorted(tables)


class Rollback(Exception):
    pass


def request_and_roll_back(client: Client, method: str, url: str, check_writes: bool):
    """One request in a savepoint rolled back after it; returns the response (or the error it
    raised) and, with ``check_writes``, the tables it wrote to."""
    outcome = {}
    cookies = copy.deepcopy(client.cookies)  # a sign-out or a new session is rolled back too
    # Only a request whose writes are checked logs its SQL (formatting every statement of the
    # walk's GETs cost it time for nothing).
    if check_writes:
        connection.queries_log.clear()  # the log keeps 9,000 queries: count from an empty one
        capture = CaptureQueriesContext(connection)
    else:
        capture = contextlib.nullcontext()
    try:
        with transaction.atomic(), capture as queries:
            try:
                outcome["response"] = getattr(client, method)(url)
            except Exception as error:  # noqa: BLE001 - a crash is a finding, reported below
                outcome["error"] = f"{type(error).__name__}: {error}"
            if check_writes:
                outcome["changed"] = written_tables(queries.captured_queries)
            raise Rollback
    except Rollback:
        pass
    client.cookies = cookies
    return outcome


def names_an_id(url: str) -> bool:
    return str(ORG_ID) in url or str(RECORD_ID) in url


def with_missing_ids(url: str) -> str:
    """The same URL naming nothing: the answer must not tell the two apart."""
    return url.replace(str(ORG_ID), str(MISSING_ID)).replace(str(RECORD_ID), str(MISSING_ID))


def answer_shape(response) -> tuple:
    """What an answer tells without its body: its status, and where it sends (ids blanked)."""
    location = response.headers.get("Location", "")
    for value in (ORG_ID, RECORD_ID, MISSING_ID):
        location = location.replace(str(value), "ID")
    return response.status_code, location


def query_string(extra: dict | None = None) -> str:
    params = [("id", ORG_ID), ("id", RECORD_ID), ("q", SEARCHED), ("search", SEARCHED)]
    params += [("term", SEARCHED), ("p", 1)]
    params += list((extra or {}).items())
    return urlencode(params)
