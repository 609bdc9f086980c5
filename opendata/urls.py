"""Public catalogue pages, under the language prefix: /<lang>/data/…"""

from django.urls import path  # noqa: F401

app_name = "opendata"
urlpatterns = []
