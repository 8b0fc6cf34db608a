"""The pure segmentation engine on the real customer-personality data (no database)."""
import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from segmentation.personas import DEAL_ORIENTED, PERSONAS, PREMIUM, VALUE_FAMILY
from segmentation.ml import (
    INSUFFICIENT_DATA, OUTLIER, PreviousSegmentation, build_customer_features, match_segments,
    rename_dataset_columns, segment_churn, segment_customers,
)
from segmentation.ml.feature_set import CLUSTERING_FEATURES, PROFILE_FEATURES
from segmentation.ml.personas import assign_personas, segment_traits
from tests.shared_data import CUSTOMERS_FILE, shared_data_path


def load_customers() -> pd.DataFrame:
    customers = rename_dataset_columns(pd.read_csv(shared_data_path(*CUSTOMERS_FILE), sep="\t"))
    customers.insert(0, "id", np.arange(1, len(customers) + 1))
    return customers


def resample_with_noise(customers: pd.DataFrame, n_rows: int, seed: int) -> pd.DataFrame:
    """Real customers drawn with replacement, income and spends jittered, fresh ids."""
    rng = np.random.default_rng(seed)
    sample = customers.sample(n_rows, replace=True, random_state=seed).reset_index(drop=True)
    sample["income"] = sample["income"] * rng.normal(1.0, 0.05, n_rows)
    for column in ("mnt_wines", "mnt_meat_products", "mnt_gold_prods"):
        sample[column] = np.maximum(0, np.round(sample[column] * rng.normal(1.0, 0.1, n_rows)))
    sample["id"] = np.arange(1, n_rows + 1)
    sample["external_id"] = "S" + sample["id"].astype(str)
    return sample


def segment_stat(segment, feature: str) -> float:
    return segment.profile["features"][feature]["mean"]


def by_persona(outcome, persona: str):
    (segment,) = [segment for segment in outcome.segments if segment.persona == persona]
    return segment


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return load_customers()


@pytest.fixture(scope="module")
def auto_outcome(customers):
    return segment_customers(customers)


@pytest.fixture(scope="module")
def k3_outcome(customers):
    return segment_customers(customers, k=3)


def test_dataset_headers_are_renamed_to_the_contract(customers):
    assert len(customers) == 2240
    expected = {"external_id", "year_birth", "mnt_gold_prods", "num_web_visits_month", "accepted_cmp5", "response"}
    assert expected <= set(customers.columns)
    assert not {"Z_CostContact", "Z_Revenue", "Income"} & set(customers.columns)
    assert customers["dt_customer"].min() == pd.Timestamp("2012-07-30")


def test_reference_date_defaults_to_newest_enrolment(customers):
    features = build_customer_features(customers)
    assert features.reference_date == date(2014, 6, 29)
    first = customers.index[0]
    assert features.frame.loc[first, "age"] == 2014 - customers.loc[first, "year_birth"]


def test_reference_date_can_be_set(customers):
    features = build_customer_features(customers, reference_date="2015-01-01")
    first = customers.index[0]
    assert features.frame.loc[first, "age"] == 2015 - customers.loc[first, "year_birth"]
    assert features.frame["tenure_days"].min() == (pd.Timestamp("2015-01-01") - pd.Timestamp("2014-06-29")).days


def test_every_feature_is_finite_on_the_real_data(customers):
    frame = build_customer_features(customers).frame
    assert np.isfinite(frame[list(PROFILE_FEATURES)].to_numpy()).all()


def test_missing_and_implausible_incomes_are_imputed_and_flagged(customers):
    features = build_customer_features(customers)
    missing = np.char.find(features.flags.astype(str), "income_missing") >= 0
    implausible = np.char.find(features.flags.astype(str), "income_implausible") >= 0
    assert missing.sum() == 24
    assert customers.loc[implausible, "income"].tolist() == [666666.0]
    assert features.frame["income"].max() < 666666


def test_implausible_birth_years_get_an_imputed_age_and_a_flag(customers):
    features = build_customer_features(customers)
    flagged = np.char.find(features.flags.astype(str), "age_implausible") >= 0
    assert sorted(customers.loc[flagged, "year_birth"]) == [1893, 1899, 1900]
    assert features.frame.loc[flagged, "age"].max() <= 100


def test_channel_and_deal_shares_are_zero_without_purchases():
    customer = {"year_birth": 1980, "income": 40000.0, "dt_customer": "01-01-2014", "num_deals_purchases": 2,
                "num_web_purchases": 0, "num_catalog_purchases": 0, "num_store_purchases": 0, "mnt_wines": 0}
    frame = build_customer_features(pd.DataFrame([customer])).frame
    assert frame.loc[0, ["web_share", "catalog_share", "store_share", "deal_share", "wine_share"]].tolist() == [0.0] * 5


def test_k_is_chosen_by_silhouette_within_range_with_metrics_for_every_k(auto_outcome):
    metrics = auto_outcome.clusters.metrics
    assert [row["k"] for row in metrics] == list(range(2, 9))
    for row in metrics:
        assert {"silhouette", "calinski_harabasz", "davies_bouldin"} <= row.keys()
        assert all(isinstance(row[name], float) for name in ("silhouette", "calinski_harabasz", "davies_bouldin"))
    best = max(metrics, key=lambda row: row["silhouette"])
    assert auto_outcome.clusters.k == best["k"]
    assert len(auto_outcome.segments) == best["k"]


def test_fixed_k_is_used_as_requested(customers):
    outcome = segment_customers(customers, k=5)
    assert outcome.clusters.k == 5
    assert [row["k"] for row in outcome.clusters.metrics] == [5]
    assert len(set(outcome.segment_keys)) == 5


def test_at_k3_each_persona_is_used_once(k3_outcome):
    assert sorted(segment.persona for segment in k3_outcome.segments) == sorted(PERSONAS)


def test_at_k3_premium_has_the_highest_income_and_spend(k3_outcome):
    premium = by_persona(k3_outcome, PREMIUM)
    for feature in ("income", "total_spend"):
        assert segment_stat(premium, feature) == max(segment_stat(s, feature) for s in k3_outcome.segments)


def test_at_k3_deal_oriented_has_the_highest_deal_share(k3_outcome):
    deal = by_persona(k3_outcome, DEAL_ORIENTED)
    assert segment_stat(deal, "deal_share") == max(segment_stat(s, "deal_share") for s in k3_outcome.segments)


def test_at_k3_value_family_has_the_lowest_income_and_spend(k3_outcome):
    value = by_persona(k3_outcome, VALUE_FAMILY)
    for feature in ("income", "total_spend"):
        assert segment_stat(value, feature) == min(segment_stat(s, feature) for s in k3_outcome.segments)


def test_with_two_segments_two_different_personas_are_used(customers):
    outcome = segment_customers(customers, k=2)
    personas = [segment.persona for segment in outcome.segments]
    assert len(set(personas)) == 2


def test_with_more_segments_than_personas_each_persona_is_used_once_and_the_rest_are_described(customers):
    outcome = segment_customers(customers, k=7)

    personas = [segment.persona for segment in outcome.segments]
    assert sorted(persona for persona in personas if persona) == sorted(PERSONAS)
    assert personas.count("") == 4
    labels = {segment.persona or segment.key: segment.label for segment in outcome.segments}
    assert len(set(labels.values())) == 7
    assert labels[PREMIUM] == "premium · campaign responders"
    assert labels[0] == "high wine share of spend · low meat share of spend"


def test_hungarian_rule_uses_each_persona_once_and_leaves_the_rest_without_one():
    scores = {
        0: {PREMIUM: 0.9, DEAL_ORIENTED: 0.1, VALUE_FAMILY: -0.8},
        1: {PREMIUM: 0.8, DEAL_ORIENTED: 0.7, VALUE_FAMILY: -0.5},
        2: {PREMIUM: -0.7, DEAL_ORIENTED: 0.2, VALUE_FAMILY: 0.9},
        3: {PREMIUM: 0.6, DEAL_ORIENTED: -0.2, VALUE_FAMILY: 0.1},
    }
    assert assign_personas(scores) == {0: PREMIUM, 1: DEAL_ORIENTED, 2: VALUE_FAMILY, 3: ""}


def test_a_persona_no_segment_fits_better_than_average_is_not_handed_out():
    scores = {
        0: {PREMIUM: 0.9, DEAL_ORIENTED: -0.1, VALUE_FAMILY: -0.8},
        1: {PREMIUM: -0.8, DEAL_ORIENTED: -0.3, VALUE_FAMILY: 0.5},
        2: {PREMIUM: 0.2, DEAL_ORIENTED: -0.05, VALUE_FAMILY: -0.2},
    }
    assert assign_personas(scores) == {0: PREMIUM, 1: VALUE_FAMILY, 2: ""}


def test_a_kept_persona_wins_a_near_tie_but_not_a_clearly_worse_fit():
    near_tie = {0: {PREMIUM: -0.4, DEAL_ORIENTED: 0.30, VALUE_FAMILY: 0.35},
                1: {PREMIUM: -0.5, DEAL_ORIENTED: 0.25, VALUE_FAMILY: 0.28}}
    clearly_worse = {0: {PREMIUM: -0.4, DEAL_ORIENTED: 0.25, VALUE_FAMILY: 0.48},
                     1: {PREMIUM: -0.5, DEAL_ORIENTED: 0.02, VALUE_FAMILY: 0.61}}

    assert assign_personas(near_tie) == {0: VALUE_FAMILY, 1: DEAL_ORIENTED}
    assert assign_personas(near_tie, kept={0: DEAL_ORIENTED}) == {0: DEAL_ORIENTED, 1: VALUE_FAMILY}
    assert assign_personas(clearly_worse, kept={0: VALUE_FAMILY}) == {0: DEAL_ORIENTED, 1: VALUE_FAMILY}


def test_a_kept_persona_the_profile_no_longer_earns_gets_no_bonus():
    scores = {0: {PREMIUM: -0.3, DEAL_ORIENTED: -0.1, VALUE_FAMILY: 0.5},
              1: {PREMIUM: -0.02, DEAL_ORIENTED: 0.05, VALUE_FAMILY: -0.2}}

    assert assign_personas(scores, kept={1: PREMIUM}) == {0: VALUE_FAMILY, 1: DEAL_ORIENTED}


def test_label_trait_names_the_spend_mix_when_it_stands_out():
    z = dict.fromkeys(PROFILE_FEATURES, -0.5) | {"wine_share": 1.2, "meat_share": 0.4}
    assert segment_traits(z)[0] == "wine & meat"


def test_profiles_explain_the_segment_against_the_population(k3_outcome):
    premium = by_persona(k3_outcome, PREMIUM)
    income = premium.profile["features"]["income"]
    assert income["z"] > 0.5
    assert income["ratio"] == pytest.approx(income["mean"] / income["overall_mean"], rel=1e-5)
    assert len(premium.profile["highlights"]) == 3


def test_profiles_and_run_fields_are_json_serialisable(auto_outcome):
    payload = {"run": auto_outcome.run_fields(), "segments": [s.profile for s in auto_outcome.segments]}
    assert json.loads(json.dumps(payload, allow_nan=False))["run"]["chosen_k"] == auto_outcome.clusters.k


def test_centroids_are_segment_means_in_original_units(k3_outcome):
    income_at = list(CLUSTERING_FEATURES).index("income")
    for segment in k3_outcome.segments:
        assert segment.centroid[income_at] == pytest.approx(segment_stat(segment, "income"), rel=1e-6)


def test_same_data_and_seed_give_identical_memberships(customers, auto_outcome):
    again = segment_customers(customers)
    assert np.array_equal(again.segment_keys, auto_outcome.segment_keys)
    assert np.array_equal(again.personas, auto_outcome.personas)


def test_rerun_with_previous_keeps_keys_personas_and_has_zero_churn(customers, auto_outcome):
    again = segment_customers(customers, previous=auto_outcome.as_previous())
    assert again.churn == 0.0
    assert np.array_equal(again.segment_keys, auto_outcome.segment_keys)
    assert [s.previous_key for s in again.segments] == [s.key for s in auto_outcome.segments]


def test_adding_a_few_customers_keeps_every_previous_segment_persona(customers, k3_outcome):
    newcomers = resample_with_noise(customers, 25, seed=3)
    newcomers["id"] += len(customers) + 1000
    grown = pd.concat([customers, newcomers], ignore_index=True)
    outcome = segment_customers(grown, k=3, previous=k3_outcome.as_previous())
    before = {segment.key: segment.persona for segment in k3_outcome.segments}
    after = {segment.key: segment.persona for segment in outcome.segments}
    assert after == before
    assert outcome.churn < 0.02


def test_unmatched_new_segment_gets_a_new_key():
    previous = PreviousSegmentation(keys=[4, 7], centroids=[[0.0, 0.0], [10.0, 10.0]], feature_names=["a", "b"])
    new_centroids = np.array([[10.2, 9.9], [0.1, 0.0], [-30.0, 40.0]])
    match = match_segments(new_centroids, ["a", "b"], np.array([5.0, 5.0]), previous)
    assert match.keys == (7, 4, 8)
    assert match.previous_keys == (7, 4, None)


def test_churn_counts_changed_customers_and_ignores_newcomers():
    previous = {"a": 1, "b": 1, "c": 2, "gone": 2}
    current = {"a": 1, "b": 2, "c": 2, "new": 5, "newer": 1}
    assert segment_churn(previous, current) == pytest.approx(1 / 3)


def bad_rows() -> pd.DataFrame:
    base = {"year_birth": 1975, "education": "Graduation", "marital_status": "Married", "income": 50000.0,
            "kidhome": 0, "teenhome": 1, "dt_customer": "01-03-2013", "recency": 10, "mnt_wines": 100,
            "mnt_fruits": 5, "mnt_meat_products": 50, "mnt_fish_products": 5, "mnt_sweet_products": 5,
            "mnt_gold_prods": 5, "num_deals_purchases": 1, "num_web_purchases": 2, "num_catalog_purchases": 1,
            "num_store_purchases": 3, "num_web_visits_month": 5, "complain": False, "response": False}
    base |= {f"accepted_cmp{i}": False for i in range(1, 6)}
    variants = [
        {"income": np.nan},
        {"num_web_purchases": 0, "num_catalog_purchases": 0, "num_store_purchases": 0, "num_deals_purchases": 0},
        {"year_birth": 1893},
        {"marital_status": "YOLO"},
        {"mnt_wines": -40, "mnt_fruits": np.nan},
        {"education": ""},
        {"education": None, "marital_status": None, "dt_customer": "not a date", "income": -5.0},
    ]
    rows = pd.DataFrame([base | variant for variant in variants])
    rows["id"] = np.arange(900_001, 900_001 + len(rows))
    rows["external_id"] = rows["id"].astype(str)
    return rows


def test_bad_values_never_crash_and_every_row_gets_a_segment_or_a_reason(customers):
    rows = bad_rows()
    outcome = segment_customers(pd.concat([customers, rows], ignore_index=True), k=3)
    tail = slice(len(customers), None)
    assert ((outcome.segment_keys >= 0) != (outcome.reasons != "")).all()
    assert (outcome.segment_keys[tail] >= 0).all()
    assert list(outcome.flags[tail]) == [
        "income_missing", "", "age_implausible", "marital_status_unknown", "spend_invalid", "education_missing",
        "enrolment_date_invalid;income_implausible;marital_status_unknown;education_missing",
    ]


def test_customer_without_any_spend_or_purchase_data_is_unsegmented_with_a_reason(customers):
    empty = bad_rows().iloc[:1].copy()
    spend_and_purchases = [c for c in empty.columns if c.startswith(("mnt_", "num_")) and c != "num_web_visits_month"]
    empty[spend_and_purchases] = np.nan
    outcome = segment_customers(pd.concat([customers, empty], ignore_index=True), k=3)
    assert outcome.reasons[-1] == INSUFFICIENT_DATA
    assert outcome.segment_keys[-1] == -1
    assert outcome.personas[-1] == ""


@pytest.mark.parametrize("algorithm", ["gmm", "agglomerative"])
def test_alternative_algorithm_segments_everyone_from_a_sample(customers, algorithm):
    outcome = segment_customers(customers, algorithm=algorithm, k_range=(2, 4), fit_sample_size=800)
    assert outcome.clusters.fitted_rows == 800
    assert 2 <= outcome.clusters.k <= 4
    assert [row["k"] for row in outcome.clusters.metrics] == [2, 3, 4]
    assert (outcome.segment_keys >= 0).all()
    assert set(outcome.personas) <= set(PERSONAS)


def test_dbscan_outliers_get_the_outlier_reason_and_a_nearest_segment(customers):
    outcome = segment_customers(customers, algorithm="dbscan", pairwise_sample_size=1500)
    outliers = outcome.reasons == OUTLIER
    assert outcome.clusters.fitted_rows == 1500
    assert 0 < outliers.sum() < len(customers) // 5
    assert (outcome.segment_keys[outliers] == -1).all()
    assert (outcome.nearest_segment_keys[outliers] >= 0).all()
    assert set(outcome.personas[outliers]) <= set(PERSONAS)
    assert (outcome.segment_keys[~outliers] >= 0).all()


def test_optional_pca_is_part_of_the_fitted_pipeline(customers):
    outcome = segment_customers(customers, k=3, pca_components=0.9)
    assert "pca" in outcome.clusters.pipeline.named_steps
    assert (outcome.segment_keys >= 0).all()


def test_unknown_algorithm_is_refused(customers):
    with pytest.raises(ValueError, match="unknown algorithm"):
        segment_customers(customers, algorithm="spectral")


def test_large_base_is_fitted_on_a_sample_and_every_customer_is_assigned(customers):
    large = resample_with_noise(customers, 200_000, seed=11)
    outcome = segment_customers(large, k=3, fit_sample_size=20_000, silhouette_sample_size=2_000, chunk_size=50_000)
    assert outcome.clusters.fitted_rows == 20_000
    assert len(outcome.segment_keys) == 200_000
    assert (outcome.segment_keys >= 0).all()
    assert sorted(segment.persona for segment in outcome.segments) == sorted(PERSONAS)


def test_progress_reports_each_stage_with_fractions_up_to_one(customers):
    calls = []
    segment_customers(customers, k=3, chunk_size=1000, progress=lambda stage, fraction: calls.append((stage, fraction)))
    stages = list(dict.fromkeys(stage for stage, _ in calls))
    assert stages == ["features", "fitting", "assigning", "profiling", "matching"]
    assert all(0.0 <= fraction <= 1.0 for _, fraction in calls)
    assert [fraction for stage, fraction in calls if stage == "assigning"] == [1000 / 2240, 2000 / 2240, 1.0]
