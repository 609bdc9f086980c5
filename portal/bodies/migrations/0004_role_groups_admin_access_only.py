"""Role groups keep only the way into the admin: the body-scoped policies decide the rest.

The model permissions they held (bodies.*, accounts.view/change_organisation) reached every body at once,
so Wagtail's site history showed staff the entries of other bodies' grants, districts and associations.
"""

from django.db import migrations

DROPPED = {"bodies": ("publicbody", "district", "rolegrant"), "accounts": ("organisation",)}


def keep_admin_access_only(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    dropped = Permission.objects.none()
    for app_label, models in DROPPED.items():
        dropped |= Permission.objects.filter(content_type__app_label=app_label, content_type__model__in=models)
    for group in Group.objects.filter(name__startswith="Role: "):
        group.permissions.remove(*dropped)


class Migration(migrations.Migration):
    dependencies = [
        ("bodies", "0003_editor_role"),
        ("accounts", "0003_verbose_names"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(keep_admin_access_only, migrations.RunPython.noop)]
