"""The seeded synthetic data generator: same shape as the real files, deterministic, with real signal."""
import io
import re

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from pandas.api.types import is_string_dtype
from sklearn.cluster import KMeans
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import adjusted_rand_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from segmentation.personas import PERSONAS
from operations.synthetic import (
    CUSTOMER_COLUMNS,
    FOREIGN_CUSTOMER_COLUMNS,
    FOREIGN_LEAD_COLUMNS,
    LEAD_COLUMNS,
    extra_column_names,
    generate_customers,
    generate_customers_with_personas,
    generate_foreign_customers,
    generate_foreign_customers_with_groups,
    generate_foreign_leads,
    generate_leads,
    generate_responses,
    write_dataset,
    write_foreign_dataset,
)
from operations.synthetic.foreign import WON_TAGS
from tests.shared_data import CUSTOMERS_FILE, LEADS_FILE, RESPONSES_CSV, shared_data_path

ROWS = 20_000
SEED = 2024


@pytest.fixture(scope="module")
def real_customers() -> pd.DataFrame:
    return pd.read_csv(shared_data_path(*CUSTOMERS_FILE), sep="\t")


@pytest.fixture(scope="module")
def real_leads() -> pd.DataFrame:
    return pd.read_csv(shared_data_path(*LEADS_FILE))


@pytest.fixture(scope="module")
def real_responses() -> pd.DataFrame:
    return pd.read_csv(shared_data_path(*RESPONSES_CSV))


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return generate_customers(ROWS, SEED)


@pytest.fixture(scope="module")
def leads() -> pd.DataFrame:
    return generate_leads(ROWS, SEED)


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    return generate_responses(ROWS, SEED)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("synthetic")
    return write_dataset(folder, customers=3_000, leads=3_000, responses=5_000, seed=SEED, open_share=0.1)


def conversion_by(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame.groupby(column)["status"].mean()


def total_spend(frame: pd.DataFrame) -> pd.Series:
    return frame.filter(like="Mnt").sum(axis=1)


# --- headers and formats ---------------------------------------------------------------------------


def test_customer_columns_equal_the_real_file_header(customers, real_customers):
    assert list(customers.columns) == list(real_customers.columns)


def test_lead_columns_equal_the_real_file_header(leads, real_leads):
    assert list(leads.columns) == list(real_leads.columns)


def test_response_columns_equal_the_real_file_header(responses, real_responses):
    assert list(responses.columns) == list(real_responses.columns)


def test_customer_text_values_are_ones_the_real_file_uses(customers, real_customers):
    assert set(customers["Education"]) == set(real_customers["Education"])
    assert set(customers["Marital_Status"]) <= set(real_customers["Marital_Status"])


def test_lead_text_values_are_ones_the_real_file_uses(leads, real_leads):
    for column in ("current_occupation", "first_interaction", "profile_completed", "last_activity", "referral"):
        assert set(leads[column]) == set(real_leads[column]), column


def test_lead_media_columns_hold_only_yes_or_no(leads):
    for column in ("print_media_type1", "print_media_type2", "digital_media", "educational_channels", "referral"):
        assert set(leads[column]) == {"Yes", "No"}, column


def test_response_segments_and_recency_use_the_real_labels(responses):
    assert set(responses["Segment"].dropna()) == {"A", "B", "C"}
    assert set(responses["Recency"].dropna()) == {"Active", "Dormant", "Inactive"}


def test_customer_ids_are_unique_integers(customers):
    assert customers["ID"].dtype == np.int64
    assert customers["ID"].is_unique


def test_lead_ids_are_unique_and_marked_synthetic(leads):
    assert leads["ID"].is_unique
    assert leads["ID"].str.fullmatch(r"SYN\d{7}").all()
    assert leads["ID"].iloc[0] == "SYN0000001"


def test_constant_cost_and_revenue_columns_match_the_real_file(customers):
    assert set(customers["Z_CostContact"]) == {3}
    assert set(customers["Z_Revenue"]) == {11}


def test_outcomes_and_flags_are_zero_or_one(customers, leads, responses):
    flags = [customers.filter(like="Accepted"), customers[["Complain", "Response"]], leads[["status"]],
             responses[["PriorInterest", "DidPurchase"]]]
    for frame in flags:
        assert set(np.unique(frame.to_numpy())) == {0, 1}


def test_page_views_have_at_most_three_decimals(leads):
    assert np.allclose(leads["page_views_per_visit"], leads["page_views_per_visit"].round(3), rtol=0, atol=1e-12)
    assert leads["page_views_per_visit"].min() >= 0


def test_response_customer_ids_run_from_one_like_the_real_file(responses):
    assert responses["CustomerID"].tolist() == list(range(1, ROWS + 1))


def test_responses_ages_stay_in_the_real_range(responses, real_responses):
    assert responses["Age"].min() == real_responses["Age"].min() == 18
    assert responses["Age"].max() <= real_responses["Age"].max()


def test_generators_accept_zero_rows():
    assert generate_customers(0, SEED).shape == (0, 29)
    assert generate_leads(0, SEED, open_share=0.5).shape == (0, 15)
    assert generate_responses(0, SEED).shape == (0, 6)


def test_negative_row_count_is_rejected():
    with pytest.raises(ValueError, match="row count"):
        generate_customers(-1, SEED)


# --- missing values ---------------------------------------------------------------------------------


def test_missing_income_share_is_small_but_present(customers):
    missing_share = customers["Income"].isna().mean()
    assert 0.005 < missing_share < 0.02


def test_income_is_whole_numbers(customers):
    known = customers["Income"].dropna().astype(float)
    assert (known == np.round(known)).all()


def test_some_responses_lack_both_segment_and_recency(responses):
    no_segment = responses["Segment"].isna()
    assert 0.002 < no_segment.mean() < 0.01
    assert no_segment.equals(responses["Recency"].isna())


def test_customers_without_a_segment_rarely_buy(responses):
    unknown = responses["Segment"].isna()
    assert responses.loc[unknown, "DidPurchase"].mean() < 0.06


def test_open_share_blanks_exactly_that_share_of_statuses():
    open_leads = generate_leads(1_000, SEED, open_share=0.25)
    assert open_leads["status"].isna().sum() == 250


def test_open_share_leaves_every_other_value_unchanged():
    closed = generate_leads(1_000, SEED)
    partly_open = generate_leads(1_000, SEED, open_share=0.25)
    pd.testing.assert_frame_equal(closed.drop(columns="status"), partly_open.drop(columns="status"))
    known = partly_open["status"].notna()
    assert (partly_open.loc[known, "status"].astype(int) == closed.loc[known, "status"]).all()


def test_open_share_outside_zero_to_one_is_rejected():
    with pytest.raises(ValueError, match="open_share"):
        generate_leads(10, SEED, open_share=1.5)


# --- determinism ------------------------------------------------------------------------------------


def test_same_seed_gives_identical_frames():
    pd.testing.assert_frame_equal(generate_customers(500, 7), generate_customers(500, 7))
    pd.testing.assert_frame_equal(generate_leads(500, 7, open_share=0.2), generate_leads(500, 7, open_share=0.2))
    pd.testing.assert_frame_equal(generate_responses(500, 7), generate_responses(500, 7))


def test_different_seeds_give_different_data():
    assert not generate_customers(500, 7)["Income"].equals(generate_customers(500, 8)["Income"])
    assert not generate_leads(500, 7)["age"].equals(generate_leads(500, 8)["age"])
    assert not generate_responses(500, 7)["Age"].equals(generate_responses(500, 8)["Age"])


def test_same_seed_writes_byte_identical_files(tmp_path):
    arguments = dict(customers=300, leads=300, responses=300, seed=11, open_share=0.2)
    first = write_dataset(tmp_path / "first", **arguments)
    second = write_dataset(tmp_path / "second", **arguments)
    for kind in ("customers", "leads", "responses"):
        assert first[kind].read_bytes() == second[kind].read_bytes(), kind


# --- files ------------------------------------------------------------------------------------------


def test_write_dataset_returns_the_three_named_files(dataset):
    assert {kind: path.name for kind, path in dataset.items()} == {
        "customers": "customers.csv",
        "leads": "leads.csv",
        "responses": "responses.csv",
    }


def test_zero_count_skips_that_file(tmp_path):
    written = write_dataset(tmp_path, customers=0, leads=50, responses=0, seed=SEED)
    assert list(written) == ["leads"]
    assert not (tmp_path / "customers.csv").exists()


def test_files_use_lf_line_endings(dataset):
    for path in dataset.values():
        assert b"\r" not in path.read_bytes(), path.name


def test_customer_file_is_tab_separated_and_rereadable(dataset, real_customers):
    header = dataset["customers"].read_text().splitlines()[0]
    assert header.split("\t") == list(real_customers.columns)
    reread = pd.read_csv(dataset["customers"], sep="\t")
    assert reread.shape == (3_000, 29)
    assert reread["ID"].is_unique


def test_customer_file_round_trips_to_the_generated_frame(dataset):
    reread = pd.read_csv(dataset["customers"], sep="\t")
    generated = generate_customers(3_000, SEED)
    assert reread["ID"].tolist() == generated["ID"].tolist()
    assert reread["Income"].equals(generated["Income"].astype(float))


def test_missing_income_is_an_empty_cell_and_known_income_has_no_decimals(dataset):
    rows = [line.split("\t") for line in dataset["customers"].read_text().splitlines()[1:]]
    incomes = [row[4] for row in rows]
    assert "" in incomes
    assert all(re.fullmatch(r"\d+", value) for value in incomes if value)


def test_enrolment_dates_parse_as_day_month_year(dataset):
    raw = pd.read_csv(dataset["customers"], sep="\t", dtype={"Dt_Customer": str})["Dt_Customer"]
    dates = pd.to_datetime(raw, format="%d-%m-%Y")
    assert dates.min() >= pd.Timestamp("2012-07-30")
    assert dates.max() <= pd.Timestamp("2014-06-29")
    assert (dates.dt.day > 12).any()


def test_lead_file_writes_page_views_like_the_real_file(dataset):
    """The real file shows 2.2 and 0, never 2.200 or 0.0."""
    values = pd.read_csv(dataset["leads"], dtype=str)["page_views_per_visit"]
    assert values.str.fullmatch(r"(0|[1-9]\d*)(\.\d{0,2}[1-9])?").all()


def test_open_leads_are_written_with_an_empty_status(dataset):
    lines = dataset["leads"].read_text().splitlines()[1:]
    open_lines = [line for line in lines if line.endswith(",")]
    assert len(open_lines) == 300
    assert {line.rsplit(",", 1)[1] for line in lines} == {"0", "1", ""}


def test_response_file_leaves_unknown_segment_and_recency_empty(dataset):
    reread = pd.read_csv(dataset["responses"])
    assert reread.shape == (5_000, 6)
    assert reread["Segment"].isna().sum() > 0
    assert reread["Segment"].isna().equals(reread["Recency"].isna())


# --- customer signal --------------------------------------------------------------------------------


def test_spend_rises_with_income(customers):
    assert customers["Income"].astype(float).corr(total_spend(customers)) > 0.5


def test_deal_purchases_rise_with_children(customers):
    children = customers["Kidhome"] + customers["Teenhome"]
    assert children.corr(customers["NumDealsPurchases"]) > 0.3


def test_deal_purchases_fall_as_income_rises(customers):
    assert customers["Income"].astype(float).corr(customers["NumDealsPurchases"]) < 0


def test_catalog_purchases_rise_with_income(customers):
    assert customers["Income"].astype(float).corr(customers["NumCatalogPurchases"]) > 0.5


def test_web_visits_fall_as_income_rises(customers):
    assert customers["Income"].astype(float).corr(customers["NumWebVisitsMonth"]) < -0.4


def test_web_visits_are_higher_with_young_children(customers):
    visits = customers.groupby(customers["Kidhome"] > 0)["NumWebVisitsMonth"].mean()
    assert visits[True] > visits[False] + 1


def test_high_income_customers_accept_campaigns_far_more_often(customers):
    income_band = pd.qcut(customers["Income"].astype(float), 5, labels=False)
    acceptance = customers.groupby(income_band)[["AcceptedCmp1", "AcceptedCmp5"]].mean().sum(axis=1)
    assert acceptance[4] > 10 * acceptance[0]


def test_recent_buyers_respond_more_to_the_last_campaign(customers):
    recent = customers["Recency"] < 25
    lapsed = customers["Recency"] >= 75
    assert customers.loc[recent, "Response"].mean() > 1.5 * customers.loc[lapsed, "Response"].mean()


def test_last_campaign_response_rate_is_near_the_real_fifteen_percent(customers):
    assert 0.12 < customers["Response"].mean() < 0.18


def test_hidden_personas_are_the_three_known_ones():
    _, personas = generate_customers_with_personas(3_000, SEED)
    assert set(personas) == set(PERSONAS)


def test_hidden_personas_are_recoverable_by_clustering():
    shoppers, personas = generate_customers_with_personas(3_000, SEED)
    features = shoppers[["Income", "Kidhome", "Teenhome", "NumDealsPurchases", "NumCatalogPurchases",
                         "NumWebVisitsMonth", "Year_Birth"]].astype(float)
    features = features.assign(Income=features["Income"].fillna(features["Income"].median()),
                               spend=total_spend(shoppers))
    clusters = KMeans(n_clusters=3, n_init=5, random_state=0).fit_predict(StandardScaler().fit_transform(features))
    assert adjusted_rand_score(personas, clusters) > 0.5


def test_personas_differ_the_way_their_names_say():
    shoppers, personas = generate_customers_with_personas(5_000, SEED)
    by_persona = shoppers.assign(persona=personas, Income=shoppers["Income"].astype(float)).groupby("persona")
    income = by_persona["Income"].mean()
    deals = by_persona["NumDealsPurchases"].mean()
    kids = by_persona["Kidhome"].mean()
    assert income["premium"] > income["deal_oriented"] > income["value_family"]
    assert deals.idxmax() == "deal_oriented"
    assert kids.idxmax() == "value_family"


# --- lead signal ------------------------------------------------------------------------------------


def test_lead_conversion_rate_is_near_the_real_rate(leads):
    assert 0.26 < leads["status"].mean() < 0.33


def test_website_leads_convert_more_than_app_leads(leads):
    rate = conversion_by(leads, "first_interaction")
    assert rate["Website"] > 2 * rate["Mobile App"]


def test_complete_profiles_convert_more_than_sparse_ones(leads):
    rate = conversion_by(leads, "profile_completed")
    assert rate["High"] > rate["Medium"] > rate["Low"]


def test_time_on_website_strongly_raises_conversion(leads):
    quarter = pd.qcut(leads["time_spent_on_website"], 4, labels=False, duplicates="drop")
    rate = leads.groupby(quarter)["status"].mean()
    assert rate.iloc[-1] > 2 * rate.iloc[0]


def test_professionals_convert_more_than_students(leads):
    rate = conversion_by(leads, "current_occupation")
    assert rate["Professional"] > rate["Unemployed"] > rate["Student"]


def test_website_activity_converts_more_than_phone_activity(leads):
    rate = conversion_by(leads, "last_activity")
    assert rate["Website Activity"] > rate["Email Activity"] > rate["Phone Activity"]


def test_students_are_young(leads):
    student_ages = leads.loc[leads["current_occupation"] == "Student", "age"]
    assert student_ages.between(18, 25).all()


# --- response signal --------------------------------------------------------------------------------


def test_purchase_rate_is_near_thirty_percent(responses):
    assert 0.27 < responses["DidPurchase"].mean() < 0.33


def test_prior_interest_raises_purchases(responses):
    rate = responses.groupby("PriorInterest")["DidPurchase"].mean()
    assert rate[1] > 2 * rate[0]


def test_active_customers_buy_more_than_dormant_ones(responses):
    rate = responses.groupby("Recency")["DidPurchase"].mean()
    assert rate["Active"] > rate["Inactive"] > rate["Dormant"]


def test_segment_a_buys_more_than_segment_c(responses):
    rate = responses.groupby("Segment")["DidPurchase"].mean()
    assert rate["A"] > rate["B"] > rate["C"]


# --- foreign layout (issue #12): another company's lead and customer files ---------------------------

FOREIGN_LEAD_HEADER = (
    "Prospect ID,Lead Number,Lead Origin,Lead Source,Do Not Email,Do Not Call,Converted,TotalVisits,"
    "Total Time Spent on Website,Page Views Per Visit,Last Activity,Country,Specialization,"
    "What is your current occupation,Tags,City,Lead Created"
)
FOREIGN_CUSTOMER_HEADER = "CustomerID,Genre,Age,Annual Income (k$),Spending Score (1-100)"
# Columns a model must not learn from: two identifiers, the outcome and the sales team's after-the-fact tag.
FOREIGN_NOT_FEATURES = ["Prospect ID", "Lead Number", "Converted", "Tags"]


@pytest.fixture(scope="module")
def foreign_files(tmp_path_factory) -> dict:
    return write_foreign_dataset(tmp_path_factory.mktemp("foreign"), seed=SEED)


@pytest.fixture(scope="module")
def foreign_leads(foreign_files) -> pd.DataFrame:
    return pd.read_csv(foreign_files["leads"])


@pytest.fixture(scope="module")
def foreign_customers(foreign_files) -> pd.DataFrame:
    return pd.read_csv(foreign_files["customers"])


def normalised(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def held_out_auc(leads: pd.DataFrame, dropped: list[str]) -> float:
    """A plain HistGradientBoostingClassifier on every other column (text as categories, dates as days)."""
    features = leads.drop(columns=dropped)
    features["Lead Created"] = (pd.to_datetime(features["Lead Created"]) - pd.Timestamp("2024-01-01")).dt.days
    features = features.apply(lambda column: column.astype("category") if is_string_dtype(column) else column)
    train_x, test_x, train_y, test_y = train_test_split(
        features, leads["Converted"], test_size=0.25, random_state=0, stratify=leads["Converted"]
    )
    # One native thread: on a busy machine OpenMP threads fighting for cores make this 30 times slower.
    with threadpool_limits(limits=1):
        model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0).fit(train_x, train_y)
        return roc_auc_score(test_y, model.predict_proba(test_x)[:, 1])


def test_foreign_files_have_the_other_companys_headers_and_default_sizes(foreign_files):
    leads = foreign_files["leads"].read_text().splitlines()
    customers = foreign_files["customers"].read_text().splitlines()
    assert (leads[0], len(leads) - 1) == (FOREIGN_LEAD_HEADER, 9_000)
    assert (customers[0], len(customers) - 1) == (FOREIGN_CUSTOMER_HEADER, 200)
    assert list(generate_foreign_leads(3, SEED).columns) == list(FOREIGN_LEAD_COLUMNS)
    assert list(generate_foreign_customers(3, SEED).columns) == list(FOREIGN_CUSTOMER_COLUMNS)


def test_foreign_columns_share_only_two_lead_names_with_the_sample_layout(foreign_leads, leads):
    sample = {normalised(name) for name in LEAD_COLUMNS + CUSTOMER_COLUMNS}
    foreign_customers = {normalised(name) for name in FOREIGN_CUSTOMER_COLUMNS}
    assert {normalised(name) for name in FOREIGN_LEAD_COLUMNS} & sample == {"lastactivity", "pageviewspervisit"}
    assert foreign_customers & {normalised(name) for name in CUSTOMER_COLUMNS} == set()
    # The shared name holds other values: the importer must map them, not reject the rows.
    assert set(foreign_leads["Last Activity"].dropna()) & set(leads["last_activity"]) == set()


def test_foreign_files_are_byte_identical_for_a_seed_and_differ_across_seeds(tmp_path):
    first = write_foreign_dataset(tmp_path / "first", leads=500, customers=50, seed=11)
    second = write_foreign_dataset(tmp_path / "second", leads=500, customers=50, seed=11)
    other = write_foreign_dataset(tmp_path / "other", leads=500, customers=50, seed=12)
    for kind in ("leads", "customers"):
        assert first[kind].read_bytes() == second[kind].read_bytes(), kind
        assert first[kind].read_bytes() != other[kind].read_bytes(), kind


def test_foreign_layout_leaves_the_sample_files_alone(tmp_path):
    written = write_foreign_dataset(tmp_path, leads=10, customers=0, seed=SEED)
    assert list(written) == ["leads"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["leads.csv"]


def test_prospect_ids_are_unique_uuids_and_lead_numbers_unique_integers(foreign_leads):
    uuid = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    assert foreign_leads["Prospect ID"].str.fullmatch(uuid).all()
    assert foreign_leads["Prospect ID"].is_unique
    assert foreign_leads["Lead Number"].dtype == np.int64
    assert foreign_leads["Lead Number"].is_unique


def test_lead_created_is_an_iso_date_rising_with_the_lead_number(foreign_leads):
    assert foreign_leads["Lead Created"].str.fullmatch(r"20\d\d-\d\d-\d\d").all()
    created = pd.to_datetime(foreign_leads["Lead Created"], format="%Y-%m-%d")
    assert pd.Timestamp("2024-01-01") <= created.min() < created.max() <= pd.Timestamp("2025-06-30")
    assert created.is_monotonic_increasing and foreign_leads["Lead Number"].is_monotonic_increasing


def test_foreign_lead_categories_use_the_crm_values(foreign_leads):
    assert set(foreign_leads["Lead Origin"]) == {"API", "Landing Page Submission", "Lead Add Form", "Lead Import"}
    assert set(foreign_leads["Do Not Email"]) == {"Yes", "No"}
    assert set(foreign_leads["Do Not Call"]) <= {"Yes", "No"}
    assert (foreign_leads["Do Not Call"] == "No").mean() > 0.99
    assert {"Working Professional", "Housewife"} <= set(foreign_leads["What is your current occupation"].dropna())
    assert "Select" in set(foreign_leads["Specialization"]) and "Select" in set(foreign_leads["City"])
    assert foreign_leads["Lead Source"].value_counts().index[0] == "Google"


def test_foreign_leads_have_empty_cells_where_a_crm_export_has_them(foreign_leads):
    missing = foreign_leads.isna().mean()
    assert 0.005 < missing["TotalVisits"] < 0.03
    assert foreign_leads["TotalVisits"].isna().equals(foreign_leads["Page Views Per Visit"].isna())
    assert 0.2 < missing["Country"] < 0.33 and 0.22 < missing["What is your current occupation"] < 0.35
    assert missing[["Prospect ID", "Lead Number", "Converted", "Total Time Spent on Website"]].sum() == 0


def test_about_38_percent_of_foreign_leads_converted(foreign_leads):
    assert set(foreign_leads["Converted"]) == {0, 1}
    assert 0.36 < foreign_leads["Converted"].mean() < 0.40


def test_tags_almost_perfectly_separate_the_outcome(foreign_leads):
    tagged = foreign_leads.dropna(subset=["Tags"])
    won_tag = tagged["Tags"].isin(WON_TAGS).astype(int)
    assert 0.97 < (won_tag == tagged["Converted"]).mean() < 0.99
    tag_rate = foreign_leads.groupby(foreign_leads["Tags"].fillna(""))["Converted"].transform("mean")
    assert roc_auc_score(foreign_leads["Converted"], tag_rate) > 0.95


def test_a_plain_model_without_tags_reaches_a_realistic_held_out_auc(foreign_leads):
    assert 0.85 < held_out_auc(foreign_leads, FOREIGN_NOT_FEATURES) < 0.92


def test_keeping_tags_pushes_the_held_out_auc_near_one(foreign_leads):
    assert held_out_auc(foreign_leads, ["Prospect ID", "Lead Number", "Converted"]) > 0.97


def test_form_leads_working_professionals_and_long_visits_convert_more(foreign_leads):
    by_origin = foreign_leads.groupby("Lead Origin")["Converted"].mean()
    by_occupation = foreign_leads.groupby("What is your current occupation")["Converted"].mean()
    by_email = foreign_leads.groupby("Do Not Email")["Converted"].mean()
    seconds = foreign_leads["Total Time Spent on Website"]
    assert by_origin["Lead Add Form"] > 2 * by_origin["API"]
    assert by_occupation["Working Professional"] > 1.5 * by_occupation["Unemployed"]
    assert by_email["No"] > 2 * by_email["Yes"]
    assert foreign_leads.loc[seconds > 1_200, "Converted"].mean() > 2 * foreign_leads.loc[
        seconds.between(1, 500), "Converted"].mean()


def test_foreign_open_share_blanks_only_converted():
    closed = generate_foreign_leads(1_000, SEED)
    partly_open = generate_foreign_leads(1_000, SEED, open_share=0.2)
    assert partly_open["Converted"].isna().sum() == 200
    pd.testing.assert_frame_equal(closed.drop(columns="Converted"), partly_open.drop(columns="Converted"))


def test_foreign_customers_have_five_visible_income_and_spending_groups(foreign_customers):
    assert set(foreign_customers["Genre"]) == {"Male", "Female"}
    assert foreign_customers["CustomerID"].tolist() == list(range(1, 201))
    customers, groups = generate_foreign_customers_with_groups(200, SEED)
    pd.testing.assert_frame_equal(customers, foreign_customers)
    scaled = StandardScaler().fit_transform(customers[["Annual Income (k$)", "Spending Score (1-100)"]])
    clusters = KMeans(n_clusters=5, n_init=10, random_state=0).fit_predict(scaled)
    assert adjusted_rand_score(groups, clusters) > 0.9


# --- extra columns (import benchmark's custom attributes) -----------------------------------------------


def test_ten_extra_columns_cycle_through_the_five_kinds():
    assert extra_column_names(10) == (
        "extra_1_number", "extra_2_decimal", "extra_3_category", "extra_4_boolean", "extra_5_date",
        "extra_6_number", "extra_7_decimal", "extra_8_category", "extra_9_boolean", "extra_10_date",
    )
    with pytest.raises(ValueError, match="extra column count"):
        extra_column_names(-1)


def test_extra_columns_are_appended_without_changing_the_sample_columns(tmp_path):
    plain = write_dataset(tmp_path / "plain", customers=200, leads=300, responses=0, seed=SEED, open_share=0.1)
    extended = write_dataset(
        tmp_path / "extended", customers=200, leads=300, responses=0, seed=SEED, open_share=0.1, extra_columns=10
    )
    for kind, separator in (("customers", "\t"), ("leads", ",")):
        plain_lines = plain[kind].read_text().splitlines()
        extended_lines = extended[kind].read_text().splitlines()
        assert len(extended_lines) == len(plain_lines)
        for before, after in zip(plain_lines, extended_lines, strict=True):
            assert after.startswith(before + separator)
            assert after.count(separator) == before.count(separator) + 10


def test_extra_columns_hold_readable_typed_values(tmp_path):
    path = write_dataset(tmp_path, customers=0, leads=2_000, responses=0, seed=SEED, extra_columns=5)["leads"]
    extra = pd.read_csv(path, dtype=str, keep_default_na=False).iloc[:, -5:]
    filled = {name: extra[name][extra[name] != ""] for name in extra.columns}
    assert all(0.002 < (extra[name] == "").mean() < 0.03 for name in extra.columns)
    assert filled["extra_1_number"].str.fullmatch(r"\d{1,4}").all()
    assert filled["extra_2_decimal"].str.fullmatch(r"\d{1,3}(\.\d{1,2})?").all()
    assert set(filled["extra_3_category"]) == {"North", "South", "East", "West", "Central", "Overseas"}
    assert set(filled["extra_4_boolean"]) == {"yes", "no"}
    assert filled["extra_5_date"].str.fullmatch(r"202[0-5]-\d\d-\d\d").all()


# --- the command ------------------------------------------------------------------------------------------


def test_generate_data_command_writes_the_foreign_layout(tmp_path):
    out = io.StringIO()
    call_command("generate_data", "--layout", "foreign", "--leads", "40", "--customers", "30", "--seed", "3",
                 "--extra-columns", "2", "--out", str(tmp_path), stdout=out)
    leads, customers = tmp_path / "leads.csv", tmp_path / "customers.csv"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["customers.csv", "leads.csv"]
    assert leads.read_text().splitlines()[0] == FOREIGN_LEAD_HEADER + ",extra_1_number,extra_2_decimal"
    assert len(leads.read_text().splitlines()) == 41
    assert customers.read_text().splitlines()[0] == FOREIGN_CUSTOMER_HEADER + ",extra_1_number,extra_2_decimal"
    assert len(customers.read_text().splitlines()) == 31
    assert out.getvalue().splitlines() == [f"customers: {customers}", f"leads: {leads}"]


def test_generate_data_command_keeps_the_sample_layout_by_default(tmp_path):
    call_command("generate_data", "--customers", "20", "--leads", "30", "--responses", "40", "--seed", "5",
                 "--out", str(tmp_path / "command"), stdout=io.StringIO())
    direct = write_dataset(tmp_path / "direct", customers=20, leads=30, responses=40, seed=5, open_share=0.2)
    for kind, path in direct.items():
        assert (tmp_path / "command" / path.name).read_bytes() == path.read_bytes(), kind


def test_generate_data_command_refuses_responses_in_the_foreign_layout(tmp_path):
    with pytest.raises(CommandError, match="sample layout only"):
        call_command("generate_data", "--layout", "foreign", "--responses", "10", "--out", str(tmp_path))
