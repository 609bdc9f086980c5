"""Receivers for other apps' models: role grants change who may edit and publish council pages."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from portal.bodies.signals import role_grants_changed

from .models import CouncilIndexPage
from .permissions import set_up_council, sync_body_groups


@receiver(role_grants_changed)
def update_body_groups(sender, user, **kwargs):
    sync_body_groups(user)


@receiver(post_save, sender=CouncilIndexPage)
def set_up_new_council(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        set_up_council(instance)
