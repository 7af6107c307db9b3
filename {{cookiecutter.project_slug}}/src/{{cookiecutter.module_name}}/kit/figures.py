"""The pipeline's figures, drawn by the evaluate stage into reports/figures/."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")  # draw to files; no screen needed
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.metrics import ConfusionMatrixDisplay, PredictionErrorDisplay  # noqa: E402
from sklearn.model_selection import LearningCurveDisplay  # noqa: E402

from .decisions import Task  # noqa: E402
from .metrics import Metric  # noqa: E402
from .progress import Progress  # noqa: E402


def save_figure(fig, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)


def draw_errors(task: Task, y_true, y_pred, folder: Path) -> None:
    """Where the model goes wrong: a confusion matrix, or residuals for numbers."""
    fig, ax = plt.subplots(figsize=(6, 5))
    if Task(task) is Task.CLASSIFICATION:
        ConfusionMatrixDisplay.from_predictions(y_true, y_pred, ax=ax, colorbar=False)
        ax.set_title("Confusion matrix on the test set")
        save_figure(fig, folder / "confusion_matrix.png")
    else:
        PredictionErrorDisplay.from_predictions(y_true, y_pred, kind="residual_vs_predicted", ax=ax)
        ax.set_title("Residuals on the test set")
        save_figure(fig, folder / "residuals.png")


def spread_band(scores, bounds: tuple[float, float] | None):
    """Mean ± one standard deviation of each row of fold scores, kept inside the metric's
    range: a score of 1.0 ± 0.02 is a band up to 1.0, never above what the metric can be."""
    mean, sd = scores.mean(axis=1), scores.std(axis=1)
    low, high = bounds if bounds else (-np.inf, np.inf)
    return np.clip(mean - sd, low, high), np.clip(mean + sd, low, high)


def draw_learning_curve(
    pipeline, features, target, metric: Metric, cv, folder: Path, train_sizes=None
) -> None:
    """Scores as the training set grows: a gap between the lines hints at overfitting.

    ``train_sizes``: numbers of rows that can be scored (kit/split.py's learning_curve_sizes).
    """
    fig, ax = plt.subplots(figsize=(6, 4))
    sizes = train_sizes if train_sizes is not None else [0.1, 0.325, 0.55, 0.775, 1.0]
    # Each fit is scored twice: on its own training rows, and on the held-out fold.
    count = 2 * len(sizes) * cv.get_n_splits(features, target)
    with Progress("evaluate: learning curve", "scores", count) as progress:
        display = LearningCurveDisplay.from_estimator(
            pipeline,
            features,
            target,
            cv=cv,
            train_sizes=sizes,
            shuffle=True,  # a smaller size takes rows of every class, not the first rows only
            random_state=0,
            scoring=progress.counted(metric.scorer()),
            score_name=metric.name,
            ax=ax,
            std_display_style=None,  # the spread is drawn below, within the metric's range
        )
    scores_of_lines = zip(display.lines_, (display.train_scores, display.test_scores), strict=True)
    for line, scores in scores_of_lines:
        low, high = spread_band(scores, metric.bounds)
        ax.fill_between(display.train_sizes, low, high, color=line.get_color(), alpha=0.3)
    ax.legend(display.lines_, ["score on the rows it trained on", "score on held-out folds"])
    ax.set_title("Learning curve (cross-validated on training rows)")
    save_figure(fig, folder / "learning_curve.png")
