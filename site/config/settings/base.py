"""Settings shared by every environment of the reference site.

Anything an operator may change is read through ``config.env.env``; the environment-specific
modules (``dev``, ``production``, ``test``) only override what differs.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import env

SITE_DIR = Path(__file__).resolve().parent.parent.parent
REPO_DIR = SITE_DIR.parent
VAR_DIR = Path(env("LIENS_VAR_DIR", str(REPO_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default keeps its SQLite file here

INSTALLED_APPS = [
    # The reference site, then the plugins, then the foundations they build on.
    "home",
    "films",
    "events",
    "rentals",
    "opendata",
    "crm_blocks",
    "spreadsheets",
    "privacy",
    "signin",
    "organizations",
    "structured_data",
    "language_search",
    "public_cache",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "import_export",
    # Staff sign-in (signin): one-time codes, recovery codes, failed-login lockouts.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the page cache, so that cached pages get the headers too (signin.headers): the
    # Content-Security-Policy (django-csp; the admin's own, looser one) and Permissions-Policy.
    "signin.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Right after the language is known: anonymous visitors' pages from the cache (public_cache).
    "public_cache.middleware.PageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff sign-in (signin): whether this session passed its second factor (django-otp), then
    # the admin's idle and absolute session limits, then the second factor asked for.
    "django_otp.middleware.OTPMiddleware",
    "signin.middleware.AdminSessionExpiryMiddleware",
    "signin.middleware.TwoFactorMiddleware",
    # Who viewed, changed or exported private details (needs the user: after authentication).
    "privacy.middleware.AccessLogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Databases: SQLite on disk unless DATABASE_URL names another (PostgreSQL in production and CI).
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env("DATABASE_CONN_MAX_AGE", 0, cast=int),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves pages while the worker writes (imports, search index): in
    # WAL mode readers never wait for a writer, and a writer waits up to 20 s for another
    # instead of failing at once with "database is locked". Transactions take the write lock
    # when they begin (IMMEDIATE): a transaction that read first and wrote later would otherwise
    # fail at once, without waiting, whenever another process wrote in between (SQLite cannot
    # upgrade a stale read snapshot), as the worker's search-index updates do while the server
    # makes renditions.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (several app servers share it), files in VAR_DIR otherwise.
# Never a per-process memory: the web server, the worker and commands such as
# `create_organization` run in different processes, and what one of them invalidates (Wagtail's
# site root paths, cached graphs) must be gone for the others too.
#
# Wagtail keeps image renditions in the `renditions` cache when there is one (in the default cache
# otherwise, where thousands of them would crowd out what needs sharing). They need no sharing: a
# rendition's key holds its image's file hash (and the focal point, when its filter uses it), so a
# replaced image gets new keys; a process's own copy can only outlive a deleted image or a purge
# of renditions, and at most for the cache's TIMEOUT.
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        },
        # Kept on Redis: one copy for every app server instead of one per process, bounded by
        # Redis's own memory policy; the prefix tells them apart from the shared entries.
        "renditions": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "renditions",
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pages",
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache" / "default"),
            # Django's default (300 entries) deletes a random third of the files once exceeded:
            # cached graphs and their per-site generation counters with them.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
        # Per process, bounded in size and age: see above.
        "renditions": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "renditions",
            "TIMEOUT": 600,
            "OPTIONS": {"MAX_ENTRIES": 1000},
        },
        # Rendered pages (public_cache), shared by every process like the default cache (a
        # change must reach them all), but apart from it: culling pages never costs the
        # generation counters that invalidate them, nor the graphs.
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache" / "pages"),
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
    }

# Progress of background imports: the worker writes it, the web processes read it, so it needs a
# cache every process shares (never the per-process local memory): Redis, or files in VAR_DIR.
if REDIS_URL:
    CACHES["progress"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "progress",
    }
else:
    CACHES["progress"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "progress"),
    }

# Anonymous visitors' pages (public_cache): kept PAGE_CACHE_TIMEOUT seconds at most (0 turns the
# cache off), forgotten as soon as their site changes; browsers, proxies and CDNs may keep them
# PAGE_CACHE_MAX_AGE seconds, unaware of changes, then ask again (a 304 when nothing changed).
PAGE_CACHE_TIMEOUT = env("PAGE_CACHE_TIMEOUT", 60 * 60 * 24, cast=int)
PAGE_CACHE_MAX_AGE = env("PAGE_CACHE_MAX_AGE", 60, cast=int)

# Background jobs: django-tasks with the database backend. Wagtail queues its own tasks
# (reference index, file deletion) here too, so `manage.py db_worker` runs wherever the site runs.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# OpenAgenda's v2 API (events.openagenda): the tests point it at a local fake server.
OPENAGENDA_API_URL = env("OPENAGENDA_API_URL", "https://api.openagenda.com/v2")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages. French first: LANGUAGE_CODE must be set before the first migration, because
# Wagtail creates its first Locale from it. Regional variants (fr-CA, fr-FR) are an
# organization setting; page content is translated between French and English.
LANGUAGE_CODE = "fr"
LANGUAGES = [
    ("fr", _("French")),
    ("en", _("English")),
]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [SITE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "America/Toronto")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Spreadsheet imports (the spreadsheets plugin). The admin stops receiving a file past
# SPREADSHEET_IMPORT_MAX_BYTES and says so; the reverse proxy's body limit must be a little
# higher. Files of more than SPREADSHEET_IMPORT_BACKGROUND_ROWS rows are checked and imported by
# the worker. (The CRM_IMPORT_* names these variables had before are still read.)
SPREADSHEET_IMPORT_MAX_BYTES = env(
    "SPREADSHEET_IMPORT_MAX_BYTES",
    env("CRM_IMPORT_MAX_BYTES", 20 * 1024 * 1024, cast=int),
    cast=int,
)
SPREADSHEET_IMPORT_BACKGROUND_ROWS = env(
    "SPREADSHEET_IMPORT_BACKGROUND_ROWS",
    env("CRM_IMPORT_BACKGROUND_ROWS", 2000, cast=int),
    cast=int,
)
SPREADSHEET_IMPORT_MAX_ROWS = env(
    "SPREADSHEET_IMPORT_MAX_ROWS", env("CRM_IMPORT_MAX_ROWS", 50_000, cast=int), cast=int
)
# Wider files, or files of more cells in all (a cell costs about a hundred bytes of memory once
# read), are refused while they are read, with a message saying which limit they passed.
SPREADSHEET_IMPORT_MAX_COLUMNS = env("SPREADSHEET_IMPORT_MAX_COLUMNS", 1000, cast=int)
SPREADSHEET_IMPORT_MAX_CELLS = env("SPREADSHEET_IMPORT_MAX_CELLS", 5_000_000, cast=int)

# Maps of places (organizations.maps): the tile server and the attribution its licence asks for.
# OpenStreetMap's by default; its tile usage policy asks busy sites to use another server.
MAP_TILE_URL = env("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)

LOGIN_URL = "wagtailadmin_login"

# --- Staff sign-in (signin) -------------------------------------------------------------------
# Who must sign in with a second factor (a code from an app, or a recovery code): "superusers"
# and organization roles (OrganizationRole codes). Anyone else may choose to (their account
# page); whoever has a device is always asked for a code before the admin.
SIGNIN_2FA_REQUIRED_ROLES = env(
    "SIGNIN_2FA_REQUIRED_ROLES", ["superusers", "crm_staff"], cast=list
)
# An admin session ends after this long without a request, and this long after it began
# (seconds; 0: no limit). Members' and visitors' sessions keep Django's SESSION_COOKIE_AGE.
SIGNIN_ADMIN_IDLE_SECONDS = env("SIGNIN_ADMIN_IDLE_SECONDS", 2 * 60 * 60, cast=int)
SIGNIN_ADMIN_SESSION_SECONDS = env("SIGNIN_ADMIN_SESSION_SECONDS", 8 * 60 * 60, cast=int)
# The name the authenticator app shows beside the codes.
OTP_TOTP_ISSUER = "Liens Mutuels"
# Failed logins (django-axes), on every form that logs in (the admin's, the member space's):
# after AXES_FAILURE_LIMIT failures for one login from one address, that login is refused from
# that address for AXES_COOLOFF_MINUTES, even with the right password (signin.lockout answers).
AXES_FAILURE_LIMIT = env("AXES_FAILURE_LIMIT", 5, cast=int)
AXES_COOLOFF_TIME = timedelta(minutes=env("AXES_COOLOFF_MINUTES", 15, cast=int))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "signin.lockout.lockout_response"
# Successful logins are not kept (failures are, until they expire: `axes_reset` or the cool-off).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no banner on every start of every command
# Behind a reverse proxy, set SIGNIN_CLIENT_HEADER (or MEMBER_SPACE_CLIENT_HEADER, which it
# defaults to) to the header it writes the client's address in (HTTP_X_REAL_IP); by default the
# connection's own address counts.
AXES_CLIENT_IP_CALLABLE = "signin.lockout.client_address"

# Content-Security-Policy (django-csp) of public pages: scripts from the site only, no inline
# script, no plugin. Cached pages (public_cache) are shared by visitors, so no nonce: the site's
# scripts are files. Inline *styles* are allowed: Wagtail's responsive video embeds and the
# providers' embed markup carry style attributes, and the server error page inlines its few
# rules so that it needs nothing else; a style runs no script. The map's tile server
# (MAP_TILE_URL) is added to img-src (signin.headers). The admin has its own policy
# (SIGNIN_ADMIN_CSP_DIRECTIVES).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'", "https:"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    },
}
# Wagtail's admin writes inline scripts (inline panels, date pickers) and styles: it keeps
# 'unsafe-inline' for both, and everything else as strict as the public pages.
SIGNIN_ADMIN_CSP_DIRECTIVES = {
    **CONTENT_SECURITY_POLICY["DIRECTIVES"],
    "script-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", "https:"],
}
# Browser features no page of the site uses.
SIGNIN_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# The page type of each organization's home page, made by `create_organization`.
ORGANIZATIONS_HOME_PAGE_MODEL = "home.HomePage"

WAGTAIL_SITE_NAME = "Liens Mutuels"
# Wagtail's login form leaves its password field unlabelled (shown as "Password" in any language).
WAGTAILADMIN_USER_LOGIN_FORM = "home.forms.AdminLoginForm"
# The "what's new in Wagtail" banner is written in English only.
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# Wagtail's database search, stemming and ignoring accents in French and English (the
# language_search foundation; on PostgreSQL it needs the unaccent extension, see its migration).
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "language_search.backend"},
}
# Documents staff upload start in their organization's private collection (organizations plugin).
WAGTAILDOCS_DOCUMENT_FORM_BASE = "organizations.documents.OrganizationDocumentForm"
# Photos too: the equipment desk keeps photos of damage as private documents (rentals.desk).
WAGTAILDOCS_EXTENSIONS = [
    *("csv", "docx", "odt", "ods", "pdf", "txt", "xlsx", "zip"),
    *("gif", "jpeg", "jpg", "png", "webp"),
]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No Gravatar: an MD5 of each user's e-mail would go to a third party from every admin page.
# Users without an uploaded avatar get their initials instead (organizations.avatars).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# ASCII slugs: /personnes/elise-tremblay/ reads and shares better than percent-encoded accents.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILEMBEDS_RESPONSIVE_HTML = True
# Wagtail turns a pasted URL into a link to the page it matches on *any* site of the
# installation, showing that page's draft title: one organization would read another's drafts.
# Pasted URLs stay external links.
WAGTAILADMIN_EXTERNAL_LINK_CONVERSION = ""

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
