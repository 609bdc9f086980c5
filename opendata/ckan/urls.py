"""CKAN-compatible Action API: /api/3/action/<name> and /api/action/<name>, with or without a trailing slash.

Both spellings are routes of their own rather than a redirect: ckanapi POSTs without following redirects.
"""

from django.urls import path

from . import views

app_name = "ckan"
urlpatterns = [
    path("3/action/<str:name>", views.action, name="action"),
    path("3/action/<str:name>/", views.action),
    path("action/<str:name>", views.action),
    path("action/<str:name>/", views.action),
]
