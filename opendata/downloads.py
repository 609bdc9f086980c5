"""Downloads: a resource's files (every version) and its DataStore rows as CSV, JSON or XLSX, streamed."""

from django.http import Http404


def current_file(request, resource):
    raise Http404


def version_file(request, resource, number):
    raise Http404


def rows(request, resource, format):
    raise Http404
