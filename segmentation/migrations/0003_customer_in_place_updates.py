"""Let a re-cluster update every customer in place (HOT updates on PostgreSQL).

The columns a re-cluster rewrites on every row (segment, persona, unsegmented_reason) lose their indexes, and
the customer table keeps half of each page free, so the new version of a row fits beside the old one and no
index changes: at 1,000,000 customers the UPDATE went from ~25 s to ~4 s. A table in steady use is about this
size anyway (each re-cluster leaves a dead copy of every row until vacuum). Existing rows move to the new
layout as they are next updated; `VACUUM FULL segmentation_customer` does it at once.
"""
import django.db.models.deletion
from django.db import migrations, models

CUSTOMER_FILLFACTOR = 50


def _customer_table(apps, schema_editor) -> str:
    return schema_editor.quote_name(apps.get_model("segmentation", "Customer")._meta.db_table)


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        table = _customer_table(apps, schema_editor)
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {CUSTOMER_FILLFACTOR})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {_customer_table(apps, schema_editor)} RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ('segmentation', '0002_bulk_friendly_memberships'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='customer',
            name='segmentatio_persona_9c246a_idx',
        ),
        migrations.AlterField(
            model_name='customer',
            name='segment',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='customers', to='segmentation.segment'),
        ),
        migrations.RunPython(set_fillfactor, reset_fillfactor, elidable=False),
    ]
