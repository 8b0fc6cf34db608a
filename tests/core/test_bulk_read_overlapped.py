"""core.bulk_read.read_frame_overlapped: the same frame as read_frame, however the CSV is cut into pieces."""
import pandas as pd
import pytest
from django.db import connection

from core import bulk_read

pytestmark = pytest.mark.django_db

ROWS = 40_000  # about 2 MB of CSV: types are inferred on the first megabyte


@pytest.fixture
def awkward_table():
    """Rows whose text holds quotes and commas; a column NULL in the first half only; numbers that are
    mostly whole."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE awkward (id integer, note text, late text, amount double precision, "
                       "flag boolean)")
        rows = [(i, f'one, "quoted" {i}' if i % 7 == 0 else ("" if i % 5 == 0 else f"n{i}"),
                 None if i < ROWS // 2 else f"late {i}", i + 0.25 if i % 3 == 0 else float(i), i % 2 == 0)
                for i in range(ROWS)]
        cursor.executemany("INSERT INTO awkward VALUES (%s, %s, %s, %s, %s)", rows)
    yield "SELECT id, note, late, amount, flag FROM awkward ORDER BY id"


@pytest.mark.parametrize("piece_bytes", [50, 4_096, 8 << 20])
def test_overlapped_read_gives_the_same_frame_whatever_the_piece_size(awkward_table, monkeypatch, piece_bytes):
    monkeypatch.setattr(bulk_read._PieceParser, "PIECE_BYTES", piece_bytes)

    expected = bulk_read.read_frame(awkward_table)
    frame = bulk_read.read_frame_overlapped(awkward_table)

    pd.testing.assert_frame_equal(frame, expected)
    assert len(frame) == ROWS
    assert frame.loc[7, "note"] == 'one, "quoted" 7'
    assert frame.loc[5, "note"] == ""


def test_overlapped_read_of_no_rows_keeps_the_columns(awkward_table):
    frame = bulk_read.read_frame_overlapped("SELECT id, note FROM awkward WHERE id < 0")

    assert list(frame.columns) == ["id", "note"] and frame.empty
