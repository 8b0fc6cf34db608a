"""Invalid input of each kind gives 400 with a message per field, in one error shape; never a 500."""
import json

import pytest
from rest_framework.exceptions import ValidationError

from core.api.errors import api_exception_handler
from core.errors import ConflictError, UserError
from core.job_runs import JobAlreadyRunning
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketer(as_role):
    return as_role("marketer")


def fields_of(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"]["code"] == "invalid"
    return body["error"]["fields"]


def test_missing_required_field(marketer):
    assert fields_of(marketer.post("/api/v1/campaigns/", {}, format="json")) == {"name": ["This field is required."]}


def test_wrong_type(marketer):
    response = marketer.post("/api/v1/campaigns/", {"name": "A", "control_share": "lots"}, format="json")

    assert fields_of(response) == {"control_share": ["A valid number is required."]}


def test_number_out_of_range(marketer):
    response = marketer.post("/api/v1/campaigns/", {"name": "A", "control_share": 0.95}, format="json")

    assert fields_of(response) == {"control_share": ["Ensure this value is less than or equal to 0.9."]}


def test_unknown_choice(marketer):
    response = marketer.post("/api/v1/campaigns/", {"name": "A", "objective": "world_peace"}, format="json")

    assert fields_of(response) == {"objective": ['"world_peace" is not a valid choice.']}


def test_duplicate_unique_value(marketer):
    CampaignFactory(name="Spring")

    response = marketer.post("/api/v1/campaigns/", {"name": "Spring"}, format="json")

    assert fields_of(response) == {"name": ["campaign with this name already exists."]}


def test_rule_across_fields(marketer):
    response = marketer.post("/api/v1/campaigns/", {"name": "A", "starts_on": "2025-05-01", "ends_on": "2025-04-01"},
                             format="json")

    assert fields_of(response) == {"ends_on": ["The campaign cannot end before it starts."]}


def test_bad_item_in_a_list_names_its_position(marketer):
    campaign = CampaignFactory()

    response = marketer.post("/api/v1/offers/", {"campaign": campaign.pk, "name": "O", "offer_type": "discount",
                                                 "value": "5", "target_personas": ["premium", "vip"]}, format="json")

    assert fields_of(response) == {"target_personas": {"1": ['"vip" is not a valid choice.']}}


def test_unknown_eligibility_rule_is_refused_with_the_allowed_ones(marketer):
    campaign = CampaignFactory()

    response = marketer.post("/api/v1/offers/", {"campaign": campaign.pk, "name": "O", "offer_type": "discount",
                                                 "value": "5", "eligibility": {"min_age": 30}}, format="json")

    assert fields_of(response) == {"eligibility": [
        "unknown eligibility rule(s) ['min_age']; allowed: ['min_income', 'requires_children', 'max_recency_days', "
        "'exclude_complainers']"]}


def test_eligibility_rule_of_the_wrong_type(marketer):
    campaign = CampaignFactory()

    response = marketer.post("/api/v1/offers/", {"campaign": campaign.pk, "name": "O", "offer_type": "discount",
                                                 "value": "5", "eligibility": {"min_income": -5}}, format="json")

    assert fields_of(response) == {"eligibility": ["eligibility rule 'min_income' must be a non-negative number, "
                                                   "got -5"]}


def test_reference_to_a_missing_object(marketer):
    response = marketer.post("/api/v1/offers/", {"campaign": 999999, "name": "O", "offer_type": "discount",
                                                 "value": "5"}, format="json")

    assert fields_of(response) == {"campaign": ['Invalid pk "999999" - object does not exist.']}


def test_malformed_json_body(marketer):
    response = marketer.post("/api/v1/campaigns/", '{"name": ', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert response.json()["error"]["message"].startswith("JSON parse error")


def test_invalid_filter_value(marketer):
    assert fields_of(marketer.get("/api/v1/customers/?income_min=rich")) == {"income_min": ["Enter a number."]}


def test_invalid_job_parameters_are_reported_under_params(as_role):
    analyst = as_role("analyst")

    response = analyst.post("/api/v1/jobs/", {"kind": "recluster", "params": {"k": 1, "colour": "red"}}, format="json")

    assert fields_of(response) == {"params": {"colour": ["Unknown parameter for this job."]}}


def test_out_of_range_job_parameter(as_role):
    analyst = as_role("analyst")

    response = analyst.post("/api/v1/jobs/", {"kind": "recluster", "params": {"k": 1}}, format="json")

    assert fields_of(response) == {"params": {"k": ["Ensure this value is greater than or equal to 2."]}}


def test_unknown_job_kind(as_role):
    response = as_role("analyst").post("/api/v1/jobs/", {"kind": "import_leads"}, format="json")

    assert fields_of(response) == {"kind": ['"import_leads" is not a valid choice.']}


def test_not_found_uses_the_error_shape(marketer):
    response = marketer.get("/api/v1/campaigns/99999999999999999999/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_user_error_from_a_service_is_a_400_with_its_message():
    response = api_exception_handler(UserError("the file has no rows"), {})

    assert (response.status_code, response.data) == (
        400, {"error": {"code": "refused", "message": "the file has no rows", "fields": {}}})


def test_job_already_running_is_a_409():
    response = api_exception_handler(JobAlreadyRunning(None), {})

    assert response.status_code == 409
    assert response.data["error"]["message"] == (
        "another run of this job is in progress; try again when it has finished")


def test_any_app_conflict_is_a_409_through_the_core_error_type():
    class SeatTaken(ConflictError):  # as an app declares its own conflict
        pass

    response = api_exception_handler(SeatTaken("someone else took this seat"), {})

    assert (response.status_code, response.data) == (
        409, {"error": {"code": "conflict", "message": "someone else took this seat", "fields": {}}})


def test_a_lead_someone_else_holds_is_a_conflict():
    from leads.services import LeadUnavailable

    assert api_exception_handler(LeadUnavailable("held by another rep"), {}).status_code == 409


def test_validation_error_without_fields_keeps_its_message():
    response = api_exception_handler(ValidationError(["Pick one."]), {})

    assert response.data == {"error": {"code": "invalid", "message": "Pick one.",
                                       "fields": {"non_field_errors": ["Pick one."]}}}


@pytest.mark.parametrize("path", ["/api/v1/campaigns/0.5/", "/api/v1/leads/abc/", "/api/v1/no-such-thing/",
                                  "/api/nothing"])
def test_a_path_no_route_takes_answers_the_json_envelope(marketer, path):
    response = marketer.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}


def test_a_write_to_no_route_is_a_json_404_not_a_csrf_page(marketer):
    response = marketer.post("/api/v1/offers/0.5/", {}, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_missing_trailing_slash_is_named_in_the_404(marketer):
    response = marketer.get("/api/v1/campaigns")

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Not found. Did you mean /api/v1/campaigns/ (with a trailing slash)?"


def test_a_server_error_under_api_is_the_json_envelope_elsewhere_django_s_page(rf):
    from core.api.errors import api_or_html_server_error

    api = api_or_html_server_error(rf.get("/api/v1/leads/"))
    page = api_or_html_server_error(rf.get("/admin/"))

    assert (api.status_code, api["Content-Type"]) == (500, "application/json")
    assert json.loads(api.content)["error"]["code"] == "server_error"
    assert (page.status_code, page["Content-Type"]) == (500, "text/html; charset=utf-8")


def test_a_404_outside_the_api_stays_an_html_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_partial_update_of_an_unowned_lead_answers_every_field_the_schema_promises(as_role):
    from tests.factories import LeadFactory

    lead = LeadFactory(owner=None)
    client = as_role("admin")

    response = client.patch(f"/api/v1/leads/{lead.pk}/", {"website_visits": 5}, format="json")

    assert response.status_code == 200
    assert response.json()["owner_username"] is None
