"""Keep each person's groups in step with their role grants, however a grant appears or goes.

`post_save` and `post_delete` fire for `RoleGrant.objects.create()`, `grant.delete()`, `QuerySet.delete()` and the
cascade when a body or a person is deleted, unlike the model's own `save()`/`delete()`. After syncing the role
groups here, `role_grants_changed` tells the other apps (cms gives page rights per body).
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver

from .models import RoleGrant
from .services import sync_role_groups

# Sent with `user` once that person's role groups match their grants.
role_grants_changed = Signal()


@receiver(pre_save, sender=RoleGrant)
def remember_previous_holder(sender, instance, raw=False, **kwargs):
    # A grant handed to another person takes its rights from the one who held it.
    if instance.pk and not raw:
        instance._previous_user_id = RoleGrant.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first()


@receiver([post_save, post_delete], sender=RoleGrant)
def sync_groups_of_grant_holder(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata restores groups and permissions as they were
        return
    holders = {instance.user_id, getattr(instance, "_previous_user_id", None)} - {None}
    # A cascade from deleting the person removes their grants too: nothing is left to sync.
    for user in get_user_model().objects.filter(pk__in=holders):
        sync_role_groups(user)
        role_grants_changed.send(sender=RoleGrant, user=user)
