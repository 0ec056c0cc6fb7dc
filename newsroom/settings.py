"""Settings for newsroom, read from the environment (12-factor).

With no environment at all the site runs in development mode on a SQLite file
in ``data/``. ``DJANGO_DEBUG=0`` switches to production mode, which refuses to
start without a real secret key and allowed hosts. Every variable is listed in
``.env.example`` and in the README.

Over 400 lines because it is the one settings module (STYLE: one ``settings.py`` read from the
environment): each block reads its variables and says why the default is what it is.
"""

import datetime as dt
import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("NEWSROOM_DATA_DIR", BASE_DIR / "data"))

DEVELOPMENT_SECRET_KEY = "django-insecure-development-key-never-use-in-production"


def env_bool(name: str, default: bool) -> bool:
    """Return the environment variable ``name`` read as a yes/no flag."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Return the comma-separated environment variable ``name`` as a list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_float(name: str, default: float) -> float:
    """Return the environment variable ``name`` as a number."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return float(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.") from error


def env_int(name: str, default: int) -> int:
    """Return the environment variable ``name`` as an integer."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from error


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
# Or a file holding it (make run keeps a generated one in the data folder; Docker secrets are files).
SECRET_KEY_FILE = os.environ.get("DJANGO_SECRET_KEY_FILE", "")
if not SECRET_KEY and SECRET_KEY_FILE:
    try:
        SECRET_KEY = Path(SECRET_KEY_FILE).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ImproperlyConfigured(f"DJANGO_SECRET_KEY_FILE {SECRET_KEY_FILE}: {error.strerror}.") from error
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off (production mode)."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be a random string of at least 50 characters in production "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG is off (production mode).")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "reversion",
    "django_prose_editor",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "articles",
]

MIDDLEWARE = [
    # /health/ for load balancers, answered before anything else (see the module).
    "newsroom.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content API: CORS headers for configured origins, and its per-address rate limit,
    # outside the page cache so that cached answers carry them and count too.
    "corsheaders.middleware.CorsMiddleware",
    "articles.api.throttling.AnonymousRateLimitMiddleware",
    # Anonymous readers' cached pages are answered here, before the middleware below runs.
    "articles.cache.page_cache.PageCacheMiddleware",
    # A database that cannot be reached is a styled 503 with Retry-After, not a 500.
    "articles.cache.outage.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every page (articles/csp.py); inside the page cache, which keeps it.
    "articles.csp.ContentSecurityPolicyMiddleware",
    # Turns a locked-out login into the lockout page (django-axes asks to be last).
    "axes.middleware.AxesMiddleware",
]

# One log record per request with its timing (newsroom/request_log.py), around everything but
# the health check.
NEWSROOM_REQUEST_LOG = env_bool("NEWSROOM_REQUEST_LOG", False)
if NEWSROOM_REQUEST_LOG:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("newsroom.health.HealthCheckMiddleware") + 1,
        "newsroom.request_log.RequestLogMiddleware",
    )

ROOT_URLCONF = "newsroom.urls"

TEMPLATES = [
    {
        # The reader site's pages (templates/jinja2/, articles/site/templating.py); the admin below.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "articles.site.templating.environment",
            "context_processors": ["articles.site.context_processors.site"],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.site.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# Databases: SQLite file in DATA_DIR by default, PostgreSQL (psycopg 3) via DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "db.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails the request quickly (a 503) instead of holding a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DJANGO_DB_CONNECT_TIMEOUT", 3)
    )
    # JIT compilation pays off for long analytical queries only; on a page's queries it adds
    # 50-100 ms whenever a cost estimate crosses jit_above_cost.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # Lets psycopg keep statements prepared (after 5 runs on a connection), for the cursors that
    # bind parameters on the server: only the article page's reads (articles/site/rows.py), which
    # PostgreSQL otherwise parses and plans anew on every request for longer than it runs them.
    # Django's own queries bind on the client and are never prepared. Turn off behind PgBouncer
    # in transaction mode (unless it has max_prepared_statements).
    if env_bool("DJANGO_DB_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work during an import; IMMEDIATE transactions make two
    # writers queue on the lock instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # A file (not :memory:) so that tests can start other processes on it.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(DATA_DIR / f"test-{os.getpid()}.sqlite3")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches. Django's cache (for whoever asks for one: not the page cache) is local memory by
# default, Django's Redis backend with CACHE_URL/REDIS_URL. The page cache (articles/cache/store.py)
# keeps pages in each process's memory, and shares them through that same Redis when there is one.
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "")
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "newsroom")
# Redis is an accelerator: a connection or a reply that takes longer fails, and the process
# leaves Redis alone for NEWSROOM_REDIS_RETRY_SECONDS before trying again.
NEWSROOM_REDIS_TIMEOUT_SECONDS = env_float("NEWSROOM_REDIS_TIMEOUT_SECONDS", 0.25)
NEWSROOM_REDIS_RETRY_SECONDS = env_float("NEWSROOM_REDIS_RETRY_SECONDS", 5)
NEWSROOM_PAGE_CACHE_REDIS_URL = ""
NEWSROOM_PAGE_CACHE_KEY_PREFIX = CACHE_KEY_PREFIX
# Memory each process may fill with the pages it served (least recently used go first); 0: none.
NEWSROOM_PAGE_MEMORY_BYTES = env_int("NEWSROOM_PAGE_MEMORY_BYTES", 32 * 1024 * 1024)
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    NEWSROOM_PAGE_CACHE_REDIS_URL = CACHE_URL
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "socket_connect_timeout": NEWSROOM_REDIS_TIMEOUT_SECONDS,
                "socket_timeout": NEWSROOM_REDIS_TIMEOUT_SECONDS,
            },
        }
    }
elif CACHE_URL in ("", "locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_URL == "dummy://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    NEWSROOM_PAGE_MEMORY_BYTES = 0
else:
    raise ImproperlyConfigured(
        f"CACHE_URL must start with redis://, rediss://, unix://, locmem:// or dummy://, not {CACHE_URL!r}."
    )

# Login throttling (django-axes, articles/login_throttle.py): failed logins are counted per account
# and per address; past the limit both are locked for a while, even against the right password.
AUTHENTICATION_BACKENDS = [
    "articles.login_throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("NEWSROOM_LOGIN_THROTTLE", True)
AXES_FAILURE_LIMIT = env_int("NEWSROOM_LOGIN_FAILURE_LIMIT", 10)
NEWSROOM_LOGIN_LOCKOUT_MINUTES = env_int("NEWSROOM_LOGIN_LOCKOUT_MINUTES", 15)
AXES_COOLOFF_TIME = dt.timedelta(minutes=NEWSROOM_LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "articles.login_throttle.lockout_response"
AXES_CLIENT_IP_CALLABLE = "articles.login_throttle.client_address"
# How many proxies (each appending to X-Forwarded-For) stand between readers and the app: the
# address logins and the API's anonymous requests are counted by is then the one the outermost
# proxy saw (articles.login_throttle.client_address).
NEWSROOM_TRUSTED_PROXIES = env_int("NEWSROOM_TRUSTED_PROXIES", 0)

# Sessions live in the database, never in Redis alone: editors stay logged in when Redis is down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", DATA_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("DJANGO_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", DATA_DIR / "media"))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Media (uploads, fetched lead images and their renditions): files in DJANGO_MEDIA_ROOT by default;
# NEWSROOM_MEDIA_STORAGE=s3 keeps them in an S3-compatible bucket that every app server shares
# (django-storages). Credentials are found the way boto3 finds them (AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, a profile, or the machine's role), never in these settings.
NEWSROOM_MEDIA_STORAGE = os.environ.get("NEWSROOM_MEDIA_STORAGE", "").strip().lower() or "local"
if NEWSROOM_MEDIA_STORAGE == "s3":
    if not os.environ.get("NEWSROOM_S3_BUCKET", "").strip():
        raise ImproperlyConfigured("NEWSROOM_S3_BUCKET is required when NEWSROOM_MEDIA_STORAGE=s3.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["NEWSROOM_S3_BUCKET"].strip(),
            # Another S3-compatible service (MinIO, Ceph, Cloudflare R2, Alibaba OSS…); empty is AWS.
            "endpoint_url": os.environ.get("NEWSROOM_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("NEWSROOM_S3_REGION") or None,
            # "path" for services without bucket subdomains (MinIO); empty lets boto3 choose.
            "addressing_style": os.environ.get("NEWSROOM_S3_ADDRESSING_STYLE") or None,
            "location": os.environ.get("NEWSROOM_S3_PREFIX", "media").strip("/"),
            # Pages link media on this host (a CDN in front of the bucket) instead of the bucket's.
            "custom_domain": os.environ.get("NEWSROOM_S3_CUSTOM_DOMAIN") or None,
            # Public media: plain addresses that cached pages can keep, unless the bucket is private.
            "querystring_auth": env_bool("NEWSROOM_S3_SIGNED_URLS", False),
            # Like local files: a new upload never replaces a file of the same name.
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=604800"},
        },
    }
elif NEWSROOM_MEDIA_STORAGE != "local":
    raise ImproperlyConfigured(f"NEWSROOM_MEDIA_STORAGE must be local or s3, not {NEWSROOM_MEDIA_STORAGE!r}.")

# django-taggit: tags that differ only in letter case ("eVTOL", "EVTOL") are one tag, as the Tag
# model's unique index on the lower-cased name holds; the Tag model makes the slugs.
TAGGIT_CASE_INSENSITIVE = True

# Hosts whose <iframe>/<video> embeds are kept (as https, sandboxed); any other
# embed becomes a plain link. Comma-separated; a leading dot matches subdomains.
NEWSROOM_EMBED_HOSTS = env_list(
    "NEWSROOM_EMBED_HOSTS",
    "www.youtube.com,www.youtube-nocookie.com,player.bilibili.com,player.youku.com,"
    "v.qq.com,tv.sohu.com,blog.mydrivers.com,.cnbetacdn.com",
)
# Content-Security-Policy (django-csp; articles/csp.py). Reader pages: no inline script, scripts and
# styles from our origin, style attributes (kept by the sanitiser), frames only from the embed hosts.
_EMBED_FRAME_SOURCES = [
    f"https://*{host}" if host.startswith(".") else f"https://{host}" for host in NEWSROOM_EMBED_HOSTS
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "https:", "http:"],
        "media-src": [SELF, "https:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "frame-src": _EMBED_FRAME_SOURCES or [NONE],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Admin pages: the rich-text editor's inline import map runs by this request's nonce, and only it;
# the admin's widgets set inline styles; the preview shows embeds.
NEWSROOM_ADMIN_CONTENT_SECURITY_POLICY = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "https:", "http:"],
    "media-src": [SELF, "https:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "frame-src": [SELF, *_EMBED_FRAME_SOURCES],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}
# Largest seed file the importer reads, in bytes.
NEWSROOM_IMPORT_MAX_BYTES = env_int("NEWSROOM_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
# Feed profiles (time zones, furniture selectors, tracking hosts): empty means the bundled
# articles/importing/feeds.toml.
NEWSROOM_FEED_PROFILES = os.environ.get("NEWSROOM_FEED_PROFILES", "")
# Remote images fetched by `import_seeds --fetch-images`.
NEWSROOM_FETCH_MAX_BYTES = env_int("NEWSROOM_FETCH_MAX_BYTES", 10 * 1024 * 1024)
NEWSROOM_FETCH_TIMEOUT_SECONDS = env_int("NEWSROOM_FETCH_TIMEOUT_SECONDS", 10)
NEWSROOM_FETCH_ALLOW_PRIVATE_ADDRESSES = env_bool("NEWSROOM_FETCH_ALLOW_PRIVATE_ADDRESSES", False)
# Uploaded and fetched images: the largest accepted size and the widths rendered.
NEWSROOM_IMAGE_MAX_BYTES = env_int("NEWSROOM_IMAGE_MAX_BYTES", 10 * 1024 * 1024)
NEWSROOM_IMAGE_MAX_PIXELS = env_int("NEWSROOM_IMAGE_MAX_PIXELS", 40_000_000)
NEWSROOM_IMAGE_WIDTHS = [480, 960, 1600]
# How long a shared preview link (/preview/<token>/) keeps working, in seconds.
NEWSROOM_PREVIEW_MAX_AGE_SECONDS = env_int("NEWSROOM_PREVIEW_MAX_AGE_SECONDS", 60 * 60 * 24 * 3)

# The reader site. NEWSROOM_SITE_URL (e.g. https://news.example.com) makes canonical
# addresses, feeds and sitemaps independent of the Host header; empty uses the request's.
NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "")
NEWSROOM_SITE_URL = os.environ.get("NEWSROOM_SITE_URL", "").rstrip("/")
# How long anonymous readers' pages stay in the cache at most, and in shared caches in front
# (s-maxage); 0 turns the page cache off. A scheduled article's time always cuts it shorter.
NEWSROOM_PAGE_CACHE_SECONDS = env_int("NEWSROOM_PAGE_CACHE_SECONDS", 600)
# Serve uploaded media from Django with DEBUG off: for make run on this machine only; in
# production the proxy serves DJANGO_MEDIA_ROOT.
NEWSROOM_SERVE_MEDIA = env_bool("NEWSROOM_SERVE_MEDIA", False)
# How often each process reads the purge log (articles/cache/invalidation.py): a page made stale by a
# change is not served longer than this after the change commits.
NEWSROOM_CACHE_SYNC_SECONDS = env_float("NEWSROOM_CACHE_SYNC_SECONDS", 1)

# The Content API (/api/v1/, articles/api/): read-only, JSON only.
REST_FRAMEWORK = {
    # Token first: a refused token is then a 401 naming the scheme (WWW-Authenticate: Token).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # JSON only: the page cache keys pages by address, so one address must have one representation.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["articles.api.throttling.AnonymousRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "articles.api.errors.exception_handler",
    "URL_FORMAT_OVERRIDE": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Our rate limit counts by articles.login_throttle.client_address; this keeps REST framework's
    # own rule (BaseThrottle.get_ident) to the same trusted proxies, should one of its throttles be used.
    "NUM_PROXIES": NEWSROOM_TRUSTED_PROXIES,
}
# Requests an anonymous client may make to the API per address: N/second, N/minute, N/hour or N/day;
# 0 turns the limit off.
NEWSROOM_API_ANONYMOUS_RATE = os.environ.get("NEWSROOM_API_ANONYMOUS_RATE", "300/minute").strip()
SPECTACULAR_SETTINGS = {
    "TITLE": "newsroom Content API",
    "DESCRIPTION": _(
        "The published archive as JSON: articles, categories, tags, authors and search. "
        "Read-only; anonymous clients see what readers see."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from the drf-spectacular-sidecar package, served as our own static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Browsers on these origins may read the API (comma-separated, e.g. https://app.example.com).
CORS_ALLOWED_ORIGINS = env_list("NEWSROOM_API_CORS_ORIGINS")
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]

# HTTP caches in front of the app servers (Varnish, deploy/varnish/): the address of each node,
# comma-separated (e.g. http://10.0.0.5:6081/), sent a PURGE after every change readers can see
# (articles/cache/http_purge.py), each within the timeout. Empty: no HTTP cache to purge.
NEWSROOM_HTTP_CACHE_PURGE_URLS = env_list("NEWSROOM_HTTP_CACHE_PURGE_URLS")
for _purge_url in NEWSROOM_HTTP_CACHE_PURGE_URLS:
    if not _purge_url.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"NEWSROOM_HTTP_CACHE_PURGE_URLS holds {_purge_url!r}: each address must start with http:// or https://."
        )
NEWSROOM_HTTP_CACHE_PURGE_TIMEOUT_SECONDS = env_float("NEWSROOM_HTTP_CACHE_PURGE_TIMEOUT_SECONDS", 1.0)
# Each purge is sent again this many seconds later (0: never): longer than another app server may
# still answer with a page the change made stale (the page cache's NEWSROOM_CACHE_SYNC_SECONDS).
NEWSROOM_HTTP_CACHE_REPURGE_SECONDS = env_float("NEWSROOM_HTTP_CACHE_REPURGE_SECONDS", 1.2)

# Production hardening: on whenever DEBUG is off. Behind a TLS-terminating
# proxy set DJANGO_SECURE_PROXY_SSL_HEADER=1. DJANGO_HTTPS=0 is for a production
# configuration served over plain HTTP on this machine (make run): no redirect to
# https, cookies without Secure, no HSTS. `check --deploy` warns about each, as it should.
HTTPS = env_bool("DJANGO_HTTPS", True)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", HTTPS)
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365 if HTTPS else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", HTTPS)
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", HTTPS)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", HTTPS)
    if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# Logs go to stderr, as plain text or as one JSON object a line (DJANGO_LOG_FORMAT=json, for a
# log collector); request records (NEWSROOM_REQUEST_LOG) at INFO whatever DJANGO_LOG_LEVEL says.
DJANGO_LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "text").strip().lower() or "text"
if DJANGO_LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be text or json, not {DJANGO_LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(message)s"},
        "json": {"()": "newsroom.log_format.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": DJANGO_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {"newsroom.request": {"level": "INFO"}},
}
