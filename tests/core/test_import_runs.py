"""Import: the product's front door. Real datasets, bad input of every kind, idempotency, exit status."""
import io

import pandas as pd
import pytest
from django.core.management import call_command

from campaigns.models import ResponseRecord
from campaigns.services import responses_import
from core.models import JobRun
from leads.models import Lead
from leads.services import leads_import
from segmentation.models import Customer
from segmentation.services import customers_import
from tests.shared_data import CUSTOMERS_FILE, LEADS_FILE, RESPONSES_CSV, RESPONSES_XLSX, shared_data_path

pytestmark = pytest.mark.django_db

LEAD_HEADER = (
    "ID,age,current_occupation,first_interaction,profile_completed,website_visits,time_spent_on_website,"
    "page_views_per_visit,last_activity,print_media_type1,print_media_type2,digital_media,educational_channels,"
    "referral,status\n"
)
GOOD_LEAD = "EXT1,57,Unemployed,Website,High,7,1639,1.861,Website Activity,Yes,No,Yes,No,No,1\n"


def lead_file(*rows: str, header: str = LEAD_HEADER) -> bytes:
    return (header + "".join(rows)).encode()


def test_real_customer_file_imports_every_row():
    job = customers_import(source=shared_data_path(*CUSTOMERS_FILE))

    assert job.status == JobRun.Status.SUCCEEDED
    assert job.counts == {"rows": 2240, "rejected": 0, "inserted": 2240, "updated": 0, "unchanged": 0}
    assert Customer.objects.count() == 2240
    assert Customer.objects.filter(income__isnull=True).count() == 24
    assert job.report["detected"]["delimiter"] == "tab"
    first = Customer.objects.get(external_id="5524")
    assert (first.year_birth, first.education, first.income, first.mnt_wines) == (1957, "Graduation", 58138.0, 635)
    assert first.dt_customer.isoformat() == "2012-09-04"
    assert first.response is True


def test_real_lead_file_imports_every_id():
    path = shared_data_path(*LEADS_FILE)
    job = leads_import(source=path)

    expected_ids = set(pd.read_csv(path, usecols=["ID"])["ID"])
    assert job.status == JobRun.Status.SUCCEEDED
    assert set(Lead.objects.values_list("external_id", flat=True)) == expected_ids
    assert len(expected_ids) == 3690
    assert Lead.objects.filter(status=True).count() == 1083
    lead = Lead.objects.get(external_id="EXT001")
    assert (lead.first_interaction, lead.print_media_type1, lead.page_views_per_visit) == ("Website", True, 1.861)


def test_real_response_csv_imports_100000_records_including_missing_segments():
    job = responses_import(source=shared_data_path(*RESPONSES_CSV))

    assert job.counts["inserted"] == 100_000
    assert ResponseRecord.objects.count() == 100_000
    assert ResponseRecord.objects.filter(segment="", recency="").count() == 493
    assert ResponseRecord.objects.filter(did_purchase=True).count() == 30_000


def test_real_response_xlsx_imports_the_same_records_as_the_csv():
    responses_import(source=shared_data_path(*RESPONSES_CSV))

    job = responses_import(source=shared_data_path(*RESPONSES_XLSX))

    assert job.report["detected"] == {"format": "xlsx"}
    assert job.counts == {"rows": 100_000, "rejected": 0, "inserted": 0, "updated": 0, "unchanged": 100_000}


def test_reimport_same_file_reports_rows_unchanged():
    path = shared_data_path(*CUSTOMERS_FILE)
    customers_import(source=path)

    again = customers_import(source=path)

    assert again.counts == {"rows": 2240, "rejected": 0, "inserted": 0, "updated": 0, "unchanged": 2240}
    assert Customer.objects.count() == 2240


def test_changed_row_is_reported_updated_and_stored():
    leads_import(source=lead_file(GOOD_LEAD, GOOD_LEAD.replace("EXT1", "EXT2")))

    job = leads_import(source=lead_file(GOOD_LEAD.replace(",57,", ",58,"), GOOD_LEAD.replace("EXT1", "EXT2")))

    assert (job.counts["updated"], job.counts["unchanged"], job.counts["inserted"]) == (1, 1, 0)
    assert Lead.objects.get(external_id="EXT1").age == 58


def test_bad_rows_are_rejected_with_row_column_and_reason_and_valid_rows_imported():
    rows = [
        GOOD_LEAD,
        GOOD_LEAD.replace("EXT1", "EXT2").replace(",57,", ",abc,"),  # not a number
        GOOD_LEAD.replace("EXT1", "EXT3").replace("Unemployed", "Astronaut"),  # not a choice
        GOOD_LEAD.replace("EXT1", "EXT4").replace(",57,", ",500,"),  # out of range
        GOOD_LEAD.replace("EXT1", "EXT5").replace(",Yes,No,Yes,", ",Maybe,No,Yes,"),  # not yes/no
        GOOD_LEAD.replace("EXT1", "EXT6").replace("Website,High", ",High"),  # required value empty
    ]
    job = leads_import(source=lead_file(*rows))

    assert job.status == JobRun.Status.PARTIAL
    assert job.counts["inserted"] == 1 and job.counts["rejected"] == 5
    errors = {(e["row"], e["column"]): e["reason"] for e in job.report["errors"]}
    assert errors[(3, "age")] == "not a whole number"
    assert errors[(4, "current_occupation")].startswith("expected one of: Professional")
    assert errors[(5, "age")] == "outside the range 10 to 120"
    assert errors[(6, "print_media_type1")] == "expected Yes or No"
    assert errors[(7, "first_interaction")] == "required value is empty"
    assert list(Lead.objects.values_list("external_id", flat=True)) == ["EXT1"]


def test_duplicate_id_in_one_file_keeps_the_last_row_and_reports_the_first():
    job = leads_import(source=lead_file(GOOD_LEAD, GOOD_LEAD.replace(",57,", ",40,")))

    assert job.report["errors"][0]["row"] == 2
    assert Lead.objects.get(external_id="EXT1").age == 40


def test_strict_import_writes_nothing_when_a_row_is_bad():
    job = leads_import(source=lead_file(GOOD_LEAD, GOOD_LEAD.replace("EXT1", "EXT2").replace(",57,", ",x,")), strict=True)

    assert job.status == JobRun.Status.FAILED
    assert "strict" in job.error
    assert Lead.objects.count() == 0


def test_missing_id_column_is_one_clear_error_and_nothing_written():
    # Only the id is required since issue #12: a file without first_interaction imports (tests/core/test_import_runs_byod.py)
    header = LEAD_HEADER.replace("ID,", "")
    job = leads_import(source=lead_file("57,Unemployed,Website,High,7,1639,1.861,Website Activity,Yes,No,Yes,No,No,1\n", header=header))

    assert job.status == JobRun.Status.FAILED
    assert job.error.startswith("required column(s) missing: ID")
    assert Lead.objects.count() == 0


def test_headers_match_case_and_whitespace_insensitively():
    header = LEAD_HEADER.replace("current_occupation", " Current Occupation ").replace("ID", "id")

    job = leads_import(source=lead_file(GOOD_LEAD, header=header))

    assert job.status == JobRun.Status.SUCCEEDED


def test_missing_status_column_means_open_leads():
    header = LEAD_HEADER.replace(",status", "")
    job = leads_import(source=lead_file(GOOD_LEAD.replace(",1\n", "\n"), header=header))

    assert job.status == JobRun.Status.SUCCEEDED
    assert Lead.objects.get().status is None


def test_semicolon_delimited_file_is_detected():
    job = leads_import(source=lead_file(GOOD_LEAD.replace(",", ";"), header=LEAD_HEADER.replace(",", ";")))

    assert job.report["detected"]["delimiter"] == ";"
    assert Lead.objects.count() == 1


def test_customer_file_saved_comma_separated_still_imports():
    frame = pd.read_csv(shared_data_path(*CUSTOMERS_FILE), sep="\t").head(50)

    job = customers_import(source=frame.to_csv(index=False).encode())

    assert job.status == JobRun.Status.SUCCEEDED and job.counts["inserted"] == 50


def test_wrong_delimiter_is_reported_as_missing_columns_not_a_crash():
    text = LEAD_HEADER.replace(",", " ") + GOOD_LEAD.replace(",", " ")

    job = leads_import(source=text.encode())

    assert job.status == JobRun.Status.FAILED
    assert "required column(s) missing" in job.error and "delimiter" in job.error


def test_utf8_bom_file_imports():
    job = leads_import(source=b"\xef\xbb\xbf" + lead_file(GOOD_LEAD))

    assert job.report["detected"]["encoding"] == "utf-8-sig"
    assert Lead.objects.get().external_id == "EXT1"


def test_latin1_file_keeps_its_text():
    source = LEAD_HEADER.replace("ID", "ID") + GOOD_LEAD.replace("EXT1", "EXTé")
    job = leads_import(source=source.encode("latin-1"))

    assert job.status == JobRun.Status.SUCCEEDED
    assert Lead.objects.get().external_id == "EXTé"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"   \n\n", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "does not look like a CSV or Excel file"),
        (LEAD_HEADER.encode(), "no data rows"),
    ],
)
def test_unreadable_files_give_one_clear_error(content, message):
    job = leads_import(source=content)

    assert job.status == JobRun.Status.FAILED
    assert message in job.error
    assert Lead.objects.count() == 0


def test_xlsx_upload_of_leads_imports():
    frame = pd.read_csv(io.BytesIO(lead_file(GOOD_LEAD, GOOD_LEAD.replace("EXT1", "EXT2"))))
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)

    job = leads_import(source=buffer.getvalue())

    assert job.status == JobRun.Status.SUCCEEDED and Lead.objects.count() == 2


def test_formula_like_text_is_stored_as_given():
    job = leads_import(source=lead_file(GOOD_LEAD.replace("EXT1", "=HYPERLINK(1)")))

    assert job.status == JobRun.Status.SUCCEEDED
    assert Lead.objects.get().external_id == "=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("rows", "expected_exit"),
    [((GOOD_LEAD,), 0), ((GOOD_LEAD, GOOD_LEAD.replace("EXT1", "EXT2").replace(",57,", ",x,")), 2), ((), 1)],
)
def test_command_exit_status_says_what_happened(tmp_path, rows, expected_exit, capsys):
    path = tmp_path / "leads.csv"
    path.write_bytes(lead_file(*rows))

    with pytest.raises(SystemExit) as exit_info:
        call_command("import_leads", str(path))

    assert exit_info.value.code == expected_exit
    assert "Traceback" not in capsys.readouterr().err


def test_command_prints_row_errors(tmp_path, capsys):
    path = tmp_path / "leads.csv"
    path.write_bytes(lead_file(GOOD_LEAD.replace(",57,", ",x,")))

    with pytest.raises(SystemExit):
        call_command("import_leads", str(path))

    out = capsys.readouterr().out
    assert "row 2, age: not a whole number (value: 'x')" in out


def test_rows_with_too_many_fields_are_rejected_by_line_and_the_rest_imported():
    rows = [GOOD_LEAD, GOOD_LEAD.replace("EXT1", "EXT2").replace(",1\n", ",1,extra\n"), GOOD_LEAD.replace("EXT1", "EXT3")]

    job = leads_import(source=lead_file(*rows))

    assert job.status == JobRun.Status.PARTIAL
    assert job.report["errors"][0] == {"row": 3, "column": "(whole row)", "value": "", "reason": "expected 15 fields, found 16"}
    assert sorted(Lead.objects.values_list("external_id", flat=True)) == ["EXT1", "EXT3"]


def test_blank_lines_are_ignored_and_row_numbers_stay_file_lines():
    rows = [GOOD_LEAD, "\n", GOOD_LEAD.replace("EXT1", "EXT2").replace(",57,", ",x,")]

    job = leads_import(source=lead_file(*rows))

    assert job.counts["rows"] == 2
    assert job.report["errors"][0]["row"] == 4
