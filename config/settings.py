"""Settings for the commentary site, read from the environment.

Every value that differs between a laptop and production comes from an environment variable
(documented in ``.env.example``).  The defaults are for development; with ``DEBUG`` off the
settings refuse to load while a development default is still in place.
"""

import os
import sys
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-never-use-in-production"  # noqa: S105


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_str(name, default):
    """The variable's value, or ``default`` when it is unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from error


def env_list(name, default=""):
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]

SECRET_KEY = os.environ.get("SECRET_KEY", "") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if not DEBUG:
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 32 characters when DEBUG is off."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's hosts when DEBUG is off.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "taggit",
    "reversion",
    "reversion_compare",
    "django_prose_editor",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "commentary",
]

MIDDLEWARE = [
    # First, so that every later middleware's log lines carry the request id.
    "config.middleware.RequestIdMiddleware",
    # Second: a cached page for an anonymous reader is answered before any other middleware
    # runs, with the headers they added when it was rendered (commentary/page_cache.py).
    "commentary.page_cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    # Inside CSPMiddleware: adds the admin's import map hash before the header is written.
    "config.middleware.AdminContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside every middleware that may query: a database outage answers a 503 page.
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "config.middleware.StaffSessionExpiryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out log-in attempt into the 429 page.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "commentary.context_processors.site",
                "commentary.context_processors.feeds",
            ],
        },
    },
]

# Database: SQLite under var/ for a first run, PostgreSQL in production.
if not env_str("DATABASE_URL", ""):
    # A fresh clone has no var/ (it is not versioned); SQLite cannot create its file without it.
    VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# An optional read replica of the primary (PostgreSQL streaming replication): reads go there,
# writes and the reads that must see them to the primary (config/db_router.py). Tests use
# the test database itself as the replica (TEST MIRROR), so the routing is tested without a
# second server; tests/test_db_router.py switches the router on.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL or TESTING:
    DATABASES["replica"] = {
        **(
            dj_database_url.parse(
                DATABASE_REPLICA_URL,
                conn_max_age=env_int("CONN_MAX_AGE", 60),
                conn_health_checks=True,
            )
            if DATABASE_REPLICA_URL
            else DATABASES["default"]
        ),
        "TEST": {"MIRROR": "default"},
    }
# The article page's queries run as prepared statements of the database session on PostgreSQL
# (commentary/prepared.py): planned once per connection. A pooler that hands one server session
# to many clients (PgBouncer in transaction mode) needs them off: DATABASE_PREPARED_STATEMENTS=0.
for _database in DATABASES.values():
    _database["DISABLE_PREPARED_STATEMENTS"] = not env_bool("DATABASE_PREPARED_STATEMENTS", True)
if DATABASE_REPLICA_URL:
    DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
    # First after the request id: every write of the request, the session's too, counts.
    MIDDLEWARE.insert(1, "config.db_router.PrimaryAfterWriteMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set, local memory otherwise.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # While Redis is unreachable the site runs without it (config/cache.py): the
            # cache reads as empty and rate limits count in the database.
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "commentary"),
            "OPTIONS": {
                # Redis answers in a millisecond; one that hangs must not hold every request.
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                "pause_after_failure": 5,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:log-in"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "commentary:home"

# Log-in protection (django-axes). Failed log-ins, and wrong two-factor codes, are counted in
# the database (app servers keep no state of their own) per combination of username and
# client address: after AXES_FAILURE_LIMIT failures that username cannot log in from that
# address until AXES_COOLOFF_MINUTES after the last one; a success clears the count. Counting
# per username from any address as well (AXES_LOCK_OUT_USERNAME) also stops guessing spread
# over many addresses, but lets anyone who knows a username lock its owner out, so it is off
# by default: staff accounts have a second factor, and readers' passwords pass the validators
# above. Administrators unlock an account with the "Unlock" action on the admin's Users list,
# under Access attempts, or with `manage.py axes_reset_username USERNAME`.
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
if env_bool("AXES_LOCK_OUT_USERNAME", False):
    AXES_LOCKOUT_PARAMETERS.append("username")
AXES_RESET_ON_SUCCESS = True
# Attempts made while locked out are refused without being counted, so the lock-out page can
# say exactly when the next attempt will be heard.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip_address"
# Failures are kept for administrators (Access failures in the admin); successful log-ins
# are not recorded with their address at all.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_DISABLE_ACCESS_LOG = True
# Masked in the stored request data: a mistyped backup code is close to a real one.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# Failures and lock-outs are still logged; this drops the banner every command would print.
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files need collectstatic first; development and tests serve
        # the source files as they are.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail: SMTP when EMAIL_HOST is set, the console otherwise.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Commentary <noreply@localhost>")
# Server errors are e-mailed to these addresses ("Name <addr>, Other <addr2>").
ADMINS = [parseaddr(entry) for entry in env_list("ADMINS")]
SERVER_EMAIL = DEFAULT_FROM_EMAIL

if env_bool("BEHIND_HTTPS_PROXY", False):
    # Only behind a proxy that overwrites this header; otherwise any client could claim HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the site append the client's address to X-Forwarded-For. 0:
# the client is REMOTE_ADDR, and the header, which any client can write, is ignored. The log-in
# lock-out counts failures per client address (accounts.lockout.client_ip_address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe the health check over plain http inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a commitment browsers take months to undo, so it stays an explicit
        # opt-in; check --deploy's reminder about it (W021) would only train people to
        # ignore its output.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp): the site's own files only, no inline scripts or
# styles. On admin pages config.middleware adds the hash of django-prose-editor's inline
# import map to script-src, and nothing else.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# Browser features no page of the site uses (Permissions-Policy header).
PERMISSIONS_POLICY_DENIED = [
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "interest-cohort",
]

# The admin's address, moved off the well-known /admin/ to spare it the bots' password
# guessing. A path without a leading slash, ending in one.
ADMIN_URL = env_str("ADMIN_URL", "admin/")
if ADMIN_URL.startswith("/") or not ADMIN_URL.endswith("/"):
    raise ImproperlyConfigured(
        f"ADMIN_URL must not start with a slash and must end with one, not {ADMIN_URL!r}."
    )
# Sessions of staff members (who can reach the admin) end after this many seconds, however
# long the ordinary SESSION_COOKIE_AGE is. Default: eight hours.
STAFF_SESSION_AGE = env_int("STAFF_SESSION_AGE", 8 * 60 * 60)
# Staff (whoever can reach the admin or the moderation queue) confirm each log-in with a
# six-digit code from an authenticator app (TOTP, django-otp), set up at their first log-in,
# or with one of their backup codes. On by default, in production and development alike; the
# test suite turns it off except in the tests of two-factor log-in itself.
STAFF_TWO_FACTOR = env_bool("STAFF_TWO_FACTOR", not TESTING)
# The devices' secrets are not shown in the admin; administrators reset a person's devices.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

SITE_NAME = env_str("SITE_NAME", "Commentary")
# The name an authenticator app shows beside the account.
OTP_TOTP_ISSUER = SITE_NAME
TAGGIT_CASE_INSENSITIVE = True

# Whole public pages for anonymous readers are kept in the cache (commentary/page_cache.py),
# dropped the moment something they show changes, and kept this many seconds at most; 0 turns
# the page cache off. It lives in CACHES: with Redis every app server shares it; with the
# in-process memory cache (no REDIS_URL) run a single process.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# With Redis, each app server process also keeps the pages it served lately in its own memory,
# this many megabytes at most (0: none), and answers them with no round trip to Redis while it
# knows they are current: every change is announced to every process over a Redis channel
# (commentary/page_cache/local.py). A version heard of is read again after this many seconds.
PAGE_CACHE_LOCAL_MB = env_int("PAGE_CACHE_LOCAL_MB", 32)
# The name of this build (a commit id, say): pages stored by another release are not served.
# Unset, a fingerprint of the code, templates and translations stands for it.
RELEASE = env_str("RELEASE", "")
PAGE_CACHE_LOCAL_SECONDS = env_int("PAGE_CACHE_LOCAL_SECONDS", 30)

# How many items a public list shows per page.
ARTICLES_PER_PAGE = env_int("ARTICLES_PER_PAGE", 10)

# Logs go to stderr, one JSON object per line (time, level, logger, message, request_id, and
# for errors exc_type, exc_message, traceback), for a log shipper to parse. LOG_FORMAT=plain
# writes readable text instead, for a developer's console. Server errors are also e-mailed to
# ADMINS when DEBUG is off.
LOG_FORMAT = env_str("LOG_FORMAT", "json").lower()
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}.")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "config.logging.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "json": {"()": "config.logging.JsonFormatter"},
        "plain": {"()": "config.logging.PlainFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    # Django's own loggers are redefined so that they write through the same console handler
    # (once, through the root) instead of Django's default plain-text handler.
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # django-axes narrates every log-in at INFO; failures and lock-outs are warnings.
        "axes": {"level": "WARNING"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# The largest request body (uploads aside) read into memory; a larger one is refused with 400
# before any view sees it. A comment is at most COMMENTS_MAX_LENGTH characters.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)  # 2.5 MB

# Reader comments and moderation. Each is a policy an editor-in-chief may want to change.
COMMENTS_MAX_LENGTH = env_int("COMMENTS_MAX_LENGTH", 5000)
# Comments close this many days after publication; 0 keeps them open.
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 0)
# An approved comment reported by this many readers goes back to the moderators.
COMMENTS_REPORT_THRESHOLD = env_int("COMMENTS_REPORT_THRESHOLD", 3)
# A form sent sooner than this after it was shown is refused as automated.
COMMENTS_MIN_FILL_SECONDS = env_int("COMMENTS_MIN_FILL_SECONDS", 3)
# How many comments one IP address, and one account, may post per window.
COMMENTS_RATE_LIMIT_COUNT = env_int("COMMENTS_RATE_LIMIT_COUNT", 5)
COMMENTS_RATE_LIMIT_WINDOW = env_int("COMMENTS_RATE_LIMIT_WINDOW", 600)
# Keyed hashes of commenters' IP addresses are erased after this many days.
COMMENTS_IP_RETENTION_DAYS = env_int("COMMENTS_IP_RETENTION_DAYS", 30)
# Approve automatically after this many approved comments and no rejection in 90 days; 0 = off.
COMMENTS_TRUSTED_AFTER = env_int("COMMENTS_TRUSTED_AFTER", 0)
# Tell commenters why a comment was rejected: account holders, and guests who gave an e-mail.
COMMENTS_NOTIFY_REJECTED_ACCOUNTS = env_bool("COMMENTS_NOTIFY_REJECTED_ACCOUNTS", True)
COMMENTS_NOTIFY_REJECTED_GUESTS = env_bool("COMMENTS_NOTIFY_REJECTED_GUESTS", False)
# E-mail a commenter when a reply to their comment is approved.
COMMENTS_NOTIFY_REPLIES = env_bool("COMMENTS_NOTIFY_REPLIES", True)
# E-mail the moderators when this many comments are waiting; 0 = never.
MODERATION_QUEUE_ALERT = env_int("MODERATION_QUEUE_ALERT", 20)
# The site's public address, for links in e-mails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

if TESTING:
    # Hashing passwords at full strength would make the test suite several times slower.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Lead images: upload limits and the widths of the renditions offered in srcset.
IMAGE_MAX_UPLOAD_MB = env_int("IMAGE_MAX_UPLOAD_MB", 10)
IMAGE_MIN_WIDTH = env_int("IMAGE_MIN_WIDTH", 600)
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)
IMAGE_RENDITION_WIDTHS = [480, 800, 1200, 1600]
# A shared preview link stops working after this many days.
PREVIEW_LINK_MAX_AGE_DAYS = env_int("PREVIEW_LINK_MAX_AGE_DAYS", 7)
