"""File and row downloads, without a language prefix: /download/…"""

from django.urls import path  # noqa: F401

app_name = "downloads"
urlpatterns = []
