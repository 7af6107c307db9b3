"""The leakage guards catch what they promise to catch."""

import pytest
from sklearn.linear_model import LogisticRegression

from {{ cookiecutter.module_name }}.kit import guards


def test_shared_rows_are_caught(messy):
    features = messy.drop(columns=["target"])
    with pytest.raises(guards.LeakageError, match="both the training and the test set"):
        guards.assert_no_shared_rows(features.iloc[:100], features.iloc[90:])


def test_disjoint_rows_pass(messy):
    features = messy.drop(columns=["target"])
    guards.assert_no_shared_rows(features.iloc[:100], features.iloc[100:])


def test_target_among_features_is_caught(messy):
    with pytest.raises(guards.LeakageError, match="among the features"):
        guards.assert_target_not_a_feature(messy, messy["target"])


def test_renamed_copy_of_target_is_caught(messy):
    features = messy.drop(columns=["target"]).assign(answer=messy["target"])
    with pytest.raises(guards.LeakageError, match="exact copy"):
        guards.assert_target_not_a_feature(features, messy["target"])


def test_bare_estimator_is_refused():
    with pytest.raises(guards.LeakageError, match="Pipeline"):
        guards.assert_preprocessing_in_pipeline(LogisticRegression())


def test_fingerprints_ignore_column_order(messy):
    swapped = messy[list(reversed(messy.columns))]
    assert guards.fingerprints(messy).equals(guards.fingerprints(swapped))
