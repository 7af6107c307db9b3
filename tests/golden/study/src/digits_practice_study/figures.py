"""The study's figures, drawn with matplotlib and saved as PNG files."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # draw to files; no screen needed

import matplotlib.pyplot as plt  # noqa: E402
from sklearn.metrics import ConfusionMatrixDisplay, PredictionErrorDisplay  # noqa: E402
from sklearn.model_selection import LearningCurveDisplay  # noqa: E402

from . import scoring  # noqa: E402


def save(fig, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)


def errors(task: str, y_true, y_pred, folder: Path) -> Path:
    """Where the model goes wrong: a confusion matrix, or residuals for numbers."""
    fig, ax = plt.subplots(figsize=(6, 5))
    if task == "classification":
        ConfusionMatrixDisplay.from_predictions(y_true, y_pred, ax=ax, colorbar=False)
        ax.set_title("Confusion matrix on the test set")
        path = folder / "confusion_matrix.png"
    else:
        PredictionErrorDisplay.from_predictions(y_true, y_pred, kind="residual_vs_predicted", ax=ax)
        ax.set_title("Residuals on the test set")
        path = folder / "residuals.png"
    save(fig, path)
    return path


def learning_curve(model, features, labels, task: str, name: str, cv, folder: Path) -> Path:
    """Scores as the training set grows: a gap between the lines hints at overfitting."""
    fig, ax = plt.subplots(figsize=(6, 4))
    LearningCurveDisplay.from_estimator(
        model,
        features,
        labels,
        cv=cv,
        scoring=scoring.make_metric_scorer(task, name),
        score_name=name,
        ax=ax,
        std_display_style="fill_between",
    )
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles, ["score on the rows it trained on", "score on held-out folds"])
    ax.set_title("Learning curve (cross-validated on training rows)")
    path = folder / "learning_curve.png"
    save(fig, path)
    return path
