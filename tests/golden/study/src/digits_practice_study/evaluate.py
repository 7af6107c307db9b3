"""Stage 4, evaluate: the only stage that reads the test rows.

    python -m digits_practice_study.evaluate

It scores the trained model and a baseline the same way: cross-validation on the training
rows (mean and spread), then once on the held-out test rows with a bootstrap interval. It
draws the figures, records the software versions, and adds one more look at the test set to the
ledger of tries (review.py).
"""

from __future__ import annotations

import platform
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import joblib
import matplotlib
import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from . import config, dataset, model, review

matplotlib.use("Agg")  # draw to files; no screen needed
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.metrics import ConfusionMatrixDisplay, PredictionErrorDisplay  # noqa: E402
from sklearn.model_selection import LearningCurveDisplay  # noqa: E402

# The learning curve refits the model many times: on big tables, a sample of training rows.
LEARNING_CURVE_ROWS = 20_000
KEY_PACKAGES = ("scikit-learn", "pandas", "numpy", "matplotlib", "dvc")


def bootstrap_scores(y_true, y_pred, score, resamples: int, seed: int) -> np.ndarray:
    """``score`` on each of ``resamples`` resamples of the test rows, drawn with replacement.

    The same seed draws the same rows, so the scores of two models pair up one to one: their
    difference is the paired bootstrap of score(model) - score(other).
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    rng = np.random.default_rng(seed)
    scores = np.empty(resamples)
    for i in range(resamples):  # one resample at a time: memory stays one test set's size
        rows = rng.integers(0, len(y_true), size=len(y_true))
        scores[i] = score(y_true[rows], y_pred[rows])
    return scores


def interval(scores, confidence: float) -> dict[str, float]:
    """The central ``confidence`` share of bootstrap scores."""
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(scores, [tail, 100 - tail])
    return {"low": float(low), "high": float(high)}


def read_parts(path: Path) -> Iterator[pd.DataFrame]:
    """A split one part at a time: each file of a Parquet folder (compute=dask), or a CSV whole."""
    if path.is_dir():
        for part in sorted(path.glob("*.parquet")):
            yield pd.read_parquet(part)
    else:
        yield dataset.read_table(path)


def predict_in_parts(fitted: dict, parts, target: str, train_features=None):
    """The test target and each model's predictions, made one part of the test rows at a time.

    With ``train_features``, each part is checked to share no row with them (leakage guard).
    Only the target and the predictions, one column each, are kept for the whole split.
    """
    labels, predicted = [], {label: [] for label in fitted}
    for part in parts:
        x_part, y_part = dataset.features_and_target(part, target)
        if train_features is not None:
            dataset.assert_no_shared_rows(train_features, x_part[train_features.columns])
        labels.append(y_part)
        for label, pipeline in fitted.items():
            predicted[label].append(pipeline.predict(x_part))
    y_test = labels[0] if len(labels) == 1 else pd.concat(labels, ignore_index=True)
    return y_test, {label: np.concatenate(p) for label, p in predicted.items()}


def evaluate(fitted, train: pd.DataFrame, test, params: dict, decisions: dict) -> dict:
    """All numbers the write-up reports, computed from the model and the two splits.

    ``test`` is the test table, or its parts (``read_parts``): it is predicted part by part.
    """
    settings = params["evaluate"]
    task, name, roles = decisions["task"], decisions["metric"], dataset.roles(decisions)
    dataset.assert_preprocessing_in_pipeline(fitted)
    x_train, y_train = dataset.features_and_target(train, decisions["target"])
    unfitted = {
        "model": model.build(params["train"], task, roles),
        "baseline": model.build_baseline(task, roles),
    }
    fitted = {"model": fitted, "baseline": unfitted["baseline"].fit(x_train, y_train)}
    guarded = None  # copies must not cross the split: checked on each part of the test rows
    if decisions["split"]["identical"] in ("none", "grouped"):
        guarded = train[dataset.feature_names(decisions)]
    parts = [test] if isinstance(test, pd.DataFrame) else test
    y_test, predictions = predict_in_parts(fitted, parts, decisions["target"], guarded)
    results = {
        "task": task,
        "estimator": type(fitted["model"][-1]).__name__,
        "metric": name,
        "n_train": len(train),
        "n_test": len(y_test),
    }
    resampled = {}
    for label in ("model", "baseline"):
        print(  # progress: these steps take a while on a big table
            f"evaluate: {label}: {settings['cv_folds']}-fold cross-validation on {len(train)} "
            f"training rows, {settings['bootstrap_resamples']} bootstrap resamples of "
            f"{len(y_test)} test rows",
            flush=True,
        )
        predicted = predictions[label]
        # Scored once per resample, and reused for the paired difference below.
        resampled[label] = bootstrap_scores(
            y_test,
            predicted,
            model.metric(task, name),
            settings["bootstrap_resamples"],
            settings["seed"],
        )
        results[label] = {
            "cv": model.cross_validate(
                unfitted[label],
                x_train,
                y_train,
                task,
                name,
                settings["cv_folds"],
                settings["seed"],
            ),
            "test": {m: float(f(y_test, predicted)) for m, f in model.METRICS[task].items()},
            "test_ci": interval(resampled[label], settings["confidence"]),
        }
    results["difference"] = {
        "test": results["model"]["test"][name] - results["baseline"]["test"][name],
        "test_ci": interval(resampled["model"] - resampled["baseline"], settings["confidence"]),
    }
    results["confidence"] = settings["confidence"]
    return results


# ---------------------------------------------------------------- figures


def save_figure(fig, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)


def draw_errors(task: str, y_true, y_pred, folder: Path) -> None:
    """Where the model goes wrong: a confusion matrix, or residuals for numbers."""
    fig, ax = plt.subplots(figsize=(6, 5))
    if task == "classification":
        ConfusionMatrixDisplay.from_predictions(y_true, y_pred, ax=ax, colorbar=False)
        ax.set_title("Confusion matrix on the test set")
        save_figure(fig, folder / "confusion_matrix.png")
    else:
        PredictionErrorDisplay.from_predictions(y_true, y_pred, kind="residual_vs_predicted", ax=ax)
        ax.set_title("Residuals on the test set")
        save_figure(fig, folder / "residuals.png")


def draw_learning_curve(pipeline, features, target, task: str, name: str, cv, folder: Path):
    """Scores as the training set grows: a gap between the lines hints at overfitting."""
    fig, ax = plt.subplots(figsize=(6, 4))
    LearningCurveDisplay.from_estimator(
        pipeline,
        features,
        target,
        cv=cv,
        scoring=model.scorer(task, name),
        score_name=name,
        ax=ax,
        std_display_style="fill_between",
    )
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles, ["score on the rows it trained on", "score on held-out folds"])
    ax.set_title("Learning curve (cross-validated on training rows)")
    save_figure(fig, folder / "learning_curve.png")


# ---------------------------------------------------------------- what ran it


def versions() -> dict:
    """Python, the platform and the key packages, so a reader knows what made the results."""
    packages = {}
    for name in KEY_PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = "not installed"
    return {
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "machine": platform.machine(),
        "packages": packages,
    }


def main() -> None:
    threadpool_limits(limits=1, user_api="blas")  # see train.py
    params, decisions = config.load_params(), dataset.load_decisions()
    train = dataset.read_table(config.TRAIN)
    fitted = joblib.load(config.MODEL)
    results = evaluate(fitted, train, read_parts(config.TEST), params, decisions)

    task, name, settings = decisions["task"], decisions["metric"], params["evaluate"]
    for old in config.FIGURES.glob("*.png"):
        old.unlink()  # figures are outputs of this stage only; stale ones would mislead
    y_test, predicted = predict_in_parts(
        {"model": fitted}, read_parts(config.TEST), decisions["target"]
    )
    draw_errors(task, y_test, predicted["model"], config.FIGURES)
    rows = train.sample(min(len(train), LEARNING_CURVE_ROWS), random_state=settings["seed"])
    draw_learning_curve(
        model.build(params["train"], task, dataset.roles(decisions)),
        *dataset.features_and_target(rows, decisions["target"]),
        task,
        name,
        model.folds(task, settings["cv_folds"], settings["seed"]),
        config.FIGURES,
    )
    config.write_json(results, config.METRICS)
    config.write_json(versions(), config.ENVIRONMENT)
    # One more look at the test set, in the ledger.
    review.record(
        "test", params, task, results["model"]["cv"], name, results["model"]["test"][name]
    )
    print(
        f"evaluate: test {name} {results['model']['test'][name]:.3f} "
        f"(baseline {results['baseline']['test'][name]:.3f}) -> {config.shown(config.METRICS)}"
    )


if __name__ == "__main__":
    main()
