"""Receivers: role grants change who may edit and publish council pages; a new council gets its groups; a renamed
body renames its approval; a new or replaced document file gets its text extracted."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from portal.bodies.models import PublicBody
from portal.bodies.signals import role_grants_changed

from .models import CouncilDocument, CouncilIndexPage
from .permissions import body_workflow, set_up_council, sync_body_groups
from .tasks import extract_document_text


@receiver(role_grants_changed)
def update_body_groups(sender, user, **kwargs):
    sync_body_groups(user)


@receiver(post_save, sender=CouncilIndexPage)
def set_up_new_council(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        set_up_council(instance)


@receiver(post_save, sender=PublicBody)
def rename_approval(sender, instance, raw=False, **kwargs):
    """The approval workflow carries the body's names: a renamed body renames it."""
    if not raw and CouncilIndexPage.objects.filter(body=instance).exists():
        body_workflow(instance)


@receiver(post_save, sender=CouncilDocument)
def extract_text_of_new_file(sender, instance, raw=False, **kwargs):
    if raw or not getattr(instance, "file_changed", False):
        return
    # After the commit, so that the worker finds the row and the file; robust, so that a broker that is down
    # loses the text (logged) rather than failing an upload already saved.
    document_id = instance.pk
    transaction.on_commit(lambda: extract_document_text.delay(document_id), robust=True)
