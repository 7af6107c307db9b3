"""How results are measured: metrics, cross-validation and bootstrap intervals."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.base import clone
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    make_scorer,
    mean_absolute_error,
    r2_score,
    root_mean_squared_error,
)
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score


def _f1_macro(y_true, y_pred) -> float:
    return f1_score(y_true, y_pred, average="macro")


METRICS: dict[str, dict[str, Callable]] = {
    "classification": {
        "accuracy": accuracy_score,
        "balanced_accuracy": balanced_accuracy_score,
        "f1_macro": _f1_macro,
    },
    "regression": {"r2": r2_score, "mae": mean_absolute_error, "rmse": root_mean_squared_error},
}
LOWER_IS_BETTER = {"mae", "rmse"}


def metric(task: str, name: str) -> Callable:
    try:
        return METRICS[task][name]
    except KeyError:
        raise ValueError(
            f"evaluate.metric {name!r} does not fit a {task} task; "
            f"choose one of {', '.join(METRICS[task])}"
        ) from None


def score_all(task: str, y_true, y_pred) -> dict[str, float]:
    return {name: float(fn(y_true, y_pred)) for name, fn in METRICS[task].items()}


def folds(task: str, n_splits: int, seed: int):
    """Stratified folds for classes, so each fold keeps the class balance."""
    cls = StratifiedKFold if task == "classification" else KFold
    return cls(n_splits=n_splits, shuffle=True, random_state=seed)


def make_metric_scorer(task: str, name: str):
    return make_scorer(metric(task, name))


def cross_validate(model, features, labels, task: str, name: str, n_splits: int, seed: int):
    """Mean and standard deviation of the metric over folds of the training rows."""
    scores = cross_val_score(
        clone(model),
        features,
        labels,
        cv=folds(task, n_splits, seed),
        scoring=make_metric_scorer(task, name),
    )
    return {"mean": float(np.mean(scores)), "sd": float(np.std(scores, ddof=1))}


def bootstrap_scores(y_true, y_pred, fn: Callable, resamples: int, seed: int) -> np.ndarray:
    """``fn`` on each of ``resamples`` resamples of the test rows, drawn with replacement.

    The same seed draws the same rows, so the scores of two models pair up one to one: their
    difference is the paired bootstrap of fn(model) - fn(other).
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    rng = np.random.default_rng(seed)
    scores = np.empty(resamples)
    for i in range(resamples):  # one resample at a time: memory stays one test set's size
        rows = rng.integers(0, len(y_true), size=len(y_true))
        scores[i] = fn(y_true[rows], y_pred[rows])
    return scores


def percentile_interval(scores, confidence: float) -> dict[str, float]:
    """The central ``confidence`` share of bootstrap scores."""
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(scores, [tail, 100 - tail])
    return {"low": float(low), "high": float(high)}
