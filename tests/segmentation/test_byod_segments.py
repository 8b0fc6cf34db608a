"""Bring your own customer file (#12 item 4): segments from the columns present, personas only from evidence;
and personas distinct within a run, weak clusterings flagged (#17 finding 3)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.models import CustomAttribute, JobRun
from operations.synthetic import write_dataset, write_foreign_dataset
from segmentation.ml import Attribute, build_customer_features, rename_dataset_columns
from segmentation.ml.feature_set import CATEGORICAL_FEATURES, CLUSTERING_FEATURES, PROFILE_FEATURES
from segmentation.ml.personas import descriptive_traits
from segmentation.models import Customer, SegmentationRun
from segmentation.services import customers_import, customers_recluster
from tests.segmentation.test_ml import load_customers

pytestmark = pytest.mark.django_db

SHOP_FIELDS = ["income", "Age", "Genre", "Spending Score (1-100)"]
NO_PERSONAS = "no offer personas: the data has no total spend, deal share; segments are named by their profile"
OFFER_WORDS = ("premium", "deal", "value", "family")


def run_command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def import_file(path: Path) -> JobRun:
    job = customers_import(source=path)
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    return job


def segments(run: SegmentationRun) -> list[tuple[str, str, int]]:
    return list(run.segments.order_by("-size", "key").values_list("persona", "label", "size"))


@pytest.fixture
def shop_file(tmp_path) -> Path:
    """The shop's five-column file: CustomerID, Genre, Age, Annual Income (k$), Spending Score (1-100)."""
    return write_foreign_dataset(tmp_path, customers=200, leads=0, seed=42)["customers"]


def test_the_sample_layout_clusters_on_exactly_the_features_it_always_had():
    features = build_customer_features(load_customers()).feature_set

    assert features.clustering == (*CLUSTERING_FEATURES, *CATEGORICAL_FEATURES)
    assert features.profile == PROFILE_FEATURES
    assert features.left_out == {}


def test_the_shops_file_segments_every_customer_and_no_persona_claims_a_trait_it_lacks(shop_file):
    import_file(shop_file)
    assert list(CustomAttribute.objects.filter(entity="customers").values_list("key", "kind")) == [
        ("age", "number"), ("genre", "category"), ("spending_score_1_100", "number")]

    run = customers_recluster()

    assert (run.n_customers, run.n_unsegmented, run.chosen_k) == (200, 0, 6)
    assert not Customer.objects.filter(segment__isnull=True).exists()
    assert set(Customer.objects.values_list("persona", flat=True)) == {""}
    assert segments(run) == [
        ("", "low age", 59),
        ("", "high age · more Female", 36),
        ("", "low spending score · high income", 33),
        ("", "high income · high spending score", 28),
        ("", "low income · high spending score", 23),
        ("", "low income · low spending score", 21),
    ]
    assert not any(word in label for _, label, _ in segments(run) for word in OFFER_WORDS)
    assert run.params["fields"] == SHOP_FIELDS
    assert all(profile["fields"] == SHOP_FIELDS for profile in run.segments.values_list("profile", flat=True))
    assert run.params["persona_note"] == NO_PERSONAS
    assert run.params["warning"] == ""


def test_recluster_prints_the_fields_used_and_why_there_are_no_personas(shop_file):
    import_file(shop_file)

    output = run_command("recluster", "--k", "4").splitlines()

    assert output[-4:] == [
        "churn since the previous run: none (first run)",
        "clustered on 4 field(s): income, Age, Genre, Spending Score (1-100)",
        NO_PERSONAS,
        f"run #{SegmentationRun.objects.get().pk} is now current",
    ]
    assert [line[:21] for line in output[3:8]] == ["  key  persona       ", *["    " + str(key) + "  -             "
                                                                           for key in range(4)]]


def test_features_are_named_by_field_attribute_key_or_the_files_header(shop_file):
    import_file(shop_file)

    by_key = customers_recluster(features=["income", "spending_score_1_100"])
    by_header = customers_recluster(features=["Income", "Spending Score (1-100)"])

    for run in (by_key, by_header):
        assert run.params["fields"] == ["income", "Spending Score (1-100)"]
        assert run.feature_names == ["income", "attr:spending_score_1_100"]
    assert by_key.params["requested"] == ["income", "spending_score_1_100"]
    assert by_key.chosen_k == 5
    assert segments(by_key) == [
        ("", "close to the average customer", 93),
        ("", "low spending score · high income", 34),
        ("", "high income · high spending score", 28),
        ("", "low income · low spending score", 23),
        ("", "low income · high spending score", 22),
    ]
    assert by_header.churn == 0.0


def test_an_attribute_named_like_a_field_the_file_lacks_is_used(shop_file):
    import_file(shop_file)

    run = customers_recluster(features=["age", "income"])

    assert run.params["fields"] == ["income", "Age"]


def test_an_unknown_feature_is_refused_with_the_names_to_choose_from(shop_file):
    import_file(shop_file)

    with pytest.raises(CommandError) as error:
        run_command("recluster", "--features", "income,shoe_size")

    message = str(error.value)
    assert message.startswith("re-cluster refused: 'shoe_size' is neither a feature, a customer field nor a "
                              "custom attribute; choose from age, tenure_days, income, ")
    assert message.endswith("education, marital_status, age, genre, spending_score_1_100")
    assert not SegmentationRun.objects.exists()


def test_a_field_no_customer_has_is_refused(shop_file):
    import_file(shop_file)

    with pytest.raises(CommandError, match="re-cluster refused: 'mnt_wines': no customer has a value for it"):
        run_command("recluster", "--features", "mnt_wines")

    assert SegmentationRun.objects.get().status == SegmentationRun.Status.FAILED


def test_extra_columns_of_every_kind_are_used_and_identifier_like_ones_left_out(tmp_path):
    path = write_foreign_dataset(tmp_path, customers=200, leads=0, seed=42, extra_columns=5)["customers"]
    import_file(path)

    run = customers_recluster(k=3)

    assert run.n_unsegmented == 0
    assert run.params["fields"] == ["income", "Age", "extra_2_decimal", "extra_3_category", "extra_4_boolean",
                                    "extra_5_date", "Genre", "Spending Score (1-100)"]
    assert run.params["left_out"] == {  # 197 distinct whole numbers in 200 rows
        "extra_1_number": "identifier-like: a different value for nearly every customer"}
    assert run.feature_names == ["income", "attr:age", "attr:extra_2_decimal", "attr:extra_4_boolean",
                                 "attr:extra_5_date", "attr:spending_score_1_100"]
    profile = run.segments.first().profile["features"]
    assert profile["attr:extra_5_date"]["label"] == "extra_5_date (days ago)"
    assert {name for name in profile if name.startswith("attr:extra_3_category=")} == {
        f"attr:extra_3_category={region}" for region in ("North", "South", "East", "West", "Central")}
    flags = {}
    for segment_profile in run.segments.values_list("profile", flat=True):
        for name, count in segment_profile["data_flags"].items():
            flags[name] = flags.get(name, 0) + count
    assert flags == {"extra_2_decimal_missing": 1, "extra_3_category_missing": 3, "extra_4_boolean_missing": 5,
                     "extra_5_date_missing": 2}, "the file's empty cells, one flag each"


def test_a_mostly_empty_attribute_is_left_out_with_its_share():
    customers = load_customers().head(40).copy()
    customers["attr:loyalty"] = ["gold"] * 10 + [None] * 30

    features = build_customer_features(
        customers, attributes=[Attribute(key="loyalty", label="Loyalty tier", kind="category")]).feature_set

    assert features.left_out == {"Loyalty tier": "empty for 75% of customers"}
    assert "attr:loyalty" not in features.clustering


def test_booleans_and_dates_from_the_database_become_numbers():
    customers = load_customers().head(3).copy()
    customers["attr:opted_in"] = ["true", "false", None]
    customers["attr:signed_up"] = ["2014-06-19", "2014-06-29", "2013-06-29"]
    attributes = [Attribute(key="opted_in", label="Opted in", kind="boolean"),
                  Attribute(key="signed_up", label="Signed up", kind="date")]

    built = build_customer_features(customers, reference_date="2014-06-29", attributes=attributes,
                                    features=["opted_in", "Signed up", "income"])

    assert built.frame["attr:opted_in"].tolist() == [1.0, 0.0, 0.5]
    assert built.frame["attr:signed_up"].tolist() == [10.0, 0.0, 365.0]
    assert list(built.flags) == ["", "", "opted_in_missing"]


def test_descriptive_traits_use_the_columns_own_names_without_units():
    z = {"income": 1.2, "attr:spending_score_1_100": -0.9, "attr:genre=Female": 0.3, "attr:age": 0.1}
    labels = {"income": "income", "attr:spending_score_1_100": "Spending Score (1-100)", "attr:age": "Age"}

    assert descriptive_traits(z, labels) == ["high income", "low spending score", "more Female"]


def test_export_writes_no_persona_for_descriptive_segments(shop_file, tmp_path):
    import_file(shop_file)
    customers_recluster(k=3)

    run_command("export_segments", "--out", str(tmp_path / "segments.csv"))

    rows = list(csv.DictReader((tmp_path / "segments.csv").open()))
    assert len(rows) == 200
    assert {row["persona"] for row in rows} == {""}


def test_on_the_demo_data_auto_k_then_k3_gives_three_distinct_personas_and_flags_the_weak_clustering(tmp_path):
    import_file(write_dataset(tmp_path, customers=5000, leads=0, responses=0, seed=42)["customers"])

    first = run_command("recluster").splitlines()
    second = run_command("recluster", "--k", "3").splitlines()

    assert first[0].startswith("segmentation run #") and " k = 2, 5,000 customers" in first[0]
    assert first[-2] == ("weak clustering: silhouette 0.144 at k = 2 is below 0.25; it was the best of k = 2-8. "
                         "Customers sit almost as close to a neighbouring segment as to their own, so read the "
                         "segments as a convenient split of the base, not as distinct groups")
    run = SegmentationRun.objects.get(is_current=True)
    assert segments(run) == [
        ("deal_oriented", "deal-oriented · web", 1850),
        ("premium", "premium · catalog", 1761),
        ("value_family", "value / family · store", 1389),
    ]
    assert second[-2].startswith("weak clustering: silhouette 0.126 at k = 3 is below 0.25. Customers sit ")


def test_a_descriptive_segments_admin_page_charts_and_tables_the_files_own_columns(admin_client, shop_file):
    import_file(shop_file)
    run = customers_recluster(k=4)
    segment = run.segments.get(label="low spending score · high income")

    response = admin_client.get(reverse("admin:segmentation_segment_change", args=[segment.pk]))

    page = response.content.decode()
    assert page.count('src="data:image/png;base64,') == 1
    assert "<td>Spending Score (1-100)</td>" in page and "<td>Genre: Female</td>" in page
    assert "income, Age, Genre, Spending Score (1-100)" in page


def test_a_file_with_only_ids_leaves_everyone_unsegmented_and_says_why(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("CustomerID\n1\n2\n3\n")
    import_file(path)

    run = customers_recluster()

    assert (run.status, run.n_customers, run.n_unsegmented, run.chosen_k) == (SegmentationRun.Status.SUCCEEDED, 3, 3, 0)
    assert set(Customer.objects.values_list("unsegmented_reason", flat=True)) == {"insufficient_data"}
    assert run.params["warning"] == ("nothing to cluster on: no customer field or custom attribute has values for "
                                     "most customers, so every customer is unsegmented (insufficient_data)")
