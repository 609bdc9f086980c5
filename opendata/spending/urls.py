"""Public spending pages, under the language prefix: /<lang>/spending/…"""

from django.urls import path

from . import views

app_name = "spending"
urlpatterns = [
    path("", views.index, name="index"),
    path("suppliers/", views.suppliers, name="suppliers"),
    path("suppliers/<uuid:uuid>/", views.supplier, name="supplier"),
    path("contracts/", views.contracts, name="contracts"),
    path("contracts/<uuid:uuid>/", views.contract, name="contract"),
    path("<slug:body>/", views.overview, name="overview"),
    path("<slug:body>/payments/", views.payments, name="payments"),
]
