"""How a model is scored: every metric (the built-in ones and yours), cross-validation on
the training rows, and the bootstrap interval on the test rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import cross_val_score

from .. import study
from .decisions import Task
from .metrics import BUILT_IN, Metric
from .split import folds

METRIC_KEYS = {"task", "score", "greater_is_better", "probabilities", "bounds"}


def yours() -> dict[str, Metric]:
    """The metrics of study.py's METRICS, checked: a mistake there is named plainly."""
    found = {}
    for name, spec in study.METRICS.items():
        where = f"METRICS[{name!r}] in study.py"
        if not isinstance(spec, dict) or not {"task", "score"} <= set(spec):
            raise ValueError(f"{where} needs at least 'task' and 'score' (see its example)")
        if set(spec) - METRIC_KEYS:
            raise ValueError(
                f"{where} has {', '.join(sorted(set(spec) - METRIC_KEYS))}; it may hold "
                f"{', '.join(sorted(METRIC_KEYS))}"
            )
        if spec["task"] not in (t.value for t in Task):
            raise ValueError(f"{where}: task must be classification or regression")
        if not callable(spec["score"]):
            raise ValueError(f"{where}: score must be a function, e.g. sklearn's log_loss")
        task = Task(spec["task"])
        if name in BUILT_IN[task]:
            raise ValueError(f"{where}: {name!r} is a built-in metric already; use another name")
        found[name] = Metric(name=name, **{**spec, "task": task})
    return found


def metrics_for(task: Task) -> dict[str, Metric]:
    """Every metric of ``task``: the built-in ones, then yours."""
    task = Task(task)
    return {**BUILT_IN[task], **{n: m for n, m in yours().items() if m.task is task}}


def metric(task: Task, name: str) -> Metric:
    found = metrics_for(task)
    if name not in found:
        raise ValueError(
            f"evaluate.metric {name!r} does not fit a {Task(task).value} task; choose auto or "
            f"one of {', '.join(found)} (add your own to METRICS in study.py)"
        )
    return found[name]


def cross_validate(
    model, features, labels, task: Task, metric: Metric, n_splits: int, seed: int, split=None
):
    """Mean and standard deviation of the metric over folds of the training rows (fewer on
    few rows; grouped or in time order as ``split``, the split made: kit/split.py)."""
    cv = folds(task, n_splits, seed, split)
    scores = cross_val_score(clone(model), features, labels, cv=cv, scoring=metric.scorer())
    return {"mean": float(np.mean(scores)), "sd": float(np.std(scores, ddof=1))}


@dataclass
class Predictions:
    """What a fitted pipeline said about the test rows: classes or numbers, and (for
    classes, when the estimator gives them) the probability of each class."""

    values: np.ndarray
    probabilities: np.ndarray | None = None
    classes: np.ndarray | None = None

    def of(self, metric: Metric):
        """What ``metric`` is scored on, as scikit-learn's scorers pass it."""
        if not metric.probabilities:
            return self.values
        if self.probabilities is None:
            raise ValueError(
                f"the metric {metric.name!r} needs predicted probabilities, and this model "
                "gives none (predict_proba): choose another metric or model"
            )
        if self.probabilities.shape[1] == 2:  # two classes: the second one's probability
            return self.probabilities[:, 1]
        return self.probabilities

    def take(self, rows: np.ndarray) -> Predictions:
        chosen = None if self.probabilities is None else self.probabilities[rows]
        return Predictions(self.values[rows], chosen, self.classes)


def score(metric: Metric, y_true, predicted: Predictions) -> float:
    return float(metric.score(y_true, predicted.of(metric)))


def bootstrap_scores(y_true, predicted: Predictions, metric: Metric, resamples: int, seed: int):
    """``metric`` on each of ``resamples`` resamples of the test rows, drawn with replacement.

    The same seed draws the same rows, so the scores of two models pair up one to one: their
    difference is the paired bootstrap of score(model) - score(other).
    """
    y_true = np.asarray(y_true)
    rng = np.random.default_rng(seed)
    scores = np.empty(resamples)
    for i in range(resamples):  # one resample at a time: memory stays one test set's size
        rows = rng.integers(0, len(y_true), size=len(y_true))
        scores[i] = score(metric, y_true[rows], predicted.take(rows))
    return scores


def interval(scores, confidence: float) -> dict[str, float]:
    """The central ``confidence`` share of bootstrap scores."""
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(scores, [tail, 100 - tail])
    return {"low": float(low), "high": float(high)}
