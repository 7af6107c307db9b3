"""The built-in metrics, and what each needs to know to be scored and shown fairly.

Your own metrics go in ``study.py`` (``METRICS``); kit/scoring.py puts both together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    make_scorer,
    mean_absolute_error,
    r2_score,
    root_mean_squared_error,
)

from .decisions import Task


@dataclass(frozen=True)
class Metric:
    name: str
    task: Task
    score: Callable  # score(y_true, y_pred): predictions, or probabilities (below)
    greater_is_better: bool = True
    # Scored on the predicted probabilities (predict_proba) instead of the predicted classes.
    probabilities: bool = False
    # The values the metric can take, when it is bounded (accuracy: 0 to 1).
    bounds: tuple[float, float] | None = None
    # The score is the share of test rows predicted right (accuracy): its interval is
    # Wilson's, which holds at a perfect score, where resampling the rows gives no width.
    share_of_rows: bool = False
    # The score averages one share per class (balanced accuracy, macro F1): where every
    # bootstrap resample scores the same (a perfect score), the classes' shares bound it.
    average_of_classes: bool = False
    # The same metric on many bootstrap resamples at once: (true, predicted, rows), where
    # each row of ``rows`` holds the test rows one resample drew -> one score per resample.
    # A built-in metric has one: its interval takes milliseconds, not a call per resample.
    on_resamples: Callable | None = None

    def scorer(self):
        """The metric as scikit-learn's cross-validation calls it (the value as it is)."""
        method = "predict_proba" if self.probabilities else "predict"
        return make_scorer(self.score, response_method=method)


def f1_macro(y_true, y_pred) -> float:
    """F1 per class, averaged with equal weight: a rare class counts as much as a common one."""
    return f1_score(y_true, y_pred, average="macro")


# --- The built-in metrics on many resamples at once ---------------------------------------
# Each gives what scikit-learn's function gives on each resample alone, edge cases included
# (tests/test_kit_checks.py compares them). ``rows``: one resample's test rows per row.


def class_counts(true, predicted, rows: np.ndarray):
    """Per resample and class: its rows, the rows predicted as it, and those predicted right."""
    size = len(true)
    classes, codes = np.unique(np.concatenate([true, predicted]), return_inverse=True)
    # One count per (resample, class): the resample's number shifts its classes' codes.
    shift = np.arange(len(rows))[:, None] * len(classes)
    truth, guess = codes[:size][rows] + shift, codes[size:][rows] + shift

    def count(chosen):
        return np.bincount(chosen, minlength=len(rows) * len(classes)).reshape(len(rows), -1)

    return count(truth.ravel()), count(guess.ravel()), count(truth[truth == guess])


def balanced_accuracy_of_resamples(true, predicted, rows) -> np.ndarray:
    """The mean hit rate of the classes each resample has (a class only predicted: left out)."""
    in_class, _, right = class_counts(true, predicted, rows)
    with np.errstate(invalid="ignore"):
        return np.nanmean(right / in_class, axis=1)


def f1_macro_of_resamples(true, predicted, rows) -> np.ndarray:
    """F1 = 2 right / (rows of the class + rows predicted as it), averaged over the classes
    each resample has or predicts."""
    in_class, as_class, right = class_counts(true, predicted, rows)
    with np.errstate(invalid="ignore"):
        return np.nanmean(2 * right / (in_class + as_class), axis=1)


def numbers(true, predicted, rows):
    return np.asarray(true, dtype=float)[rows], np.asarray(predicted, dtype=float)[rows]


def r2_of_resamples(true, predicted, rows) -> np.ndarray:
    """1 - squared error / spread of the truth; a resample whose truth is all one value
    scores 1 when every prediction is right, else 0 (scikit-learn's force_finite)."""
    true, predicted = numbers(true, predicted, rows)
    error = ((true - predicted) ** 2).sum(axis=1)
    spread = ((true - true.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        found = 1 - error / spread
    return np.where(spread != 0, found, np.where(error == 0, 1.0, 0.0))


def mae_of_resamples(true, predicted, rows) -> np.ndarray:
    true, predicted = numbers(true, predicted, rows)
    return np.abs(predicted - true).mean(axis=1)


def rmse_of_resamples(true, predicted, rows) -> np.ndarray:
    true, predicted = numbers(true, predicted, rows)
    return np.sqrt(((true - predicted) ** 2).mean(axis=1))


SHARE = (0.0, 1.0)
ERROR = (0.0, float("inf"))
BUILT_IN = {
    Task.CLASSIFICATION: {
        "accuracy": Metric(
            "accuracy", Task.CLASSIFICATION, accuracy_score, bounds=SHARE, share_of_rows=True
        ),
        "balanced_accuracy": Metric(
            "balanced_accuracy",
            Task.CLASSIFICATION,
            balanced_accuracy_score,
            bounds=SHARE,
            average_of_classes=True,
            on_resamples=balanced_accuracy_of_resamples,
        ),
        "f1_macro": Metric(
            "f1_macro",
            Task.CLASSIFICATION,
            f1_macro,
            bounds=SHARE,
            average_of_classes=True,
            on_resamples=f1_macro_of_resamples,
        ),
    },
    Task.REGRESSION: {
        # r2 is at most 1, and can be any negative number; an error is never below 0.
        "r2": Metric(
            "r2",
            Task.REGRESSION,
            r2_score,
            bounds=(float("-inf"), 1.0),
            on_resamples=r2_of_resamples,
        ),
        "mae": Metric(
            "mae",
            Task.REGRESSION,
            mean_absolute_error,
            greater_is_better=False,
            bounds=ERROR,
            on_resamples=mae_of_resamples,
        ),
        "rmse": Metric(
            "rmse",
            Task.REGRESSION,
            root_mean_squared_error,
            greater_is_better=False,
            bounds=ERROR,
            on_resamples=rmse_of_resamples,
        ),
    },
}
