"""The admin's import flow, through the test client: upload -> preview with the suggested mapping -> validate (a dry
run) -> import; saved mappings reused by name; no empty run from an "Add"; custom attributes on change pages."""
from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from campaigns.models import ResponseRecord
from core.forms import STASH_FOLDER
from core.import_runs import import_entity, import_mapping_save, import_template_csv
from core.mapping import Mapping
from core.models import CustomAttribute, ImportMapping, ImportRun, JobRun
from leads.models import Lead
from operations.synthetic import generate_customers
from tests.api.factories import role_user
from tests.core.test_import_runs_byod import MALFORMED
from tests.factories import CustomerFactory, LeadFactory

pytestmark = pytest.mark.django_db

# Another company's lead export: its own headers; line 3 (the header is line 1) has "many" visits; "Housewife" is
# no known occupation; "Working Professional" is one in other words.
FOREIGN_LEADS = (
    b"Prospect ID,Lead Origin,TotalVisits,What is your current occupation,City,Converted\n"
    b"p-1,API,3,Working Professional,Mumbai,1\n"
    b"p-2,Landing Page,many,Student,Pune,0\n"
    b"p-3,API,5,Housewife,Mumbai,0\n"
    b"p-4,API,2,Unemployed,Delhi,1\n"
)
SECOND_FILE = (
    b"Prospect ID,Lead Origin,TotalVisits,What is your current occupation,City,Converted\n"
    b"p-9,API,4,Housewife,Goa,0\n"
)
UPLOAD = "/admin/core/importrun/upload/"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def marketer() -> Client:
    client = Client()
    client.force_login(role_user("marketer", username="marketer-1", is_staff=True))
    return client


def upload(client: Client, content: bytes, dataset: str = "leads", name: str = "crm-export.csv"):
    return client.post(UPLOAD, {"dataset": dataset, "file": SimpleUploadedFile(name, content, "text/csv")})


def form_data(response, **overrides) -> dict:
    """What the page's mapping form would post as shown (its pre-filled choices), with `overrides`."""
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(overrides)
    return data


def choice_for(response, header: str) -> str:
    form = response.context["form"]
    return next(name for name, field in form.fields.items() if field.label == header)


def stashed_files(settings) -> list[Path]:
    return sorted((Path(settings.MEDIA_ROOT) / STASH_FOLDER).glob("*"))


def test_preview_shows_the_first_rows_and_the_suggested_mapping(marketer):
    response = upload(marketer, FOREIGN_LEADS)
    assert response.status_code == 302
    page = marketer.get(response.url)

    assert page.status_code == 200
    preview = page.context["preview"]
    assert preview.total_rows == 4
    assert [row["Prospect ID"] for row in preview.rows] == ["p-1", "p-2", "p-3", "p-4"]
    form = page.context["form"]
    shown = {field.label: form[name].value() for name, field in form.fields.items() if name.startswith("column_")}
    assert shown == {"Prospect ID": "external_id", "Lead Origin": "attr", "TotalVisits": "website_visits",
                     "What is your current occupation": "current_occupation", "City": "attr", "Converted": "status"}
    assert form.value_rows == [("current_occupation", "Working Professional", None)]
    assert form["value_0"].value() == "Professional"
    html = page.content.decode()
    assert "custom attribute (category)" in html
    assert "<td>Landing Page</td>" in html


def test_validate_lists_the_rejected_row_and_unknown_values_and_imports_nothing(marketer):
    page = marketer.get(upload(marketer, FOREIGN_LEADS).url)

    checked = marketer.post(page.request["PATH_INFO"], form_data(page, validate="Validate"))

    assert checked.status_code == 200
    check = checked.context["check"]
    assert (check.total_rows, check.rejected_rows) == (4, 1)
    assert check.errors == [{"row": 3, "column": "TotalVisits", "value": "many", "reason": "not a whole number"}]
    assert [(w["field"], w["value"], w["rows"]) for w in check.warnings] == [("current_occupation", "Housewife", 1)]
    html = checked.content.decode()
    assert "<td>3</td><td>TotalVisits</td><td>many</td><td>not a whole number</td>" in html
    assert "4 rows read: 1 rejected, 3 would be imported" in html
    assert "<td>What is your current occupation</td><td>Housewife</td><td>1</td>" in html
    assert 'name="import"' in html
    assert Lead.objects.count() == 0
    assert JobRun.objects.count() == 0


def test_import_creates_one_run_saves_the_mapping_and_the_name_reuses_it(marketer, settings):
    page = marketer.get(upload(marketer, FOREIGN_LEADS).url)
    path = page.request["PATH_INFO"]
    city = choice_for(page, "City")
    checked = marketer.post(path, form_data(page, validate="Validate", **{city: ""}))
    rows = checked.context["form"].value_rows
    housewife = next(f"value_{n}" for n, row in enumerate(rows) if row[1] == "Housewife")

    done = marketer.post(path, form_data(checked, **{"import": "Import", housewife: "Unemployed",
                                                     "save_as": "CRM leads"}))

    run = ImportRun.objects.get()
    assert done.status_code == 302 and done.url == reverse("admin:core_importrun_change", args=[run.pk])
    assert (run.kind, run.status, run.trigger) == (JobRun.Kind.IMPORT_LEADS, JobRun.Status.PARTIAL,
                                                   JobRun.Trigger.ADMIN)
    assert run.counts == {"rows": 4, "rejected": 1, "inserted": 3, "updated": 0, "unchanged": 0}
    assert dict(Lead.objects.values_list("external_id", "current_occupation")) == {
        "p-1": "Professional", "p-3": "Unemployed", "p-4": "Unemployed"}
    assert Lead.objects.get(external_id="p-1").attributes == {"lead_origin": "API"}
    assert stashed_files(settings) == []
    saved = ImportMapping.objects.get(entity="leads", name="CRM leads")
    assert saved.columns["City"] == "" and saved.columns["Prospect ID"] == "external_id"
    assert saved.values == {"current_occupation": {"Working Professional": "Professional",
                                                   "Housewife": "Unemployed"}}
    run_page = marketer.get(done.url).content.decode()
    assert "<td>3</td><td>TotalVisits</td><td>many</td><td>not a whole number</td>" in run_page
    assert "<tr><td>City</td><td>ignored</td><td>ignored</td></tr>" in run_page
    assert "<tr><td>Lead Origin</td><td>attr:lead_origin</td><td>category</td></tr>" in run_page
    assert "saved as “CRM leads”" in run_page

    again = marketer.get(upload(marketer, SECOND_FILE).url + "?saved=CRM+leads")
    assert again.context["form"][choice_for(again, "City")].value() == ""
    assert again.context["form"].value_rows == [("current_occupation", "Housewife", None),
                                                ("current_occupation", "Working Professional", None)]
    assert again.context["form"]["value_0"].value() == "Unemployed"
    city = choice_for(again, "City")
    rechecked = marketer.post(again.request["PATH_INFO"] + "?saved=CRM+leads",
                              form_data(again, validate="Validate", **{city: "attr"}))
    assert rechecked.context["form"][city].value() == "attr"  # the posted choice, not the saved mapping's again
    marketer.post(again.request["PATH_INFO"], form_data(rechecked, **{"import": "Import"}))
    assert Lead.objects.get(external_id="p-9").current_occupation == "Unemployed"
    assert Lead.objects.get(external_id="p-9").attributes == {"lead_origin": "API", "city": "Goa"}
    assert ImportRun.objects.count() == 2


def test_a_file_in_the_sample_layout_left_as_suggested_imports_as_the_sample_does(marketer):
    sample = generate_customers(3, 5).to_csv(sep="\t", index=False).encode()
    page = marketer.get(upload(marketer, sample, dataset="customers").url)

    checked = marketer.post(page.request["PATH_INFO"], form_data(page, validate="Validate"))
    marketer.post(page.request["PATH_INFO"], form_data(checked, **{"import": "Import"}))

    assert checked.context["check"].sample_layout is True
    assert ImportRun.objects.get().report["sample_layout"] is True


def test_a_mapping_without_the_id_is_a_clear_problem_and_offers_no_import(marketer):
    page = marketer.get(upload(marketer, FOREIGN_LEADS).url)

    checked = marketer.post(page.request["PATH_INFO"],
                            form_data(page, validate="Validate", **{choice_for(page, "Prospect ID"): ""}))

    html = checked.content.decode()
    assert checked.context["check"] is None
    assert "Nothing can be imported with this mapping: required column(s) missing: ID (the id of each row)" in html
    assert 'name="import"' not in html


def test_a_post_before_the_mapping_page_was_shown_only_shows_it(marketer):
    url = upload(marketer, FOREIGN_LEADS).url

    response = marketer.post(url, {"import": "Import"})

    assert response.status_code == 200 and response.context["check"] is None
    assert JobRun.objects.count() == 0


def test_upload_over_the_size_limit_is_refused(marketer, settings):
    settings.UPLOAD_MAX_BYTES = 100
    response = upload(marketer, FOREIGN_LEADS)
    assert response.status_code == 200
    assert "larger than the 0 MiB upload limit" in response.content.decode()
    assert stashed_files(settings) == []


def test_an_unreadable_file_is_a_form_error_and_is_not_kept(marketer, settings):
    response = upload(marketer, b"\x00\x01binary")
    assert response.status_code == 200
    assert "does not look like a CSV or Excel file" in response.content.decode()
    assert stashed_files(settings) == []


def test_another_sessions_token_reaches_no_file(marketer):
    url = upload(marketer, FOREIGN_LEADS).url
    stranger = Client()
    stranger.force_login(role_user("analyst", username="analyst-1", is_staff=True))
    response = stranger.get(url)
    assert response.status_code == 302 and response.url == UPLOAD


def test_template_download_is_the_datasets_header_row(marketer):
    response = marketer.get(reverse("admin:core_importrun_template", args=["leads"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="leads-template.csv"'
    assert response.content == import_template_csv(import_entity("leads").spec)
    assert reverse("admin:core_importrun_template", args=["leads"]) in marketer.get(UPLOAD).content.decode()


def test_a_rep_reaches_no_step_of_the_flow(settings):
    rep = Client()
    rep.force_login(role_user("sales_rep", username="rep-1", is_staff=True))
    changelist = reverse("admin:core_importrun_changelist")
    assert upload(rep, FOREIGN_LEADS).url == changelist
    assert rep.get(reverse("admin:core_importrun_template", args=["leads"])).url == changelist
    assert stashed_files(settings) == []


def test_import_runs_add_leads_to_the_upload_form_and_creates_nothing(marketer):
    add = reverse("admin:core_importrun_add")
    assert f'href="{add}"' in marketer.get(reverse("admin:index")).content.decode()

    assert marketer.get(add).url == UPLOAD
    saved = marketer.post(add, {"_save": "Save"})

    assert saved.status_code == 302 and saved.url == UPLOAD
    assert JobRun.objects.count() == 0


def test_job_runs_have_no_add_page(marketer):
    admin_client = Client()
    admin_client.force_login(role_user("superuser", username="root"))
    assert admin_client.get(reverse("admin:core_jobrun_add")).status_code == 403
    assert admin_client.post(reverse("admin:core_jobrun_add"), {"kind": "import_leads"}).status_code == 403
    assert JobRun.objects.count() == 0


def test_saved_mapping_json_is_checked_against_the_datasets_fields():
    saved = import_mapping_save(entity="leads", name="CRM", mapping=Mapping(columns={"Prospect ID": "external_id"}))
    client = Client()
    client.force_login(role_user("analyst", username="analyst-2", is_staff=True))
    change = reverse("admin:core_importmapping_change", args=[saved.pk])
    base = {"entity": "leads", "name": "CRM", "values": "{}", "units": "{}"}

    refused = client.post(change, {**base, "columns": '{"Prospect ID": "shoe_size"}'})
    accepted = client.post(change, {**base, "columns": '{"Prospect ID": "external_id", "City": "attr:city"}'})

    assert refused.status_code == 200
    assert "which is not a field of leads" in refused.content.decode()
    assert accepted.status_code == 302
    saved.refresh_from_db()
    assert saved.columns == {"Prospect ID": "external_id", "City": "attr:city"}
    assert "CRM" in client.get(reverse("admin:core_importmapping_changelist")).content.decode()


def test_custom_attribute_definitions_are_listed_read_only(marketer):
    CustomAttribute.objects.create(entity="leads", key="city", label="City", kind="category")
    listing = marketer.get(reverse("admin:core_customattribute_changelist"))
    assert listing.status_code == 200 and "City" in listing.content.decode()
    assert marketer.get(reverse("admin:core_customattribute_add")).status_code == 403


@pytest.fixture
def superuser() -> Client:
    client = Client()
    client.force_login(role_user("superuser", username="root-2"))
    return client


def test_custom_attributes_are_shown_by_label_on_the_change_pages(superuser):
    CustomAttribute.objects.create(entity="leads", key="city", label="City", kind="category")
    CustomAttribute.objects.create(entity="leads", key="do_not_call", label="Do Not Call", kind="boolean")
    CustomAttribute.objects.create(entity="customers", key="spending_score_1_100", label="Spending Score (1-100)",
                                   kind="number")
    CustomAttribute.objects.create(entity="responses", key="channel", label="Channel", kind="category")
    lead = LeadFactory(attributes={"city": "Pune", "do_not_call": False})
    customer = CustomerFactory(attributes={"spending_score_1_100": 81.0})
    response = ResponseRecord.objects.create(external_id="r-1", attributes={"channel": "web"})

    lead_page = superuser.get(reverse("admin:leads_lead_change", args=[lead.pk])).content.decode()
    customer_page = superuser.get(reverse("admin:segmentation_customer_change", args=[customer.pk])).content.decode()
    response_page = superuser.get(
        reverse("admin:campaigns_responserecord_change", args=[response.pk])).content.decode()

    assert "<tr><td>City</td><td>Pune</td></tr><tr><td>Do Not Call</td><td>no</td></tr>" in lead_page
    assert "<tr><td>Spending Score (1-100)</td><td>81</td></tr>" in customer_page
    assert "<tr><td>Channel</td><td>web</td></tr>" in response_page
    assert 'name="attributes"' not in customer_page + response_page


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_file_through_the_admin_is_a_clear_message_never_a_500(case, marketer):
    """#17 finding 10 at the third door: upload, then (if the file gets that far) validate and import."""
    content, _, message = MALFORMED[case]
    pages = [upload(marketer, content)]
    if pages[0].status_code == 302:  # readable enough to preview: map, validate, import
        mapping_page = marketer.get(pages[0].url)
        pages.append(mapping_page)
        if "form" in (mapping_page.context or {}):
            path = mapping_page.request["PATH_INFO"]
            pages.append(marketer.post(path, form_data(mapping_page, validate="Validate")))
            imported = marketer.post(path, form_data(mapping_page, **{"import": "Import"}))
            pages.append(marketer.get(imported.url) if imported.status_code == 302 else imported)

    assert all(page.status_code < 500 for page in pages)
    shown = "".join(page.content.decode() for page in pages)
    assert html.escape(message, quote=False) in shown or message in shown
    assert "Traceback" not in shown
