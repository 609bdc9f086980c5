"""A body's spending data as files, without a language prefix: /download/spending/<body>/…"""

from django.urls import path

from . import downloads

app_name = "spending_downloads"
urlpatterns = [
    path("<slug:body>/datapackage.json", downloads.datapackage, name="datapackage"),
    path("<slug:body>/<str:dataset>.<str:format>", downloads.export, name="export"),
]
