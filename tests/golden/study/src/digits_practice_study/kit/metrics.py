"""The built-in metrics, and what each needs to know to be scored and shown fairly.

Your own metrics go in ``study.py`` (``METRICS``); kit/scoring.py puts both together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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

    def scorer(self):
        """The metric as scikit-learn's cross-validation calls it (the value as it is)."""
        method = "predict_proba" if self.probabilities else "predict"
        return make_scorer(self.score, response_method=method)


def f1_macro(y_true, y_pred) -> float:
    """F1 per class, averaged with equal weight: a rare class counts as much as a common one."""
    return f1_score(y_true, y_pred, average="macro")


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
        ),
        "f1_macro": Metric(
            "f1_macro", Task.CLASSIFICATION, f1_macro, bounds=SHARE, average_of_classes=True
        ),
    },
    Task.REGRESSION: {
        # r2 is at most 1, and can be any negative number; an error is never below 0.
        "r2": Metric("r2", Task.REGRESSION, r2_score, bounds=(float("-inf"), 1.0)),
        "mae": Metric(
            "mae", Task.REGRESSION, mean_absolute_error, greater_is_better=False, bounds=ERROR
        ),
        "rmse": Metric(
            "rmse", Task.REGRESSION, root_mean_squared_error, greater_is_better=False, bounds=ERROR
        ),
    },
}
