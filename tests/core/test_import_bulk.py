"""The import's bulk writes on PostgreSQL: custom attributes rendered as PostgreSQL prints jsonb (so a re-import
compares text), the text comparison's fallback for objects that differ only in spelling or in other files' keys,
and a large first load that checks the table's foreign keys once after the COPY and leaves them as they were."""
import pytest
from django.db import IntegrityError, connection, transaction

from core import bulk
from leads.models import Lead
from leads.services import leads_import

pytestmark = pytest.mark.django_db


def stored_text(external_id: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT attributes::text FROM leads_lead WHERE external_id = %s", [external_id])
        return cursor.fetchone()[0]


def foreign_keys() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
                       "WHERE conrelid = 'leads_lead'::regclass AND contype = 'f' ORDER BY conname")
        return cursor.fetchall()


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL bulk path")


def test_attributes_are_rendered_as_postgresql_prints_them(monkeypatch):
    staged = []
    original = bulk.copy_frame

    def keep(cursor, table, frame):
        if "attributes" in frame.columns:
            staged.extend(frame["attributes"].astype(str))
        return original(cursor, table, frame)

    monkeypatch.setattr(bulk, "copy_frame", keep)
    source = ('ID,Region,Spend,Opted Out,Signed Up,Note\n'
              'A1,North,12.5,yes,2024-01-31,"say ""hi"" \\ café"\n'
              'A2,,3,no,,\n').encode()
    leads_import(source=source)

    assert staged == [stored_text("A1"), stored_text("A2")]
    assert Lead.objects.get(external_id="A1").attributes == {
        "note": 'say "hi" \\ café', "spend": 12.5, "region": "North", "opted_out": True, "signed_up": "2024-01-31"}


def test_reimport_is_unchanged_when_the_stored_object_also_has_other_files_keys():
    leads_import(source=b"ID,Region,Spend\nA1,North,12.5\nA2,South,3\n")
    leads_import(source=b"ID,Score Band\nA1,high\n")  # A1's object now has a key this file lacks

    again = leads_import(source=b"ID,Region,Spend\nA1,North,12.5\nA2,South,3\n")
    changed = leads_import(source=b"ID,Region,Spend\nA1,West,12.5\nA2,South,3.0\n")

    assert again.counts["unchanged"] == 2 and again.counts["updated"] == 0
    assert (changed.counts["updated"], changed.counts["unchanged"]) == (1, 1)  # 3.0 is the number 3: unchanged
    assert Lead.objects.get(external_id="A1").attributes == {"region": "West", "spend": 12.5, "score_band": "high"}


def test_a_large_first_load_checks_foreign_keys_after_the_copy_and_keeps_them(monkeypatch):
    before = foreign_keys()
    monkeypatch.setattr(bulk, "FIRST_LOAD_DROP_ROWS", 2)

    job = leads_import(source=b"ID,Region\nA1,North\nA2,South\nA3,East\n")

    assert job.counts["inserted"] == 3
    assert foreign_keys() == before and before
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("UPDATE leads_lead SET owner_id = 987654321 WHERE external_id = 'A1'")
