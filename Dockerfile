# Production image: gunicorn serves portal.wsgi with portal.settings.production on port 8000.
# The same image runs the Celery worker and beat (see docker-compose.yml and docs/deployment.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /app

# Dependencies first (pinned by constraints.txt, no dev extras), so that a code change
# does not reinstall them. Every dependency ships a manylinux wheel: no compiler is needed.
COPY pyproject.toml constraints.txt ./
# With the `opensearch` extra: OPENSEARCH_URL alone switches the search to an OpenSearch server.
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
print('\n'.join(p['dependencies'] + p['optional-dependencies']['opensearch']))" \
        > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
# pabutools requires gurobipy, a proprietary solver that none of our rules calls: not shipped.
RUN pip install -c constraints.txt . \
    && pip uninstall --yes gurobipy \
    && rm -rf build ./*.egg-info

# The wheel carries only Python modules: templates/, static/, locale/ and the apps' templates
# live in the source tree (settings.BASE_DIR), so the processes run from /app, first on the path.
ENV PYTHONPATH=/app

# Translations (ar, fr, en) compiled from locale/*.po with GNU gettext, which is removed afterwards.
RUN if [ -d locale ]; then \
        apt-get update \
        && apt-get install -y --no-install-recommends gettext \
        && python manage.py compilemessages \
        && apt-get purge -y --auto-remove gettext \
        && rm -rf /var/lib/apt/lists/*; \
    fi

# Static files are collected into the image (var/static, served by WhiteNoise). Production
# settings refuse to load without SECRET_KEY and REDIS_URL: these throwaway values exist only
# for this one command and are not part of the image's environment.
RUN DJANGO_SETTINGS_MODULE=portal.settings.production \
    SECRET_KEY=collectstatic-at-build-time-only-never-used-to-sign-anything \
    REDIS_URL=redis://collectstatic.invalid:6379/0 \
    python manage.py collectstatic --no-input --verbosity 1

RUN groupadd --system --gid 1000 baladiya \
    && useradd --system --uid 1000 --gid baladiya --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin baladiya \
    && mkdir -p /data/media \
    && chown baladiya:baladiya /data/media

ENV DJANGO_SETTINGS_MODULE=portal.settings.production \
    MEDIA_ROOT=/data/media \
    WEB_CONCURRENCY=3

USER baladiya
EXPOSE 8000

# /healthz answers 200 only when the database, cache, broker and search all answer (503 otherwise).
# The probe sends a Host from ALLOWED_HOSTS (else Django answers 400) and X-Forwarded-Proto
# (else SECURE_SSL_REDIRECT answers 301).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request as r; hosts = [h.strip().lstrip('.') for h in os.environ.get('ALLOWED_HOSTS', 'localhost').split(',') if h.strip() and '*' not in h]; req = r.Request('http://127.0.0.1:8000/healthz', headers={'Host': (hosts or ['localhost'])[0], 'X-Forwarded-Proto': 'https'}); sys.exit(0 if r.urlopen(req, timeout=8).status == 200 else 1)"]

# Worker processes: WEB_CONCURRENCY (gunicorn's own variable), 3 by default.
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--timeout", "60", "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-"]
