"""On PostgreSQL the database itself forbids two leaders overseeing one unit on the same day.

Periods are inclusive on both ends and an empty end is open-ended, hence
``daterange(valid_from, valid_to, '[]')``. Other databases rely on
``Oversight.clean()``, which every write path calls.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE accounts_oversight ADD CONSTRAINT oversight_one_leader_per_unit_per_day
    EXCLUDE USING gist (unit_id WITH =, daterange(valid_from, valid_to, '[]') WITH &&);
"""
DROP = "ALTER TABLE accounts_oversight DROP CONSTRAINT IF EXISTS oversight_one_leader_per_unit_per_day;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
