"""Settings for the career stories portal: one file, driven by environment variables.

The defaults run the embedded demo (SQLite and media in ./var). Production sets DJANGO_DEBUG=0,
DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL; see README.md.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE)}, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)


def _local_secret_key() -> str:
    """The embedded set-up's key: made once and kept in VAR_DIR so sessions survive restarts and workers."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "careerportal.apps.PortalAdminConfig",  # django.contrib.admin, with the portal's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "taggit",
    "django_tasks_db",
    "careerportal",
    "skills",
    "stories",
    "reflection",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "careerportal.security.cross_origin_resource_policy",
    "careerportal.compression.HTMLGZipMiddleware",  # above all that write the body: it compresses what they wrote
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "careerportal.cache_control.PrivateCacheControlMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "careerportal.urls"
WSGI_APPLICATION = "careerportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "careerportal.navigation.links",
                "careerportal.roles.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the server's readers carry on while a curator writes. With WAL, synchronous=NORMAL syncs the log at
    # checkpoints rather than at every commit (an autocommit write, such as a story visit, takes 0.1 ms instead of 0.7,
    # and holds the write lock that much less); the database stays consistent after a crash, but a power cut may lose
    # the last commits. Reads map the file into memory (up to 1 GB; the OS's page cache, shared by every process)
    # instead of copying each page into each connection's cache: a story page's queries run in about half the time.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=1073741824;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # Writers from several gunicorn workers queue for the write lock (seconds) instead of failing "database is locked".
    DATABASES["default"]["OPTIONS"]["timeout"] = env_int("PORTAL_SQLITE_TIMEOUT", 20)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The portal's queries are short: PostgreSQL's JIT compiler only adds seconds to a few of them (related stories).
    # Its data is read from memory or SSD, where a read by index costs about what a sequential one does: priced as on a
    # spinning disk (random_page_cost 4), the planner read all 14,000 skills' rows to find the 200 an employee's
    # stories show (the assessment page's query, under EXPLAIN ANALYZE: 9 ms instead of 1). Behind pgbouncer, list
    # "options" in its ignore_startup_parameters and set both on the server instead.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off -c random_page_cost=1.1")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("PORTAL_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served directly: media go through access-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "careerportal.staticfiles.StaticFilesStorage"
            if env_bool("PORTAL_MANIFEST_STATIC", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}


def _object_storage_origins(*, bucket: str, endpoint_url: str, region: str, addressing_style: str) -> list[str]:
    """Where presigned URLs point, so that the Content-Security-Policy lets pages load pictures and media from there."""
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ImproperlyConfigured(f"PORTAL_S3_ENDPOINT_URL must be an http(s) URL, not {endpoint_url!r}")
        origins = [f"{parts.scheme}://{parts.netloc}"]
        if addressing_style == "virtual":
            origins.append(f"{parts.scheme}://{bucket}.{parts.netloc}")  # botocore keeps IP endpoints path-style
        return origins
    host = f"s3.{region}.amazonaws.com" if region and region != "us-east-1" else "s3.amazonaws.com"
    return [f"https://{bucket}.{host}" if addressing_style == "virtual" else f"https://{host}"]


# Object storage (AWS S3 or compatible, e.g. MinIO): set PORTAL_S3_BUCKET and uploads go to that private bucket
# instead of MEDIA_ROOT. The media views check access as before, then redirect to a presigned URL valid for
# PORTAL_S3_URL_EXPIRY seconds; the bucket answers Range requests itself. Credentials come from boto3's usual
# sources: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, or the machine's role.
PORTAL_S3_BUCKET = os.environ.get("PORTAL_S3_BUCKET", "").strip()
MEDIA_STORAGE_ORIGINS: list[str] = []  # other origins the browser loads media from, for the CSP
if PORTAL_S3_BUCKET:
    _s3_endpoint_url = os.environ.get("PORTAL_S3_ENDPOINT_URL", "").strip()
    _s3_region = os.environ.get("PORTAL_S3_REGION", "").strip()
    # Custom endpoints (MinIO, moto, most S3-compatibles) want path-style URLs; AWS wants virtual-hosted ones.
    _s3_addressing_style = os.environ.get("PORTAL_S3_ADDRESSING_STYLE", "path" if _s3_endpoint_url else "virtual")
    if _s3_addressing_style not in {"path", "virtual"}:
        raise ImproperlyConfigured(f"PORTAL_S3_ADDRESSING_STYLE must be path or virtual, not {_s3_addressing_style!r}")
    _s3_url_expiry = env_int("PORTAL_S3_URL_EXPIRY", 300)
    if not 1 <= _s3_url_expiry <= 7 * 24 * 3600:
        raise ImproperlyConfigured(f"PORTAL_S3_URL_EXPIRY must be 1 to 604800 seconds, not {_s3_url_expiry}")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PORTAL_S3_BUCKET,
            "endpoint_url": _s3_endpoint_url or None,
            "region_name": _s3_region or None,
            "addressing_style": _s3_addressing_style,
            "signature_version": "s3v4",
            # No ACL header: objects stay private (S3's default), and buckets with ACLs disabled, the default for
            # new AWS buckets, refuse uploads that name one.
            "default_acl": None,
            "querystring_auth": True,  # every URL is presigned; nothing is public
            "querystring_expire": _s3_url_expiry,
            "file_overwrite": False,  # a new upload with a taken name gets a new name, as on disk
            "custom_domain": None,
        },
    }
    MEDIA_STORAGE_ORIGINS = _object_storage_origins(
        bucket=PORTAL_S3_BUCKET,
        endpoint_url=_s3_endpoint_url,
        region=_s3_region,
        addressing_style=_s3_addressing_style,
    )

# When a proxy (nginx) serves MEDIA_ROOT from an internal location, the media view answers with
# X-Accel-Redirect to this prefix after its access check, e.g. "/protected-media/".
PORTAL_MEDIA_ACCEL_PREFIX = os.environ.get("PORTAL_MEDIA_ACCEL_PREFIX", "")

# Upload limits (bytes and pixels); checked by stories.validators with a clear message.
PORTAL_MAX_IMAGE_BYTES = env_int("PORTAL_MAX_IMAGE_BYTES", 8 * 1024 * 1024)
PORTAL_MAX_IMAGE_PIXELS = env_int("PORTAL_MAX_IMAGE_PIXELS", 40_000_000)
PORTAL_MAX_MEDIA_BYTES = env_int("PORTAL_MAX_MEDIA_BYTES", 500 * 1024 * 1024)
PORTAL_MAX_CAPTION_BYTES = env_int("PORTAL_MAX_CAPTION_BYTES", 1024 * 1024)
PORTAL_MAX_FRAMEWORK_BYTES = env_int("PORTAL_MAX_FRAMEWORK_BYTES", 100 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# The cache: with REDIS_URL (e.g. redis://cache:6379/0) every node shares one Redis, and sessions are kept in the
# database with Redis in front, so they work on any node and survive a cache flush. Without it (one machine), each
# process keeps its own in memory (nothing kept there needs sharing: see README, "How caching works"), and sessions
# live in the database.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    if urlsplit(REDIS_URL).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(f"REDIS_URL must start with redis://, rediss:// or unix://, not {REDIS_URL!r}")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("PORTAL_CACHE_KEY_PREFIX", "careerportal"),
            "TIMEOUT": env_int("PORTAL_CACHE_TIMEOUT", 300),
            # A slow or missing Redis fails a request within seconds instead of hanging a worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2, "health_check_interval": 30},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": env_int("PORTAL_CACHE_TIMEOUT", 300),
        }
    }

# Behind HTTPS (PORTAL_HTTPS=1, the production set-up): redirect plain HTTP, send HSTS, and mark cookies Secure.
# The proxy in front must set X-Forwarded-Proto (see README, "Production"). Off for the embedded demo on http.
PORTAL_HTTPS = env_bool("PORTAL_HTTPS", False)
SECURE_SSL_REDIRECT = PORTAL_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PORTAL_HTTPS else None
SECURE_HSTS_SECONDS = env_int("PORTAL_HSTS_SECONDS", 31_536_000) if PORTAL_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PORTAL_HSTS_INCLUDE_SUBDOMAINS", True)
# Preload only takes effect when the company submits its base domain to the browsers' list.
SECURE_HSTS_PRELOAD = env_bool("PORTAL_HSTS_PRELOAD", PORTAL_HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", PORTAL_HTTPS)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
# Sessions end PORTAL_SESSION_HOURS after log-in (a working day by default), or at log-out.
SESSION_COOKIE_AGE = env_int("PORTAL_SESSION_HOURS", 12) * 3600
SESSION_SAVE_EVERY_REQUEST = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *MEDIA_STORAGE_ORIGINS],
    "media-src": [CSP.SELF, *MEDIA_STORAGE_ORIGINS],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Off by default: anonymous requests for a story or collection get nothing. On: they get a preview card (title,
# summary, poster) so that chat tools can unfurl a shared link; everything else still needs a login.
PORTAL_PUBLIC_PREVIEWS = env_bool("PORTAL_PUBLIC_PREVIEWS", False)
# On: a curator cannot publish a story they edited last (another curator reviews it), unless they are the only one.
PORTAL_PUBLISH_NEEDS_SECOND_CURATOR = env_bool("PORTAL_PUBLISH_NEEDS_SECOND_CURATOR", True)
# On: an opportunity a manager posts waits for a curator to open it (curators' own open at once). Off: it opens when
# posted. Either way only open opportunities before their closing date show.
PORTAL_OPPORTUNITIES_NEED_REVIEW = env_bool("PORTAL_OPPORTUNITIES_NEED_REVIEW", True)
# Insight pages show any count of people's activity below this as "fewer than N"; coverage lists skills with
# fewer stories than PORTAL_INSIGHT_FEW_STORIES.
PORTAL_INSIGHT_MIN_COUNT = env_int("PORTAL_INSIGHT_MIN_COUNT", 5)
PORTAL_INSIGHT_FEW_STORIES = env_int("PORTAL_INSIGHT_FEW_STORIES", 3)
# Opening a story again within this many seconds of a counted visit (a reload, coming back to the tab) is the same
# visit: it is not counted again. 0 counts every view.
PORTAL_VISIT_GAP_SECONDS = env_int("PORTAL_VISIT_GAP_SECONDS", 600)
# Links in emails point here.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The hour (0-23, in TIME_ZONE) at which daily digests of inbox items are emailed to those who chose them.
PORTAL_DIGEST_HOUR = env_int("PORTAL_DIGEST_HOUR", 8)
# Email: through an SMTP relay when EMAIL_HOST is set, printed to the console otherwise (the demo).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Career stories <careers@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_host = os.environ.get("EMAIL_HOST", "").strip()
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": env_int("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {
        "default": {"BACKEND": os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}
    }

# Background tasks (django.tasks): emails are sent by a worker, never inside a request (careerportal.notifications).
# The default backend keeps its queue in a table of the portal's database (django-tasks-db), so a task commits or rolls
# back with the write that queued it; its worker is `manage.py db_worker` (README, "Production"). A larger deployment
# names another backend's class here (an RQ or Celery backend for django.tasks) and runs that backend's worker.
TASKS = {"default": {"BACKEND": os.environ.get("PORTAL_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Log-in throttling (careerportal.auth): attempts are counted in the database, so across all nodes.
PORTAL_LOGIN_FAILURES_PER_ACCOUNT = env_int("PORTAL_LOGIN_FAILURES_PER_ACCOUNT", 5)
PORTAL_LOGIN_FAILURES_PER_ADDRESS = env_int("PORTAL_LOGIN_FAILURES_PER_ADDRESS", 30)
PORTAL_LOGIN_LOCKOUT_MINUTES = env_int("PORTAL_LOGIN_LOCKOUT_MINUTES", 15)
# The request header (in WSGI form) where the proxy in front puts the client's address, e.g. HTTP_X_REAL_IP;
# empty: REMOTE_ADDR. Set it only behind a proxy that overwrites the header, or anyone can pick their address.
PORTAL_CLIENT_IP_HEADER = os.environ.get("PORTAL_CLIENT_IP_HEADER", "")

# Single sign-on with OpenID Connect (mozilla-django-oidc) when OIDC_RP_CLIENT_ID is set; local accounts keep
# working beside it. See README, "Single sign-on and provisioning", for mapping a company's identity provider. With
# the client id, all of these must be set (start-up stops otherwise); `check --deploy` warns when only some of them are.
PORTAL_OIDC_REQUIRED_SETTINGS = [
    "OIDC_RP_CLIENT_ID", "OIDC_RP_CLIENT_SECRET", "OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT", "OIDC_OP_JWKS_ENDPOINT",
]  # fmt: skip
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
AUTHENTICATION_BACKENDS = ["careerportal.auth.AccountBackend"]
if OIDC_RP_CLIENT_ID:
    _oidc_missing = [name for name in PORTAL_OIDC_REQUIRED_SETTINGS if not os.environ.get(name)]
    if _oidc_missing:
        raise ImproperlyConfigured(f"OIDC_RP_CLIENT_ID is set, so {', '.join(_oidc_missing)} must be set too.")
    OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
    AUTHENTICATION_BACKENDS = ["careerportal.auth.CompanyOIDCBackend", "careerportal.auth.AccountBackend"]
PORTAL_OIDC_PROVIDER_NAME = os.environ.get("PORTAL_OIDC_PROVIDER_NAME", "your company account")
PORTAL_OIDC_USERNAME_CLAIM = os.environ.get("PORTAL_OIDC_USERNAME_CLAIM", "preferred_username")
PORTAL_OIDC_GROUPS_CLAIM = os.environ.get("PORTAL_OIDC_GROUPS_CLAIM", "groups")
PORTAL_OIDC_CURATOR_GROUP = os.environ.get("PORTAL_OIDC_CURATOR_GROUP", "")
# Optional claims for the directory, read at each log-in when the token has them (empty: not read): the department
# (a function's name), the job title, and the manager's email.
PORTAL_OIDC_FUNCTION_CLAIM = os.environ.get("PORTAL_OIDC_FUNCTION_CLAIM", "department")
PORTAL_OIDC_JOB_TITLE_CLAIM = os.environ.get("PORTAL_OIDC_JOB_TITLE_CLAIM", "job_title")
PORTAL_OIDC_MANAGER_CLAIM = os.environ.get("PORTAL_OIDC_MANAGER_CLAIM", "manager_email")

# Provisioning: the SCIM 2.0 Users endpoint (careerportal.scim) is on when this bearer token is set, and not found
# otherwise. The identity provider sends it with every request; make it long and random (secrets.token_urlsafe(32)).
PORTAL_SCIM_TOKEN = os.environ.get("PORTAL_SCIM_TOKEN", "").strip()
if PORTAL_SCIM_TOKEN and len(PORTAL_SCIM_TOKEN) < 32:
    raise ImproperlyConfigured("PORTAL_SCIM_TOKEN must be at least 32 characters long: make it long and random.")

# Logs go to standard error, one JSON object a line (PORTAL_LOG_FORMAT=json, the default) for the log collector,
# or plain text (text) for reading in a terminal.
PORTAL_LOG_FORMAT = os.environ.get("PORTAL_LOG_FORMAT", "json")
if PORTAL_LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"PORTAL_LOG_FORMAT must be json or text, not {PORTAL_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "careerportal.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": PORTAL_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
