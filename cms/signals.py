"""Receivers for other apps' models: role grants change who may edit and publish council pages."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portal.bodies.models import RoleGrant

from .models import CouncilIndexPage
from .permissions import set_up_council, sync_body_groups


@receiver([post_save, post_delete], sender=RoleGrant)
def update_body_groups(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata restores groups and permissions as they were
        return
    sync_body_groups(instance.user)


@receiver(post_save, sender=CouncilIndexPage)
def set_up_new_council(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        set_up_council(instance)
