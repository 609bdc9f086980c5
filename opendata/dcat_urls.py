"""DCAT-AP catalogue, Frictionless data packages and catalogue exports: /catalog…"""

from django.urls import path

from . import datapackage, dcat, exports

app_name = "dcat"
urlpatterns = [
    path("catalog", dcat.catalog_uri, name="catalog-uri"),
    path("catalog.<str:format>", dcat.catalog, name="catalog"),
    path("catalog/datasets.<str:format>", exports.export, name="export"),
    path("catalog/datasets/<slug:name>", dcat.dataset_uri, name="dataset-uri"),
    path("catalog/datasets/<slug:name>.<str:format>", dcat.dataset, name="dataset"),
    path("catalog/datasets/<slug:name>/datapackage.json", datapackage.datapackage, name="datapackage"),
]
