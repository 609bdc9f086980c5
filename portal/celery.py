import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# `portal` is a project package, not an installed app: name its tasks module explicitly.
app.conf.include = ["portal.tasks"]
app.autodiscover_tasks()
