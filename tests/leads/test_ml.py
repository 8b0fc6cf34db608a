"""Pure lead scoring on the real ExtraaLearn leads: training, calibration, scores, explanations, drivers, artifacts."""
import json
import re

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit

from leads.ml import (ALGORITHMS, FEATURES, HIST_GRADIENT_BOOSTING, LOGISTIC_REGRESSION, RANDOM_FOREST,
                      ArtifactIntegrityError, TierThresholds, TrainingConfig, TrainingDataError, evaluate_on,
                      leads_from_dataset, load_model, save_model, score_leads, train_lead_model)
from leads.ml.explain import ABLATION, EXACT_LINEAR
from leads.ml.factors import describe, factor_text
from leads.ml.pipeline import training_baseline
from leads.ml.tiers import assign_tiers
from leads.ml.tuning import TunedCandidate, choose_champion
from tests.shared_data import LEADS_FILE, shared_data_path

MEDIA_COLUMNS = ("print_media_type1", "print_media_type2", "digital_media", "educational_channels", "referral")
QUICK = TrainingConfig(algorithms=(LOGISTIC_REGRESSION,), cv_folds=3, calibration_folds=3, importance_repeats=1)
real_training = pytest.mark.slow


@pytest.fixture(scope="module")
def leads() -> pd.DataFrame:
    """The real leads file in the lead contract: ``external_id`` and yes/no media columns as booleans."""
    raw = pd.read_csv(shared_data_path(*LEADS_FILE))
    leads = raw.rename(columns={"ID": "external_id"})
    for column in MEDIA_COLUMNS:
        leads[column] = leads[column].map({"Yes": True, "No": False})
    return leads


@pytest.fixture(scope="module")
def report(leads):
    return train_lead_model(leads)


@pytest.fixture(scope="module")
def logistic_report(leads):
    return train_lead_model(leads, TrainingConfig(algorithms=(LOGISTIC_REGRESSION,)))


@pytest.fixture(scope="module")
def odd_leads() -> pd.DataFrame:
    return pd.DataFrame({
        "external_id": ["ODD1", "ODD2", "ODD3"],
        "age": [None, "thirty", -4],
        "current_occupation": ["Retired", None, ""],
        "first_interaction": ["Carrier pigeon", "Website", None],
        "profile_completed": [None, "Enormous", "High"],
        "website_visits": [np.nan, 3, "many"],
        "time_spent_on_website": [None, 600, np.inf],
        "page_views_per_visit": [None, 2.5, "n/a"],
        "last_activity": ["SMS", None, "Email Activity"],
        "print_media_type1": [None, "maybe", True],
        "referral": ["Yes", None, 7],
    })


def _sample(leads: pd.DataFrame, size: int, seed: int) -> pd.DataFrame:
    return leads.sample(size, random_state=seed)


@real_training
def test_champion_reaches_holdout_roc_auc_of_at_least_0_90_on_real_leads(report):
    assert report.holdout_roc_auc >= 0.90


@real_training
def test_holdout_is_a_stratified_fifth_of_the_labelled_leads(report):
    assert (report.training_rows, report.holdout_rows) == (2952, 738)
    assert report.class_balance == {"converted": 1083, "not_converted": 2607, "conversion_rate": 1083 / 3690}


@real_training
def test_model_trained_on_shuffled_outcomes_ranks_at_chance(leads):
    shuffled = leads.assign(status=np.random.default_rng(7).permutation(leads["status"].to_numpy()))
    assert 0.42 <= train_lead_model(shuffled).holdout_roc_auc <= 0.58


@real_training
def test_score_ignores_the_lead_id(report, leads):
    sample = leads.head(300)
    renamed = sample.assign(external_id=[f"NEW{number}" for number in range(300)])
    np.testing.assert_array_equal(score_leads(report.model, renamed).scores, score_leads(report.model, sample).scores)


@real_training
def test_champion_brier_score_beats_predicting_the_base_rate(report):
    holdout = report.candidates[report.champion]["holdout"]
    assert holdout["brier"] < holdout["brier_base_rate"]


@real_training
def test_champion_scores_match_observed_conversion_within_five_points_on_holdout(report):
    bins = report.candidates[report.champion]["holdout"]["calibration"]
    gap = sum(b["leads"] * abs(b["mean_predicted"] - b["observed"]) for b in bins) / sum(b["leads"] for b in bins)
    assert gap < 0.05


@real_training
def test_every_candidate_reports_cv_and_holdout_metrics_as_json(report):
    payload = json.loads(json.dumps(report.metrics()))
    assert set(payload["candidates"]) == set(ALGORITHMS)
    for metrics in payload["candidates"].values():
        assert len(metrics["cv_roc_auc_folds"]) == 5
        assert {"roc_auc", "pr_auc", "brier", "log_loss", "tiers", "calibration"} <= set(metrics["holdout"])
        assert set(metrics["holdout"]["tiers"]) == {"hot", "warm", "cold"}


@real_training
def test_champion_has_the_best_cv_roc_auc_up_to_the_tie_margin(report):
    means = {name: metrics["cv_roc_auc_mean"] for name, metrics in report.candidates.items()}
    assert means[report.champion] >= max(means.values()) - 0.005


def test_near_tie_on_cv_roc_auc_goes_to_the_simpler_model():
    forest = TunedCandidate(RANDOM_FOREST, {}, (0.924, 0.922))
    boosting = TunedCandidate(HIST_GRADIENT_BOOSTING, {}, (0.921, 0.919))
    champion, decision = choose_champion([forest, boosting], tie_margin=0.005)
    assert champion is boosting
    assert "simpler model is preferred" in decision


def test_clear_cv_winner_is_champion_even_when_more_complex():
    forest = TunedCandidate(RANDOM_FOREST, {}, (0.95, 0.95))
    logistic = TunedCandidate(LOGISTIC_REGRESSION, {}, (0.90, 0.90))
    assert choose_champion([logistic, forest], tie_margin=0.005)[0] is forest


@real_training
def test_challenger_can_be_measured_on_the_same_holdout_leads(report, leads):
    holdout = report.holdout_frame(leads)
    assert len(holdout) == report.holdout_rows
    assert evaluate_on(report.model, holdout)["roc_auc"] == pytest.approx(report.holdout_roc_auc, abs=1e-12)


def test_logistic_contributions_add_up_to_the_score(logistic_report, leads):
    batch = score_leads(logistic_report.model, leads.head(500), explain=True)
    explanations = batch.explanations
    assert explanations.method == EXACT_LINEAR
    total = explanations.typical_score + explanations.points.sum(axis=1)
    np.testing.assert_allclose(total, batch.probabilities * 100, atol=1e-9)


def test_logistic_contributions_are_logit_shares_scaled_alike_within_a_lead(logistic_report, leads):
    """Exactness: each point contribution is the feature's logit share times one factor per lead."""
    model, sample = logistic_report.model, leads.head(100)
    batch = score_leads(model, sample, explain=True)
    typical = training_baseline(model)
    shares = np.column_stack([
        logit(batch.probabilities) - logit(model.predict_proba(sample.assign(**{f: typical.at[0, f]}))[:, 1])
        for f in FEATURES
    ])
    moving = np.abs(shares) > 1e-6
    ratios = np.where(moving, batch.explanations.points / np.where(moving, shares, 1.0), np.nan)
    spread = np.nanmax(ratios, axis=1) - np.nanmin(ratios, axis=1)
    assert np.nanmax(spread) < 1e-6


@real_training
def test_tree_contribution_is_the_score_change_when_that_field_is_typical(report, leads):
    sample = leads.head(200)
    batch = score_leads(report.model, sample, explain=True)
    typical = training_baseline(report.model)
    assert batch.explanations.method == ABLATION
    for position, feature in enumerate(FEATURES):
        ablated = sample.assign(**{feature: typical.at[0, feature]})
        expected = (batch.probabilities - report.model.predict_proba(ablated)[:, 1]) * 100
        np.testing.assert_allclose(batch.explanations.points[:, position], expected, atol=1e-9)


@real_training
def test_factors_are_up_to_three_each_way_in_words_with_signed_points(report, leads):
    batch = score_leads(report.model, leads.head(60), explain=True)
    for position in range(60):
        factors = batch.factors(position)
        assert len(factors["up"]) <= 3 and len(factors["down"]) <= 3
        assert all(re.fullmatch(r"\S.*: \+[1-9]\d*", text) for text in factors["up"])
        assert all(re.fullmatch(r"\S.*: -[1-9]\d*", text) for text in factors["down"])


@real_training
def test_factors_up_are_the_largest_positive_contributions(report, leads):
    batch = score_leads(report.model, leads.head(1), explain=True)
    points = batch.contributions(0)
    lead = leads.iloc[0]
    largest = sorted((p, f) for f, p in points.items() if round(p) > 0)[::-1][:3]
    assert batch.factors(0)["up"] == [factor_text(f, lead[f], p) for p, f in largest]


def test_factor_words_describe_the_lead_plainly():
    assert describe("time_spent_on_website", 1639) == "spent 27 minutes on the website"
    assert factor_text("first_interaction", "Website", 14.2) == "first interaction on the website: +14"
    assert factor_text("referral", 0.0, -3.6) == "was not referred: -4"
    assert describe("current_occupation", "Retired") == "occupation: Retired"


@real_training
def test_explain_top_explains_only_the_highest_scored_leads(report, leads):
    batch = score_leads(report.model, leads, explain_top=10)
    expected = np.sort(np.argsort(-batch.probabilities, kind="stable")[:10])
    np.testing.assert_array_equal(batch.explained_positions, expected)
    with pytest.raises(KeyError, match="not explained"):
        batch.factors(int(np.argmin(batch.probabilities)))


@real_training
def test_bulk_scoring_without_explanations_has_no_factors(report, leads):
    batch = score_leads(report.model, leads.head(5))
    with pytest.raises(KeyError, match="without explanations"):
        batch.factors(0)


@real_training
def test_scoring_in_small_chunks_gives_the_same_scores_and_contributions(report, leads):
    whole = score_leads(report.model, leads.head(500), explain=True)
    chunked = score_leads(report.model, leads.head(500), explain=True, chunk_size=77)
    np.testing.assert_array_equal(chunked.scores, whole.scores)
    np.testing.assert_allclose(chunked.explanations.points, whole.explanations.points, atol=1e-12)


@pytest.mark.parametrize("which", ["champion", "logistic"])
def test_unseen_categories_and_missing_values_still_get_a_score(which, request, odd_leads):
    model = request.getfixturevalue("report" if which == "champion" else "logistic_report").model
    batch = score_leads(model, odd_leads, explain=True)
    assert np.all((batch.scores >= 0) & (batch.scores <= 100))
    assert set(batch.tiers) <= {"hot", "warm", "cold"}
    assert all(isinstance(batch.factors(position)["up"], list) for position in range(3))


def test_leads_missing_whole_columns_still_get_a_score(logistic_report, leads):
    partial = leads[["external_id", "age", "first_interaction"]].head(20)
    scores = score_leads(logistic_report.model, partial).scores
    assert np.isfinite(scores).all() and len(scores) == 20


def test_missing_number_scores_like_the_typical_value(logistic_report, leads):
    model, lead = logistic_report.model, leads.head(1)
    typical_age = training_baseline(model).at[0, "age"]
    missing = score_leads(model, lead.assign(age=np.nan)).probabilities
    typical = score_leads(model, lead.assign(age=typical_age)).probabilities
    assert missing[0] == pytest.approx(typical[0], abs=1e-12)


def test_too_few_labelled_leads_are_refused_with_a_clear_message(leads):
    few = pd.concat([leads.head(49), leads.iloc[100:400].assign(status=None)])
    with pytest.raises(TrainingDataError, match="only 49 leads have a known outcome; at least 50 are needed"):
        train_lead_model(few, QUICK)


def test_minimum_number_of_labelled_leads_is_configurable(leads):
    config = TrainingConfig(algorithms=(LOGISTIC_REGRESSION,), min_labelled_leads=500)
    with pytest.raises(TrainingDataError, match="at least 500 are needed"):
        train_lead_model(leads.head(499), config)


def test_leads_with_a_single_outcome_are_refused_with_a_clear_message(leads):
    not_converted = leads[leads["status"] == 0].head(200)
    with pytest.raises(TrainingDataError, match="all 200 leads with a known outcome are not converted"):
        train_lead_model(not_converted, QUICK)


def test_too_few_leads_of_the_rarer_outcome_are_refused(leads):
    lopsided = pd.concat([leads[leads["status"] == 0].head(195), leads[leads["status"] == 1].head(5)])
    with pytest.raises(TrainingDataError, match="only 5 leads have the rarer outcome"):
        train_lead_model(lopsided, QUICK)


def test_leads_without_a_status_column_are_refused(leads):
    with pytest.raises(TrainingDataError, match="need a 'status' column"):
        train_lead_model(leads.drop(columns="status"), QUICK)


def test_open_leads_are_not_used_for_training(leads):
    labelled = _sample(leads, 400, seed=1)
    open_leads = _sample(leads, 300, seed=2).assign(status=None, external_id=lambda f: "OPEN-" + f["external_id"])
    mixed = pd.concat([labelled.iloc[:150], open_leads, labelled.iloc[150:]])
    alone, with_open = train_lead_model(labelled, QUICK), train_lead_model(mixed, QUICK)
    assert with_open.training_rows == alone.training_rows == 320
    assert with_open.holdout_external_ids == alone.holdout_external_ids
    assert with_open.candidates == alone.candidates


def test_training_is_repeatable_for_a_seed(leads):
    sample = _sample(leads, 400, seed=3)
    first, second = train_lead_model(sample, QUICK), train_lead_model(sample, QUICK)
    assert first.candidates == second.candidates
    np.testing.assert_array_equal(score_leads(first.model, sample).scores, score_leads(second.model, sample).scores)


def test_saved_model_loads_back_and_scores_the_same(logistic_report, leads, tmp_path):
    path = tmp_path / "models" / "lead-model.joblib"
    checksum = save_model(logistic_report.model, path)
    loaded = load_model(path, checksum)
    sample = leads.head(100)
    np.testing.assert_array_equal(score_leads(loaded, sample).scores, score_leads(logistic_report.model, sample).scores)


def test_model_whose_checksum_does_not_match_is_refused(logistic_report, tmp_path):
    path = tmp_path / "lead-model.joblib"
    checksum = save_model(logistic_report.model, path)
    path.write_bytes(path.read_bytes() + b"tampered")
    with pytest.raises(ArtifactIntegrityError, match="refusing to load"):
        load_model(path, checksum)


def test_tiers_follow_the_thresholds():
    tiers = assign_tiers(np.array([85.0, 60.0, 59.9, 30.0, 29.9]), TierThresholds(hot=60, warm=30))
    assert list(tiers) == ["hot", "hot", "warm", "warm", "cold"]


def test_scored_tiers_follow_custom_thresholds(logistic_report, leads):
    batch = score_leads(logistic_report.model, leads.head(300), thresholds=TierThresholds(hot=90, warm=10))
    expected = np.where(batch.scores >= 90, "hot", np.where(batch.scores >= 10, "warm", "cold"))
    assert list(batch.tiers) == list(expected)
    assert {"hot", "warm", "cold"} == set(batch.tiers)


def test_thresholds_out_of_order_are_refused():
    with pytest.raises(ValueError, match="warm <= hot"):
        TierThresholds(hot=30, warm=40)


@real_training
def test_permutation_importance_ranks_every_feature_with_behaviour_on_top(report):
    rows = report.drivers["permutation_importance"]
    assert [row["feature"] for row in rows] != [] and {row["feature"] for row in rows} == set(FEATURES)
    assert [row["auc_drop"] for row in rows] == sorted((row["auc_drop"] for row in rows), reverse=True)
    assert rows[0]["feature"] in {"first_interaction", "time_spent_on_website", "profile_completed"}


@real_training
def test_converter_profile_contrasts_the_top_decile_with_the_rest(report):
    profile = json.loads(json.dumps(report.drivers["converter_profile"]))
    assert (profile["top_leads"], profile["other_leads"]) == (369, 3321)
    website = profile["category_shares"]["first_interaction"]["Website"]
    assert website["top"] > website["rest"]
    time_on_site = profile["means"]["time_spent_on_website"]
    assert time_on_site["top"] > time_on_site["rest"]
    assert any(sentence.startswith("first interaction on the website") for sentence in profile["summary"])


def test_dataset_reader_gives_the_contract_columns(leads):
    raw = pd.read_csv(shared_data_path(*LEADS_FILE))
    converted = leads_from_dataset(raw)
    pd.testing.assert_frame_equal(converted[list(leads.columns)], leads, check_dtype=False)
