from django.urls import path

from . import api_keys, views

app_name = "accounts"
urlpatterns = [
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/notifications/", views.notifications, name="notifications"),
    path("accounts/verify/", views.verify, name="verify"),
    path("associations/", views.organisation_list, name="organisations"),
    path("associations/register/", views.organisation_register, name="organisation_register"),
    path("associations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("associations/<slug:slug>/members/", views.organisation_add_member, name="organisation_add_member"),
    path("accounts/api-token/", api_keys.api_token, name="api_token"),
]
