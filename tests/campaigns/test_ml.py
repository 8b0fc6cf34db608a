"""Pure campaign analytics: control groups, lift, propensity, smoothing, ranking and recommender comparison."""
import math

import numpy as np
import pandas as pd
import pytest

from campaigns.ml.acceptance import acceptance_probability
from campaigns.ml.compare import (NO_TARGETING, PROPENSITY_MODEL, SEGMENT_RULE, compare_on_customers,
                                  compare_on_responses, precision_at_share)
from campaigns.ml.control import holdout_positions, in_control_group
from campaigns.ml.datasets import read_customers, read_responses
from campaigns.ml.features import customer_features
from campaigns.ml.lift import (BORDERLINE, EMPTY_ARM, NO_RESPONSES, NOT_SIGNIFICANT, SIGNIFICANT, TOO_FEW,
                               fisher_p_value, is_small_sample, lift_by_group, lift_verdict, measure_lift,
                               wilson_interval)
from campaigns.ml.propensity import (CANDIDATES, GRADIENT_BOOSTING, LOGISTIC_REGRESSION,
                                     train_customer_propensity, train_response_propensity)
from campaigns.ml.ranking import eligibility_mask, rank_offers, validate_rules
from campaigns.ml.simulation import simulated_responses
from campaigns.ml.smoothing import acceptance_rates, smoothed_acceptance_rate, thompson_draws
from tests.shared_data import CUSTOMERS_FILE, RESPONSES_CSV, shared_data_path

HUNDRED_THOUSAND_IDS = [f"C{number:06d}" for number in range(100_000)]


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    return read_responses(shared_data_path(*RESPONSES_CSV))


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return read_customers(shared_data_path(*CUSTOMERS_FILE))


@pytest.fixture(scope="module")
def response_model(responses):
    return train_response_propensity(responses, seed=0)


@pytest.fixture(scope="module")
def customer_model(customers):
    return train_customer_propensity(customers, seed=0)


@pytest.fixture(scope="module")
def response_comparison(responses, response_model):
    rows = compare_on_responses(responses, model=response_model)
    return {row["approach"]: row for row in rows}


# --- control groups ---------------------------------------------------------------------------------------

def test_control_share_is_within_one_point_on_100000_customers():
    share = in_control_group("spring-sale", HUNDRED_THOUSAND_IDS).mean()
    assert abs(share - 0.10) <= 0.01


def test_control_assignment_is_the_same_on_every_run():
    first = in_control_group("spring-sale", HUNDRED_THOUSAND_IDS)
    second = in_control_group("spring-sale", HUNDRED_THOUSAND_IDS)
    np.testing.assert_array_equal(first, second)


def test_control_assignment_does_not_depend_on_customer_order():
    shuffled = np.random.default_rng(7).permutation(len(HUNDRED_THOUSAND_IDS))
    in_order = in_control_group("spring-sale", HUNDRED_THOUSAND_IDS)
    reordered = in_control_group("spring-sale", [HUNDRED_THOUSAND_IDS[i] for i in shuffled])
    np.testing.assert_array_equal(reordered, in_order[shuffled])


def test_control_assignment_does_not_depend_on_how_many_customers_are_scored():
    everyone = in_control_group("spring-sale", HUNDRED_THOUSAND_IDS)
    first_thousand = in_control_group("spring-sale", HUNDRED_THOUSAND_IDS[:1000])
    np.testing.assert_array_equal(first_thousand, everyone[:1000])


def test_known_customers_keep_their_holdout_positions_across_releases():
    positions = holdout_positions("spring-sale", ["5524", "2174", "4141"])
    np.testing.assert_array_equal(positions, [0.07005235607411786, 0.3482294975116019, 0.8115584061945094])


def test_changing_the_campaign_changes_who_is_in_control():
    spring = in_control_group("spring-sale", HUNDRED_THOUSAND_IDS)
    summer = in_control_group("summer-sale", HUNDRED_THOUSAND_IDS)
    in_both = (spring & summer).sum()
    # independent 10 % holdouts overlap on about 1 % of customers, not on the whole 10 %
    assert in_both < 0.2 * spring.sum()


def test_numeric_and_text_ids_are_the_same_customer():
    np.testing.assert_array_equal(holdout_positions(7, [5524, 2174]), holdout_positions("7", ["5524", "2174"]))


def test_raising_the_control_share_only_adds_customers_to_control():
    ten = in_control_group("spring-sale", HUNDRED_THOUSAND_IDS, control_share=0.10)
    twenty = in_control_group("spring-sale", HUNDRED_THOUSAND_IDS, control_share=0.20)
    assert not (ten & ~twenty).any()


def test_control_share_of_one_is_rejected():
    with pytest.raises(ValueError, match="control_share"):
        in_control_group("spring-sale", ["1"], control_share=1.0)


def test_missing_external_id_is_rejected():
    with pytest.raises(ValueError, match="external id"):
        holdout_positions("spring-sale", ["1", None])


# --- lift -------------------------------------------------------------------------------------------------

Z_SQUARED = 1.959963984540054 ** 2  # 95 %: z^2 = 3.8414588


@pytest.mark.parametrize(("arms", "interval"), [
    # Newcombe (1998), Statistics in Medicine 17:873-890, table II, method 10 (hybrid score, no correction)
    ((70, 56, 80, 48), (0.0524, 0.3339)),
    ((10, 9, 10, 3), (0.1705, 0.8090)),
    ((7, 6, 7, 2), (0.0582, 0.8062)),
    ((56, 5, 29, 0), (-0.0381, 0.1926)),
    ((10, 10, 20, 0), (0.6791, 1.0000)),
    ((10, 10, 10, 0), (0.6075, 1.0000)),
])
def test_lift_interval_is_newcombes_published_hybrid_score_interval(arms, interval):
    result = measure_lift(*arms)

    assert (round(result.ci_low, 4), round(result.ci_high, 4)) == interval


def test_wilson_bounds_behind_the_interval_match_the_hand_computation():
    # 9/10: centre (9 + z^2/2) / (10 + z^2) = 10.9207294 / 13.8414588 = 0.7889869;
    # half z sqrt(10 x .9 x .1 + z^2/4) / (10 + z^2) = 1.959964 x 1.3639517 / 13.8414588 = 0.1931369
    assert wilson_interval(9, 10, 1.959963984540054) == pytest.approx((0.5958500, 0.9821238), abs=1e-7)
    # 0/n: the lower bound is 0 and the upper z^2 / (n + z^2)
    assert wilson_interval(0, 615, 1.959963984540054) == pytest.approx((0.0, Z_SQUARED / (615 + Z_SQUARED)))


def test_the_issues_campaign_is_significant_with_an_interval_above_zero():
    # treated 100 / 5331 = 0.0187582, Wilson [0.0154477, 0.0227618]; control 0 / 615, Wilson [0, 0.0062075]
    # low = 0.0187582 - sqrt(0.0033105^2 + 0.0062075^2) = 0.0117231; high = 0.0187582 + 0.0040036 = 0.0227618
    result = measure_lift(treated=5331, treated_accepted=100, control=615, control_accepted=0)

    assert (result.ci_low, result.ci_high) == pytest.approx((0.0117231, 0.0227618), abs=1e-7)
    assert result.p_value < 0.001
    assert (result.verdict, result.significant, result.small_sample) == (SIGNIFICANT, True, False)
    assert result.relative_lift is None


def test_fisher_p_value_matches_the_hypergeometric_hand_computation():
    # 12 acceptances among 20, 10 treated: P(9 or 10 treated) = (C(12,9) C(8,1) + C(12,10) C(8,0)) / C(20,10)
    # = (1760 + 66) / 184756; the other tail (3 or 2) is as likely: p = 3652 / 184756
    assert fisher_p_value(10, 9, 10, 3) == pytest.approx(3652 / 184756, rel=1e-12)


def test_interval_and_test_disagreeing_is_borderline_not_significant():
    # 6/7 vs 2/7: the interval [0.0582, 0.8062] excludes 0; Fisher p = 2 (168 + 8) / 3432 = 0.1026
    result = measure_lift(treated=7, treated_accepted=6, control=7, control_accepted=2)

    assert result.p_value == pytest.approx(352 / 3432)
    assert (result.verdict, result.significant) == (BORDERLINE, False)
    assert result.verdict_label == "borderline: the interval and the exact test disagree"


def test_large_arms_whose_interval_includes_zero_are_not_significant():
    result = measure_lift(treated=1000, treated_accepted=120, control=200, control_accepted=16)

    assert (result.absolute_lift, result.relative_lift, result.incremental_conversions) == pytest.approx(
        (0.04, 0.5, 40.0))
    assert (result.ci_low, result.ci_high) == pytest.approx((-0.0096463, 0.0771018), abs=1e-7)
    assert result.p_value == pytest.approx(0.1126747, abs=1e-7)
    assert (result.verdict, result.small_sample) == (NOT_SIGNIFICANT, False)


def test_a_lift_below_zero_can_be_significant_too():
    result = measure_lift(treated=1000, treated_accepted=4, control=1000, control_accepted=40)

    assert result.ci_high < 0
    assert result.verdict == SIGNIFICANT


def test_small_arms_whose_interval_includes_zero_are_too_few_to_tell():
    result = measure_lift(treated=56, treated_accepted=5, control=29, control_accepted=0)

    assert (result.verdict, result.small_sample) == (TOO_FEW, True)
    assert result.verdict_label == "too few to tell"


def test_no_acceptances_and_no_answers_in_either_arm_is_no_responses_yet():
    # both rates 0: the interval is [-z^2 / (20 + z^2), z^2 / (10 + z^2)] = [-0.1611, 0.2775]
    result = measure_lift(treated=10, treated_accepted=0, control=20, control_accepted=0)

    assert (result.ci_low, result.ci_high) == pytest.approx(
        (-Z_SQUARED / (20 + Z_SQUARED), Z_SQUARED / (10 + Z_SQUARED)))
    assert (result.p_value, result.verdict, result.verdict_label) == (1.0, NO_RESPONSES, "no responses yet")


def test_declines_but_no_acceptances_are_responses():
    result = measure_lift(treated=10, treated_accepted=0, control=20, control_accepted=0, responded=4)

    assert result.verdict == TOO_FEW


def test_empty_control_arm_gives_no_lift():
    result = measure_lift(treated=100, treated_accepted=10, control=0, control_accepted=0)

    assert (result.control_rate, result.absolute_lift, result.p_value) == (None, None, None)
    assert (result.verdict, result.significant) == (EMPTY_ARM, False)


@pytest.mark.parametrize(("p_value", "interval", "verdict"), [
    (0.01, (0.01, 0.05), SIGNIFICANT), (0.01, (-0.01, 0.05), BORDERLINE), (0.2, (0.01, 0.05), BORDERLINE),
    (0.2, (-0.01, 0.05), NOT_SIGNIFICANT), (0.049, (-0.05, -0.01), SIGNIFICANT), (0.05, (0.01, 0.05), BORDERLINE),
])
def test_significant_needs_both_the_test_and_the_interval(p_value, interval, verdict):
    assert lift_verdict(treated=500, control=500, responded=40, p_value=p_value, ci_low=interval[0],
                        ci_high=interval[1], small_sample=False, alpha=0.05) == verdict


def test_arms_under_thirty_customers_or_five_acceptances_are_small():
    assert (is_small_sample(500, 60, 29, 2), is_small_sample(500, 60, 30, 2)) == (True, False)
    assert (is_small_sample(1000, 3, 1000, 1), is_small_sample(1000, 4, 1000, 1)) == (True, False)


def test_lift_by_group_counts_each_arm_per_campaign_offer_and_segment():
    contacts = pd.DataFrame({
        "campaign_id": ["c1"] * 6 + ["c2"] * 2,
        "offer_id": ["wine"] * 6 + ["gold"] * 2,
        "segment": ["A"] * 6 + [None] * 2,
        "in_control": [False, False, False, False, True, True, False, True],
        "accepted": [True, True, False, False, True, False, True, False],
    })
    results = lift_by_group(contacts)
    first = results[("c1", "wine", "A")]
    assert (first.treated, first.treated_accepted, first.control, first.control_accepted) == (4, 2, 2, 1)
    second = next(result for key, result in results.items() if key[0] == "c2")
    assert (second.treated, second.treated_accepted, second.control, second.control_accepted) == (1, 1, 1, 0)


def test_simulated_responses_are_the_same_for_the_same_seed():
    rows = pd.DataFrame({"id": [3, 1, 2, 4], "is_control": [False, False, True, False],
                         "p_accept": [0.5, 0.5, 0.9, 0.5], "rank": [1, 1, 1, 2]})

    first, again = simulated_responses(rows, seed=7), simulated_responses(rows.iloc[::-1], seed=7)

    assert first.equals(again)
    assert first["id"].tolist() == [1, 2, 3]  # rank 2 offers are not answered


# --- propensity -------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_response_model_beats_segment_rate_baseline_on_roc_auc(response_comparison):
    model_auc = response_comparison[PROPENSITY_MODEL]["roc_auc"]
    segment_auc = response_comparison[SEGMENT_RULE]["roc_auc"]
    print(f"held-out ROC AUC: propensity model {model_auc:.4f}, segment rate {segment_auc:.4f}")
    assert model_auc > segment_auc


@pytest.mark.slow
def test_response_model_reaches_072_held_out_roc_auc(response_model):
    print(f"held-out ROC AUC per candidate: {dict(response_model.held_out_roc_auc)}")
    assert response_model.held_out_roc_auc[response_model.chosen] >= 0.72


@pytest.mark.slow
def test_response_model_keeps_the_candidate_with_the_better_cross_validated_auc(response_model):
    assert set(response_model.held_out_roc_auc) == set(CANDIDATES) == {LOGISTIC_REGRESSION, GRADIENT_BOOSTING}
    assert response_model.chosen == max(CANDIDATES, key=response_model.cv_roc_auc.__getitem__)


@pytest.mark.slow
def test_rows_missing_segment_and_recency_are_reported_and_scored(responses, response_model):
    missing = responses[responses["segment"].isna() & responses["recency"].isna()]
    assert response_model.rows_with_missing_inputs == len(missing) == 493
    assert np.isfinite(response_model.accept_probability(missing)).all()


@pytest.mark.slow
def test_rows_missing_segment_and_recency_are_used_for_training(responses, response_model):
    missing = responses[responses["segment"].isna()]
    assert missing.index.isin(response_model.train_index).sum() > 300
    # they purchase about 1 % of the time; a model that learnt from them scores them far below the 30 % average
    assert response_model.accept_probability(missing).mean() < 0.10


@pytest.mark.slow
def test_customer_model_reports_held_out_roc_auc_for_both_candidates(customer_model):
    print(f"customer model held-out ROC AUC: {dict(customer_model.held_out_roc_auc)}, chose {customer_model.chosen}")
    assert set(customer_model.held_out_roc_auc) == set(CANDIDATES)
    assert customer_model.held_out_roc_auc[customer_model.chosen] >= 0.80


@pytest.mark.slow
def test_customer_model_is_deterministic_for_a_seed(customers, customer_model):
    again = train_customer_propensity(customers, seed=0)
    held_out = customers.loc[customer_model.held_out_index]
    assert again.held_out_roc_auc == customer_model.held_out_roc_auc
    np.testing.assert_array_equal(again.accept_probability(held_out), customer_model.accept_probability(held_out))


@pytest.mark.slow
def test_customer_model_drops_copies_that_differ_only_by_id(customer_model):
    assert len(customer_model.train_index) + len(customer_model.held_out_index) == 2240 - 182


def test_implausible_birth_years_become_unknown_ages(customers):
    features = customer_features(customers)
    assert features.loc[customers["year_birth"] < 1901, "age"].isna().all()
    assert features["age"].max() <= 100


def test_deal_share_is_deals_over_all_purchases():
    customer = pd.DataFrame({
        "dt_customer": ["2014-01-01"], "year_birth": [1970], "income": [50000.0], "kidhome": [1], "teenhome": [0],
        "recency": [10], "mnt_wines": [10], "mnt_fruits": [0], "mnt_meat_products": [0], "mnt_fish_products": [0],
        "mnt_sweet_products": [0], "mnt_gold_prods": [0], "num_deals_purchases": [2], "num_web_purchases": [3],
        "num_catalog_purchases": [1], "num_store_purchases": [4], "num_web_visits_month": [5],
        "accepted_cmp1": [True], "accepted_cmp2": [False], "accepted_cmp3": [True], "accepted_cmp4": [False],
        "accepted_cmp5": [False], "complain": [False],
    })
    features = customer_features(customer, as_of=pd.Timestamp("2014-12-31"))
    assert features.loc[0, "deal_share"] == pytest.approx(0.2)
    assert features.loc[0, "prior_acceptances"] == 2
    assert features.loc[0, "tenure_days"] == 364
    assert features.loc[0, "age"] == 44


# --- smoothing and the combined P(accept) -----------------------------------------------------------------

def test_smoothing_with_zero_contacts_gives_the_prior_mean():
    assert smoothed_acceptance_rate([0], [0], prior_rate=0.15, prior_strength=20)[0] == pytest.approx(0.15)


def test_smoothing_with_many_contacts_is_close_to_the_observed_rate():
    rate = smoothed_acceptance_rate([40_000], [100_000], prior_rate=0.15, prior_strength=20)[0]
    assert rate == pytest.approx(0.4, abs=0.001)


def test_smoothing_with_few_contacts_shrinks_towards_the_prior():
    # (3 + 20 * 0.1) / (5 + 20) = 0.2
    assert smoothed_acceptance_rate([3], [5], prior_rate=0.1, prior_strength=20)[0] == pytest.approx(0.2)


def test_smoothing_prior_defaults_to_the_pooled_rate():
    # pooled 30 / 200 = 0.15; empty cell gets it
    rates = smoothed_acceptance_rate([30, 0], [200, 0], prior_strength=10)
    assert rates[1] == pytest.approx(0.15)


def test_more_acceptances_than_contacts_are_rejected():
    with pytest.raises(ValueError, match="accepted"):
        smoothed_acceptance_rate([5], [3], prior_rate=0.1)


def recorded_offer_responses() -> pd.DataFrame:
    # premium x wine: 30 of 100 accept; deal_oriented x coupon: 10 of 100; overall 40 / 200 = 0.2
    return pd.DataFrame({
        "persona": ["premium"] * 100 + ["deal_oriented"] * 100,
        "offer_type": ["wine"] * 100 + ["coupon"] * 100,
        "accepted": [True] * 30 + [False] * 70 + [True] * 10 + [False] * 90,
    })


def test_offer_type_ratio_scales_the_customer_propensity():
    rates = acceptance_rates(recorded_offer_responses(), prior_strength=100)
    candidates = pd.DataFrame({"base_propensity": [0.1], "persona": ["premium"], "offer_type": ["wine"]})
    # smoothed (30 + 100 * 0.2) / (100 + 100) = 0.25; ratio 0.25 / 0.2 = 1.25; P = 0.1 * 1.25
    assert acceptance_probability(candidates, rates)[0] == pytest.approx(0.125)


def test_without_recorded_responses_the_ratio_is_one():
    candidates = pd.DataFrame({"base_propensity": [0.3, 0.05], "persona": ["premium"] * 2, "offer_type": ["wine"] * 2})
    np.testing.assert_allclose(acceptance_probability(candidates), [0.3, 0.05])


def test_never_recorded_persona_and_offer_type_keeps_the_base_propensity():
    rates = acceptance_rates(recorded_offer_responses())
    candidates = pd.DataFrame({"base_propensity": [0.3], "persona": ["value_family"], "offer_type": ["wine"]})
    assert acceptance_probability(candidates, rates)[0] == pytest.approx(0.3)


def test_missing_base_propensity_falls_back_to_the_smoothed_segment_rate():
    rates = acceptance_rates(recorded_offer_responses(), prior_strength=100)
    candidates = pd.DataFrame({"base_propensity": [np.nan], "persona": ["premium"], "offer_type": ["wine"]})
    assert acceptance_probability(candidates, rates)[0] == pytest.approx(0.25)


def test_combined_probability_is_clipped_to_one():
    rates = acceptance_rates(recorded_offer_responses(), prior_strength=1)
    candidates = pd.DataFrame({"base_propensity": [0.9], "persona": ["premium"], "offer_type": ["wine"]})
    assert acceptance_probability(candidates, rates)[0] == 1.0


def test_thompson_draws_with_the_same_seed_are_identical():
    first = thompson_draws([3, 30], [10, 100], prior_rate=0.2, seed=42)
    second = thompson_draws([3, 30], [10, 100], prior_rate=0.2, seed=42)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, thompson_draws([3, 30], [10, 100], prior_rate=0.2, seed=43))


def test_exploration_is_off_unless_seeded_and_deterministic_when_seeded():
    rates = acceptance_rates(recorded_offer_responses())
    candidates = pd.DataFrame({"base_propensity": [0.1], "persona": ["premium"], "offer_type": ["wine"]})
    plain = acceptance_probability(candidates, rates)
    explored = acceptance_probability(candidates, rates, exploration_seed=5)
    np.testing.assert_array_equal(explored, acceptance_probability(candidates, rates, exploration_seed=5))
    assert plain[0] == pytest.approx(0.1 * ((30 + 20 * 0.2) / 120) / 0.2)
    assert explored[0] != plain[0]


# --- ranking and eligibility ------------------------------------------------------------------------------

def test_offers_are_ranked_by_expected_value_per_customer():
    candidates = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b"],
        "offer_id": ["wine", "gold", "coupon", "wine", "gold"],
        "p_accept": [0.10, 0.05, 0.50, 0.20, 0.30],
        "value": [100.0, 300.0, 10.0, 10.0, 10.0],
    })
    # a: wine 10, gold 15, coupon 5; b: wine 2, gold 3
    np.testing.assert_array_equal(rank_offers(candidates), [2, 1, 3, 2, 1])


def test_equal_expected_values_are_ordered_by_priority_then_offer_id():
    candidates = pd.DataFrame({
        "customer_id": ["a"] * 4,
        "offer_id": ["wine", "gold", "coupon", "fruit"],
        "p_accept": [0.1] * 4,
        "value": [100.0] * 4,
        "priority": [2, 1, 2, 2],
    })
    np.testing.assert_array_equal(rank_offers(candidates), [4, 1, 2, 3])


def test_ranks_do_not_depend_on_row_order():
    candidates = pd.DataFrame({
        "customer_id": ["a", "b", "a", "b"],
        "offer_id": ["x", "x", "y", "y"],
        "p_accept": [0.2, 0.2, 0.2, 0.5],
        "value": [1.0, 1.0, 1.0, 1.0],
    })
    reversed_ranks = rank_offers(candidates.iloc[::-1])
    np.testing.assert_array_equal(reversed_ranks[::-1], rank_offers(candidates))


def test_unknown_acceptance_probability_is_rejected_when_ranking():
    candidates = pd.DataFrame({"customer_id": ["a"], "offer_id": ["x"], "p_accept": [np.nan], "value": [1.0]})
    with pytest.raises(ValueError, match="p_accept"):
        rank_offers(candidates)


def rule_customers() -> pd.DataFrame:
    return pd.DataFrame({
        "income": [80000.0, 40000.0, np.nan, 60000.0],
        "kidhome": [0, 1, 0, 0],
        "teenhome": [0, 0, 1, 0],
        "recency": [10, 45, 5, 30],
        "complain": [False, False, True, False],
    })


def test_minimum_income_rule_excludes_lower_and_unknown_incomes():
    np.testing.assert_array_equal(eligibility_mask(rule_customers(), {"min_income": 50000}),
                                  [True, False, False, True])


def test_children_rule_requires_a_kid_or_teen_at_home():
    np.testing.assert_array_equal(eligibility_mask(rule_customers(), {"requires_children": True}),
                                  [False, True, True, False])


def test_recency_rule_keeps_customers_seen_within_the_window():
    np.testing.assert_array_equal(eligibility_mask(rule_customers(), {"max_recency_days": 30}),
                                  [True, False, True, True])


def test_complainers_are_excluded_when_asked():
    np.testing.assert_array_equal(eligibility_mask(rule_customers(), {"exclude_complainers": True}),
                                  [True, True, False, True])


def test_rules_combine_as_and():
    rules = {"min_income": 50000, "requires_children": False, "max_recency_days": 20, "exclude_complainers": True}
    np.testing.assert_array_equal(eligibility_mask(rule_customers(), rules), [True, False, False, False])


def test_unknown_rule_key_raises_a_clear_error():
    with pytest.raises(ValueError, match="unknown eligibility rule.*min_age"):
        validate_rules({"min_age": 30})


def test_rule_with_the_wrong_type_raises():
    with pytest.raises(ValueError, match="requires_children"):
        eligibility_mask(rule_customers(), {"requires_children": "yes"})


# --- recommender comparison -------------------------------------------------------------------------------

def test_precision_counts_ties_at_the_cutoff_at_their_average_rate():
    # top 2 of 4: one clear best (converted), then a tie of two rows with one conversion -> (1 + 0.5) / 2
    converted = np.array([1, 1, 0, 0])
    scores = np.array([0.9, 0.5, 0.5, 0.1])
    assert precision_at_share(converted, scores, 0.5) == pytest.approx(0.75)


@pytest.mark.slow
def test_comparison_on_responses_reports_each_approach(response_comparison):
    assert set(response_comparison) == {NO_TARGETING, SEGMENT_RULE, PROPENSITY_MODEL}
    assert response_comparison[NO_TARGETING]["conversions_per_1000_contacts"] == pytest.approx(300.0)
    model = response_comparison[PROPENSITY_MODEL]
    assert model["conversions_per_1000_contacts"] == pytest.approx(1000 * model["precision_top_10pct"])


@pytest.mark.slow
def test_propensity_ranking_converts_more_than_segment_rules_on_customers(customers, customer_model):
    rows = {row["approach"]: row for row in compare_on_customers(customers, model=customer_model)}
    for row in rows.values():
        print(row)
    assert rows[PROPENSITY_MODEL]["precision_top_10pct"] > rows[SEGMENT_RULE]["precision_top_10pct"]
    assert rows[SEGMENT_RULE]["held_out_rows"] == len(customer_model.held_out_index)
    assert not math.isnan(rows[SEGMENT_RULE]["roc_auc"])
