"""Re-clustering through the service and the database, on the real customer-personality data."""
from __future__ import annotations

import datetime

import pandas as pd
import pytest
from django.utils import timezone

from core.errors import UserError
from core.job_runs import JobAlreadyRunning, JobTracker
from core.models import JobRun
from segmentation import services
from segmentation.models import Customer, Segment, SegmentationRun, SegmentMembership
from segmentation.personas import DEAL_ORIENTED, PREMIUM, VALUE_FAMILY
from segmentation.services import customers_recluster
from tests.factories import CustomerFactory
from tests.segmentation.factories import REAL_CUSTOMERS, import_real_customers

pytestmark = pytest.mark.django_db


def persona_means() -> pd.DataFrame:
    """Per persona, from the customers' raw columns in the database: mean income, total spend, deal share."""
    frame = pd.DataFrame.from_records(Customer.objects.values(
        "persona", "income", "mnt_wines", "mnt_fruits", "mnt_meat_products", "mnt_fish_products",
        "mnt_sweet_products", "mnt_gold_prods", "num_deals_purchases", "num_web_purchases",
        "num_catalog_purchases", "num_store_purchases",
    ))
    spends = ["mnt_wines", "mnt_fruits", "mnt_meat_products", "mnt_fish_products", "mnt_sweet_products",
              "mnt_gold_prods"]
    purchases = frame[["num_web_purchases", "num_catalog_purchases", "num_store_purchases"]].sum(axis=1)
    frame["total_spend"] = frame[spends].sum(axis=1)
    frame["deal_share"] = (frame["num_deals_purchases"] / purchases.where(purchases > 0)).fillna(0).clip(0, 1)
    return frame.groupby("persona")[["income", "total_spend", "deal_share"]].mean()


def memberships(run: SegmentationRun) -> dict[int, tuple]:
    return {
        customer: (key, persona, reason)
        for customer, key, persona, reason in SegmentMembership.objects.filter(run=run).values_list(
            "customer_id", "segment__key", "persona", "unsegmented_reason")
    }


def customer_segment_state() -> dict[int, tuple]:
    rows = Customer.objects.values_list("id", "segment_id", "persona", "unsegmented_reason")
    return {row[0]: row[1:] for row in rows}


def test_k_is_chosen_within_range_and_metrics_are_recorded_per_k():
    import_real_customers()

    run = customers_recluster()

    assert run.status == SegmentationRun.Status.SUCCEEDED and run.is_current
    assert [row["k"] for row in run.metrics] == [2, 3, 4, 5, 6, 7, 8]
    assert all(row["silhouette"] and row["calinski_harabasz"] and row["davies_bouldin"] for row in run.metrics)
    best = max(run.metrics, key=lambda row: row["silhouette"])
    assert run.chosen_k == best["k"] == 3
    assert run.segments.count() == 3 and sum(run.sizes.values()) == REAL_CUSTOMERS
    assert (run.n_customers, run.n_unsegmented, run.churn) == (REAL_CUSTOMERS, 0, None)
    job = JobRun.objects.get(kind=JobRun.Kind.RECLUSTER)
    assert (job.status, job.progress, job.stage) == (JobRun.Status.SUCCEEDED, 1.0, "done")
    weak = ("weak clustering: silhouette 0.184 at k = 3 is below 0.25; it was the best of k = 2-8. Customers sit "
            "almost as close to a neighbouring segment as to their own, so read the segments as a convenient split "
            "of the base, not as distinct groups")
    assert job.counts == {"run": run.pk, "customers": REAL_CUSTOMERS, "segmented": REAL_CUSTOMERS,
                          "unsegmented": 0, "k": 3, "churn": None, "warning": weak}
    assert run.params["warning"] == weak


def test_at_k3_premium_customers_have_the_highest_income_and_spend():
    import_real_customers()
    customers_recluster(k=3)

    means = persona_means()

    assert means["income"].idxmax() == PREMIUM
    assert means["total_spend"].idxmax() == PREMIUM


def test_at_k3_deal_oriented_customers_have_the_highest_deal_share():
    import_real_customers()
    customers_recluster(k=3)

    assert persona_means()["deal_share"].idxmax() == DEAL_ORIENTED


def test_at_k3_value_family_customers_have_the_lowest_income_and_spend():
    import_real_customers()
    customers_recluster(k=3)

    means = persona_means()

    assert means["income"].idxmin() == VALUE_FAMILY
    assert means["total_spend"].idxmin() == VALUE_FAMILY


def test_every_customer_gets_the_new_runs_segment_persona_and_a_membership():
    import_real_customers()

    run = customers_recluster(k=3)

    segments = {segment.pk: segment.persona for segment in run.segments.all()}
    state = customer_segment_state()
    assert all(segments[segment_id] == persona and reason == "" for segment_id, persona, reason in state.values())
    assert memberships(run).keys() == state.keys()
    assert SegmentMembership.objects.filter(run=run).count() == REAL_CUSTOMERS


def test_rerun_on_same_data_gives_identical_memberships_and_personas():
    import_real_customers()
    first = customers_recluster()

    second = customers_recluster()

    assert second.churn == 0.0
    assert memberships(second) == memberships(first)
    assert list(second.segments.values_list("key", "persona", "label", "size")) == \
        list(first.segments.values_list("key", "persona", "label", "size"))
    first.refresh_from_db()
    assert (first.is_current, second.is_current) == (False, True)


def test_adding_a_few_customers_keeps_every_previous_segments_key_and_persona():
    import_real_customers()
    first = customers_recluster()
    CustomerFactory.create_batch(3, income=82000.0, mnt_wines=900, num_catalog_purchases=7, kidhome=0)
    CustomerFactory.create_batch(3, income=28000.0, mnt_wines=15, mnt_meat_products=10, kidhome=1)

    second = customers_recluster()

    assert dict(second.segments.values_list("key", "persona")) == dict(first.segments.values_list("key", "persona"))
    assert second.churn == pytest.approx(2 / REAL_CUSTOMERS)  # two borderline customers move, nobody else
    assert second.n_customers == REAL_CUSTOMERS + 6


def test_exception_mid_publish_leaves_previous_run_current_and_customers_unchanged(monkeypatch):
    import_real_customers()
    previous = customers_recluster(k=3)
    before = customer_segment_state()

    def disk_full(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services, "customers_follow_run", disk_full)
    with pytest.raises(OSError):
        customers_recluster(k=4)

    failed = SegmentationRun.objects.exclude(pk=previous.pk).get()
    assert (failed.status, failed.is_current) == (SegmentationRun.Status.FAILED, False)
    assert failed.error == "OSError: disk full"
    assert SegmentationRun.objects.get(is_current=True) == previous
    assert customer_segment_state() == before
    assert not SegmentMembership.objects.filter(run=failed).exists()
    assert not Segment.objects.filter(run=failed).exists()
    job = failed.job
    assert (job.status, job.error) == (JobRun.Status.FAILED, "OSError: disk full")


def test_bad_and_missing_values_still_give_every_customer_a_segment():
    import_real_customers()
    odd = [
        CustomerFactory(income=None, education="", marital_status="YOLO"),
        CustomerFactory(year_birth=1893, income=666666.0),
        CustomerFactory(mnt_wines=0, mnt_fruits=0, mnt_meat_products=0, mnt_fish_products=0, mnt_sweet_products=0,
                        mnt_gold_prods=0, num_deals_purchases=0, num_web_purchases=0, num_catalog_purchases=0,
                        num_store_purchases=0, num_web_visits_month=0),
        CustomerFactory(dt_customer=datetime.date(1970, 1, 1), year_birth=2014, kidhome=9),
    ]

    run = customers_recluster()

    assert run.n_unsegmented == 0
    assert not Customer.objects.filter(segment__isnull=True).exists()
    for customer in odd:
        customer.refresh_from_db()
        assert customer.segment.run_id == run.pk and customer.persona == customer.segment.persona
    flags = {}
    for profile in run.segments.values_list("profile", flat=True):
        for name, count in profile["data_flags"].items():
            flags[name] = flags.get(name, 0) + count
    assert flags["income_missing"] == 24 + 1
    assert flags["marital_status_unknown"] == 4 + 1


def test_dbscan_outliers_are_unsegmented_with_reason_and_keep_the_nearest_persona():
    import_real_customers()

    run = customers_recluster(algorithm="dbscan")

    outliers = Customer.objects.filter(unsegmented_reason="outlier")
    assert run.n_unsegmented == outliers.count() > 0
    assert not outliers.filter(segment__isnull=False).exists()
    assert not outliers.filter(persona="").exists()
    assert SegmentMembership.objects.filter(run=run, unsegmented_reason="outlier").count() == run.n_unsegmented


def test_overlapping_run_is_refused():
    import_real_customers()
    now = timezone.now()
    JobRun.objects.create(kind=JobRun.Kind.RECLUSTER, status=JobRun.Status.RUNNING, lock_key="recluster",
                          started_at=now, heartbeat_at=now)

    with pytest.raises(JobAlreadyRunning):
        customers_recluster()

    assert not SegmentationRun.objects.exists()
    assert JobRun.objects.filter(kind=JobRun.Kind.RECLUSTER, status=JobRun.Status.SKIPPED).count() == 1


def test_run_without_customers_is_refused_with_a_message():
    with pytest.raises(UserError, match="no customers to segment"):
        customers_recluster()

    assert not SegmentationRun.objects.exists()
    assert JobRun.objects.get(kind=JobRun.Kind.RECLUSTER).status == JobRun.Status.FAILED


def test_unknown_algorithm_is_refused():
    CustomerFactory()

    with pytest.raises(UserError, match="unknown algorithm 'spectral'"):
        customers_recluster(algorithm="spectral")


def test_progress_moves_forward_through_every_stage(monkeypatch):
    import_real_customers()
    seen: list[tuple[str, float]] = []
    original = JobTracker.progress

    def record(self, stage, fraction):
        seen.append((stage, round(fraction, 4)))
        original(self, stage, fraction)

    monkeypatch.setattr(JobTracker, "progress", record)
    customers_recluster(k=3)

    stages = list(dict.fromkeys(stage for stage, _ in seen))
    assert stages == ["reading customers", "features", "fitting", "assigning", "profiling", "matching",
                      "publishing segments", "writing memberships", "updating customers"]
    fractions = [fraction for _, fraction in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 0.88


def test_churn_counts_only_customers_present_in_both_runs():
    previous = pd.Series([0.0, 1.0, -1.0, float("nan")])

    assert services.customer_churn(previous, pd.Series([0, 2, -1, 5]).to_numpy()) == pytest.approx(1 / 3)


def test_dbscan_rerun_counts_outliers_as_staying_unsegmented():
    import_real_customers()
    first = customers_recluster(algorithm="dbscan")

    second = customers_recluster(algorithm="dbscan")

    assert second.churn == 0.0
    assert memberships(second) == memberships(first)


@pytest.mark.django_db
def test_pruning_keeps_the_newest_runs_memberships_the_current_one_and_every_run():
    from tests.factories import MembershipFactory, SegmentationRunFactory

    current, older, newer, newest = (SegmentationRunFactory(is_current=(n == 0)) for n in range(4))
    customers = [CustomerFactory(), CustomerFactory()]
    for run in (current, older, newer, newest):
        for customer in customers:
            MembershipFactory(run=run, customer=customer)

    deleted = services.segment_history_prune(keep_runs=2)

    assert deleted == 2, "only the older run's two memberships go"
    assert set(SegmentMembership.objects.values_list("run_id", flat=True)) == {current.pk, newer.pk, newest.pk}
    assert SegmentationRun.objects.count() == 4, "runs, their metrics and segments stay"
    assert services.segment_history_prune(keep_runs=2) == 0
    with pytest.raises(UserError):
        services.segment_history_prune(keep_runs=0)
