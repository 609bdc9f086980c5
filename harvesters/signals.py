from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import HarvestSource
from .scheduling import remove_schedule, sync_schedule


@receiver(post_save, sender=HarvestSource)
def keep_schedule(sender, instance: HarvestSource, raw=False, **kwargs):
    if not raw:
        sync_schedule(instance)


@receiver(post_delete, sender=HarvestSource)
def drop_schedule(sender, instance: HarvestSource, **kwargs):
    remove_schedule(instance)
