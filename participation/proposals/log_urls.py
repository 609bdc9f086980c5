from django.urls import path

from . import log_views

urlpatterns = [path("", log_views.moderation_log, name="moderation_log")]
