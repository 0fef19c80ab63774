"""Settings for Aftersales, read from environment variables.

Every variable is documented in the README's configuration table.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("AFTERSALES_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    """Return a comma-separated environment variable as a list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or os.environ.get("AFTERSALES_ALLOW_INSECURE_KEY") == "1":
        SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 - development only
    else:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set (see the configuration table in README.md).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "anymail",
    "ninja",
    "aftersales.core",
    "aftersales.customers",
    "aftersales.catalog",
    "aftersales.sales",
    "aftersales.messaging",
    "aftersales.service",
    "aftersales.followup",
    "aftersales.feedback",
    "aftersales.warranty",
    "aftersales.fieldwork",
    "aftersales.contracts",
    "aftersales.offers",
    "aftersales.newsletter",
    "aftersales.loyalty",
    "aftersales.referrals",
    "aftersales.contests",
    "aftersales.console",
    "aftersales.portal",
    "aftersales.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "aftersales.core.middleware.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "aftersales.core.middleware.ActivateUserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "aftersales.config.urls"
WSGI_APPLICATION = "aftersales.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'aftersales.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the worker and the tick read while one of them writes;
    # IMMEDIATE transactions take the write lock up front instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "sesame.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"

# Magic links for the customer portal (django-sesame): single use, short lived, scoped.
SESAME_MAX_AGE = int(os.environ.get("PORTAL_LINK_MAX_AGE", str(30 * 60)))
SESAME_ONE_TIME = True
SESAME_TOKEN_NAME = "token"  # noqa: S105 - a query-string name, not a secret

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Madrid")
USE_I18N = True
USE_TZ = True
DEFAULT_CURRENCY = os.environ.get("DEFAULT_CURRENCY", "EUR")
DEFAULT_PHONE_REGION = os.environ.get("DEFAULT_PHONE_REGION", "ES")

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Proofs of purchase: what may be uploaded and how big.
PROOF_OF_PURCHASE_MAX_BYTES = int(os.environ.get("PROOF_OF_PURCHASE_MAX_BYTES", str(10 * 1024 * 1024)))
PROOF_OF_PURCHASE_CONTENT_TYPES = ["application/pdf", "image/jpeg", "image/png"]
# The public warranty check: attempts allowed per client address and per serial number in the window.
WARRANTY_CHECKS_PER_ADDRESS = int(os.environ.get("WARRANTY_CHECKS_PER_ADDRESS", "20"))
WARRANTY_CHECKS_PER_SERIAL = int(os.environ.get("WARRANTY_CHECKS_PER_SERIAL", "5"))
WARRANTY_CHECK_WINDOW_SECONDS = int(os.environ.get("WARRANTY_CHECK_WINDOW_SECONDS", str(15 * 60)))
# Largest sales history file the console and the API accept for a background import.
SALES_IMPORT_MAX_BYTES = int(os.environ.get("SALES_IMPORT_MAX_BYTES", str(512 * 1024 * 1024)))
# Largest file a ticket message may carry, and the kinds of file it may be (checked by content, not name).
SERVICE_ATTACHMENT_MAX_BYTES = int(os.environ.get("SERVICE_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
SERVICE_ATTACHMENT_CONTENT_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "text/plain"]
# A new ticket of the same customer about the same unit within this many days is a repeat contact.
SERVICE_REPEAT_CONTACT_DAYS = int(os.environ.get("SERVICE_REPEAT_CONTACT_DAYS", "14"))
# Outgoing webhooks: seconds to wait for an endpoint, and how many attempts before giving up.
SERVICE_WEBHOOK_TIMEOUT = float(os.environ.get("SERVICE_WEBHOOK_TIMEOUT", "10"))
SERVICE_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("SERVICE_WEBHOOK_MAX_ATTEMPTS", "8"))
# Service desk email. The acknowledgement promises a first answer within this many hours (until SLA
# policies say otherwise) and goes to tickets opened by these channels, at most this many an hour per customer.
SERVICE_FIRST_RESPONSE_HOURS = int(os.environ.get("SERVICE_FIRST_RESPONSE_HOURS", "24"))
SERVICE_MAIL_ACKNOWLEDGE_CHANNELS = [
    channel.strip()
    for channel in os.environ.get("SERVICE_MAIL_ACKNOWLEDGE_CHANNELS", "email,portal,api").split(",")
    if channel.strip()
]
SERVICE_MAIL_ACKNOWLEDGE_PER_HOUR = int(os.environ.get("SERVICE_MAIL_ACKNOWLEDGE_PER_HOUR", "5"))
# Mailbox passwords by the name a mailbox gives (its "password variable"); a name missing here is read
# from the environment variable of that name. Never stored in the database.
SERVICE_MAILBOX_PASSWORDS: dict[str, str] = {}
# Seconds to wait for an IMAP server, and how many messages one poll of a mailbox takes at most.
SERVICE_MAIL_TIMEOUT = float(os.environ.get("SERVICE_MAIL_TIMEOUT", "30"))
SERVICE_MAIL_FETCH_LIMIT = int(os.environ.get("SERVICE_MAIL_FETCH_LIMIT", "200"))

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds before a silent mail server counts as a failed attempt (the outbox retries later).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Aftersales <service@example.com>")
# Email providers through django-anymail: every ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"],
# e.g. ANYMAIL_POSTMARK_SERVER_TOKEN, ANYMAIL_WEBHOOK_SECRET ("user:password" for the tracking webhooks).
ANYMAIL = {name.removeprefix("ANYMAIL_"): value for name, value in os.environ.items() if name.startswith("ANYMAIL_")}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# The outbox (aftersales.messaging). Each variable is described in the README's configuration table.
MESSAGING_SMS_BACKEND = os.environ.get("MESSAGING_SMS_BACKEND", "aftersales.messaging.backends.FileSmsBackend")
SMS_FILE_PATH = VAR_DIR / "sms"
SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = os.environ.get("SMS_HTTP_TOKEN", "")
SMS_HTTP_SENDER = os.environ.get("SMS_HTTP_SENDER", "")
SMS_WEBHOOK_SECRET = os.environ.get("SMS_WEBHOOK_SECRET", "")
LETTERS_PATH = VAR_DIR / "letters"
# No SMS or marketing email between these local hours of the customer: "21-8" (or a tuple); empty for none.
MESSAGING_QUIET_HOURS = os.environ.get("MESSAGING_QUIET_HOURS", "21-8").strip()
# At most N marketing messages per customer in D days: "N/D"; empty for no cap.
MESSAGING_MARKETING_CAP = os.environ.get("MESSAGING_MARKETING_CAP", "3/30")
MESSAGING_MAX_ATTEMPTS = int(os.environ.get("MESSAGING_MAX_ATTEMPTS", "5"))
# How long a worker may hold a message while sending before another worker may take it over.
MESSAGING_LEASE_SECONDS = int(os.environ.get("MESSAGING_LEASE_SECONDS", "300"))
MESSAGING_SWEEP_SECONDS = int(os.environ.get("MESSAGING_SWEEP_SECONDS", "60"))

# Follow-up (aftersales.followup). Each variable is described in the README's configuration table.
FOLLOWUP_SWEEP_SECONDS = int(os.environ.get("FOLLOWUP_SWEEP_SECONDS", "300"))
# Touches acted on per sweep run at most; the rest wait for the next run.
FOLLOWUP_SWEEP_LIMIT = int(os.environ.get("FOLLOWUP_SWEEP_LIMIT", "5000"))
# An open call or visit this many hours past its due time is escalated to the service managers.
FOLLOWUP_ESCALATE_AFTER_HOURS = int(os.environ.get("FOLLOWUP_ESCALATE_AFTER_HOURS", "24"))
# After "no answer", the call comes back this many hours later unless the caller picks a time.
FOLLOWUP_RETRY_HOURS = int(os.environ.get("FOLLOWUP_RETRY_HOURS", "24"))
# A call with this many unanswered attempts is closed as not reached.
FOLLOWUP_CALL_ATTEMPTS = int(os.environ.get("FOLLOWUP_CALL_ATTEMPTS", "3"))
# The department whose queue receives problems found on calls and work-order proposals.
FOLLOWUP_SERVICE_DEPARTMENT = os.environ.get("FOLLOWUP_SERVICE_DEPARTMENT", "service")

# Loyalty: how many customers one background run sends a special offer or a newsletter issue to.
OFFERS_SEND_BATCH = int(os.environ.get("OFFERS_SEND_BATCH", "200"))
NEWSLETTER_BATCH_SIZE = int(os.environ.get("NEWSLETTER_BATCH_SIZE", "200"))
# Field service scheduling (aftersales.fieldwork). Each variable is described in docs/operations.md.
# Minutes kept free between two visits of one person in different zones.
FIELDWORK_TRAVEL_BUFFER_MINUTES = int(os.environ.get("FIELDWORK_TRAVEL_BUFFER_MINUTES", "30"))
# Spacing of the start times proposed within a working window.
FIELDWORK_SLOT_STEP_MINUTES = int(os.environ.get("FIELDWORK_SLOT_STEP_MINUTES", "30"))
# A sale at or above this total gets a delivery visit for its rep; empty or 0 switches it off.
FIELDWORK_DELIVERY_VISIT_MIN_TOTAL = os.environ.get("FIELDWORK_DELIVERY_VISIT_MIN_TOTAL", "1500")
# Visits are proposed for sales of the last N days only (older history is left alone); 0 switches it off.
FIELDWORK_AFTER_SALE_WINDOW_DAYS = int(os.environ.get("FIELDWORK_AFTER_SALE_WINDOW_DAYS", "14"))
# Days an emailed confirm/reschedule link stays valid.
FIELDWORK_LINK_MAX_AGE_DAYS = int(os.environ.get("FIELDWORK_LINK_MAX_AGE_DAYS", "30"))
# How often `aftersales tick` proposes visits after sales and sends the day-before reminders.
FIELDWORK_SWEEP_SECONDS = int(os.environ.get("FIELDWORK_SWEEP_SECONDS", "300"))
# Field service visits (aftersales.fieldwork): what an hour of a technician's time costs, and the photos a
# visit may carry (checked by content, not name).
FIELDWORK_LABOUR_RATE = os.environ.get("FIELDWORK_LABOUR_RATE", "45.00")
FIELDWORK_PHOTO_MAX_BYTES = int(os.environ.get("FIELDWORK_PHOTO_MAX_BYTES", str(10 * 1024 * 1024)))
FIELDWORK_PHOTO_CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"]
FIELDWORK_PHOTOS_PER_VISIT = int(os.environ.get("FIELDWORK_PHOTOS_PER_VISIT", "30"))
# Maintenance contracts (aftersales.contracts). Each variable is described in the README's configuration table.
# A planned maintenance visit's work order is created this many days before the visit is due.
CONTRACTS_VISIT_LEAD_DAYS = int(os.environ.get("CONTRACTS_VISIT_LEAD_DAYS", "14"))
# Units whose standard warranty ends within this many days are offered to reps as contract opportunities.
CONTRACTS_OPPORTUNITY_DAYS = int(os.environ.get("CONTRACTS_OPPORTUNITY_DAYS", "60"))
# Feedback (aftersales.feedback). Each variable is described in docs/user-guide/feedback.md.
# At most one survey per customer in this many days (recovery follow-up surveys excepted).
FEEDBACK_FATIGUE_DAYS = int(os.environ.get("FEEDBACK_FATIGUE_DAYS", "30"))
# Survey links (one-click answers, the survey page) stop working this many days after the email.
FEEDBACK_LINK_DAYS = int(os.environ.get("FEEDBACK_LINK_DAYS", "30"))
# Every customer with a purchase gets the relationship survey once per this many months (0: never).
FEEDBACK_RELATIONSHIP_MONTHS = int(os.environ.get("FEEDBACK_RELATIONSHIP_MONTHS", "12"))
# Relationship surveys sent per sweep run at most; the rest wait for the next run.
FEEDBACK_RELATIONSHIP_LIMIT = int(os.environ.get("FEEDBACK_RELATIONSHIP_LIMIT", "500"))
# Word of mouth: how many people a satisfied customer tells (a range) and a dissatisfied one tells.
FEEDBACK_WORD_OF_MOUTH_SATISFIED = os.environ.get("FEEDBACK_WORD_OF_MOUTH_SATISFIED", "1-2")
FEEDBACK_WORD_OF_MOUTH_DISSATISFIED = os.environ.get("FEEDBACK_WORD_OF_MOUTH_DISSATISFIED", "10")
# Where a promoter is asked to leave a public review (a review site page; empty: the request asks for a word to friends).
FEEDBACK_REVIEW_URL = os.environ.get("FEEDBACK_REVIEW_URL", "")

# A database cache: shared by every web worker and machine (sign-in link limits count across all of them).
CACHES = {
    "default": {
        "BACKEND": os.environ.get("CACHE_BACKEND", "django.core.cache.backends.db.DatabaseCache"),
        "LOCATION": os.environ.get("CACHE_LOCATION", "aftersales_cache"),
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
# Repair orders: a unit back within this many days of a repair being returned is flagged as a repeat;
# labour is costed and charged per hour at these rates; an emailed quote link works this many days.
REPAIR_REPEAT_DAYS = int(os.environ.get("REPAIR_REPEAT_DAYS", "90"))
REPAIR_LABOUR_COST_PER_HOUR = os.environ.get("REPAIR_LABOUR_COST_PER_HOUR", "30.00")
REPAIR_LABOUR_PRICE_PER_HOUR = os.environ.get("REPAIR_LABOUR_PRICE_PER_HOUR", "45.00")
REPAIR_QUOTE_LINK_MAX_AGE_DAYS = int(os.environ.get("REPAIR_QUOTE_LINK_MAX_AGE_DAYS", "14"))
