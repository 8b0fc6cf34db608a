"""Memberships keyed by (run, customer): one index instead of three.

The id column, its primary-key index and the (customer, run) index went: at 1,000,000 customers the membership
COPY of a re-cluster took about half as long. Django cannot migrate a table to a composite primary key, so the
table is rebuilt by hand (the same SQL on PostgreSQL and SQLite) and the model state changed to match.
"""
from django.db import migrations, models


TABLE = "segmentation_segmentmembership"
REBUILD = [
    f"""CREATE TABLE {TABLE}_new (
        run_id bigint NOT NULL,
        customer_id bigint NOT NULL,
        segment_id bigint NULL,
        persona varchar(16) NOT NULL,
        unsegmented_reason varchar(64) NOT NULL,
        CONSTRAINT {TABLE}_pk PRIMARY KEY (run_id, customer_id))""",
    f"""INSERT INTO {TABLE}_new (run_id, customer_id, segment_id, persona, unsegmented_reason)
        SELECT run_id, customer_id, segment_id, persona, unsegmented_reason FROM {TABLE}""",
    f"DROP TABLE {TABLE}",
    f"ALTER TABLE {TABLE}_new RENAME TO {TABLE}",
]
RESTORE = [
    f"""CREATE TABLE {TABLE}_old (
        id {{id_type}},
        run_id bigint NOT NULL,
        customer_id bigint NOT NULL,
        segment_id bigint NULL,
        persona varchar(16) NOT NULL,
        unsegmented_reason varchar(64) NOT NULL,
        CONSTRAINT membership_unique_per_run UNIQUE (run_id, customer_id))""",
    f"""INSERT INTO {TABLE}_old (run_id, customer_id, segment_id, persona, unsegmented_reason)
        SELECT run_id, customer_id, segment_id, persona, unsegmented_reason FROM {TABLE}""",
    f"DROP TABLE {TABLE}",
    f"ALTER TABLE {TABLE}_old RENAME TO {TABLE}",
    f"CREATE INDEX segmentatio_custome_a13877_idx ON {TABLE} (customer_id, run_id)",
]


def rebuild(apps, schema_editor):
    for statement in REBUILD:
        schema_editor.execute(statement)


def restore(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    id_type = "bigserial PRIMARY KEY" if postgres else "integer PRIMARY KEY AUTOINCREMENT"
    for statement in RESTORE:
        schema_editor.execute(statement.replace("{id_type}", id_type))


class Migration(migrations.Migration):

    dependencies = [
        ("segmentation", "0003_customer_in_place_updates"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(rebuild, restore)],
            state_operations=[
                migrations.RemoveIndex(model_name="segmentmembership", name="segmentatio_custome_a13877_idx"),
                migrations.RemoveConstraint(model_name="segmentmembership", name="membership_unique_per_run"),
                migrations.RemoveField(model_name="segmentmembership", name="id"),
                migrations.AddField(
                    model_name="segmentmembership",
                    name="pk",
                    field=models.CompositePrimaryKey("run", "customer", blank=True, editable=False, primary_key=True,
                                                     serialize=False),
                ),
            ],
        ),
    ]
