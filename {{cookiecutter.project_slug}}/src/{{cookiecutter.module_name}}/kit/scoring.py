"""How a model is scored: every metric (the built-in ones and yours), cross-validation on
the training rows, and the interval of each test score.

The interval's method depends on the metric, because the bootstrap (resampling the test
rows) fails at the edges: when every test row is predicted right, every resample scores 1.0
and the interval shrinks to "1.000 to 1.000", as if the score were certain. So:

- accuracy, the share of test rows predicted right, gets Wilson's score interval, which
  stays honest at 0 and 1 and on small test sets (Brown, Cai and DasGupta, Statistical
  Science 2001, recommend it over the textbook interval);
- other metrics get the percentile bootstrap; a balanced accuracy or macro F1 whose
  resamples all score the same is bounded by a Wilson interval for each class instead;
- model − baseline: Newcombe's interval for two shares measured on the same rows (built
  from their Wilson intervals), the paired bootstrap for bootstrapped metrics, and else the
  two intervals combined (MOVER), which is wider than needed, never narrower.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import binomtest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score

from .. import study
from .decisions import Task
from .metrics import BUILT_IN, Metric
from .progress import Progress
from .split import folds

# How many test values a batch of bootstrap resamples holds (8 MB an array of numbers).
RESAMPLED_VALUES = 1_000_000
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
    model,
    features,
    labels,
    task: Task,
    metric: Metric,
    n_splits: int,
    seed: int,
    split=None,
    what: str = "cross-validation",
):
    """Mean and standard deviation of the metric over folds of the training rows (fewer on
    few rows; grouped or in time order as ``split``, the split made: kit/split.py). A long
    one says how many folds are done (``what`` names it)."""
    cv = folds(task, n_splits, seed, split)
    with Progress(what, "folds", cv.get_n_splits(features, labels)) as progress:
        scoring = progress.counted(metric.scorer())
        # A fold that cannot be fitted stops with scikit-learn's own reason, at once.
        scores = cross_val_score(
            clone(model), features, labels, cv=cv, scoring=scoring, error_score="raise"
        )
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


def bootstrap_scores(
    y_true,
    predicted: Predictions,
    metric: Metric,
    resamples: int,
    seed: int,
    what: str = "bootstrap",
):
    """``metric`` on each of ``resamples`` resamples of the test rows, drawn with replacement.

    The same seed draws the same rows, so the scores of two models pair up one to one: their
    difference is the paired bootstrap of score(model) - score(other).
    """
    y_true = np.asarray(y_true)
    size = len(y_true)
    rng = np.random.default_rng(seed)
    scores = np.empty(resamples)
    # A built-in metric scores a batch of resamples at once (kit/metrics.py), about a million
    # values a batch, so memory stays small on any test set; another metric, one at a time.
    batch = max(1, RESAMPLED_VALUES // size) if metric.on_resamples else 1
    values = predicted.of(metric)
    if metric.on_resamples and metric.task is Task.CLASSIFICATION:
        # The classes as numbers, found once: sorting text labels is the slow part.
        _, codes = np.unique(np.concatenate([y_true, values]), return_inverse=True)
        y_true, values = codes[:size], codes[size:]
    with Progress(what, "resamples", resamples) as progress:
        for first in range(0, resamples, batch):
            count = min(batch, resamples - first)
            # One draw per resample, as ever: the same seed gives the same rows.
            rows = np.stack([rng.integers(0, size, size=size) for _ in range(count)])
            if metric.on_resamples:
                scores[first : first + count] = metric.on_resamples(y_true, values, rows)
            else:
                scores[first] = score(metric, y_true[rows[0]], predicted.take(rows[0]))
            progress.step(count)
    return scores


def interval(scores, confidence: float) -> dict:
    """The central ``confidence`` share of bootstrap scores."""
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(scores, [tail, 100 - tail])
    return {"low": float(low), "high": float(high), "method": "bootstrap"}


def wilson(right: int, rows: int, confidence: float) -> tuple[float, float]:
    """Wilson's score interval for ``right`` of ``rows`` (scipy): never of zero width."""
    found = binomtest(int(right), int(rows)).proportion_ci(confidence, method="wilson")
    return float(found.low), float(found.high)


def share_interval(y_true, y_pred, confidence: float) -> dict:
    """The interval of accuracy, the share of rows predicted right: Wilson's."""
    right = np.asarray(y_true) == np.asarray(y_pred)
    low, high = wilson(right.sum(), len(right), confidence)
    return {"low": low, "high": high, "method": "wilson"}


def per_class_interval(y_true, y_pred, confidence: float) -> dict:
    """Bounds for a score that averages a share per class (balanced accuracy, macro F1).

    Each class has two shares: its rows predicted right (recall) and its predictions that
    are right (precision). Each gets a Wilson interval at a level that makes all of them
    hold together (Bonferroni); a class's score lies between the lower and the higher of
    its two shares, so the average lies between the averages of those bounds.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    classes = np.unique(y_true)
    each = 1 - (1 - confidence) / (2 * len(classes))
    lows, highs = [], []
    for label in classes:
        bounds = []
        for rows in (y_true == label, y_pred == label):  # recall, then precision
            if rows.sum():
                bounds.append(wilson((y_true[rows] == y_pred[rows]).sum(), rows.sum(), each))
            else:  # never predicted: its precision could be anything
                bounds.append((0.0, 1.0))
        lows.append(min(low for low, _ in bounds))
        highs.append(max(high for _, high in bounds))
    return {
        "low": float(np.mean(lows)),
        "high": float(np.mean(highs)),
        "method": "wilson per class",
    }


def test_interval(metric: Metric, y_true, predicted: Predictions, resampled, confidence: float):
    """The interval of ``metric`` on the test rows, by the method that holds for it.

    ``resampled``: the metric on bootstrap resamples of the test rows (None for accuracy,
    which needs none).
    """
    if metric.share_of_rows:
        return share_interval(y_true, predicted.values, confidence)
    found = interval(resampled, confidence)
    if found["low"] == found["high"] and metric.average_of_classes:
        return per_class_interval(y_true, predicted.values, confidence)
    return found


def newcombe(right_model, right_baseline, confidence: float) -> dict:
    """Newcombe's interval (Statistics in Medicine 1998, method 10) for the difference of
    two shares of the same rows: each row is right or wrong for both models."""
    a, b = np.asarray(right_model, bool), np.asarray(right_baseline, bool)
    rows = len(a)
    p1, p2 = a.mean(), b.mean()
    l1, u1 = wilson(a.sum(), rows, confidence)
    l2, u2 = wilson(b.sum(), rows, confidence)
    # How alike the two are, row by row (phi of the 2x2 table); 0 when a margin is empty.
    both, only1, only2 = (a & b).sum(), (a & ~b).sum(), (~a & b).sum()
    neither = rows - both - only1 - only2
    margins = float((both + only1) * (only2 + neither) * (both + only2) * (only1 + neither))
    phi = (both * neither - only1 * only2) / np.sqrt(margins) if margins else 0.0
    delta = p1 - p2
    below = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    above = (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2
    return {
        "low": float(max(-1.0, delta - np.sqrt(max(below, 0.0)))),
        "high": float(min(1.0, delta + np.sqrt(max(above, 0.0)))),
        "method": "newcombe",
    }


def mover(model: float, model_ci: dict, baseline: float, baseline_ci: dict) -> dict:
    """The interval of model − baseline from the two intervals (Zou and Donner 2008), taking
    the two as independent: on the same test rows they are usually alike, so it is wider
    than the truth needs, never narrower."""
    delta = model - baseline
    below = np.hypot(model - model_ci["low"], baseline_ci["high"] - baseline)
    above = np.hypot(model_ci["high"] - model, baseline - baseline_ci["low"])
    return {"low": float(delta - below), "high": float(delta + above), "method": "mover"}


def difference_interval(
    metric: Metric,
    y_true,
    predictions: dict,
    scores: dict,
    intervals: dict,
    resampled: dict,
    confidence: float,
) -> dict:
    """The interval of score(model) − score(baseline) on the same test rows."""
    if metric.share_of_rows:
        y_true = np.asarray(y_true)
        return newcombe(
            y_true == predictions["model"].values,
            y_true == predictions["baseline"].values,
            confidence,
        )
    if all(intervals[label]["method"] == "bootstrap" for label in ("model", "baseline")):
        paired = interval(resampled["model"] - resampled["baseline"], confidence)
        return {**paired, "method": "paired bootstrap"}
    return mover(scores["model"], intervals["model"], scores["baseline"], intervals["baseline"])
