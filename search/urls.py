from django.urls import path

from . import views

app_name = "search"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("feed/", views.feed, name="feed"),
    path("alerts/", views.save_search, name="save"),
    path("alerts/confirm/<str:token>/", views.confirm, name="confirm"),
    path("alerts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
