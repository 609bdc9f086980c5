"""File and row downloads, without a language prefix: /download/…"""

from django.urls import path

from . import downloads

app_name = "downloads"
urlpatterns = [
    path("<uuid:resource>/", downloads.current_file, name="file"),
    path("<uuid:resource>/v<int:number>/", downloads.version_file, name="version"),
    path("<uuid:resource>/rows.<str:format>", downloads.rows, name="rows"),
]
