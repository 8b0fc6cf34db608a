"""The chunk ledger of core.chunks becomes a model (JobChunk) with its migration; until now core.chunks created the
table itself at run time. That table, where a database ran the old code, is dropped first: between runs it
holds only the chunks of runs that are over (migrate, as any deploy, while no run is running)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_job_kinds_registered'),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS core_job_chunk", reverse_sql=migrations.RunSQL.noop),
        migrations.CreateModel(
            name='JobChunk',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('stage', models.CharField(max_length=100)),
                ('number', models.IntegerField()),
                ('low', models.BigIntegerField()),
                ('high', models.BigIntegerField()),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], max_length=16)),
                ('worker', models.CharField(blank=True, db_default='', max_length=200)),
                ('heartbeat_at', models.DateTimeField(blank=True, null=True)),
                ('params', models.TextField(help_text='JSON')),
                ('result', models.TextField(blank=True, db_default='', help_text='JSON')),
                ('error', models.TextField(blank=True, db_default='')),
                ('run', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='chunks', to='core.jobrun')),
            ],
            options={
                'db_table': 'core_job_chunk',
                'ordering': ['run', 'stage', 'number'],
                'constraints': [models.UniqueConstraint(fields=('run', 'stage', 'number'), name='job_chunk_one_per_number')],
            },
        ),
    ]
