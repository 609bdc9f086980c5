"""DCAT-AP catalogue, Frictionless data packages and catalogue exports: /catalog…"""

from django.urls import path  # noqa: F401

app_name = "dcat"
urlpatterns = []
