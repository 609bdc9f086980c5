"""Production: PostgreSQL, Redis, a Celery broker, SMTP, all from the environment.

Refuses to start with an embedded default that would be unsafe or silently wrong on a
public server: the development secret key, DEBUG on, SQLite, per-process caches,
tasks run inside web requests, emails nobody receives.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    ADMIN_REQUIRE_2FA,
    ALLOWED_HOSTS,
    CELERY_BROKER_URL,
    DATABASES,
    DEBUG,
    EMAIL_HOST,
    IDENTITY_HASH_KEY,
    INSECURE_SECRET_KEY,
    REDIS_URL,
    SECRET_KEY,
)
from .env import env_bool, env_int, env_list

# Django's check --deploy asks for 50 characters with at least 5 different ones (security.W009).
MIN_SECRET_KEY_LENGTH = 50

REQUIREMENTS = [
    (
        "SECRET_KEY",
        SECRET_KEY != INSECURE_SECRET_KEY and len(SECRET_KEY) >= MIN_SECRET_KEY_LENGTH and len(set(SECRET_KEY)) >= 5,
        f"must be set to a random value of at least {MIN_SECRET_KEY_LENGTH} characters",
    ),
    ("DEBUG", not DEBUG, "must be off"),
    (
        "IDENTITY_HASH_KEY",
        len(IDENTITY_HASH_KEY) >= 32 and IDENTITY_HASH_KEY != SECRET_KEY,
        "must be set to a random value of at least 32 characters, apart from SECRET_KEY (identity hashes keep one "
        "person to one ballot: derived from SECRET_KEY, rotating it would let a person vote twice)",
    ),
    (
        "ALLOWED_HOSTS",
        "*" not in ALLOWED_HOSTS and all(not host.startswith("*") for host in ALLOWED_HOSTS),
        "must list the portal's host names, not '*' (a forged Host header would reach password-reset links)",
    ),
    ("ADMIN_REQUIRE_2FA", ADMIN_REQUIRE_2FA, "must stay on: staff reach the admin only with a second factor"),
    (
        "DATABASE_URL",
        DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
        "must point to PostgreSQL (postgres://user:password@host:5432/name)",
    ),
    ("REDIS_URL", bool(REDIS_URL), "must be set: web processes share rate limits and caches through it"),
    ("CELERY_BROKER_URL", bool(CELERY_BROKER_URL), "must be set: background jobs must not run inside web requests"),
    ("EMAIL_HOST", bool(EMAIL_HOST), "must be set: people confirm their address by email"),
    ("PUBLIC_URL", bool(os.environ.get("PUBLIC_URL")), "must be set to the portal's public address (https://…)"),
]
for variable, satisfied, rule in REQUIREMENTS:
    if not satisfied:
        raise ImproperlyConfigured(f"Environment variable {variable} {rule} in production.")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind the proxy every request comes from 127.0.0.1: rate limits (portal.ratelimits, the REST API's throttle
# included) count the client address the proxy passes in X-Real-IP.
RATELIMIT_IP_META_KEY = "portal.views.client_ip"
# allauth's login, sign-up and password-reset limits count the same address (its own reader, same header).
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Load balancers probe the health endpoint over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
ADMINS = [("", email) for email in env_list("ADMINS", [])]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
