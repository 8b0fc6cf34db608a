"""Migration operations shared by the apps' migrations (kept stable: applied migrations import them)."""
from __future__ import annotations

from django.db import migrations


def set_fillfactor(app_label: str, model_name: str, fillfactor: int) -> migrations.RunPython:
    """Keep ``100 - fillfactor`` % of each page of the model's table free on PostgreSQL, so a bulk UPDATE of
    unindexed columns writes each row's new version beside the old one (HOT) and touches no index. A no-op on
    other databases; reversed by resetting the table's fillfactor."""

    def table(apps, schema_editor) -> str:
        return schema_editor.quote_name(apps.get_model(app_label, model_name)._meta.db_table)

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table(apps, schema_editor)} SET (fillfactor = {int(fillfactor)})")

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table(apps, schema_editor)} RESET (fillfactor)")

    return migrations.RunPython(forwards, backwards, elidable=False)
