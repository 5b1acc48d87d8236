"""Anonymous visitors get public pages from the cache, at no query; nobody ever gets from it what
was meant for someone else, nor a page the public may not see."""

import pytest
from django.conf import settings
from django.contrib import messages
from django.middleware.csrf import get_token
from django.test import Client
from django.utils.cache import patch_cache_control
from wagtail.models import PageViewRestriction

from home.models import StandardPage
from public_cache.middleware import private_response
from tests.factories import make_person

from .helpers import make_standard_page, visit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

CANARY = "CANARI-BROUILLON-7f3a"
SESSIONLESS = "tests.public_cache.authentication.SessionlessAuthenticationMiddleware"


def middleware_with(*moved_first: str, after: str = "", added: str = "") -> list[str]:
    """The site's middleware with ``moved_first`` moved before the page cache, and ``added``
    inserted after ``after``."""
    middleware = [name for name in settings.MIDDLEWARE if name not in moved_first]
    cache_at = middleware.index("public_cache.middleware.PageCacheMiddleware")
    middleware[cache_at:cache_at] = moved_first
    if added:
        middleware.insert(middleware.index(after) + 1, added)
    return middleware


def patched(monkeypatch, method: str, before=None, after=None):
    """Make every standard page run ``before(request)`` before ``method`` and
    ``after(request, result)`` on what it returns: what a block, a form or a view would do."""
    original = getattr(StandardPage, method)

    def wrapper(self, request, *args, **kwargs):
        if before is not None:
            before(request)
        result = original(self, request, *args, **kwargs)
        return after(request, result) if after is not None else result

    monkeypatch.setattr(StandardPage, method, wrapper)


@pytest.fixture
def about(org_a):
    return make_standard_page(org_a, "À propos", "a-propos", introduction="Un centre d'artistes.")


def test_a_page_seen_again_comes_from_the_cache_at_no_query(client, org_a, about):
    first = visit(client, org_a, about.url)
    assert first.status_code == 200 and first.queries > 0
    second = visit(Client(), org_a, about.url)
    assert second.queries == 0
    assert second.html == first.html
    assert second["Content-Type"] == first["Content-Type"]


def test_cached_pages_tell_proxies_and_browsers_how_long_to_keep_them(client, org_a, about):
    """A CDN or reverse proxy may keep the page a minute; after that a browser asking again
    with its ETag gets a bodyless 304 (from the cache, at no query) when nothing changed."""
    first = visit(client, org_a, about.url)
    assert first["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in first["Vary"]
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = visit(client, org_a, about.url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again.queries == 0
    changed = visit(client, org_a, about.url, HTTP_IF_NONE_MATCH='"something-else"')
    assert changed.status_code == 200 and changed.html == first.html


def test_each_organization_gets_its_own_pages_at_the_same_address(client, org_a, org_b):
    """Both home pages live at ``/``: each host gets its own, from the cache too."""
    for _round in range(2):
        assert "Centre Images Boréales" in visit(client, org_a, "/").html
        home_b = visit(client, org_b, "/").html
        assert "Réseau des cinémas indépendants" in home_b
        assert "Centre Images Boréales" not in home_b


def test_query_strings_the_page_reads_are_cached_apart(client, org_a):
    make_person(org_a.people_index, "Élise Tremblay", roles=["filmmaker"])
    make_person(org_a.people_index, "Marc Roy", roles=["technician"])
    url = org_a.people_index.url
    everyone = visit(client, org_a, url)
    filmmakers = visit(client, org_a, url + "?role=filmmaker")
    assert "Marc Roy" in everyone.html
    assert "Marc Roy" not in filmmakers.html and "Élise Tremblay" in filmmakers.html
    again = visit(client, org_a, url + "?role=filmmaker")
    assert again.queries == 0 and again.html == filmmakers.html


def test_tracking_parameters_neither_split_the_cache_nor_leak_into_links(client, org_a):
    """A newsletter link with ``utm_*`` gets the page everyone gets (from the cache), and the
    page's own links (filters, pagination) never carry someone's campaign along."""
    make_person(org_a.people_index, "Élise Tremblay", roles=["filmmaker"])
    url = org_a.people_index.url
    tracked = visit(client, org_a, url + "?role=filmmaker&utm_source=infolettre&fbclid=abc")
    assert "infolettre" not in tracked.html and "fbclid" not in tracked.html
    plain = visit(client, org_a, url + "?role=filmmaker")
    assert plain.queries == 0 and plain.html == tracked.html


def test_query_strings_the_page_does_not_read_are_answered_but_not_kept(client, org_a, about):
    """Made-up query strings cannot fill the cache: each is rendered, none is stored."""
    for _round in range(2):
        response = visit(client, org_a, about.url + "?x=123")
        assert response.status_code == 200 and response.queries > 0


# --- Never cached ------------------------------------------------------------------------------


def test_a_logged_in_editor_never_gets_the_anonymous_page(client, org_a, editor_a, about):
    visit(Client(), org_a, about.url)  # cached for anonymous visitors
    client.force_login(editor_a)
    response = visit(client, org_a, about.url)
    assert response.queries > 0
    assert "wagtail-userbar" in response.html
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_anonymous_visitors_never_get_what_a_logged_in_editor_got(client, org_a, editor_a, about):
    client.force_login(editor_a)
    assert "wagtail-userbar" in visit(client, org_a, about.url).html
    anonymous = visit(Client(), org_a, about.url)
    assert anonymous.queries > 0
    assert "wagtail-userbar" not in anonymous.html


def test_visitors_logged_in_without_a_session_never_get_nor_leave_cached_pages(
    org_a, editor_a, about, settings
):
    """Staff authenticated by the web server (``REMOTE_USER``) or by an API token carry no
    session cookie: their page (with the editor's user bar) is still never kept, and a request
    with an ``Authorization`` header never gets the anonymous one."""
    settings.MIDDLEWARE = middleware_with(
        after="django.contrib.auth.middleware.AuthenticationMiddleware", added=SESSIONLESS
    )
    staff = visit(Client(), org_a, about.url, REMOTE_USER=editor_a.username)
    assert "wagtail-userbar" in staff.html
    assert "wagtail-userbar" not in visit(Client(), org_a, about.url).html  # now cached
    token = visit(Client(), org_a, about.url, HTTP_AUTHORIZATION=f"Bearer {editor_a.username}")
    assert "wagtail-userbar" in token.html


def test_a_password_protected_page_is_never_kept_nor_given_to_others(client, org_a, about):
    """The password form is everyone's own (its CSRF token); the page, once unlocked, is only
    for who typed the password."""
    visit(Client(), org_a, about.url)  # cached while public
    restriction = PageViewRestriction.objects.create(
        page=about, restriction_type=PageViewRestriction.PASSWORD, password="sesame"
    )
    form = visit(client, org_a, about.url)
    assert "Un centre d'artistes." not in form.html and 'name="password"' in form.html
    assert "no-store" in form["Cache-Control"]
    other_form = visit(Client(), org_a, about.url)
    assert other_form.queries > 0
    assert other_form.cookies["csrftoken"].value != form.cookies["csrftoken"].value

    unlock = client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{about.pk}/",
        {"password": "sesame", "return_url": about.url},
        HTTP_HOST=org_a.hostname,
    )
    assert unlock.status_code == 302
    assert "Un centre d'artistes." in visit(client, org_a, about.url).html
    stranger = visit(Client(), org_a, about.url)
    assert "Un centre d'artistes." not in stranger.html


def test_a_preview_shows_the_draft_and_never_reaches_the_public(client, org_a, editor_a, about):
    """Wagtail previews a draft by sending a simulated request for the page's own address
    through the middleware, with the editor's cookies or none at all."""
    visit(Client(), org_a, about.url)  # the public page, cached
    draft = StandardPage.objects.get(pk=about.pk)
    draft.introduction = CANARY
    draft.save_revision()

    client.force_login(editor_a)
    preview = client.get(f"/admin/pages/{about.pk}/edit/preview/", HTTP_HOST=org_a.hostname)
    assert preview.status_code == 200
    no_cookie = draft.make_preview_request()  # as a command or a task may do
    assert CANARY in no_cookie.content.decode()
    assert "private" in no_cookie["Cache-Control"]

    for response in (visit(Client(), org_a, about.url), visit(Client(), org_a, about.url)):
        assert CANARY not in response.html
        assert "Un centre d'artistes." in response.html


def test_member_content_is_never_kept(client, org_a, about, monkeypatch):
    """What a page or block shows a member depends on who asks: it says so, and the page stays
    out of every cache."""
    patched(monkeypatch, "get_context", before=private_response)
    first = visit(client, org_a, about.url)
    assert "private" in first["Cache-Control"] and "public" not in first["Cache-Control"]
    assert visit(Client(), org_a, about.url).queries > 0


def test_a_page_that_says_it_is_private_is_never_kept(org_a, about, monkeypatch):
    """A page (or a view restriction, as Wagtail does) that sends ``Cache-Control: private``
    keeps it, and the cache keeps away."""
    patched(
        monkeypatch,
        "serve",
        after=lambda request, response: patch_cache_control(response, private=True) or response,
    )
    first = visit(Client(), org_a, about.url)
    assert first["Cache-Control"] == "private"
    assert visit(Client(), org_a, about.url).queries > 0


@pytest.mark.parametrize("csrf_outside", [False, True], ids=["usual order", "csrf first"])
def test_a_page_with_a_form_token_is_never_kept(org_a, about, monkeypatch, settings, csrf_outside):
    """Each visitor needs a CSRF token matching their own cookie; a cached form would send
    them someone else's, without the cookie, and their submission would fail. So whatever the
    order of the middleware (the cookie may be set after the page cache has seen the page)."""
    if csrf_outside:
        settings.MIDDLEWARE = middleware_with("django.middleware.csrf.CsrfViewMiddleware")
    patched(monkeypatch, "get_context", before=get_token)
    first = visit(Client(), org_a, about.url)
    second = visit(Client(), org_a, about.url)
    assert second.queries > 0
    assert "csrftoken" in second.cookies
    assert second.cookies["csrftoken"].value != first.cookies["csrftoken"].value


@pytest.mark.parametrize("messages_outside", [False, True], ids=["usual order", "messages first"])
def test_messages_are_shown_to_their_visitor_only(
    org_a, about, monkeypatch, settings, messages_outside
):
    """A message for one visitor (« Merci, votre proposition est reçue ») never reaches the next
    one through the cache; and a visitor with a message waiting gets a page rendered for them."""
    if messages_outside:
        settings.MIDDLEWARE = middleware_with(
            "django.contrib.messages.middleware.MessageMiddleware"
        )
    with monkeypatch.context() as patch:
        patched(
            patch,
            "get_context",
            before=lambda request: messages.success(request, "Merci, votre proposition est reçue."),
        )
        thanked = Client()
        first = visit(thanked, org_a, about.url)
        assert "messages" in first.cookies
    stranger = visit(Client(), org_a, about.url)
    assert stranger.queries > 0 and "messages" not in stranger.cookies
    visit(Client(), org_a, about.url)  # now cached for everyone
    waiting = visit(thanked, org_a, about.url)  # still has the message cookie
    assert waiting.queries > 0


def test_a_page_setting_a_cookie_is_never_kept(org_a, about, monkeypatch):
    """The cookie is the first visitor's: the next one must not get it."""
    patched(
        monkeypatch,
        "serve",
        after=lambda request, response: (
            response.set_cookie("visitor", "first-visitor-only") or response
        ),
    )
    assert visit(Client(), org_a, about.url).cookies["visitor"].value == "first-visitor-only"
    second = visit(Client(), org_a, about.url)
    assert second.queries > 0


def test_a_page_that_writes_to_the_session_is_never_kept(org_a, about, monkeypatch):
    """A page that remembers something for an anonymous visitor starts their session: each
    visitor needs their own session cookie, which a cached page would not send."""

    def remember(request):
        request.session["seen"] = True

    patched(monkeypatch, "get_context", before=remember)
    first = visit(Client(), org_a, about.url)
    second = visit(Client(), org_a, about.url)
    assert second.queries > 0
    assert second.cookies["sessionid"].value != first.cookies["sessionid"].value


def test_a_page_that_varies_on_a_header_is_never_kept(org_a, about, monkeypatch):
    """The cache knows the host, language, path and query string, not every header: a page
    that depends on another (``Vary: Accept``) is rendered each time."""

    def negotiating(request, response):
        response["Vary"] = "Accept"
        return response

    patched(monkeypatch, "serve", after=negotiating)
    visit(Client(), org_a, about.url)
    assert visit(Client(), org_a, about.url).queries > 0


def test_an_error_is_not_kept_for_the_next_visitors(org_a, about, monkeypatch):
    """A page that failed once (a database hiccup) works again for the next visitor."""
    original = StandardPage.get_context
    failures = []

    def failing_once(self, request, *args, **kwargs):
        if not failures:
            failures.append(request.path)
            raise RuntimeError("database hiccup")
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(StandardPage, "get_context", failing_once)
    failing = visit(Client(raise_request_exception=False), org_a, about.url)
    assert failing.status_code == 500
    assert "public" not in failing.get("Cache-Control", "")  # nor kept by a proxy
    response = visit(Client(), org_a, about.url)
    assert response.status_code == 200 and "Un centre d'artistes." in response.html


def test_pages_that_are_not_wagtail_pages_are_left_alone(client, org_a):
    """Search results and robots.txt are not kept, and keep the headers their view gives."""
    for _round in range(2):
        assert visit(client, org_a, "/search/?q=centre").queries > 0
    assert "Cache-Control" not in visit(client, org_a, "/robots.txt")


# --- The canary --------------------------------------------------------------------------------


def test_a_planted_draft_never_leaks_through_the_cache(client, org_a, editor_a, about):
    """A draft record and an unpublished change of a public one, both carrying a canary, stay
    out of every public page while editors work on them — then show once published."""
    person = make_person(org_a.people_index, "Élise Tremblay", summary="Monteuse.")
    hidden = make_person(org_a.people_index, f"Personne {CANARY}", publish=False)
    urls = ["/", about.url, org_a.people_index.url, person.url]

    def public_pages():
        for url in urls:
            for response in (visit(Client(), org_a, url), visit(Client(), org_a, url)):
                assert response.status_code == 200
                assert CANARY not in response.html, url

    public_pages()
    draft = type(person).objects.get(pk=person.pk)
    draft.summary = CANARY
    draft.save_revision()
    client.force_login(editor_a)
    for page in (draft, hidden):
        preview = client.get(f"/admin/pages/{page.pk}/edit/preview/", HTTP_HOST=org_a.hostname)
        assert preview.status_code == 200
        assert CANARY in page.make_preview_request().content.decode()
    assert CANARY not in visit(client, org_a, person.url).html  # the editor sees the live page
    public_pages()
    assert visit(Client(), org_a, f"/personnes/{hidden.slug}/").status_code == 404

    draft.get_latest_revision().publish()
    assert CANARY in visit(Client(), org_a, person.url).html
