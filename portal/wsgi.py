import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

application = get_wsgi_application()

# What a worker loads at start-up (the apps, the models, every view through the URLconf) lives as long as it does:
# frozen out of the garbage collector's way, so that its full collections scan only what requests make. Unfrozen,
# one request in ten paid for a full collection of 340,000 objects (about 170 ms, the p95 of every page).
get_resolver().url_patterns  # noqa: B018 (imports every view)
gc.collect()
gc.freeze()
