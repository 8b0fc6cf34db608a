"""The import's bulk writes: a file of ids alone (on the database in use); on PostgreSQL custom attributes rendered
as PostgreSQL prints jsonb (so a re-import compares text), the text comparison's fallback for objects that differ
only in spelling or in other files' keys, a large first load that checks the table's foreign keys once after the
COPY and leaves them as they were, and reads whose text values hold newlines."""
import pandas as pd
import pytest
from django.db import IntegrityError, connection, transaction

from django.utils import timezone

from core import bulk, bulk_read
from core.import_runs import insert_defaults
from leads.models import Lead
from leads.services import leads_import

pytestmark = pytest.mark.django_db


def stored_text(external_id: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT attributes::text FROM leads_lead WHERE external_id = %s", [external_id])
        return cursor.fetchone()[0]


def indexes() -> list[tuple]:
    """(name, definition, whether a constraint owns it, its oid) of each index of the lead table."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), "
                       "EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid), i.indexrelid "
                       "FROM pg_index i WHERE i.indrelid = 'leads_lead'::regclass ORDER BY 1")
        return cursor.fetchall()


def lead_defaults() -> dict[str, object]:
    return insert_defaults(Lead, {"external_id", "age"}, timezone.now())


def foreign_keys() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
                       "WHERE conrelid = 'leads_lead'::regclass AND contype = 'f' ORDER BY conname")
        return cursor.fetchall()


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL bulk path")


def test_a_frame_of_ids_alone_inserts_new_ids_and_leaves_known_ones_unchanged():
    bulk.upsert_frame(table="leads_lead", frame=pd.DataFrame({"external_id": ["A1"], "age": [30]}), key="external_id",
                      compare_columns=["age"], insert_defaults=lead_defaults())  # the next call is no first load

    counts = bulk.upsert_frame(table="leads_lead", frame=pd.DataFrame({"external_id": ["A1", "A2"]}),
                               key="external_id", compare_columns=[], insert_defaults=lead_defaults())

    assert counts == bulk.UpsertCounts(inserted=1, updated=0, unchanged=1)
    assert sorted(Lead.objects.values_list("external_id", "age")) == [("A1", 30), ("A2", None)]


@pytest.mark.parametrize("read", [bulk_read.read_frame, bulk_read.read_frame_overlapped])
def test_a_read_keeps_text_values_that_hold_newlines(postgres_only, read):
    # 100,000 rows: about 3 MB of CSV, more than one of Arrow's 1 MB blocks
    frame = read("SELECT i AS id, 'line one' || chr(10) || 'line ' || i AS note FROM generate_series(1, 100000) i")

    assert len(frame) == 100_000
    assert frame["note"].iloc[0] == "line one\nline 1" and frame["note"].iloc[-1] == "line one\nline 100000"


@pytest.mark.usefixtures("postgres_only")
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


@pytest.mark.usefixtures("postgres_only")
def test_reimport_is_unchanged_when_the_stored_object_also_has_other_files_keys():
    leads_import(source=b"ID,Region,Spend\nA1,North,12.5\nA2,South,3\n")
    leads_import(source=b"ID,Score Band\nA1,high\n")  # A1's object now has a key this file lacks

    again = leads_import(source=b"ID,Region,Spend\nA1,North,12.5\nA2,South,3\n")
    changed = leads_import(source=b"ID,Region,Spend\nA1,West,12.5\nA2,South,3.0\n")

    assert again.counts["unchanged"] == 2 and again.counts["updated"] == 0
    assert (changed.counts["updated"], changed.counts["unchanged"]) == (1, 1)  # 3.0 is the number 3: unchanged
    assert Lead.objects.get(external_id="A1").attributes == {"region": "West", "spend": 12.5, "score_band": "high"}


@pytest.mark.usefixtures("postgres_only")
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


@pytest.mark.usefixtures("postgres_only")
def test_a_large_first_load_builds_the_indexes_after_the_copy_and_keeps_them(monkeypatch):
    before = indexes()
    monkeypatch.setattr(bulk, "FIRST_LOAD_DROP_ROWS", 2)

    job = leads_import(source=b"ID,Region\nA1,North\nA2,South\nA3,East\n")

    after = indexes()
    assert job.counts["inserted"] == 3
    assert [row[:3] for row in after] == [row[:3] for row in before]
    same_objects = {(name, oid) for name, _, _, oid in before} & {(name, oid) for name, _, _, oid in after}
    assert [name for name, _ in same_objects] == ["leads_lead_pkey"]  # the others were dropped and built again
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.create(external_id="A1")
