"""A customer's features do not depend on the chunk it is read in: rows built on another frame's basis get the
features they had in that frame (what a re-cluster assigned in chunks relies on)."""
import numpy as np
import pandas as pd

from segmentation.ml import Attribute, build_customer_features
from tests.segmentation.test_ml import load_customers


def test_rows_built_on_the_whole_frames_basis_get_the_features_they_had_in_it():
    customers = load_customers()
    customers.loc[[3, 10, 500], "income"] = np.nan  # imputed with the whole frame's median, not the chunk's
    whole = build_customer_features(customers)

    for rows in (slice(0, 7), slice(7, 1500), slice(1500, None)):
        chunk = build_customer_features(customers.iloc[rows], basis=whole.basis)

        pd.testing.assert_frame_equal(chunk.frame, whole.frame.iloc[rows], check_categorical=False)
        assert chunk.flags.tolist() == whole.flags[rows].tolist()
        assert chunk.reasons.tolist() == whole.reasons[rows].tolist()
        assert chunk.feature_set == whole.feature_set


def test_attributes_keep_the_bases_median_and_profile_levels():
    customers = load_customers().head(400)
    customers["attr:region"] = np.where(np.arange(400) % 3 == 0, "North", "South")
    customers["attr:score"] = np.where(np.arange(400) < 390, np.arange(400) % 50 * 1.5, np.nan)
    attributes = [Attribute(key="region", label="Region", kind="category"),
                  Attribute(key="score", label="Score", kind="number")]
    whole = build_customer_features(customers, attributes=attributes)

    tail = build_customer_features(customers.iloc[380:], attributes=attributes, basis=whole.basis)

    assert tail.frame["attr:score"].iloc[-1] == whole.frame["attr:score"].iloc[-1] == whole.basis.statistics[
        "median:attr:score"]
    assert list(tail.frame.columns) == list(whole.frame.columns)
    assert tail.frame["attr:region=North"].tolist() == whole.frame["attr:region=North"].iloc[380:].tolist()
