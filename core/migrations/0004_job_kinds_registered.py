"""JobRun.kind's choices become the kinds the apps register (core.registry), read when used, instead of a list
that named every app's kinds. The stored values are the same, so existing rows and the admin filters are unchanged;
nothing in the database changes."""
from django.db import migrations, models

import core.registry


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_bring_your_own_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="jobrun",
            name="kind",
            field=models.CharField(choices=core.registry.job_kind_choices, db_index=True, max_length=32),
        ),
    ]
