"""Who calls the CKAN API, and which datasets they may read.

A caller is anonymous or the user of a DRF token sent in `Authorization` (the bare key, as ckanapi sends
it, or `Token <key>`), or in CKAN's older `X-CKAN-API-Key`. Sessions are not used: the API is exempt
from CSRF, so a cookie must not be enough to read drafts.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from rest_framework.authtoken.models import Token

from portal.bodies.auth import get_bodies_with_role
from portal.bodies.models import Role

from ..models import Dataset
from .schema import NotAuthorized, NotFound

# Editors prepare a body's datasets and publishers publish them: both may read its drafts.
READ_DRAFT_ROLES = (Role.EDITOR, Role.PUBLISHER)


def get_caller(request):
    """Return the user whose token the request carries, or AnonymousUser; an unknown token is refused."""
    header = request.headers.get("Authorization", "").strip() or request.headers.get("X-CKAN-API-Key", "").strip()
    if not header:
        return AnonymousUser()
    scheme, _space, rest = header.partition(" ")
    key = rest.strip() if scheme.lower() in ("token", "bearer") else header
    valid = 0 < len(key) <= 40 and key.isalnum()  # DRF keys are 40 hex digits
    token = Token.objects.select_related("user").filter(key=key).first() if valid else None
    if token is None or not token.user.is_active:
        raise NotAuthorized("invalid API token")
    return token.user


def draft_condition(user) -> Q:
    """The datasets `user` may read besides the published ones: those of bodies where they edit or publish."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    bodies = Q()
    for role in READ_DRAFT_ROLES:
        bodies |= Q(body__in=get_bodies_with_role(user, role))
    return bodies


def get_read_dataset_queryset(user, *, include_private: bool = False) -> QuerySet[Dataset]:
    """Published datasets, and with `include_private` the others of the caller's bodies."""
    condition = Q(status=Dataset.Status.PUBLISHED)
    if include_private and user.is_authenticated:
        condition |= draft_condition(user)
    return Dataset.objects.filter(condition)


def check_read_dataset(user, dataset: Dataset) -> None:
    """Raise unless `user` may read `dataset`; the caller turns a non-public dataset into 404 or 403.

    Anonymous callers get 404 for a draft or a withdrawn dataset (the public never learns it exists);
    a caller with a valid token but no editor or publisher role on its body gets CKAN's 403.
    """
    if dataset.is_public:
        return
    if not user.is_authenticated:
        raise NotFound()
    if not Dataset.objects.filter(draft_condition(user), pk=dataset.pk).exists():
        raise NotAuthorized(f"User not authorized to read package {dataset.uuid}")
