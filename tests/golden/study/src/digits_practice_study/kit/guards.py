"""The leakage guards: checks that fail loudly when test information could reach the model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .decisions import Choice, Split


class LeakageError(AssertionError):
    """Raised when the test set could have influenced training."""


class Guard(Choice):
    """A guard the evaluate stage runs; reports/metrics.json lists those that passed, and
    run.py review checks the list (a guard that fails stops evaluate before it writes)."""

    PREPROCESSING_IN_PIPELINE = "preprocessing inside the model pipeline"
    NO_SHARED_ROWS = "no row of feature values in both the training and the test rows"


def run_by_evaluate(split: Split) -> list[Guard]:
    """The guards evaluate runs for this split. Rows that share every feature value may sit
    on both sides of a time or group split (the split decides the sides, not the values),
    or of a table whose features allow few combinations: there, shared rows are not checked."""
    if split.keeps_copies_apart:
        return [Guard.PREPROCESSING_IN_PIPELINE, Guard.NO_SHARED_ROWS]
    return [Guard.PREPROCESSING_IN_PIPELINE]


def fingerprints(features: pd.DataFrame) -> pd.Series:
    """One hash per row of feature values (column order fixed), to find identical rows."""
    return pd.util.hash_pandas_object(features.sort_index(axis=1), index=False)


def assert_no_shared_prints(train: np.ndarray, test: np.ndarray) -> None:
    """No fingerprint (a row of feature values) may be on both sides of the split."""
    shared = np.intersect1d(train, test)
    if shared.size:
        raise LeakageError(
            f"{shared.size} row(s) appear in both the training and the test set: the test "
            "score would reward memorising them. Identical rows must stay on one side of "
            "the split (kit/split.py's random_split groups them)."
        )


def assert_no_shared_rows(train: pd.DataFrame, test: pd.DataFrame) -> None:
    """No row of feature values may appear in both train and test (pass features only)."""
    assert_no_shared_prints(fingerprints(train).to_numpy(), fingerprints(test).to_numpy())


def assert_target_not_a_feature(features: pd.DataFrame, target: pd.Series) -> None:
    """The target, or an exact copy of it under another name, must not be a feature."""
    if target.name in features.columns:
        raise LeakageError(f"the target column {target.name!r} is among the features")
    for column in features.columns:
        if features[column].reset_index(drop=True).equals(target.reset_index(drop=True)):
            raise LeakageError(f"feature {column!r} is an exact copy of the target {target.name!r}")


def assert_preprocessing_in_pipeline(fitted: object) -> None:
    """Preprocessing must be fitted inside the model pipeline, on training rows only."""
    from sklearn.pipeline import Pipeline

    if not isinstance(fitted, Pipeline):
        raise LeakageError(
            "the model is not a scikit-learn Pipeline: put preprocessing (scaling, imputing, "
            "encoding) inside it so it is fitted on training rows only"
        )
