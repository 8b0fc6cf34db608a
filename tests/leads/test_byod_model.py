"""The lead model on a company's own columns: features from the fields and custom attributes the leads have,
identifiers and leakage left out and reported, the spec saved with the model, reasons in the file's own words."""
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from core.models import CustomAttribute
from leads.ml import (DEFAULT_SPEC, LOGISTIC_REGRESSION, FeatureColumn, TrainingConfig, TrainingDataError,
                      feature_spec_of, leads_from_dataset, score_leads, train_lead_model)
from leads.ml.factors import describe
from leads.ml.features import CATEGORY, prepare_lead_features
from leads.ml.train import labelled_leads, split_positions
from leads.models import Lead, ScoringModel
from leads.registry import model_load
from leads.selectors import lead_factors
from leads.selectors import lead_feature_candidates, leads_frame
from leads.services import lead_model_train, leads_import, leads_rescore
from leads.training import training_config
from tests.shared_data import LEADS_FILE, shared_data_path

QUICK = TrainingConfig(algorithms=(LOGISTIC_REGRESSION,), cv_folds=3, calibration_folds=3, importance_repeats=1)
COMPANY_ATTRIBUTES = (
    FeatureColumn("attr:lead_source", CATEGORY, "Lead Source"),
    FeatureColumn("attr:score_points", "number", "Score Points"),
    FeatureColumn("attr:newsletter", "flag", "Newsletter"),
    FeatureColumn("attr:created", "date", "Created"),
    FeatureColumn("attr:lead_number", "number", "Lead Number"),
    FeatureColumn("attr:prospect_id", CATEGORY, "Prospect ID"),
    FeatureColumn("attr:tags", CATEGORY, "Tags"),
)
CANDIDATES = DEFAULT_SPEC.columns + COMPANY_ATTRIBUTES
SOURCES = ("Google", "Reference", "Chat")
RARE_SOURCES = ("Fax", "Carrier pigeon")
LAST_DAY = pd.Timestamp("2025-06-30")


def company_leads(n: int = 1200, seed: int = 0) -> pd.DataFrame:
    """Leads as an import of another company's file leaves them: a few fields, the rest custom attributes."""
    rng = np.random.default_rng(seed)
    source = rng.choice(SOURCES, n, p=(0.5, 0.25, 0.25)).astype(object)
    source[:9] = np.repeat(RARE_SOURCES, (5, 4))  # fewer than 10 leads each: grouped as "other"
    points = rng.normal(0.0, 2.0, n)
    visits = rng.poisson(3, n)
    days = rng.integers(0, 365, n)
    logit = -0.5 + 1.5 * (source == "Reference") - 1.0 * (source == "Chat") + 0.6 * points
    converted = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))
    tags = np.where(converted, rng.choice(("Paid", "Closed"), n), rng.choice(("Ringing", "Busy"), n))
    return pd.DataFrame({
        "external_id": [f"C{i}" for i in range(n)],
        "status": converted.astype(int),
        "website_visits": visits,
        "attr:lead_source": source,
        "attr:score_points": points,
        "attr:newsletter": rng.random(n) < 0.3,
        "attr:created": (LAST_DAY - pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d"),
        "attr:lead_number": 580_000 + np.arange(n) * 3,
        "attr:prospect_id": [f"{rng.integers(1 << 62):016x}" for _ in range(n)],
        "attr:tags": tags,
    })


@pytest.fixture(scope="module")
def company():
    return company_leads()


@pytest.fixture(scope="module")
def company_report(company):
    return train_lead_model(company, TrainingConfig(**{**QUICK.__dict__, "candidates": CANDIDATES}))


def _left_out(report, reason: str) -> dict[str, dict]:
    return {item["label"]: item for item in report.metrics()["features"]["left_out"] if item["reason"] == reason}


def test_sample_layout_derives_todays_features_and_leaves_nothing_out():
    leads = leads_from_dataset(pd.read_csv(shared_data_path(*LEADS_FILE)))

    report = train_lead_model(leads, QUICK)

    assert report.spec == DEFAULT_SPEC
    assert report.metrics()["features"]["left_out"] == []


def test_model_reads_the_fields_and_attributes_the_leads_have(company_report):
    assert company_report.spec.names == ("website_visits", "attr:lead_source", "attr:score_points", "attr:newsletter",
                                         "attr:created")
    assert set(_left_out(company_report, "empty")) == {column.label for column in DEFAULT_SPEC.columns} - {
        "website visits"}


def test_identifier_like_columns_are_left_out_and_reported(company_report):
    identifiers = _left_out(company_report, "identifier")
    assert set(identifiers) == {"Lead Number", "Prospect ID"}
    assert identifiers["Lead Number"]["figures"] == {"distinct_share": 1.0}
    assert identifiers["Lead Number"]["text"] == "Lead Number: 100% of its values are distinct, like an id"


def test_a_column_that_separates_the_outcome_is_flagged_as_leakage_and_left_out(company_report):
    leakage = _left_out(company_report, "leakage")
    assert set(leakage) == {"Tags"}
    assert leakage["Tags"]["figures"]["roc_auc"] == 1.0
    assert leakage["Tags"]["text"].startswith("Tags: its values alone separate the outcome (single-column ROC AUC 1.000")


def test_a_flagged_column_the_user_keeps_is_used_and_reported_as_kept(company):
    config = TrainingConfig(**{**QUICK.__dict__, "candidates": CANDIDATES, "keep_columns": ("tags",)})

    report = train_lead_model(company, config)

    assert "attr:tags" in report.spec.names
    assert [item["label"] for item in report.metrics()["features"]["kept"]] == ["Tags"]
    assert "Tags" not in _left_out(report, "leakage")


def test_keeping_a_column_that_does_not_exist_is_refused(company):
    config = TrainingConfig(**{**QUICK.__dict__, "candidates": CANDIDATES, "keep_columns": ("Fax number",)})
    with pytest.raises(TrainingDataError, match="no column named 'Fax number' to keep"):
        train_lead_model(company, config)


def test_rare_levels_are_grouped_and_an_unseen_level_reads_as_other(company_report):
    source = company_report.spec.column("attr:lead_source")
    assert (source.levels, source.grouped) == (("Chat", "Google", "Reference"), ("Carrier pigeon", "Fax"))

    prepared = prepare_lead_features(pd.DataFrame({"attr:lead_source": ["Fax", "Telegram", "Chat", None]}),
                                     company_report.spec)

    assert prepared["attr:lead_source"].tolist()[:3] == ["other", "other", "Chat"]
    assert pd.isna(prepared["attr:lead_source"].iloc[3])


def test_dates_are_days_before_the_reference_date_saved_in_the_model(company, company_report):
    assert company_report.spec.reference_date == company["attr:created"].max()
    spec = feature_spec_of(company_report.model)
    assert spec == company_report.spec

    prepared = prepare_lead_features(pd.DataFrame({"attr:created": ["2025-06-20", "not a date"]}), spec)

    assert prepared["attr:created"].iloc[0] == (pd.Timestamp(spec.reference_date) - pd.Timestamp("2025-06-20")).days
    assert pd.isna(prepared["attr:created"].iloc[1])


def test_an_attributes_negative_number_is_kept_but_a_negative_count_is_not(company_report):
    prepared = prepare_lead_features(pd.DataFrame({"attr:score_points": [-2.5], "website_visits": [-3]}),
                                     company_report.spec)
    assert prepared["attr:score_points"].iloc[0] == -2.5
    assert pd.isna(prepared["website_visits"].iloc[0])


def test_reasons_name_custom_attributes_by_their_label(company_report):
    spec = company_report.spec
    assert describe("attr:score_points", 3.5, spec) == "Score Points: 3.5"
    assert describe("attr:newsletter", 1.0, spec) == "Newsletter: yes"
    assert describe("attr:lead_source", "Reference", spec) == "Lead Source: Reference"
    assert describe("attr:created", 10.0, spec) == f"Created: 10 days before {spec.reference_date}"
    assert describe("website_visits", 1.0, spec) == "1 website visit"


def test_factors_of_a_company_model_use_the_files_words(company, company_report):
    batch = score_leads(company_report.model, company.head(40), explain=True)
    words = [text for position in range(40) for side in batch.factors(position).values() for text in side]
    assert any(text.startswith("Lead Source: Reference: +") for text in words)
    assert any(text.startswith("Score Points: ") for text in words)


# --- the generated foreign file, imported with auto-mapping, on PostgreSQL -----------------------------------------

def _foreign_file(folder: Path, **options) -> Path:
    arguments = [f"--{name.replace('_', '-')}={value}" for name, value in options.items()]
    call_command("generate_data", "--layout", "foreign", "--out", str(folder), *arguments, stdout=io.StringIO())
    return folder / "leads.csv"


def plain_gradient_boosting_auc(model: ScoringModel) -> float:
    """Held-out ROC AUC of a default HistGradientBoostingClassifier on the champion's columns and held-out leads."""
    spec = feature_spec_of(model_load(model))
    candidates = lead_feature_candidates()
    frame = leads_frame("WHERE status IS NOT NULL", features=candidates)
    frame["status"] = frame["status"].astype(int)
    config = training_config(candidates=candidates)
    labelled, outcomes = labelled_leads(frame, config)
    train_at, holdout_at = split_positions(outcomes, config)
    features = prepare_lead_features(labelled, spec)
    for name in spec.named(CATEGORY):
        features[name] = features[name].astype("category")
    plain = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0)
    plain.fit(features.iloc[train_at], outcomes[train_at])
    return float(roc_auc_score(outcomes[holdout_at], plain.predict_proba(features.iloc[holdout_at])[:, 1]))


@pytest.mark.slow
@pytest.mark.django_db
def test_foreign_file_champion_is_within_0_02_of_a_plain_gradient_boosting_on_the_same_columns(tmp_path, capsys):
    job = leads_import(source=_foreign_file(tmp_path), source_name="leads.csv")
    assert (job.counts["rows"], job.counts["inserted"], job.counts["rejected"]) == (9000, 9000, 0)

    model = lead_model_train()

    plain = plain_gradient_boosting_auc(model)
    champion = model.metrics["holdout_roc_auc"]
    with capsys.disabled():
        print(f"\nforeign leads (9,000): champion {model.algorithm} held-out ROC AUC {champion:.4f}; "
              f"plain HistGradientBoostingClassifier {plain:.4f}")
    assert abs(champion - plain) <= 0.02
    report = model.metrics["features"]
    reasons = {item["label"]: item["reason"] for item in report["left_out"]}
    assert reasons["Tags"] == "leakage"
    assert reasons["Lead Number"] == "identifier"
    assert "Prospect ID" not in {column["label"] for column in report["used"]}
    assert model.features == [column["name"] for column in report["used"]]


@pytest.mark.django_db
def test_rescore_and_reasons_on_a_foreign_file_read_the_models_attributes(tmp_path):
    leads_import(source=_foreign_file(tmp_path, leads=1500, open_share=0.3), source_name="leads.csv")
    labels = set(CustomAttribute.objects.filter(entity="leads").values_list("label", flat=True))
    model = lead_model_train()

    job = leads_rescore()

    open_leads = Lead.objects.exclude(stage__in=["won", "lost"])
    assert job.counts["scored"] == open_leads.count() > 0
    assert not open_leads.filter(score__isnull=True).exists()
    words = [text for factors in open_leads.exclude(factors={}).values_list("factors", flat=True)
             for text in factors["up"] + factors["down"]]
    named = {text.split(":")[0] for text in words} & labels
    assert {"Lead Origin", "Lead Source"} & named, "custom attributes are named by the file's header"
    unexplained = open_leads.filter(factors={}).order_by("score").first()
    if unexplained is not None:
        assert lead_factors(unexplained)["up"] or lead_factors(unexplained)["down"]
    assert model.metrics["features"]["reference_date"] == "2025-06-30"


# --- where training is triggered and its report shown ---------------------------------------------------------------

@pytest.fixture
def foreign_leads(tmp_path, settings):
    settings.LEAD_MODEL_ALGORITHMS = (LOGISTIC_REGRESSION,)
    leads_import(source=_foreign_file(tmp_path, leads=1500), source_name="leads.csv")


@pytest.mark.django_db
def test_train_command_prints_the_columns_used_left_out_and_kept(foreign_leads):
    out = io.StringIO()

    call_command("train_lead_model", "--keep-column", "Lead Source", stdout=out)

    lines = out.getvalue().splitlines()
    model = ScoringModel.objects.get()
    used = model.metrics["features"]["used"]
    assert f"features used ({len(used)}): " + ", ".join(f"{c['label']} ({c['kind']})" for c in used) in lines
    assert "dates are read as days before 2025-06-30" in lines
    tags = next(item for item in model.metrics["features"]["left_out"] if item["label"] == "Tags")
    assert f"left out, leakage: {tags['text']} (keep it with --keep-column \"Tags\")" in lines
    lead_number = next(item for item in model.metrics["features"]["left_out"] if item["label"] == "Lead Number")
    assert f"left out, identifier: {lead_number['text']}" in lines
    assert model.metrics["features"]["kept"] == [], "a column that is not flagged needs no keeping"


@pytest.mark.django_db
def test_a_training_job_started_from_the_api_keeps_the_columns_it_names(foreign_leads,
                                                                         django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    from core.roles import ANALYST
    from tests.api.factories import role_user

    analyst = APIClient()
    analyst.force_authenticate(role_user(ANALYST))
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst.post("/api/v1/jobs/", {"kind": "train_leads", "params": {"keep_columns": ["Tags"]}},
                                format="json")

    assert response.status_code == 202
    assert response.json()["params"] == {"keep_columns": ["Tags"]}
    model = ScoringModel.objects.get()
    assert "attr:tags" in model.features
    assert [item["label"] for item in model.metrics["features"]["kept"]] == ["Tags"]


@pytest.mark.django_db
def test_model_page_shows_the_columns_used_and_left_out_with_the_reason(admin_client):
    from tests.factories import ScoringModelFactory

    report = {"used": [{"name": "attr:lead_source", "kind": "category", "label": "Lead Source",
                        "levels": ["Google"], "grouped": ["bing", "blog"]}],
              "reference_date": "2025-06-30",
              "left_out": [{"column": "attr:tags", "label": "Tags", "reason": "leakage", "figures": {"roc_auc": 0.99},
                            "text": "Tags: its values alone separate the outcome (single-column ROC AUC 0.990)"}],
              "kept": []}
    model = ScoringModelFactory(metrics={"holdout_roc_auc": 0.9, "features": report})

    page = admin_client.get(f"/admin/leads/scoringmodel/{model.pk}/change/").content.decode()

    assert "<td>Lead Source</td><td>category</td><td>2 rare value(s) read as &#x27;other&#x27;</td>" in page
    assert "<td>dates</td><td>read as days before</td><td>2025-06-30</td>" in page
    assert ("<td>Tags</td><td>leakage</td><td>its values alone separate the outcome (single-column ROC AUC 0.990)"
            "</td>") in page
