"""Settings shared by every environment; each value can come from the environment.

The embedded defaults run the portal on one machine with nothing else installed:
SQLite, the database search backend, Celery tasks run in-process, email on the console.
"""

from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_database, env_int, env_list, env_str, env_url, tiles_source

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Only the development and test settings may use this; production refuses it.
INSECURE_SECRET_KEY = "django-insecure-baladiya-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", INSECURE_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "portal.bodies",
    "portal.accounts",
    "portal",
    "cms",
    "opendata",
    "opendata.spending",
    "participation",
    "participation.requests",
    "participation.proposals",
    "participation.budgeting",
    "search",
    "harvesters",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_celery_beat",
    "leaflet",
    "django_ratelimit",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # ETags and 304s for every GET, last on the way out so that they describe the content as sent.
    "django.middleware.http.ConditionalGetMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.caching.PublicPageCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.SearchUnavailableMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.middleware.AdminTwoFactorMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]
RATELIMIT_VIEW = "portal.ratelimits.rate_limited"

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_url("REDIS_URL", "", ("redis", "rediss"))
CACHES: dict[str, dict]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}}
# Public pages and API answers for anonymous visitors (portal.caching): how long an entry may live in the cache
# (0 turns the page cache off; a change of content retires entries at once anyway), how long browsers and proxies
# may keep an answer before they revalidate it, and the largest answer stored.
PAGE_CACHE_TIMEOUT = env_int("PAGE_CACHE_TIMEOUT", 60 * 60)
PAGE_CACHE_MAX_AGE = env_int("PAGE_CACHE_MAX_AGE", 60)
# Addresses per page of the sitemap (/sitemap.xml is their index): one page stays quick to build and to cache.
SITEMAP_PAGE_SIZE = 500
PAGE_CACHE_MAX_SIZE = env_int("PAGE_CACHE_MAX_SIZE", 2 * 1024 * 1024)
# A caching proxy or CDN in front (docs/deployment.md, "Caching"): Wagtail purges a page's addresses there when
# it is published, moved or withdrawn.
WAGTAILFRONTENDCACHE: dict[str, dict] = {}
if purge_url := env_url("FRONTEND_CACHE_PURGE_URL", "", ("http", "https")):
    WAGTAILFRONTENDCACHE["proxy"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": purge_url,
    }
if cloudflare_zone := env_str("CLOUDFLARE_ZONE_ID"):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": cloudflare_zone,
        "BEARER_TOKEN": env_str("CLOUDFLARE_API_TOKEN"),
    }
if WAGTAILFRONTENDCACHE:
    INSTALLED_APPS.append("wagtail.contrib.frontend_cache")
# django-ratelimit lists only third-party Redis caches as supported; Django's own RedisCache
# has the atomic increments it needs (W001). A memory cache serves the one process of the
# embedded default (E003); production refuses to start without REDIS_URL.
# W040: PostgreSQL's covering indexes (INCLUDE) are plain indexes on SQLite, which is all the embedded default needs.
SILENCED_SYSTEM_CHECKS = [
    "django_ratelimit.W001",
    "models.W040",
    *([] if REDIS_URL else ["django_ratelimit.E003"]),
]

# Accounts: email login, confirmed addresses, two-factor for staff.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
ACCOUNT_ADAPTER = "portal.accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up, login and reset answer the same whether an address is known or not.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# allauth's defaults, written out so that operators see them: 5 failed logins per
# address per 5 minutes, 10 per IP per minute, 20 sign-ups per IP per minute.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/300s/key"),
    "signup": env_str("RATE_LIMIT_SIGNUP", "20/m/ip"),
    "reset_password": "20/m/ip,5/m/key",
    "login": "30/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Baladiya")
# Staff must have completed a second factor before reaching the Wagtail admin.
ADMIN_REQUIRE_2FA = env_bool("ADMIN_REQUIRE_2FA", True)

# Languages: Arabic first (right to left), French, English.
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", "العربية"), ("fr", "Français"), ("en", "English")]
# Used when a translated field is empty in the active language.
LANGUAGE_FALLBACKS = {"ar": ["fr", "en"], "fr": ["ar", "en"], "en": ["fr", "ar"]}
LOCALE_PATHS = [BASE_DIR / "locale"]
# Where the portal corrects Django's number and date formats for a language (portal/formats/<language>/).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Africa/Algiers")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "baladiya_language"

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_SITE_NAME = "Baladiya"
WAGTAILADMIN_BASE_URL = env_str("PUBLIC_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
# One password reset, allauth's: rate-limited per address and per account, and it answers the same for
# unknown addresses. Wagtail's own form had neither.
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILDOCS_DOCUMENT_MODEL = "cms.CouncilDocument"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.documents.CouncilDocumentForm"
WAGTAILDOCS_EXTENSIONS = ["pdf", "odt", "ods", "docx", "xlsx", "csv"]
# Served inline only for PDF; everything else downloads as an attachment.
WAGTAILDOCS_INLINE_CONTENT_TYPES = ["application/pdf"]
DOCUMENT_MAX_UPLOAD_SIZE = env_int("DOCUMENT_MAX_UPLOAD_SIZE", 25 * 1024 * 1024)
WAGTAILDOCS_MAX_UPLOAD_SIZE = DOCUMENT_MAX_UPLOAD_SIZE
# Download types from our own table, not from the host's mime database.
WAGTAILDOCS_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default: larger uploads stream to a temporary file

# Search: the database backend, unless a search server is named (docs/deployment.md, "Search"). The words
# arrive folded and stemmed in Python (portal.analysis: Arabic letters and prefixes, French accents, elisions and
# plurals), so the server's default analyser only repeats the folds that cannot change a folded word (case, Latin
# accents, Arabic letter forms) and stems nothing. modelsearch merges INDEX_SETTINGS into its own, which keep
# their "edgengram_analyzer" for the suggestions.
SEARCH_INDEX_SETTINGS = {
    "settings": {
        "analysis": {
            "analyzer": {
                "default": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding", "arabic_normalization"],
                },
            },
        },
        "index": {
            # A few hundred thousand entries fit one shard (Elastic advises 10-50 GB a shard).
            "number_of_shards": 1,
            # 0 on one node (a replica would never be placed there); 1 or more on a cluster.
            "number_of_replicas": env_int("SEARCH_INDEX_REPLICAS", 0),
        },
    }
}
ELASTICSEARCH_URL = env_url("ELASTICSEARCH_URL", "", ("http", "https"))
OPENSEARCH_URL = env_url("OPENSEARCH_URL", "", ("http", "https"))
if ELASTICSEARCH_URL and OPENSEARCH_URL:
    raise ImproperlyConfigured("Set ELASTICSEARCH_URL or OPENSEARCH_URL, not both: the portal has one search index.")
if ELASTICSEARCH_URL or OPENSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            # OpenSearch's backend needs the opensearch-py client (the `opensearch` extra).
            "BACKEND": "wagtail.search.backends." + ("opensearch3" if OPENSEARCH_URL else "elasticsearch8"),
            "URLS": [OPENSEARCH_URL or ELASTICSEARCH_URL],
            "INDEX_PREFIX": env_str("SEARCH_INDEX_PREFIX", env_str("ELASTICSEARCH_INDEX_PREFIX", "baladiya_")),
            "TIMEOUT": env_int("SEARCH_TIMEOUT", 10),
            "INDEX_SETTINGS": SEARCH_INDEX_SETTINGS,
        }
    }
else:
    # "simple": the words arrive folded and stemmed (portal.analysis); PostgreSQL must not stem them again.
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple"}}
# The longest search, in characters, that every search box and API accepts (portal.queries): room for a
# sentence or a CKAN field query, far below what engines choke on.
SEARCH_MAX_QUERY_LENGTH = env_int("SEARCH_MAX_QUERY_LENGTH", 500)

# Identity verification (portal.accounts.identity): identity numbers are kept only as an HMAC under this key;
# unset, a key derived from SECRET_KEY (rotating SECRET_KEY then makes every verified person unrecognisable, so
# production sets its own and keeps it).
IDENTITY_HASH_KEY = env_str("IDENTITY_HASH_KEY", "")

# Information requests (participation.requests.redaction). The identity-card numbers are encrypted with this
# Fernet key (Fernet.generate_key()); unset, a key derived from SECRET_KEY, which works without configuration
# but makes every stored number unreadable when SECRET_KEY is rotated: production sets its own.
REQUESTS_IDENTITY_KEY = env_str("REQUESTS_IDENTITY_KEY", "")
# The longest PDF, in pages, that the automatic redaction accepts.
REQUESTS_MAX_REDACT_PAGES = env_int("REQUESTS_MAX_REDACT_PAGES", 500)

# Celery: without a broker, tasks run in-process (the embedded default).
CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", "", ("redis", "rediss", "amqp", "memory"))
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL if CELERY_BROKER_URL else "")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Wagtail checks scheduled publication only when asked; a minute is its documented cadence.
    "publish-scheduled-pages": {"task": "portal.publish_scheduled_pages", "schedule": 60.0},
    "clear-expired-sessions": {"task": "portal.clear_expired_sessions", "schedule": 24 * 60 * 60.0},
    # Saved searches' emails: once a day, early in the portal's morning, with the previous day's records.
    "send-saved-search-alerts": {"task": "search.send_saved_search_alerts", "schedule": crontab(hour=6, minute=0)},
    # The requests' figures in the catalogue (participation.requests.open_data): once a day, after midnight's moves.
    "publish-request-statistics": {
        "task": "information_requests.publish_statistics",
        "schedule": crontab(hour=2, minute=30),
    },
    # Information officers: the cases due within REQUESTS_REMINDER_DAYS, before the working day starts.
    "remind-information-officers": {
        "task": "information_requests.remind_officers",
        "schedule": crontab(hour=7, minute=0),
    },
    # The proposals of each body in the catalogue (participation.proposals.open_data), after midnight's moves.
    "publish-proposals-open-data": {"task": "proposals.publish_open_data", "schedule": crontab(hour=2, minute=45)},
    # Publishers: the proposals whose official answer is overdue, before the working day starts.
    "remind-overdue-proposal-answers": {
        "task": "proposals.remind_overdue_answers",
        "schedule": crontab(hour=7, minute=15),
    },
    # Budgeting cycles move to their next phase when its date comes (voting opens and closes on the minute).
    "advance-budgeting-phases": {"task": "budgeting.advance_phases", "schedule": 60.0},
    # Voters who began a ballot and did not confirm it: told once, while voting is open.
    "remind-unconfirmed-ballots": {"task": "budgeting.remind_unconfirmed_ballots", "schedule": 30 * 60.0},
    # Each body's budgeting projects, results, ballots and works in the catalogue (participation.budgeting.open_data).
    "publish-budgeting-open-data": {"task": "budgeting.publish_open_data", "schedule": crontab(hour=3, minute=0)},
}

# Harvesting (harvesters/): the schedules live in the database (django-celery-beat), editable in the admin.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Hosts on private addresses that harvests may reach anyway (a council's intranet), comma-separated; none by default.
HARVEST_ALLOWED_HOSTS = env_list("HARVEST_ALLOWED_HOSTS", [])
HARVEST_MAX_BYTES = env_int("HARVEST_MAX_BYTES", 200 * 1024 * 1024)  # the largest response or file a harvest reads
HARVEST_TIMEOUT = env_int("HARVEST_TIMEOUT", 30)  # seconds to connect, and between two reads of a response
HARVEST_RESPONSE_DEADLINE = env_int("HARVEST_RESPONSE_DEADLINE", 10 * 60)  # seconds for a whole response to arrive
# Watched folders must lie below this one (a source names a folder inside it).
HARVEST_FOLDERS_ROOT = env_str("HARVEST_FOLDERS_ROOT", str(BASE_DIR / "var" / "harvest"))
HARVEST_JOB_TIME_LIMIT = env_int("HARVEST_JOB_TIME_LIMIT", 6 * 60 * 60)  # seconds before a job is stopped
# Seconds a running job holds its source without a sign of life; after a dead worker, the next run waits this long.
HARVEST_LEASE_SECONDS = env_int("HARVEST_LEASE_SECONDS", 10 * 60)

# Email: console unless an SMTP host is given.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Baladiya <no-reply@baladiya.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who answers for the portal as a whole: the DCAT-AP contact point of datasets whose body gives no email.
PORTAL_CONTACT_EMAIL = env_str("PORTAL_CONTACT_EMAIL")
PORTAL_CONTACT_PHONE = env_str("PORTAL_CONTACT_PHONE")

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Files staff upload to an import screen wait here between the preview and the import: never served.
IMPORT_STAGING_ROOT = Path(env_str("IMPORT_STAGING_ROOT", str(BASE_DIR / "var" / "imports")))
DECISION_IMPORT_MAX_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

# Open data: uploads stream to a temporary file and are refused past this size.
OPENDATA_MAX_UPLOAD_SIZE = env_int("OPENDATA_MAX_UPLOAD_SIZE", 512 * 1024 * 1024)
# Information requests and complaints: the longest text a citizen or an officer may write, the largest attachment,
# and how many days before a due date the officers are reminded.
REQUESTS_MAX_TEXT_LENGTH = env_int("REQUESTS_MAX_TEXT_LENGTH", 20_000)
REQUESTS_MAX_ATTACHMENT_SIZE = env_int("REQUESTS_MAX_ATTACHMENT_SIZE", 20 * 1024 * 1024)
REQUESTS_REMINDER_DAYS = env_int("REQUESTS_REMINDER_DAYS", 3)

# Participatory budgeting (participation.budgeting): hours after which a voter who began a ballot is reminded.
BUDGETING_REMIND_AFTER_HOURS = env_int("BUDGETING_REMIND_AFTER_HOURS", 2)

# Proposals (participation.proposals).
PROPOSALS_MAX_TEXT_LENGTH = env_int("PROPOSALS_MAX_TEXT_LENGTH", 10_000)
PROPOSALS_MAX_COMMENT_LENGTH = env_int("PROPOSALS_MAX_COMMENT_LENGTH", 3_000)
PROPOSALS_MAX_FILES = env_int("PROPOSALS_MAX_FILES", 6)
PROPOSALS_MAX_PHOTO_SIZE = env_int("PROPOSALS_MAX_PHOTO_SIZE", 10 * 1024 * 1024)
PROPOSALS_MAX_PHOTO_PIXELS = env_int("PROPOSALS_MAX_PHOTO_PIXELS", 40_000_000)
PROPOSALS_MAX_FILE_SIZE = env_int("PROPOSALS_MAX_FILE_SIZE", 10 * 1024 * 1024)
# Distinct people whose reports hide a proposal until a moderator reviews it.
PROPOSALS_REPORTS_TO_HIDE = env_int("PROPOSALS_REPORTS_TO_HIDE", 3)
PROPOSALS_COMMENT_EDIT_MINUTES = env_int("PROPOSALS_COMMENT_EDIT_MINUTES", 15)
# What one uploaded file may turn into once read (portal.files), for every module:
# - uncompressed ZIP members (XLSX, DOCX, ODT, ODS): as much as the largest CSV upload;
# - compression ratio of a member over 1 MB: office files compress 5 to 20 times, ZIP bombs thousands;
# - columns: below PostgreSQL's 1,600 columns per table (DataStore tables have one per column);
# - cells: 50 million, a 5-million-row table of 10 columns.
FILES_MAX_UNCOMPRESSED_SIZE = env_int("FILES_MAX_UNCOMPRESSED_SIZE", 512 * 1024 * 1024)
FILES_MAX_COMPRESSION_RATIO = env_int("FILES_MAX_COMPRESSION_RATIO", 100)
FILES_MAX_COLUMNS = env_int("FILES_MAX_COLUMNS", 1000)
FILES_MAX_CELLS = env_int("FILES_MAX_CELLS", 50_000_000)
# How often one client may do something (portal.ratelimits; django-ratelimit's notation), each overridable
# as RATE_LIMIT_<NAME> (RATE_LIMIT_API, RATE_LIMIT_ORGANISATION_REGISTER…). Per address unless said.
RATE_LIMITS = {
    name: env_str("RATE_LIMIT_" + name.upper().replace(".", "_"), default)
    for name, default in {
        # Machine interfaces: the REST, CKAN and DCAT APIs, catalogue exports and table previews.
        "api": "300/m",
        # Datasets and resources written through the CKAN API (each call on top of `api`).
        "ckan.write": "60/m",
        # Row and file downloads of open data.
        "download": "60/m",
        # The search page and its suggestions (a person types a few a minute; a scraper, thousands).
        "search": "120/m",
        # Problems reported on a dataset.
        "report": "5/h",
        # Saved searches asked for (each mails a confirmation link to the address given).
        "search.subscribe": "5/h",
        # Per person: associations registered, and members added to one.
        "organisation.register": "5/h",
        "organisation.add_member": "30/h",
        # Information requests and complaints filed, and replies and appeals written on them, per person.
        "information_request": "10/h",
        "information_request.message": "30/h",
        # Proposals written, comments and reports, per person; supports (and their withdrawals) per person.
        "proposal": "5/h",
        "proposal.comment": "30/h",
        "proposal.report": "20/h",
        "proposal.support": "60/m",
        # Budgeting: projects submitted, ballot steps (review, confirm) and receipt checks (guessing codes).
        "budgeting.project": "5/h",
        "budgeting.ballot": "30/m",
        "budgeting.receipt": "20/m",
    }.items()
}

# Identity verification by census and SMS code (portal.accounts: census.py, sms.py, codes.py; docs/verification.md).
# SMS: the backend is a dotted path (ConsoleBackend prints; HttpBackend posts to the country's gateway).
SMS_BACKEND = env_str("SMS_BACKEND", "portal.accounts.sms.ConsoleBackend")
SMS_DEFAULT_COUNTRY = env_str("SMS_DEFAULT_COUNTRY", "DZ")  # how a national number (leading 0) is read: DZ or MA
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_HTTP_FORMAT = env_str("SMS_HTTP_FORMAT", "json")  # "json" or "form"
SMS_HTTP_PHONE_FIELD = env_str("SMS_HTTP_PHONE_FIELD", "to")
SMS_HTTP_TEXT_FIELD = env_str("SMS_HTTP_TEXT_FIELD", "text")
SMS_HTTP_EXTRA_FIELDS = {
    name: value for name, _sep, value in (item.partition("=") for item in env_list("SMS_HTTP_EXTRA_FIELDS", [])) if name
}  # "sender=Baladiya,account=…"
SMS_HTTP_AUTH_HEADER = env_str("SMS_HTTP_AUTH_HEADER", "Authorization")
SMS_HTTP_AUTH_VALUE = env_str("SMS_HTTP_AUTH_VALUE", "")  # e.g. "Bearer …": a secret, from the environment only
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 10)
# One-time codes: lifetime, wrong attempts before a code dies, resend throttle and daily cap (per person, per phone).
VERIFICATION_CODE_MINUTES = env_int("VERIFICATION_CODE_MINUTES", 10)
VERIFICATION_CODE_MAX_ATTEMPTS = env_int("VERIFICATION_CODE_MAX_ATTEMPTS", 5)
VERIFICATION_CODE_RESEND_SECONDS = env_int("VERIFICATION_CODE_RESEND_SECONDS", 60)
VERIFICATION_CODE_MAX_PER_DAY = env_int("VERIFICATION_CODE_MAX_PER_DAY", 5)
# A census file is refused whole when more than this share of its rows (in percent) are wrong.
CENSUS_MAX_BAD_ROWS_PERCENT = env_int("CENSUS_MAX_BAD_ROWS_PERCENT", 5)
CENSUS_MAX_UPLOAD_SIZE = env_int("CENSUS_MAX_UPLOAD_SIZE", 100 * 1024 * 1024)  # the admin's upload
# The verification page, per person: census checks (each may send a code) and codes entered.
RATE_LIMITS |= {
    name: env_str("RATE_LIMIT_" + name.upper().replace(".", "_"), default)
    for name, default in {"verification.census": "10/h", "verification.code": "20/h"}.items()
}

# Maps: django-leaflet ships Leaflet itself. No tile server by default: a visitor's browser asks no third
# party for tiles (which would tell it who reads what) unless the operator names one (docs/deployment.md);
# the maps then draw their shapes on a plain background, and pages show an SVG picture without JavaScript.
MAP_TILES_URL = env_str("MAP_TILES_URL", "")
LEAFLET_CONFIG = {
    "TILES": [
        (_("Map"), MAP_TILES_URL, {"attribution": env_str("MAP_TILES_ATTRIBUTION", ""), "maxZoom": 19}),
    ]
    if MAP_TILES_URL
    else [],
    "DEFAULT_CENTER": (36.75, 3.06),
    "DEFAULT_ZOOM": 6,
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
}

# Content-Security-Policy (django-csp) on every response: scripts only from our origin or inline with the
# request's nonce (`nonce="{{ request.csp_nonce }}"`); images also from the map's tile server. Inline style
# attributes stay allowed (templates and Leaflet set them). The Wagtail admin gets its own script rule:
# see portal.middleware.ContentSecurityPolicyMiddleware.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", *([tiles_source(MAP_TILES_URL)] if MAP_TILES_URL else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Staff avatars: no request to gravatar.com with a hash of each staff member's address.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Dates in the admin as ISO writes them: one order that every language reads, and every form accepts.
WAGTAIL_DATE_FORMAT = "%Y-%m-%d"
WAGTAIL_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Wagtail and its task runner log every page save and index update at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("wagtail", "django_tasks", "modelsearch")},
}

# REST API (/api/v1/): JSON only, errors as RFC 9457 problem details. Views set the pagination
# (portal.api.PublicReadOnlyViewSet): a default naming a class in a module that imports DRF's views would be
# imported by those views while they are still loading.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "portal.api.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
}

# OpenAPI at /api/schema/, Swagger UI at /api/docs/ with its assets served from our static files (no CDN).
SPECTACULAR_SETTINGS = {
    "TITLE": "Baladiya API",
    "DESCRIPTION": "Read-only open data of the portal: council sessions and decisions. Errors are RFC 9457 problems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v[0-9]+",
    "PREPROCESSING_HOOKS": ["portal.api.public_api_only"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "portal.api.empty_means_absent"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Swagger UI's default validator badge is an image from validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "SessionKindEnum": "cms.api.SessionKind",
        "AttachmentKindEnum": "cms.api.AttachmentKind",
        "SupplierKindEnum": "opendata.spending.models.Supplier.Kind",
        "PaymentKindEnum": "opendata.spending.models.Payment.Kind",
        "StageEnum": "opendata.spending.models.Stage",
        "WorksStageEnum": "participation.budgeting.models.Stage",
        "BudgetingProjectStatusEnum": "participation.budgeting.models.ProjectStatus",
    },
}
