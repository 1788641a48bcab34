"""Settings of the ICP compliance portal: one module, read from ``ICP_*`` variables.

With no variable set the portal runs on its embedded default (SQLite, local file
storage, console e-mail and SMS, the demo DNS zone file, an in-process broker for
its periodic jobs). ``ICP_ENV=production`` requires the variables a real deployment
cannot do without and refuses to start when one is missing.
"""

from __future__ import annotations

import datetime
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from icpportal.env import (
    envbool,
    envchoice,
    envdate,
    envint,
    envlist,
    envnetworks,
    envperiod,
    envperiodmap,
    envstr,
    envurl,
)

BASE_DIR = Path(__file__).resolve().parent.parent

ENV = envchoice("ENV", "development", ("development", "production"))
PRODUCTION = ENV == "production"
DEBUG = envbool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("ICP_DEBUG cannot be on with ICP_ENV=production.")

# Where the embedded default keeps its database, uploads, generated keys and broker.
DATA_DIR = Path(envstr("DATA_DIR", str(BASE_DIR / "var")))


def _local_secret(filename: str, make) -> str:
    """A secret kept in DATA_DIR, created on first use (development only)."""
    path = DATA_DIR / filename
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _new_fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


if PRODUCTION:
    SECRET_KEY = envstr("SECRET_KEY", required=True)
    ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", required=True)
    DATABASE_URL = envurl("DATABASE_URL", "", ("postgres", "postgresql"), required=True)
    REDIS_URL = envurl("REDIS_URL", "", ("redis", "rediss"), required=True)
    FIELD_KEYS = envlist("FIELD_KEYS", required=True)
else:
    SECRET_KEY = envstr("SECRET_KEY") or _local_secret(
        "secret_key", lambda: secrets.token_urlsafe(50)
    )
    ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
    DATABASE_URL = envurl(
        "DATABASE_URL",
        f"sqlite:///{DATA_DIR / 'portal.sqlite3'}",
        ("sqlite", "postgres", "postgresql"),
    )
    REDIS_URL = envstr("REDIS_URL")
    if REDIS_URL:
        envurl("REDIS_URL", "", ("redis", "rediss"))
    FIELD_KEYS = envlist("FIELD_KEYS") or [_local_secret("field_key", _new_fernet_key)]

if len(SECRET_KEY) < 50 and PRODUCTION:
    raise ImproperlyConfigured("ICP_SECRET_KEY must be at least 50 characters long.")

# Keys of personal-data encryption, newest first (see icpportal.crypto).
ICP_FIELD_KEYS = FIELD_KEYS

INSTALLED_APPS = [
    "icpportal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "django_celery_beat",
    "django_bootstrap5",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "icpportal",
    "filings",
    "inspections",
    "notifications",
]

MIDDLEWARE = [
    # /gate/check is answered here, before sessions and users (see inspections.gate).
    "inspections.gate.views.GateCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "icpportal.tenancy.TenantMiddleware",
    "axes.middleware.AxesMiddleware",
    # Staff and superusers pass their second factor before anything else.
    "icpportal.accounts.two_factor.enforcement.SecondFactorMiddleware",
]

ROOT_URLCONF = "icpportal.urls"
WSGI_APPLICATION = "icpportal.wsgi.application"

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
                "icpportal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "icpportal.accounts.backends.PortalBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 1  # hours
# A lockout holds one user name from one address: a stranger cannot lock an
# account out from elsewhere, and one address cannot try many passwords for it.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "icpportal.accounts.views.locked_out"
# Sign-ups and password-reset e-mails per client address and hour.
SIGN_UP_LIMIT_PER_HOUR = envint("SIGN_UP_LIMIT_PER_HOUR", 10, minimum=1)
PASSWORD_RESET_LIMIT_PER_HOUR = envint("PASSWORD_RESET_LIMIT_PER_HOUR", 10, minimum=1)
# The provider's terms of service, linked from the sign-up form when set.
SERVICE_TERMS_URL = envstr("SERVICE_TERMS_URL")

# Internationalisation: Simplified Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
# Outside production whitenoise serves straight from the app and static/ folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
if not PRODUCTION:
    STATIC_ROOT.mkdir(exist_ok=True)

# Storage: materials are private; never served from a public URL.
STORAGE_KIND = envchoice("STORAGE", "local", ("local", "s3"))
if STORAGE_KIND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": envstr("S3_BUCKET", required=True),
            "endpoint_url": envstr("S3_ENDPOINT_URL") or None,
            "region_name": envstr("S3_REGION") or None,
            "access_key": envstr("S3_ACCESS_KEY_ID") or None,
            "secret_key": envstr("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MATERIAL_MAX_BYTES = envint("MATERIAL_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# Larger images are refused: decoding one to check it needs memory per pixel.
MATERIAL_MAX_IMAGE_PIXELS = envint("MATERIAL_MAX_IMAGE_PIXELS", 50_000_000, minimum=1_000_000)
# Files of deregistered websites and entities are deleted this long after deregistration.
MATERIAL_RETENTION_DAYS = envint("MATERIAL_RETENTION_DAYS", 180, minimum=1)
# How many files one run of the integrity job re-hashes (least recently checked first).
MATERIAL_INTEGRITY_BATCH = envint("MATERIAL_INTEGRITY_BATCH", 200, minimum=1)
# Local storage: uploaded documents readable by the portal's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Cache, Celery broker and results: Redis when configured, in-process otherwise.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _broker_dir = DATA_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Task modules outside an app's tasks.py.
CELERY_IMPORTS = ("inspections.gate.tasks", "inspections.bulk.tasks")
# How often the access gate's decisions are recomputed and Redis rebuilt.
GATE_RECONCILE_SECONDS = envint("GATE_RECONCILE_SECONDS", 300, minimum=10)
# Periodic jobs; the database scheduler copies these into its tables at start.
CELERY_BEAT_SCHEDULE = {
    "reconcile-access-gate": {
        "task": "inspections.gate.tasks.reconcile_access_decisions",
        "schedule": float(GATE_RECONCILE_SECONDS),
    },
    "send-due-notifications": {
        "task": "notifications.tasks.sweep_notifications",
        "schedule": 60.0,
    },
    "poll-bureau": {
        "task": "filings.tasks.applications.poll_bureau",
        "schedule": 60.0,
    },
    "expire-sms-steps": {
        "task": "filings.tasks.applications.expire_sms_steps",
        "schedule": 300.0,
    },
    "remind-and-expire-drafts": {
        "task": "filings.tasks.applications.remind_and_expire_drafts",
        "schedule": 3600.0,
    },
    "check-material-integrity": {
        "task": "filings.tasks.materials.check_material_integrity",
        "schedule": 3600.0,
    },
    "purge-deregistered-materials": {
        "task": "filings.tasks.materials.purge_deregistered_materials",
        "schedule": 86400.0,
    },
    "escalate-rectification-cases": {
        "task": "inspections.enforcement.tasks.escalate_due_cases",
        "schedule": 60.0,
    },
}
# Longer than the longest chunk, so an unacknowledged chunk is not redelivered early.
CELERY_VISIBILITY_TIMEOUT = envint("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=10)
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}

# Inspection workers. A queue name routes campaign chunks to dedicated workers
# (empty: the default queue). Look-ups run concurrently inside one chunk; a chunk is
# stopped softly before the broker would hand it to another worker.
INSPECTION_QUEUE = envstr("INSPECTION_QUEUE")
# DNS queries in flight per chunk: 64 is where the bare resolver peaks against a local
# server (bench sweep); resolvers further away may want more.
INSPECTION_DNS_CONCURRENCY = envint("INSPECTION_DNS_CONCURRENCY", 64, minimum=1)
INSPECTION_RDAP_CONCURRENCY = envint("INSPECTION_RDAP_CONCURRENCY", 4, minimum=1)
INSPECTION_CHUNK_SOFT_TIME_LIMIT = envint(
    "INSPECTION_CHUNK_SOFT_TIME_LIMIT", max(2, int(CELERY_VISIBILITY_TIMEOUT * 0.8)), minimum=2
)
INSPECTION_LOOKUP_BUDGET_SECONDS = envint(
    "INSPECTION_LOOKUP_BUDGET_SECONDS", CELERY_VISIBILITY_TIMEOUT // 2, minimum=1
)
# Contact reachability: a mobile verified by SMS longer ago than this is stale. A
# mobile never verified is a warning until the date below, a blocking problem after it.
CONTACT_VERIFICATION_MAX_AGE_DAYS = envint("CONTACT_VERIFICATION_MAX_AGE_DAYS", 365, minimum=1)
UNVERIFIED_MOBILE_BLOCKING_FROM = envdate(
    "UNVERIFIED_MOBILE_BLOCKING_FROM", datetime.date(2027, 7, 1)
)
# Required materials: an entity with more websites than this files the extra
# commitment letter its province asks for.
MANY_WEBSITES_THRESHOLD = envint("MANY_WEBSITES_THRESHOLD", 2, minimum=1)

# Rectification and enforcement (inspections.enforcement). A period is (kind, days).
RECTIFICATION_PERIOD = envperiod("RECTIFICATION_PERIOD", "10w")
RECTIFICATION_PERIODS = envperiodmap("RECTIFICATION_PERIODS")
ENFORCEMENT_BLOCKS_PER_HOUR = envint("ENFORCEMENT_BLOCKS_PER_HOUR", 200, minimum=0)
ENFORCEMENT_CAMPAIGN_APPROVAL_THRESHOLD = envint(
    "ENFORCEMENT_CAMPAIGN_APPROVAL_THRESHOLD", 50, minimum=0
)
ENFORCEMENT_CANCEL_GRACE_DAYS = envint("ENFORCEMENT_CANCEL_GRACE_DAYS", 10, minimum=0)
ENFORCEMENT_FOUR_EYES = envbool("ENFORCEMENT_FOUR_EYES", True)
ESCALATION_BATCH = envint("ESCALATION_BATCH", 1000, minimum=1)
ESCALATION_QUEUE = envstr("ESCALATION_QUEUE")
ESCALATION_TIME_BUDGET_SECONDS = envint("ESCALATION_TIME_BUDGET_SECONDS", 50, minimum=1)
if ESCALATION_QUEUE:
    CELERY_BEAT_SCHEDULE["escalate-rectification-cases"]["options"] = {"queue": ESCALATION_QUEUE}

# E-mail: console by default; ICP_EMAIL_URL=smtp://user:password@host:587?tls=1
EMAIL_URL = envstr("EMAIL_URL", "console:")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "ICP Compliance <icp-noreply@localhost>")


def _email_settings(url: str) -> dict:
    from urllib.parse import parse_qs, unquote, urlsplit

    scheme = url.split(":", 1)[0]
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
    }
    if scheme not in backends:
        raise ImproperlyConfigured(
            f"ICP_EMAIL_URL={url!r} is not valid: expected console:, locmem:, smtp:// or smtps://"
        )
    result = {"EMAIL_BACKEND": backends[scheme]}
    if scheme.startswith("smtp"):
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        result.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or (465 if scheme == "smtps" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=scheme == "smtps",
            EMAIL_USE_TLS=query.get("tls", ["0"])[0] in ("1", "true"),
        )
    return result


globals().update(_email_settings(EMAIL_URL))

# SMS: console (default), locmem (tests), tencentcloud, http.
SMS_BACKEND = envchoice("SMS_BACKEND", "console", ("console", "locmem", "tencentcloud", "http"))
SMS_SIGNATURE = envstr("SMS_SIGNATURE", "【ICP备案】")
# Tencent Cloud SMS: an approved template per event, "event=TemplateId,…".
SMS_TEMPLATE_IDS = dict(item.split("=", 1) for item in envlist("SMS_TEMPLATE_IDS") if "=" in item)
TENCENT_SMS_SECRET_ID = envstr("TENCENT_SMS_SECRET_ID")
TENCENT_SMS_SECRET_KEY = envstr("TENCENT_SMS_SECRET_KEY")
TENCENT_SMS_APP_ID = envstr("TENCENT_SMS_APP_ID")
TENCENT_SMS_SIGN_NAME = envstr("TENCENT_SMS_SIGN_NAME")
TENCENT_SMS_REGION = envstr("TENCENT_SMS_REGION", "ap-guangzhou")
TENCENT_SMS_ENDPOINT = envstr("TENCENT_SMS_ENDPOINT", "sms.tencentcloudapi.com")
TENCENT_SMS_SCHEME = envchoice("TENCENT_SMS_SCHEME", "https", ("https", "http"))
# A generic HTTP gateway: JSON POST signed with HMAC-SHA256.
SMS_HTTP_URL = envstr("SMS_HTTP_URL")
SMS_HTTP_SECRET = envstr("SMS_HTTP_SECRET")

# DNS: the demo zone file by default; real resolvers in production.
DNS_BACKEND = envchoice("DNS_BACKEND", "zonefile", ("zonefile", "resolvers"))
DNS_ZONEFILE = envstr("DNS_ZONEFILE", str(BASE_DIR / "inspections" / "demo" / "demo.zone"))
DNS_RESOLVERS = envlist("DNS_RESOLVERS", ["127.0.0.1:53"])
DNS_TIMEOUT_SECONDS = envint("DNS_TIMEOUT_SECONDS", 3, minimum=1)
DNS_ATTEMPTS = envint("DNS_ATTEMPTS", 2, minimum=1)
# RDAP, the last registrant source; off when empty (the embedded default asks nobody).
RDAP_BASE_URL = envstr("RDAP_BASE_URL")
if RDAP_BASE_URL:
    envurl("RDAP_BASE_URL", "", ("http", "https"))
RDAP_TIMEOUT_SECONDS = envint("RDAP_TIMEOUT_SECONDS", 5, minimum=1)
RDAP_MIN_INTERVAL_MS = envint("RDAP_MIN_INTERVAL_MS", 1000, minimum=0)
RDAP_CACHE_SECONDS = envint("RDAP_CACHE_SECONDS", 86400, minimum=0)
# Address blocks that never count as the provider's: private, loopback, link-local,
# shared (CGNAT), multicast and unspecified. The documentation blocks stay usable as
# demo provider ranges.
RESERVED_NETWORKS = envnetworks(
    "RESERVED_NETWORKS",
    [
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    ],
)

# The bureau: the local, deterministic simulator unless another adapter is named.
REGISTRY_BACKEND = envstr("REGISTRY_BACKEND", "filings.registry.simulator.SimulatorRegistry")
# The simulator decides a submission this long after it arrives (a periodic job asks).
REGISTRY_SIMULATOR_DELAY_SECONDS = envint("REGISTRY_SIMULATOR_DELAY_SECONDS", 60, minimum=0)
# Words the simulated bureau refuses in entity and website names.
REGISTRY_SIMULATOR_BLOCKED_NAMES = envlist(
    "REGISTRY_SIMULATOR_BLOCKED_NAMES", ["博彩", "赌场", "色情", "私服", "代孕"]
)
PROVIDER_NAME = envstr("PROVIDER_NAME", "Demo Cloud")
PROVIDER_CODE = envstr("PROVIDER_CODE", "demo-cloud")
PROVIDER_CONTACT = envstr("PROVIDER_CONTACT", "icp-support@example.com / 400-000-0000")
# Staff log in with a second factor: an authenticator app (its entry is named after the
# provider), or a recovery code.
OTP_TOTP_ISSUER = f"{PROVIDER_NAME} ICP"

# Access gate (inspections.gate): decisions are answered from this Redis, the
# database when it is down, and let through with an alert when both are.
GATE_REDIS_URL = envstr("GATE_REDIS_URL") or REDIS_URL
GATE_REDIS_KEY = envstr("GATE_REDIS_KEY", "icp:gate:decisions")
GATE_REDIS_TIMEOUT_MS = envint("GATE_REDIS_TIMEOUT_MS", 200, minimum=10)
# After a failure Redis is left alone this long before the gate tries it again.
GATE_REDIS_RETRY_SECONDS = envint("GATE_REDIS_RETRY_SECONDS", 2, minimum=0)
GATE_ALERT_EMAILS = envlist("GATE_ALERT_EMAILS")
GATE_ALERT_INTERVAL_SECONDS = envint("GATE_ALERT_INTERVAL_SECONDS", 300, minimum=1)

# Security headers; strict in production, behind nginx terminating TLS.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^gate/"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [f"https://{h}" for h in ALLOWED_HOSTS])


def _api_rate(name: str, default: str) -> str:
    """A request rate such as ``60/minute``; a bad value stops start-up."""
    value = envstr(name, default)
    count, _slash, period = value.partition("/")
    if not (count.isdigit() and int(count) > 0 and period in _RATE_PERIODS):
        raise ImproperlyConfigured(f"ICP_{name}={value!r} is not valid: expected e.g. 60/minute.")
    return value


_RATE_PERIODS = {"s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "icpportal.api.authentication.ApiTokenAuthentication",
        # DRF enforces the CSRF check for every session-authenticated unsafe request.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "icpportal.api.permissions.TokenScopes",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "icpportal.api.throttling.UserThrottle",
        "icpportal.api.throttling.AnonThrottle",
        "icpportal.api.throttling.ScopedThrottle",
    ],
    # Requests per caller (user, or address when anonymous); a view's throttle_scope
    # adds its own limit on top of "user".
    "DEFAULT_THROTTLE_RATES": {
        "anon": _api_rate("API_RATE_ANON", "60/minute"),
        "user": _api_rate("API_RATE_USER", "1200/minute"),
        "uploads": _api_rate("API_RATE_UPLOADS", "120/hour"),
        "transitions": _api_rate("API_RATE_TRANSITIONS", "60/minute"),
        "downloads": _api_rate("API_RATE_DOWNLOADS", "600/hour"),
        "tokens": _api_rate("API_RATE_TOKENS", "30/hour"),
    },
}
# API tokens must expire: at most this many days after they are created.
API_TOKEN_MAX_DAYS = envint("API_TOKEN_MAX_DAYS", 365, minimum=1)
API_TOKEN_DEFAULT_DAYS = envint("API_TOKEN_DEFAULT_DAYS", 90, minimum=1)

SPECTACULAR_SETTINGS = {
    "TITLE": f"{PROVIDER_NAME} ICP portal API",
    "DESCRIPTION": (
        "Customer endpoints of the ICP filing portal. Authenticate with a personal API "
        "token (`Authorization: Bearer icp_…`) or a logged-in session (CSRF enforced)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set used by several fields.
    "ENUM_NAME_OVERRIDES": {
        "ApplicationKindEnum": "filings.choices.ApplicationKind",
        "ApplicationStatusEnum": "filings.choices.ApplicationStatus",
        "MaterialKindEnum": "filings.choices.MaterialKind",
        "IdTypeEnum": "filings.choices.IdType",
        "PhoneVerificationStatusEnum": "notifications.models.verification.PhoneVerification.Status",
        "CaseStateEnum": "inspections.models.cases.CaseState",
        "BulkJobKindEnum": "icpportal.models.bulk_job.BulkJob.Kind",
        "BulkJobSelectionEnum": "inspections.bulk.forms.Selection",
        "CampaignStatusEnum": "inspections.models.campaign.CampaignStatus",
        "CampaignScopeEnum": "inspections.models.campaign.CampaignScope",
        "FindingStatusEnum": "inspections.models.cases.FindingStatus",
        "RuleStatusEnum": "inspections.rules.base.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "icpportal.masking.MaskPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

BOOTSTRAP5 = {"set_placeholder": False}
