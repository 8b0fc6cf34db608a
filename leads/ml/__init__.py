"""Lead scoring, pure: no Django. Train a calibrated champion, score leads 0-100 in tiers, explain in words."""
from leads.ml.artifacts import ArtifactIntegrityError, file_checksum, load_model, save_model
from leads.ml.drivers import converter_profile, feature_importance, global_drivers
from leads.ml.evaluation import evaluate_on
from leads.ml.features import DEFAULT_SPEC, FEATURES, FeatureColumn, FeatureSpec, leads_from_dataset
from leads.ml.pipeline import (ALGORITHMS, HIST_GRADIENT_BOOSTING, LOGISTIC_REGRESSION, RANDOM_FOREST,
                               feature_spec_of)
from leads.ml.scoring import ScoreBatch, best_scored, score_leads
from leads.ml.tiers import COLD, DEFAULT_THRESHOLDS, HOT, WARM, TierThresholds
from leads.ml.train import TrainingConfig, TrainingDataError, TrainingReport, train_lead_model

__all__ = [
    "ALGORITHMS", "COLD", "DEFAULT_SPEC", "DEFAULT_THRESHOLDS", "FEATURES", "HIST_GRADIENT_BOOSTING", "HOT",
    "LOGISTIC_REGRESSION", "RANDOM_FOREST", "WARM", "ArtifactIntegrityError", "FeatureColumn", "FeatureSpec",
    "ScoreBatch", "TierThresholds", "TrainingConfig", "TrainingDataError", "TrainingReport", "best_scored",
    "converter_profile", "evaluate_on", "feature_importance", "feature_spec_of", "file_checksum", "global_drivers",
    "leads_from_dataset", "load_model", "save_model", "score_leads", "train_lead_model",
]
