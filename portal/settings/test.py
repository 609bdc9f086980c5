"""Test settings: fast hashing, local memory, eager tasks; the database comes from DATABASE_URL."""

from .base import *  # noqa: F403
from .base import BASE_DIR
from .env import env_database

DATABASES = {"default": env_database("DATABASE_URL", "sqlite://:memory:")}
DATABASES["default"]["TEST"] = {"NAME": None}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# CI runs its passes side by side (SQLite, PostgreSQL, and the browser tests on a PostgreSQL database of their
# own): each keeps its files apart.
_ENGINE = DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
_PASS = _ENGINE if _ENGINE == "sqlite3" else f"{_ENGINE}-{DATABASES['default']['NAME']}"
MEDIA_ROOT = BASE_DIR / "var" / f"test-media-{_PASS}"
IMPORT_STAGING_ROOT = BASE_DIR / "var" / f"test-imports-{_PASS}"
ADMIN_REQUIRE_2FA = True
DEBUG = False
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001", "django_ratelimit.E003", "models.W040"]
HARVEST_FOLDERS_ROOT = str(BASE_DIR / "var" / f"test-harvest-{_PASS}")
# Identity verification (portal.accounts): text messages go to portal.accounts.sms.outbox.
SMS_BACKEND = "portal.accounts.sms.LocmemBackend"
