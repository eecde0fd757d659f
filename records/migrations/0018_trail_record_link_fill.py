"""Opinions, copies, versions and urges: each row's link to its report or problem becomes
the one generic link (record_type, record_id) that any kind of record uses."""

from django.db import migrations
from django.db.models import F

TRAIL = ("Opinion", "CopyTo", "Version", "Urge")
KINDS = (("report", "quarterlyreport"), ("problem", "problem"))


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for field, model in KINDS:
        record_type, _created = ContentType.objects.get_or_create(app_label="records",
                                                                  model=model)
        for name in TRAIL:
            rows = apps.get_model("records", name).objects.filter(**{f"{field}__isnull": False})
            # one statement per table and kind: record_id copied from the old column
            rows.update(record_type_id=record_type.pk, record_id=F(f"{field}_id"))


def backwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for field, model in KINDS:
        record_type = ContentType.objects.filter(app_label="records", model=model).first()
        if record_type is None:
            continue
        for name in TRAIL:
            apps.get_model("records", name).objects.filter(record_type_id=record_type.pk).update(
                **{f"{field}_id": F("record_id")})


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("records", "0017_trail_record_link"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
