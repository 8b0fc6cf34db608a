"""Jobs (202 with the queued run, then poll) and imports (the same validation as the commands)."""
import io

import pytest

from core.models import CustomAttribute, JobRun
from leads.models import Lead
from segmentation.api.job_params import RECLUSTER_ALGORITHMS
from tests.factories import CampaignFactory
from tests.shared_data import LEADS_FILE, shared_data_path

pytestmark = pytest.mark.django_db

LEAD_HEADER = (
    "ID,age,current_occupation,first_interaction,profile_completed,website_visits,time_spent_on_website,"
    "page_views_per_visit,last_activity,print_media_type1,print_media_type2,digital_media,educational_channels,"
    "referral,status\n"
)
GOOD_ROW = "EXT{n},57,Unemployed,Website,High,7,1639,1.861,Website Activity,Yes,No,Yes,No,No,1\n"
BAD_AGE_ROW = "EXT{n},abc,Unemployed,Website,High,7,1639,1.861,Website Activity,Yes,No,Yes,No,No,1\n"


def lead_upload(*rows: str, name: str = "leads.csv") -> io.BytesIO:
    data = io.BytesIO((LEAD_HEADER + "".join(rows)).encode())
    data.name = name
    return data


def post_import(client, dataset: str, upload, strict: bool = False):
    return client.post("/api/v1/imports/", {"dataset": dataset, "file": upload, "strict": strict}, format="multipart")


def test_starting_a_job_answers_202_with_the_queued_run(as_role):
    analyst = as_role("analyst")

    response = analyst.post("/api/v1/jobs/", {"kind": "recluster", "params": {"k": 4}}, format="json")

    assert response.status_code == 202
    job = JobRun.objects.get()
    assert response.json()["id"] == job.pk
    assert (job.kind, job.status, job.trigger, job.created_by) == ("recluster", "queued", "api", analyst.user)
    assert job.params == {"algorithm": "kmeans", "k": 4}


def test_a_recluster_job_may_name_its_features_as_the_command_does(as_role):
    CustomAttribute.objects.create(entity="customers", key="spending_score_1_100", label="Spending Score (1-100)",
                                   kind="number")

    response = as_role("analyst").post("/api/v1/jobs/", {"kind": "recluster", "params": {
        "features": ["income", "Spending Score (1-100)"]}}, format="json")

    assert response.status_code == 202
    assert JobRun.objects.get().params == {"algorithm": "kmeans", "k": None,
                                           "features": ["income", "Spending Score (1-100)"]}


@pytest.mark.django_db(transaction=True)  # the task runs in-process once the run is committed, as in production
def test_a_recluster_job_clusters_on_the_features_it_names(as_role, tmp_path):
    from operations.synthetic import write_foreign_dataset
    from segmentation.models import SegmentationRun
    from segmentation.services import customers_import

    customers_import(source=write_foreign_dataset(tmp_path, customers=200, leads=0, seed=42)["customers"])

    response = as_role("analyst").post("/api/v1/jobs/", {"kind": "recluster", "params": {
        "features": ["income", "Age"], "k": 3}}, format="json")

    job = JobRun.objects.get(pk=response.json()["id"])
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    assert SegmentationRun.objects.get(job=job).params["fields"] == ["income", "Age"]


def test_a_recluster_job_with_an_unknown_feature_is_refused_with_the_valid_names(as_role):
    CustomAttribute.objects.create(entity="customers", key="genre", label="Genre", kind="category")

    response = as_role("analyst").post("/api/v1/jobs/", {"kind": "recluster", "params": {
        "features": ["income", "shoe size"]}}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"params": {"features": [
        "'shoe size' is neither a feature, a customer field nor a custom attribute; choose from age, tenure_days, "
        "income, total_spend, wine_share, fruit_share, meat_share, fish_share, sweets_share, gold_share, "
        "children_at_home, household_size, total_purchases, web_share, catalog_share, store_share, deal_share, "
        "web_visits_month, campaigns_accepted, recency, education, marital_status, genre"]}}
    assert not JobRun.objects.exists()


def test_a_recluster_job_with_an_empty_feature_list_is_refused(as_role):
    response = as_role("analyst").post("/api/v1/jobs/", {"kind": "recluster", "params": {"features": []}},
                                       format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]["params"]) == ["features"]


def test_recluster_algorithms_are_the_engines():
    from segmentation.ml import ALGORITHMS

    assert RECLUSTER_ALGORITHMS == ALGORITHMS


def test_attach_offers_job_names_its_campaign(as_role):
    campaign = CampaignFactory()

    response = as_role("marketer").post(
        "/api/v1/jobs/", {"kind": "attach_offers", "params": {"campaign_id": campaign.pk}}, format="json")

    assert response.status_code == 202
    assert JobRun.objects.get().params == {"campaign_id": campaign.pk}


def test_attach_offers_job_for_a_missing_campaign_is_400(as_role):
    response = as_role("marketer").post("/api/v1/jobs/", {"kind": "attach_offers", "params": {"campaign_id": 99999}},
                                        format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"params": {"campaign_id": ["no campaign with id 99999"]}}


def test_job_status_shows_stage_progress_counts_and_error(as_role):
    job = JobRun.objects.create(kind=JobRun.Kind.RESCORE_LEADS, status=JobRun.Status.FAILED, stage="scoring",
                                progress=0.5, counts={"scored": 10}, error="model file missing")

    body = as_role("analyst").get(f"/api/v1/jobs/{job.pk}/").json()

    assert {k: body[k] for k in ("kind", "status", "stage", "progress", "counts", "error", "is_finished")} == {
        "kind": "rescore_leads", "status": "failed", "stage": "scoring", "progress": 0.5,
        "counts": {"scored": 10}, "error": "model file missing", "is_finished": True}


def test_jobs_list_filters_by_kind(as_role):
    JobRun.objects.create(kind=JobRun.Kind.RECLUSTER)
    wanted = JobRun.objects.create(kind=JobRun.Kind.TRAIN_LEADS)

    body = as_role("analyst").get("/api/v1/jobs/?kind=train_leads").json()

    assert [row["id"] for row in body["results"]] == [wanted.pk]


def test_real_leads_file_is_imported_with_201(as_role):
    upload = io.BytesIO(shared_data_path(*LEADS_FILE).read_bytes())
    upload.name = "leads_train.csv"

    response = post_import(as_role("analyst"), "leads", upload)

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["status"], body["source_name"]) == ("import_leads", "succeeded", "leads_train.csv")
    assert body["counts"] == {"rows": 3690, "rejected": 0, "inserted": 3690, "updated": 0, "unchanged": 0}
    assert Lead.objects.count() == 3690


def test_partly_valid_file_imports_the_good_rows_and_reports_the_bad(as_role):
    response = post_import(as_role("analyst"), "leads", lead_upload(GOOD_ROW.format(n=1), BAD_AGE_ROW.format(n=2)))

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "partial"
    assert body["counts"]["inserted"] == 1
    assert [(e["row"], e["column"], e["value"]) for e in body["report"]["errors"]] == [(3, "age", "abc")]


def test_file_with_no_valid_row_answers_422_with_the_report(as_role):
    response = post_import(as_role("analyst"), "leads", lead_upload(BAD_AGE_ROW.format(n=1)))

    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "failed"
    assert body["error"] == "none of the 1 rows is valid; nothing was imported"
    assert not Lead.objects.exists()


def test_strict_import_with_a_bad_row_imports_nothing(as_role):
    response = post_import(as_role("analyst"), "leads",
                           lead_upload(GOOD_ROW.format(n=1), BAD_AGE_ROW.format(n=2)), strict=True)

    assert response.status_code == 422
    assert response.json()["error"] == "1 of 2 rows have problems; with --strict nothing was imported"
    assert not Lead.objects.exists()


def test_upload_without_a_file_is_400(as_role):
    response = as_role("analyst").post("/api/v1/imports/", {"dataset": "leads"}, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"file": ["No file was submitted."]}


def test_file_over_the_upload_limit_is_refused(settings, as_role):
    settings.UPLOAD_MAX_BYTES = 100

    response = post_import(as_role("analyst"), "leads", lead_upload(GOOD_ROW.format(n=1)))

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"file": ["the file is larger than the 0 MiB upload limit"]}
    assert not JobRun.objects.exists()


def test_declared_size_over_the_limit_is_refused_before_reading(settings, as_role):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    upload = io.BytesIO(b"x" * (1024 * 1024 + 70 * 1024))
    upload.name = "big.csv"

    response = post_import(as_role("analyst"), "leads", upload)

    assert response.status_code == 413
    assert response.json()["error"] == {"code": "too_large", "fields": {},
                                        "message": "the upload is larger than the 1 MiB limit (UPLOAD_MAX_MB)"}


def test_import_report_is_readable_afterwards(as_role):
    analyst = as_role("analyst")
    job_id = post_import(analyst, "leads", lead_upload(GOOD_ROW.format(n=1), BAD_AGE_ROW.format(n=2))).json()["id"]

    body = analyst.get(f"/api/v1/imports/{job_id}/").json()

    assert body["report"]["errors"][0]["column"] == "age"
    assert analyst.get("/api/v1/imports/").json()["count"] == 1
