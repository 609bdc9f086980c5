"""The works of funded projects: their map, their timeline and their feed; each cycle's projects as GeoJSON."""

from django.urls import path

from . import feeds, works

urlpatterns = [
    path("works/", works.works, name="works"),
    path("works.geojson", works.works_geojson, name="works_geojson"),
    path("works/feed/", feeds.WorksFeed(), name="works_feed"),
    path("works/milestones/<int:pk>/photo/", works.milestone_photo, name="milestone_photo"),
    path("<slug:slug>/projects.geojson", works.projects_geojson, name="projects_geojson"),
]
