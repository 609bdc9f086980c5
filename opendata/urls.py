"""Public catalogue pages, under the language prefix: /<lang>/data/…"""

from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<slug:name>/", views.dataset, name="dataset"),
    path("<slug:name>/resources/<uuid:resource>/", views.resource, name="resource"),
    path("<slug:name>/report/", views.report_problem, name="report"),
]
