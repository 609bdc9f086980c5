from django.db import migrations


def name_after_bodies(apps, schema_editor):
    """"Approval · commune-blida" and "Publishers · commune-blida" become the body's Arabic and French names."""
    PublicBody = apps.get_model("bodies", "PublicBody")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    for model, prefix in ((Workflow, "Approval · "), (Task, "Publishers · ")):
        for record in model.objects.filter(name__startswith=prefix):
            body = PublicBody.objects.filter(slug=record.name.removeprefix(prefix)).first()
            if body is not None:
                names = dict.fromkeys(name for name in (body.name_ar, body.name_fr, body.name_en) if name)
                record.name = " · ".join(list(names)[:2])[:255]
                record.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0006_decision_votes_unknown_full_title"),
        ("bodies", "0004_role_groups_admin_access_only"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(name_after_bodies, migrations.RunPython.noop)]
