"""Let a re-cluster update every customer in place (HOT updates on PostgreSQL).

The columns a re-cluster rewrites on every row (segment, persona, unsegmented_reason) lose their indexes, and
the customer table keeps half of each page free, so the new version of a row fits beside the old one and no
index changes: at 1,000,000 customers the UPDATE went from ~25 s to ~4 s. A table in steady use is about this
size anyway (each re-cluster leaves a dead copy of every row until vacuum). Existing rows move to the new
layout as they are next updated; `VACUUM FULL segmentation_customer` does it at once.
"""
import django.db.models.deletion
from django.db import migrations, models

from core.migration_operations import set_fillfactor

CUSTOMER_FILLFACTOR = 50


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
        set_fillfactor("segmentation", "Customer", CUSTOMER_FILLFACTOR),
    ]
