"""One body-scoped admin for every module: each door Wagtail opens on a model applies the body scope.

A module's staff screens subclass `BodyScopedModelViewSet` (or `BodyScopedSnippetViewSet`) and name a
`BodyScopedPermissionPolicy`. Then, for a person who holds the roles on some bodies only:
- the listing shows the records of those bodies;
- every view that loads one record (edit, copy, delete, history, inspect, usage) answers 404 for a record of
  another body, and 403 for one they may see but not act on that way (an editor deleting a published dataset);
- every form's choice of a body, or of another body-scoped record, offers only what the person may use, and the
  form refuses anything else when saved, whatever the POST says;
- choosers list only the person's records.
"""

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import policy_registry, register_permission_policy
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import PublicBody
from .permissions import SEEING_ACTIONS, BodyScopedPermissionPolicy


class _ViewHost:
    """What the mixins below find on the Wagtail view they join (for the type checker)."""

    request: HttpRequest
    permission_policy: BodyScopedPermissionPolicy
    model_class: type[Model]

    def get_object(self, *args, **kwargs) -> Any: ...

    def get_form(self, *args, **kwargs) -> Any: ...


class _ViewSetHost:
    """What BodyScopedViewSetMixin finds on the Wagtail viewset it joins (for the type checker)."""

    model: type[Model]

    def get_index_view_kwargs(self, **kwargs) -> dict:
        raise NotImplementedError


if TYPE_CHECKING:
    _View = _ViewHost
    _ViewSet = _ViewSetHost
else:
    _View = _ViewSet = object


def limit_choices_to_scope(form, user, policy: BodyScopedPermissionPolicy) -> None:
    """Offer `user` only the bodies, and body-scoped records, that `policy` lets them use in `form`.

    A ModelChoiceField validates against its queryset, so a forged POST naming anything else is refused.
    """
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if not isinstance(queryset, QuerySet):
            continue
        if queryset.model is PublicBody:
            field.queryset = queryset.filter(pk__in=policy.bodies_for(user, ("add", "change")))
            continue
        related_policy = policy_registry.get_by_type(queryset.model, fallback=False)
        if isinstance(related_policy, BodyScopedPermissionPolicy):
            allowed = related_policy.instances_user_has_any_permission_for(user, ["change"])
            field.queryset = queryset.filter(pk__in=allowed.values("pk"))


class ScopedIndexMixin(_View):
    """List the records of the person's bodies only, before Wagtail's filters and search."""

    list_related = ()

    def get_base_queryset(self):
        policy = self.permission_policy
        queryset = policy.instances_user_has_any_permission_for(self.request.user, SEEING_ACTIONS)
        return queryset.select_related(*self.list_related) if self.list_related else queryset


class ScopedObjectMixin(_View):
    """Whichever way a view loads its record, one of another body is a 404; one it may not act on, a 403."""

    def get_object(self, *args, **kwargs):
        try:
            instance = super().get_object(*args, **kwargs)
        except PermissionDenied:
            # Wagtail's copy view refuses a record its policy denies: to this person the record does not exist.
            raise Http404 from None
        if instance is None:
            return instance
        policy, user = self.permission_policy, self.request.user
        if not policy.user_has_any_permission_for_instance(user, SEEING_ACTIONS, instance):
            raise Http404
        action = getattr(self, "permission_required", None)
        if action and action != "add" and not policy.user_has_permission_for_instance(user, action, instance):
            raise PermissionDenied
        return instance


class ScopedFormMixin(_View):
    """Forms offer, and accept, only the bodies and records the person may use."""

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        limit_choices_to_scope(form, self.request.user, self.permission_policy)
        return form


class ScopedChooserMixin(_View):
    def get_object_list(self):
        policy = policy_registry.get_by_type(self.model_class)
        return policy.instances_user_has_any_permission_for(self.request.user, SEEING_ACTIONS)


# Every view of a ModelViewSet (and of a SnippetViewSet) that reads or writes records, with its scoping.
SCOPED_VIEWS = {
    "index_view_class": (ScopedIndexMixin,),
    "add_view_class": (ScopedFormMixin,),
    "edit_view_class": (ScopedObjectMixin, ScopedFormMixin),
    "delete_view_class": (ScopedObjectMixin,),
    "history_view_class": (ScopedObjectMixin,),
    "usage_view_class": (ScopedObjectMixin,),
    "inspect_view_class": (ScopedObjectMixin,),
}


def scoped_view(view_class, mixins):
    if issubclass(view_class, mixins[0]):
        return view_class
    return type(f"BodyScoped{view_class.__name__}", (*mixins, view_class), {"__module__": view_class.__module__})


class BodyScopedViewSetMixin(_ViewSet):
    """Registers `policy` for the model when the class is defined, and scopes every view it makes."""

    policy: BodyScopedPermissionPolicy
    list_related: tuple[str, ...] = ()
    inspect_view_enabled = True
    # Wagtail 8.0's copy view saves its POST over the record being copied (its form's instance is that record):
    # a copy would change the original, and was how a grant on another body was made.
    copy_view_enabled = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Registered before any view asks, or Wagtail would make a fallback policy from model permissions.
        if getattr(cls, "policy", None) is not None:
            register_permission_policy(cls.model, cls.policy)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for attribute, mixins in SCOPED_VIEWS.items():
            setattr(self, attribute, scoped_view(getattr(self, attribute), mixins))

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(list_related=self.list_related, **kwargs)

    def get_permissions_to_register(self):
        # Rights come from role grants per body, not from Django permissions ticked on a group.
        return Permission.objects.none()


class BodyScopedModelViewSet(BodyScopedViewSetMixin, ModelViewSet):
    pass


class BodyScopedSnippetChooserViewSet(SnippetChooserViewSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        views = ("choose_view_class", "choose_results_view_class")
        for attribute in views:
            setattr(self, attribute, scoped_view(getattr(self, attribute), (ScopedChooserMixin,)))


class BodyScopedSnippetViewSet(BodyScopedViewSetMixin, SnippetViewSet):
    chooser_viewset_class = BodyScopedSnippetChooserViewSet
