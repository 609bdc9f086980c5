from django.urls import path

from . import feeds, log_views, views

app_name = "proposals"
urlpatterns = [
    path("", views.proposal_list, name="index"),
    path("map/", views.proposal_map, name="map"),
    path("map.geojson", views.proposal_geojson, name="geojson"),
    path("spaces/<slug:slug>/", views.space_detail, name="space"),
    path("spaces/<slug:slug>/feed/", feeds.SpaceFeed(), name="feed"),
    path("spaces/<slug:slug>/new/", views.proposal_new, name="new"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/edit/", views.proposal_edit, name="edit"),
    path("<int:pk>/withdraw/", views.proposal_withdraw, name="withdraw"),
    path("<int:pk>/support/", views.proposal_support, name="support"),
    path("<int:pk>/follow/", views.proposal_follow, name="follow"),
    path("<int:pk>/comment/", views.proposal_comment, name="comment"),
    path("<int:pk>/report/", views.proposal_report, name="report"),
    path("<int:pk>/files/<int:file_pk>/", views.attachment, name="attachment"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    # The contract's name for the public moderation log (served first by log_urls, included before this module).
    path("moderation/", log_views.moderation_log, name="moderation_log"),
]
