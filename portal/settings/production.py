"""Production: PostgreSQL, Redis, Elasticsearch, SMTP, all from the environment.

Refuses to start with the development secret key or with DEBUG on.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEBUG, INSECURE_SECRET_KEY, REDIS_URL, SECRET_KEY
from .env import env_bool, env_int

if SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 40:
    raise ImproperlyConfigured(
        "Environment variable SECRET_KEY must be set to a random value of at least 40 characters in production."
    )
if DEBUG:
    raise ImproperlyConfigured("Environment variable DEBUG must be off in production.")
if not REDIS_URL:
    raise ImproperlyConfigured(
        "Environment variable REDIS_URL must be set in production: web processes share rate limits through it."
    )

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
ADMIN_REQUIRE_2FA = env_bool("ADMIN_REQUIRE_2FA", True)
