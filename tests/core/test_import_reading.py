"""Reading a file: the delimiter told from the first whole lines only, blank rows dropped with line numbers kept."""
from core import import_reading
from core.import_reading import LINE_COLUMN, read_table


def test_delimiter_is_told_from_whole_first_lines_of_a_long_file(monkeypatch):
    monkeypatch.setattr(import_reading, "SNIFF_CHARS", 40)  # cuts the third line in the middle
    raw = b"ID;Name;City\nA1;Ann;Paris, France\nA2;Bob;Lyon, France\nA3;Cid;Nice, France\n"

    frame, detected = read_table(raw)

    assert detected["delimiter"] == ";"
    assert frame["City"].tolist() == ["Paris, France", "Lyon, France", "Nice, France"]


def test_a_first_line_longer_than_the_sniffed_text_is_read_whole(monkeypatch):
    monkeypatch.setattr(import_reading, "SNIFF_CHARS", 5)

    frame, detected = read_table(b"ID\tName\nA1\tAnn\n")

    assert detected["delimiter"] == "tab" and frame["Name"].tolist() == ["Ann"]


def test_blank_rows_are_dropped_and_the_others_keep_their_line_numbers():
    frame, _ = read_table(b"ID,Name\n,\nA1,Ann\n,\nA2,\n")

    assert frame["ID"].tolist() == ["A1", "A2"]
    assert frame[LINE_COLUMN].tolist() == [3, 5]
