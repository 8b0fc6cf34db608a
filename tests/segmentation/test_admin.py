"""The admin pages marketers look at: charts, tables, the re-cluster button and the CSV download."""
from __future__ import annotations

import re
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from core.models import CustomAttribute, JobRun
from segmentation import tasks
from segmentation.models import Customer, SegmentationRun
from segmentation.services import customers_recluster
from tests.factories import CustomerFactory, UserFactory
from tests.segmentation.factories import REAL_CUSTOMERS, import_real_customers

pytestmark = pytest.mark.django_db
PNG = 'src="data:image/png;base64,'


@pytest.fixture
def real_run() -> SegmentationRun:
    import_real_customers()
    return customers_recluster()


def test_run_change_page_shows_metrics_and_sizes_charts(admin_client, real_run):
    response = admin_client.get(reverse("admin:segmentation_segmentationrun_change", args=[real_run.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(PNG) == 2
    assert re.search(r"<td>3 \(chosen\)</td><td>0\.1\d{3}</td><td>4\d\d\.\d</td><td>1\.\d{3}</td>", page), \
        "the chosen k's silhouette, Calinski-Harabasz and Davies-Bouldin are shown"
    premium = real_run.segments.get(persona="premium")
    change = reverse("admin:segmentation_segment_change", args=[premium.pk])
    assert f'<a href="{change}">premium · catalog</a></td><td>Premium</td><td>736</td>' in page


def test_run_list_shows_k_churn_and_segment_sizes(admin_client, real_run):
    response = admin_client.get(reverse("admin:segmentation_segmentationrun_changelist"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Deal-oriented 991" in page and "Premium 736" in page and "Value / family 513" in page
    assert reverse("admin:segmentation_recluster") in page
    assert reverse("admin:segmentation_current_segments_csv") in page


def test_segment_change_page_shows_profile_chart_and_table(admin_client, real_run):
    premium = real_run.segments.get(persona="premium")

    response = admin_client.get(reverse("admin:segmentation_segment_change", args=[premium.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count(PNG) == 1
    assert "<td>income</td><td>73,365.98</td>" in page
    assert premium.profile["highlights"][0] in page


def test_customer_change_page_shows_segment_history(admin_client, real_run):
    customer = Customer.objects.get(external_id="5524")

    response = admin_client.get(reverse("admin:segmentation_customer_change", args=[customer.pk]))

    assert response.status_code == 200
    assert f"<td>{real_run.pk}</td>" in response.content.decode()
    assert "premium · catalog" in response.content.decode()


def test_download_current_segments_csv(admin_client, real_run):
    response = admin_client.get(reverse("admin:segmentation_current_segments_csv"))

    lines = b"".join(response.streaming_content).decode().splitlines()
    assert response["Content-Disposition"] == f'attachment; filename="segments-run-{real_run.pk}.csv"'
    assert lines[0] == "external_id,segment,persona,run"
    assert len(lines) == REAL_CUSTOMERS + 1


def test_download_action_exports_the_selected_run(admin_client, real_run):
    response = admin_client.post(
        reverse("admin:segmentation_segmentationrun_changelist"),
        {"action": "download_segments_csv", "_selected_action": [real_run.pk]},
    )

    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[1] == f"5524,premium · catalog,premium,{real_run.pk}"


def test_recluster_button_queues_a_job_that_publishes_a_new_run(admin_client, real_run, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    chained = []
    monkeypatch.setattr(tasks, "job_enqueue", lambda **kwargs: chained.append(kwargs))  # offers: not tested here
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:segmentation_recluster"), {"algorithm": "kmeans", "k": "3"})

    assert response.status_code == 302
    job = JobRun.objects.filter(kind=JobRun.Kind.RECLUSTER).latest("id")
    assert (job.trigger, job.status, job.params) == (JobRun.Trigger.ADMIN, JobRun.Status.SUCCEEDED,
                                                     {"algorithm": "kmeans", "k": 3})
    current = SegmentationRun.objects.get(is_current=True)
    assert current.job == job and current.chosen_k == 3 and current.churn == 0.0
    assert chained == [{"kind": JobRun.Kind.ATTACH_OFFERS, "trigger": JobRun.Trigger.CHAIN}]


def test_recluster_button_while_one_runs_warns_and_queues_nothing(admin_client, real_run):
    now = timezone.now()
    JobRun.objects.create(kind=JobRun.Kind.RECLUSTER, status=JobRun.Status.RUNNING, lock_key="recluster",
                          started_at=now, heartbeat_at=now)

    response = admin_client.post(reverse("admin:segmentation_recluster"), {"algorithm": "kmeans"}, follow=True)

    assert "A re-cluster is already running" in response.content.decode()
    assert JobRun.objects.filter(kind=JobRun.Kind.RECLUSTER).count() == 2  # the real run's and the running one


def test_sales_rep_may_not_start_a_recluster(client):
    CustomerFactory()
    rep = UserFactory(username="rep", is_staff=True)
    rep.groups.add(Group.objects.get(name="sales_rep"))
    client.force_login(rep)

    client.post(reverse("admin:segmentation_recluster"), {"algorithm": "kmeans"})

    assert not JobRun.objects.filter(kind=JobRun.Kind.RECLUSTER).exists()


def test_run_list_shows_progress_of_a_running_run(admin_client):
    job = JobRun.objects.create(kind=JobRun.Kind.RECLUSTER, status=JobRun.Status.RUNNING, stage="fitting",
                                progress=0.42)
    SegmentationRun.objects.create(job=job, status=SegmentationRun.Status.RUNNING)

    response = admin_client.get(reverse("admin:segmentation_segmentationrun_changelist"))

    assert 'title="fitting"' in response.content.decode() and ">42%</div>" in response.content.decode()


def test_recluster_action_reuses_the_selected_runs_algorithm_and_k(admin_client, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    import_real_customers()
    chosen = customers_recluster(algorithm="gmm", k=3)
    monkeypatch.setattr(tasks, "job_enqueue", lambda **kwargs: None)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:segmentation_segmentationrun_changelist"),
                          {"action": "recluster_like_selected", "_selected_action": [chosen.pk]})

    current = SegmentationRun.objects.get(is_current=True)
    assert current != chosen
    assert (current.algorithm, current.chosen_k, current.job.trigger) == ("gmm", 3, JobRun.Trigger.ADMIN)


def test_run_page_flags_a_weak_clustering_and_says_what_it_clustered_on(admin_client, real_run):
    response = admin_client.get(reverse("admin:segmentation_segmentationrun_change", args=[real_run.pk]))

    page = response.content.decode()
    assert ('<p class="errornote">weak clustering: silhouette 0.184 at k = 3 is below 0.25; it was the best of '
            "k = 2-8.") in page
    assert "<li>clustered on 23 field(s): year_birth, dt_customer, income, mnt_wines," in page
    assert "named from income, spend and deal fields" in page


def test_recluster_page_offers_features_and_custom_attributes_and_runs_on_the_ticked_ones(
        admin_client, real_run, monkeypatch, django_capture_on_commit_callbacks):
    CustomAttribute.objects.create(entity="customers", key="loyalty_tier", label="Loyalty tier", kind="category")
    monkeypatch.setattr(tasks, "job_enqueue", lambda **kwargs: None)

    form = admin_client.get(reverse("admin:segmentation_recluster")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:segmentation_recluster"),
                          {"algorithm": "kmeans", "k": "2", "features": ["income", "total_spend"]})

    assert 'value="deal_share"' in form and "Loyalty tier (custom attribute, category)" in form
    job = JobRun.objects.filter(kind=JobRun.Kind.RECLUSTER).latest("id")
    assert job.params == {"algorithm": "kmeans", "k": 2, "features": ["income", "total_spend"]}
    current = SegmentationRun.objects.get(is_current=True)
    assert current.params["requested"] == ["income", "total_spend"]
    assert current.feature_names == ["income", "total_spend"]
    assert current.params["persona_note"] == ("no offer personas: the data has no deal share; segments are named "
                                              "by their profile")
    assert set(current.segments.values_list("persona", flat=True)) == {""}

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:segmentation_segmentationrun_changelist"),
                          {"action": "recluster_like_selected", "_selected_action": [current.pk]})

    assert SegmentationRun.objects.get(is_current=True).params["requested"] == ["income", "total_spend"]
