"""A person's key for the REST API (`Authorization: Token <key>`): what an application sends to act for them, for
example to support proposals (participation.proposals.api). Staff make theirs in the admin (opendata)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from .services import regenerate_api_token


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def api_token(request):
    """Whether the signed-in person has a key; a POST makes a new one, shown this once (the previous key stops
    working)."""
    new_key = regenerate_api_token(request.user).key if request.method == "POST" else None
    has_token = new_key is not None or Token.objects.filter(user=request.user).exists()
    return render(request, "accounts/api_token.html", {"new_key": new_key, "has_token": has_token})
