"""Settings, all read from the environment (see README "Configuration")."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The fallback key starts with "django-insecure-", so `check --deploy` rejects it in production.
SECRET_KEY = os.environ.get(
    "SECRET_KEY", "django-insecure-development-key-set-SECRET_KEY-in-production-0123456789"
)
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")  # old keys, while rotating
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "kb",
    "modeltranslation",  # before the admin, as it asks: owners' content in each language
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_htmx",
    "simple_history",
    "diagnosis",
    "reports",
]

MIDDLEWARE = [
    "kb.middleware.RequestLogMiddleware",
    # Outside security and static files: a stored page is kept as it was sent, their headers
    # included, so a hit runs nothing else (a tenth of a hit: docs/performance.md). An http
    # request is keyed apart and redirected inside it; static files skip it.
    "kb.middleware.SharedPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "web.compression.GZipMiddleware",  # Django's, at a cheaper level (web/compression.py)
    # Sessions, authentication and messages run for pages and the admin, not for the API's
    # anonymous requests (web/pages_only.py): Django's own, in their places.
    "web.pages_only.SessionMiddleware",
    # After sessions, before CommonMiddleware (Django's rule); the language rules: web/locale.py
    "web.locale.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "web.pages_only.AuthenticationMiddleware",
    "web.pages_only.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Entries the default local-memory cache keeps per process; the least recently used go first.
LOCAL_CACHE_MAX_ENTRIES = int(os.environ.get("LOCAL_CACHE_MAX_ENTRIES", "5000"))


# Where the state that must not be evicted lives (the "state" cache alias): rate-limit counters
# and usage counts. In production a Redis instance of its own with maxmemory-policy noeviction
# (compose.yaml's redis-state, docs/deploy.md), so page-cache pressure on the default Redis
# (allkeys-lru) cannot evict a client's rate-limit count. Unset: the default Redis, under a
# prefix of its own (development and tests; `manage.py check --deploy` warns).
STATE_REDIS_URL = os.environ.get("STATE_REDIS_URL", "")


def cache_settings(redis_url: str, state_url: str = "") -> dict:
    """Two caches, each bounded. ``default``: pages and compiled content, Redis failing open
    (web/cache.py) when a URL is given, else local memory; Redis is bounded by its maxmemory
    with allkeys-lru (compose.yaml, docs/deploy.md), local memory by MAX_ENTRIES. ``state``:
    rate limits and usage counts, on ``state_url`` (else the same Redis) or, without Redis, a
    local memory of its own, so filling the page cache never culls a counter."""
    prefix = os.environ.get("CACHE_KEY_PREFIX", "carfaults")
    if redis_url:
        timeout = float(os.environ.get("REDIS_TIMEOUT", "0.5"))

        def redis(location: str, key_prefix: str) -> dict:
            return {
                "BACKEND": "web.cache.FailOpenRedisCache",
                "LOCATION": location,
                "KEY_PREFIX": key_prefix,
                "TIMEOUT": None,
                # a Redis that hangs must not hold a request longer than this
                "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
            }

        # "<prefix>-state:" never matches the default cache's "<prefix>:*", which its clear()
        # removes (web/cache.py), when both share one Redis.
        return {
            "default": redis(redis_url, prefix),
            "state": redis(state_url or redis_url, f"{prefix}-state"),
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "carfaults",
            "TIMEOUT": None,
            "OPTIONS": {"MAX_ENTRIES": LOCAL_CACHE_MAX_ENTRIES},
        },
        "state": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "carfaults-state",
            "TIMEOUT": None,
            # counters only (a few per client and day): never near it in practice
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }


CACHES = cache_settings(REDIS_URL, STATE_REDIS_URL)
# Process-local layer in front of the shared cache (docs/performance.md): each process reads
# the content version at most once per this many seconds (another process's edit shows within
# it), and keeps the pages it found in the shared cache most recently, at most
# LOCAL_PAGE_ENTRIES of them and LOCAL_PAGE_MB megabytes (0 entries: none; without Redis the
# shared cache is already in the process). 48 MB holds about half of the states an owner can
# reach on the shipped content, the most recently asked; 128 MB holds them all
# (kb.middleware.HotPages).
CONTENT_VERSION_LOCAL_SECONDS = float(os.environ.get("CONTENT_VERSION_LOCAL_SECONDS", "1"))
LOCAL_PAGE_ENTRIES = int(os.environ.get("LOCAL_PAGE_ENTRIES", "50000" if REDIS_URL else "0"))
LOCAL_PAGE_MB = int(os.environ.get("LOCAL_PAGE_MB", "48"))
# Compiled problems each process keeps (an LRU, diagnosis/content.py); the shared cache holds
# the rest, so a knowledge base of hundreds of problems does not fill a worker's memory.
COMPILED_PROBLEMS_PER_PROCESS = int(os.environ.get("COMPILED_PROBLEMS_PER_PROCESS", "64"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# English at today's URLs, Russian under /ru/ (config/urls.py, web/locale.py).
LANGUAGES = [("en", "English"), ("ru", "Русский")]
# Compiled from locale/ru/LC_MESSAGES/django.po by `make` (compilemessages); .mo not in git.
LOCALE_PATHS = [BASE_DIR / "locale"]
# Owner-facing content fields have one column per language (kb/translation.py): name_en,
# name_ru. English is the default and required; a Russian text left empty falls back to the
# English one on the page, and `kb_check` reports it.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# Slugs are made from the English text in the admin, so a link is the same in both languages.
MODELTRANSLATION_PREPOPULATE_LANGUAGE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("PLAIN_STATIC", False)
            else "config.storage.StaticFilesStorage"
        )
    },
}
# Hashed names get a ten-year immutable lifetime from whitenoise; unhashed ones stay at its
# default of 60 s, so a link to an unhashed name is never stale for long after a deploy.

# Security: HTTPS settings apply when SECURE_SSL_REDIRECT / HTTPS is on (production).
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Public pages are cached this long by browsers and proxies (ETag revalidates after).
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "300"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "carfaults.request": {
            "level": "INFO" if env_bool("REQUEST_LOG", True) else "WARNING",
        },
    },
}

# --- Reliability and security (issue 9) ------------------------------------------------------
# Kept together here so other branches' edits above merge cleanly.

# Trusted proxies in front of the app (compose: 1, nginx); web/clients.py reads the client
# address from X-Forwarded-For through them. 0: REMOTE_ADDR is the client.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT failures for one user name from one
# address, that pair is locked out for LOGIN_COOLOFF_MINUTES; staff unlock it sooner in the
# admin ("Axes" → "Access attempts": delete the attempt).
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as axes asks
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes_lockout.html"
AXES_CLIENT_IP_CALLABLE = "web.clients.client_ip"
AXES_VERBOSE = False
# Failed logins are counted in the database (axes' default handler, named here on purpose): no
# cache eviction can reset a lockout (issue 19).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# Search is never stored in the page cache (its queries are unbounded): its results are cached
# per content version, and each client may search SEARCH_RATE_LIMIT times per
# SEARCH_RATE_WINDOW seconds (a person never needs more; a script gets 429 and Retry-After).
SEARCH_RATE_LIMIT = int(os.environ.get("SEARCH_RATE_LIMIT", "30"))
SEARCH_RATE_WINDOW = int(os.environ.get("SEARCH_RATE_WINDOW", "60"))

# A bad Host header is one WARNING line without a traceback, and the same host at most once a
# minute per process (scanners send thousands).
LOGGING["filters"] = {"disallowed_host": {"()": "config.logging.DisallowedHostFilter"}}
LOGGING["loggers"]["django.security.DisallowedHost"] = {"filters": ["disallowed_host"]}

# --- Confirmed fixes (issue 11) ---------------------------------------------------------------
# Owners' "Did this fix it?" reports: each client address may send REPORT_RATE_LIMIT of them per
# REPORT_RATE_WINDOW seconds (web/rate_limits.py, counted under a keyed hash
# of the address only); beyond, a 429 page and nothing is stored. The form's token is signed
# and carries no cookie; it stays valid REPORT_FORM_MAX_AGE seconds, far longer than a cached
# page lives (docs/decisions.md).
REPORT_RATE_LIMIT = int(os.environ.get("REPORT_RATE_LIMIT", "5"))
REPORT_RATE_WINDOW = int(os.environ.get("REPORT_RATE_WINDOW", "3600"))
REPORT_FORM_MAX_AGE = int(os.environ.get("REPORT_FORM_MAX_AGE", str(2 * 24 * 3600)))
# Counted in the "state" cache (web/rate_limits.py); Redis down: the count fails open (as
# the search limit does); honeypot and length still hold.

# --- Usage counters (issue 11) ----------------------------------------------------------------
# Wizard steps are counted per day in the cache and written to the database by
# `manage.py flush_usage` (docs/usage.md). The counting middleware sits just outside the page
# cache, so steps served from it count too. USAGE_COUNTING=0 switches counting off.
INSTALLED_APPS += ["usage", "staff", "config"]  # staff tools and the project shell last
USAGE_COUNTING = env_bool("USAGE_COUNTING", True)
# Counts wait this long in each process before one push to the cache (0: at once).
USAGE_PUSH_SECONDS = float(os.environ.get("USAGE_PUSH_SECONDS", "1"))
MIDDLEWARE.insert(
    MIDDLEWARE.index("kb.middleware.SharedPageCacheMiddleware"),
    "usage.middleware.UsageCountMiddleware",
)

# `manage.py backup` writes these apps' rows beside kb's content, users and the admin log (the
# test cases of diagnosis, confirmed-fix reports, usage counts).
BACKUP_APPS = ["diagnosis", "reports", "usage"]
