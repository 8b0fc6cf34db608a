"""Bring your own file: other column names, other category values, missing and extra columns, saved mappings,
known outcomes closing leads, and malformed files answered with a clear message (command and API)."""
import io
import json

import pandas as pd
import pytest
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from core.import_runs import file_preview, import_mapping_resolve, import_template_csv
from core.mapping import Mapping
from core.models import CustomAttribute, ImportMapping, JobRun
from leads.importers import LEAD_SPEC
from leads.models import Lead
from leads.selectors import open_leads, rep_queue
from leads.services import leads_assign_round_robin, leads_import
from operations.synthetic.foreign import generate_foreign_customers, generate_foreign_leads
from segmentation.models import Customer
from segmentation.services import customers_import
from tests.api.factories import role_user
from tests.factories import SalesRepFactory, UserFactory
from tests.shared_data import LEADS_FILE, shared_data_path

pytestmark = pytest.mark.django_db

CRM_HEADER = "Lead Ref,Occupation,TotalVisits,Last Activity,Region,Opted Out,Signed Up,Converted\n"


def crm_file(*rows: str, header: str = CRM_HEADER) -> bytes:
    return (header + "".join(rows)).encode()


@pytest.fixture
def as_role(settings):
    """as_role("analyst") -> an API client signed in as a new user in that role."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # throttle counters

    def make(role: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(role_user(role))
        return client

    yield make
    cache.clear()


def run_command(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(*args, stdout=out, stderr=err)
    return exit_info.value.code, out.getvalue(), err.getvalue()


# --- other names, values, missing and extra columns ---------------------------------------------------------------


def test_foreign_lead_file_imports_with_no_flags_fields_and_typed_attributes():
    frame = generate_foreign_leads(300, seed=3, open_share=0.2)

    job = leads_import(source=frame.to_csv(index=False).encode(), source_name="crm.csv")

    assert job.status == JobRun.Status.SUCCEEDED
    assert job.counts == {"rows": 300, "rejected": 0, "inserted": 300, "updated": 0, "unchanged": 0}
    first = frame.iloc[0]
    lead = Lead.objects.get(external_id=first["Prospect ID"])
    assert lead.website_visits == (None if first["TotalVisits"] == "" else int(first["TotalVisits"]))
    assert lead.attributes["lead_number"] == int(first["Lead Number"])
    assert lead.attributes["do_not_email"] is (first["Do Not Email"] == "Yes")
    assert lead.attributes["lead_created"] == first["Lead Created"]
    assert set(CustomAttribute.objects.filter(entity="leads").values_list("key", "kind")) == {
        ("lead_number", "number"), ("lead_origin", "category"), ("lead_source", "category"),
        ("do_not_email", "boolean"), ("do_not_call", "boolean"), ("country", "category"),
        ("specialization", "category"), ("tags", "category"), ("city", "category"), ("lead_created", "date"),
    }
    assert CustomAttribute.objects.get(entity="leads", key="lead_number").label == "Lead Number"


def test_other_category_values_are_translated_or_kept_and_counted_as_warnings():
    rows = ["A1,Working Professional,3,Email Opened,North,yes,2024-01-05,1\n",
            "A2,Housewife,1,SMS Sent,South,no,2024-02-01,0\n",
            "A3,Housewife,,SMS Sent,,,,\n"]

    job = leads_import(source=crm_file(*rows), mapping={"Lead Ref": "external_id"})

    assert job.status == JobRun.Status.SUCCEEDED
    stored = {lead.external_id: (lead.current_occupation, lead.last_activity) for lead in Lead.objects.all()}
    assert stored == {"A1": ("Professional", "Email Activity"), "A2": ("Housewife", "SMS Sent"),
                      "A3": ("Housewife", "SMS Sent")}
    warned = {(w["column"], w["value"]): w["rows"] for w in job.report["warnings"]}
    assert warned == {("Occupation", "Housewife"): 2, ("Last Activity", "SMS Sent"): 2}


def test_missing_columns_are_stored_empty_and_extra_columns_as_attributes():
    job = leads_import(source=crm_file("A1,,,,North,Yes,31/01/2024,\n"), mapping={"Lead Ref": "external_id"})

    assert job.status == JobRun.Status.SUCCEEDED
    lead = Lead.objects.get()
    assert (lead.age, lead.current_occupation, lead.website_visits, lead.status, lead.stage) == (None, "", None, None, "new")
    assert lead.attributes == {"region": "North", "opted_out": True, "signed_up": "2024-01-31"}


def test_a_second_file_adds_its_attributes_beside_the_firsts():
    leads_import(source=b"ID,Region\nA1,North\n")

    job = leads_import(source=b"ID,Score Band\nA1,high\n")

    assert job.counts["updated"] == 1
    assert Lead.objects.get().attributes == {"region": "North", "score_band": "high"}


def test_reimporting_a_mapped_file_reports_rows_unchanged():
    source = generate_foreign_leads(50, seed=4).to_csv(index=False).encode()
    leads_import(source=source)

    again = leads_import(source=source)

    assert again.counts == {"rows": 50, "rejected": 0, "inserted": 0, "updated": 0, "unchanged": 50}


def test_a_value_not_of_its_attributes_kind_rejects_only_that_row():
    leads_import(source=b"ID,Spend\nA1,12.5\n")  # Spend is now a number attribute

    job = leads_import(source=b"ID,Spend\nA2,40\nA3,lots\n")

    assert job.status == JobRun.Status.PARTIAL
    assert job.report["errors"] == [{"row": 3, "column": "Spend", "value": "lots", "reason": "not a number"}]
    assert sorted(Lead.objects.values_list("external_id", flat=True)) == ["A1", "A2"]
    assert Lead.objects.get(external_id="A2").attributes == {"spend": 40}


def test_a_field_value_that_cannot_be_read_rejects_the_row_with_the_files_header():
    job = leads_import(source=b"Lead ID,TotalVisits\nA1,7\nA2,seven\n")

    assert job.report["errors"] == [{"row": 3, "column": "TotalVisits", "value": "seven",
                                     "reason": "not a whole number"}]


def test_customer_income_in_thousands_is_stored_in_units():
    frame = generate_foreign_customers(20, seed=2)

    job = customers_import(source=frame.to_csv(index=False).encode())

    assert job.status == JobRun.Status.SUCCEEDED
    first = frame.iloc[0]
    customer = Customer.objects.get(external_id=str(first["CustomerID"]))
    assert customer.income == float(first["Annual Income (k$)"]) * 1000
    assert customer.attributes == {"genre": first["Genre"], "age": int(first["Age"]),
                                   "spending_score_1_100": int(first["Spending Score (1-100)"])}
    assert job.report["mapping"]["units"] == {"income": 1000.0}


# --- known outcomes close leads -------------------------------------------------------------------------------------


def test_sample_lead_file_known_outcomes_are_closed_and_never_assigned_or_queued():
    reps = [SalesRepFactory(user=UserFactory(username=f"rep{i}"), capacity=2000) for i in (1, 2)]
    leads_import(source=shared_data_path(*LEADS_FILE))

    result = leads_assign_round_robin()

    known = Lead.objects.filter(status__isnull=False)
    assert known.count() == 3690 and set(known.values_list("stage", flat=True)) == {"won", "lost"}
    assert known.filter(stage="won").count() == 1083
    assert result["assigned"] == 0
    assert not known.filter(owner__isnull=False).exists()
    assert not open_leads().filter(status__isnull=False).exists()
    assert all(not rep_queue(user=rep.user).exists() for rep in reps)


def test_open_leads_are_assigned_and_closed_ones_are_not():
    SalesRepFactory(user=UserFactory(username="rep1"), capacity=50)
    leads_import(source=b"ID,Converted\nOPEN1,\nWON1,Won\nLOST1,0\n")

    result = leads_assign_round_robin()

    assert result["assigned"] == 1
    assert dict(Lead.objects.values_list("external_id", "stage")) == {"OPEN1": "new", "WON1": "won", "LOST1": "lost"}
    assert Lead.objects.get(owner__isnull=False).external_id == "OPEN1"


def test_reimport_without_an_outcome_keeps_a_closed_lead_closed():
    leads_import(source=b"ID,Converted\nA1,1\n")

    leads_import(source=b"ID,Converted\nA1,\n")

    assert Lead.objects.get().stage == "won"


# --- mappings: saved, by name, as JSON, id and outcome columns ------------------------------------------------------


def test_saved_mapping_is_reused_by_name_from_the_command(tmp_path):
    first = tmp_path / "crm.csv"
    first.write_bytes(crm_file("A1,Student,3,Email Opened,North,yes,2024-01-05,1\n"))
    code, out, _ = run_command("import_leads", str(first), "--id-column", "Lead Ref", "--save-mapping", "crm")
    assert code == 0 and "mapping saved as 'crm'" in out
    assert ImportMapping.objects.get(entity="leads", name="crm").columns["Lead Ref"] == "external_id"
    second = tmp_path / "crm-2.csv"
    second.write_bytes(crm_file("A2,Student,4,Email Opened,South,no,2024-01-06,\n"))

    code, out, _ = run_command("import_leads", str(second), "--mapping", "crm")

    assert code == 0
    assert sorted(Lead.objects.values_list("external_id", flat=True)) == ["A1", "A2"]
    assert "  Lead Ref      -> external_id (text)" in out
    assert "  Region        -> custom attribute region (category)" in out


def test_mapping_json_on_the_command_line_overrides_the_suggestion(tmp_path):
    path = tmp_path / "crm.csv"
    path.write_bytes(crm_file("A1,Student,3,Email Opened,North,yes,2024-01-05,1\n"))
    mapping = json.dumps({"Lead Ref": "external_id", "Region": "", "Converted": "attr:converted_flag"})

    code, out, _ = run_command("import_leads", str(path), "--mapping", mapping)

    assert code == 0
    lead = Lead.objects.get()
    assert lead.status is None and "region" not in lead.attributes and lead.attributes["converted_flag"] is True
    assert "  Region        -> ignored" in out


def test_outcome_column_flag_names_the_outcome(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_bytes(b"ID,Deal Closed\nA1,yes\nA2,no\n")

    code, _, _ = run_command("import_leads", str(path), "--outcome-column", "Deal Closed")

    assert code == 0
    assert dict(Lead.objects.values_list("external_id", "status")) == {"A1": True, "A2": False}


def test_unknown_saved_mapping_is_one_clear_error(tmp_path):
    path = tmp_path / "crm.csv"
    path.write_bytes(crm_file("A1,Student,3,Email Opened,North,yes,2024-01-05,1\n"))

    code, _, err = run_command("import_leads", str(path), "--mapping", "nope", "--id-column", "Lead Ref")

    assert code == 1
    assert err.strip() == "error: no saved mapping named 'nope' for leads (none is saved yet)"


def test_file_without_an_id_column_is_refused_naming_the_flag():
    job = leads_import(source=crm_file("A1,Student,3,Email Opened,North,yes,2024-01-05,1\n"))

    assert job.status == JobRun.Status.FAILED
    assert job.error.startswith("required column(s) missing: ID (the id of each row). Found: Lead Ref, Occupation")
    assert "--id-column" in job.error


def test_preview_lists_headers_rows_and_suggested_targets_with_kinds():
    preview = file_preview(spec=LEAD_SPEC, source=crm_file("A1,Working Professional,3,Email Opened,North,yes,2024-01-05,1\n"),
                           mapping={"Lead Ref": "external_id"}, rows=1)

    assert preview.headers == CRM_HEADER.strip().split(",")
    assert preview.rows == [dict(zip(preview.headers, "A1,Working Professional,3,Email Opened,North,yes,2024-01-05,1".split(",")))]
    assert preview.kinds == {"Lead Ref": "text", "Occupation": "category", "TotalVisits": "number",
                             "Last Activity": "category", "Region": "category", "Opted Out": "boolean",
                             "Signed Up": "date", "Converted": "boolean"}
    assert preview.mapping.values == {"current_occupation": {"Working Professional": "Professional"},
                                      "last_activity": {"Email Opened": "Email Activity"}}
    assert preview.sample_layout is False and "age" in preview.missing_fields


def test_template_is_the_sample_header_and_imports_with_no_mapping():
    template = import_template_csv(LEAD_SPEC)

    assert template.decode().startswith("ID,age,current_occupation,")
    assert file_preview(spec=LEAD_SPEC, source=template + GOOD_SAMPLE_ROW).sample_layout is True


GOOD_SAMPLE_ROW = b"EXT1,57,Unemployed,Website,High,7,1639,1.861,Website Activity,Yes,No,Yes,No,No,1\n"


def test_saved_mapping_resolves_by_name_and_json_resolves_as_given():
    ImportMapping.objects.create(entity="leads", name="crm", columns={"Ref": "external_id"}, units={})

    assert import_mapping_resolve(entity="leads", name_or_json="crm") == Mapping(columns={"Ref": "external_id"})
    assert import_mapping_resolve(entity="leads", name_or_json='{"X": "age"}') == Mapping(columns={"X": "age"})


# --- malformed files (#17 finding 10) -------------------------------------------------------------------------------

HEADER = "ID,age,current_occupation,first_interaction,profile_completed,website_visits,time_spent_on_website," \
         "page_views_per_visit,last_activity,print_media_type1,print_media_type2,digital_media,educational_channels," \
         "referral,status\n"
GOOD = "EXT1,57,Unemployed,Website,High,7,1639,1.861,Website Activity,Yes,No,Yes,No,No,1\n"
MALFORMED = {
    "a 200 KB line": ((HEADER + GOOD.replace("EXT1", "EXT2").replace("Unemployed", "U" * 200_000) + GOOD).encode(),
                      2, "current_occupation: expected one of"),
    "100,000 fields in a row": ((HEADER + ",".join(["x"] * 100_000) + "\n").encode(), 1,
                                "expected 15 fields, found 100000"),
    "a header of 100,000 columns": ((",".join(f"c{i}" for i in range(100_000)) + "\n" + "1," * 99_999 + "1\n").encode(),
                                    1, "the header has 100,000 columns; at most 1,000 can be imported"),
    "a NUL byte": ((HEADER + GOOD * 300 + GOOD.replace("Website,High", "Web\x00site,High")).encode(), 1,
                   "line 302 contains a NUL byte"),
    "a lone quote": ((HEADER + GOOD + GOOD.replace("EXT1", '"EXT2')).encode(), 1,
                     "a quoted value that starts on line 3 is never closed"),
    "a 1 MB field in a mapped file": (("ID,Notes\nA1," + "n" * 1_000_000 + "\nA2,short\n").encode(), 2,
                                      "Notes: longer than 1000 characters"),
    "a 300 KB header name": (("ID," + "h" * 300_000 + "\nA1,1\n").encode(), 1, "a column name is 300,000 characters"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_file_through_the_command_is_a_clear_message_and_exit_status(case, tmp_path):
    content, expected_exit, message = MALFORMED[case]
    path = tmp_path / "leads.csv"
    path.write_bytes(content)

    code, out, err = run_command("import_leads", str(path))

    assert code == expected_exit
    assert message in out + err
    assert "Traceback" not in out + err


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_file_through_the_api_is_a_4xx_with_a_clear_message(case, as_role):
    content, expected_exit, message = MALFORMED[case]
    upload = io.BytesIO(content)
    upload.name = "leads.csv"

    response = as_role("analyst").post("/api/v1/imports/", {"dataset": "leads", "file": upload}, format="multipart")

    assert response.status_code == (201 if expected_exit == 2 else 422)
    body = response.json()
    assert message in body["error"] + json.dumps(body["report"])


@pytest.mark.parametrize("case", ["a NUL byte", "a lone quote", "a header of 100,000 columns"])
def test_malformed_file_preview_through_the_api_is_a_400_envelope(case, as_role):
    upload = io.BytesIO(MALFORMED[case][0])
    upload.name = "leads.csv"

    response = as_role("analyst").post("/api/v1/imports/preview/", {"dataset": "leads", "file": upload},
                                       format="multipart")

    assert response.status_code == 400
    assert MALFORMED[case][2] in response.json()["error"]["message"]


# --- API: mapping, saved mapping, preview, template ----------------------------------------------------------------


def test_api_import_with_a_mapping_saves_it_and_reports_the_mapping_used(as_role):
    upload = io.BytesIO(crm_file("A1,Student,3,Email Opened,North,yes,2024-01-05,1\n"))
    upload.name = "crm.csv"

    response = as_role("analyst").post(
        "/api/v1/imports/",
        {"dataset": "leads", "file": upload, "mapping": '{"Lead Ref": "external_id"}', "save_mapping": "crm"},
        format="multipart",
    )

    assert response.status_code == 201
    report = response.json()["report"]
    assert report["mapping"]["columns"]["Region"] == "attr:region"
    assert report["saved_mapping"] == "crm"
    assert ImportMapping.objects.get(entity="leads", name="crm").columns["Lead Ref"] == "external_id"


def test_api_preview_answers_the_suggested_mapping(as_role):
    upload = io.BytesIO(generate_foreign_customers(5, seed=1).to_csv(index=False).encode())
    upload.name = "shop.csv"

    response = as_role("marketer").post("/api/v1/imports/preview/", {"dataset": "customers", "file": upload},
                                        format="multipart")

    assert response.status_code == 200
    body = response.json()
    assert body["columns"] == [
        {"column": "CustomerID", "target": "external_id", "kind": "text"},
        {"column": "Genre", "target": "attr:genre", "kind": "category"},
        {"column": "Age", "target": "attr:age", "kind": "number"},
        {"column": "Annual Income (k$)", "target": "income", "kind": "number"},
        {"column": "Spending Score (1-100)", "target": "attr:spending_score_1_100", "kind": "number"},
    ]
    assert body["mapping"]["units"] == {"income": 1000.0}
    assert (body["total_rows"], len(body["rows"]), body["sample_layout"]) == (5, 5, False)


def test_api_preview_of_leads_is_refused_to_a_marketer(as_role):
    upload = io.BytesIO(b"ID\nA1\n")
    upload.name = "l.csv"

    response = as_role("marketer").post("/api/v1/imports/preview/", {"dataset": "leads", "file": upload},
                                        format="multipart")

    assert response.status_code == 403


def test_api_template_is_the_csv_header(as_role):
    response = as_role("marketer").get("/api/v1/imports/template/customers/")

    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert response.content.decode().splitlines() == [",".join(
        pd.read_csv(io.BytesIO(import_template_csv(customers_spec()))).columns)]


def test_api_template_of_an_unknown_dataset_is_a_404_envelope(as_role):
    response = as_role("marketer").get("/api/v1/imports/template/planets/")

    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def customers_spec():
    from segmentation.importers import CUSTOMER_SPEC

    return CUSTOMER_SPEC


def test_export_leads_writes_the_id_as_given_and_each_attribute_under_its_label(tmp_path):
    leads_import(source=b"Prospect ID,Lead Origin,Do Not Email,Budget\n7f3a-01,API,Yes,-1200\nB-2,,No,\n")
    out = tmp_path / "leads.csv"

    call_command("export_leads", "--out", str(out), stdout=io.StringIO())

    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == ("external_id,score,tier,model_version,scored_at,factors_up,factors_down,"
                       "Budget,Do Not Email,Lead Origin")
    assert rows[1:] == ["7f3a-01,,,,,,,-1200,yes,API", "B-2,,,,,,,,no,"]
