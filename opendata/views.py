"""Public catalogue pages: the listing, a dataset, a resource's preview, and reporting a problem."""

from django.http import Http404, HttpResponse


def catalogue(request):
    return HttpResponse("")


def dataset(request, name):
    raise Http404


def resource(request, name, resource):
    raise Http404


def report_problem(request, name):
    raise Http404
