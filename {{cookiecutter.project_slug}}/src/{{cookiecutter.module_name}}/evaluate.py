"""Stage 4, evaluate: the only stage that reads the test rows.

    python -m {{ cookiecutter.module_name }}.evaluate

It scores the trained model and a baseline the same way: cross-validation on the training
rows (mean and spread), then once on the held-out test rows with a bootstrap interval.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

from . import checks, columns, datasets, environment, figures, modelling, paths, provenance, scoring
from .files import write_json_atomic
from .params import load
from .validation import read_table

# The learning curve refits the model many times: on big tables, a sample of training rows.
LEARNING_CURVE_ROWS = 20_000


def read_parts(path: Path) -> Iterator[pd.DataFrame]:
    """A split one part at a time: each file of a Parquet folder (compute=dask), or a CSV whole."""
    if path.is_dir():
        for part in sorted(path.glob("*.parquet")):
            yield pd.read_parquet(part)
    else:
        yield read_table(path)


def predict_in_parts(fitted: dict, parts, target: str, train_features=None):
    """The test target and each model's predictions, made one part of the test rows at a time.

    With ``train_features``, each part is checked to share no row with them (leakage guard).
    Only the target and the predictions, one column each, are kept for the whole split.
    """
    labels, predicted = [], {label: [] for label in fitted}
    for part in parts:
        x_part, y_part = datasets.split_features(part, target)
        if train_features is not None:
            checks.assert_no_shared_rows(train_features, x_part[train_features.columns])
        labels.append(y_part)
        for label, model in fitted.items():
            predicted[label].append(model.predict(x_part))
    y_test = labels[0] if len(labels) == 1 else pd.concat(labels, ignore_index=True)
    return y_test, {label: np.concatenate(p) for label, p in predicted.items()}


def evaluate(model, train: pd.DataFrame, test, params: dict, decisions: dict) -> dict:
    """All numbers the write-up reports, computed from the model and the two splits.

    ``test`` is the test table, or its parts (``read_parts``): it is predicted part by part.
    """
    settings = params["evaluate"]
    task, name, target = decisions["task"], decisions["metric"], decisions["target"]
    features = columns.features_by_role(decisions)
    guarded = None
    if decisions["split"]["identical"] in ("none", "grouped"):
        guarded = train[[n for group in features.values() for n in group]]
    checks.assert_preprocessing_in_pipeline(model)
    fn = scoring.metric(task, name)
    x_train, y_train = datasets.split_features(train, target)

    candidates = {
        "model": model,
        "baseline": modelling.build_baseline(task, features).fit(x_train, y_train),
    }
    parts = [test] if isinstance(test, pd.DataFrame) else test
    y_test, predictions = predict_in_parts(candidates, parts, target, guarded)
    results = {
        "task": task,
        "estimator": type(model[-1]).__name__,
        "metric": name,
        "n_train": len(train),
        "n_test": len(y_test),
    }
    resampled = {}
    for label in candidates:
        # Progress, as these steps take a while on a big table.
        print(
            f"evaluate: {label}: {settings['cv_folds']}-fold cross-validation on {len(train)} "
            f"training rows, {settings['bootstrap_resamples']} bootstrap resamples of "
            f"{len(y_test)} test rows",
            flush=True,
        )
        # Scored once per resample and reused for the paired difference below: the metric
        # calls take a large share of this stage's time.
        resampled[label] = scoring.bootstrap_scores(
            y_test, predictions[label], fn, settings["bootstrap_resamples"], settings["seed"]
        )
        unfitted = (
            modelling.build(params["train"], task, features)
            if label == "model"
            else modelling.build_baseline(task, features)
        )
        results[label] = {
            "cv": scoring.cross_validate(
                unfitted, x_train, y_train, task, name, settings["cv_folds"], settings["seed"]
            ),
            "test": scoring.score_all(task, y_test, predictions[label]),
            "test_ci": scoring.percentile_interval(resampled[label], settings["confidence"]),
        }
    results["difference"] = {
        "test": results["model"]["test"][name] - results["baseline"]["test"][name],
        "test_ci": scoring.percentile_interval(
            resampled["model"] - resampled["baseline"], settings["confidence"]
        ),
    }
    results["confidence"] = settings["confidence"]
    return results


def main() -> None:
    modelling.one_blas_thread()
    params = load()
    decisions = columns.load()
    train = read_table(paths.TRAIN)
    model = joblib.load(paths.MODEL)
    results = evaluate(model, train, read_parts(paths.TEST), params, decisions)

    task, target, settings = decisions["task"], decisions["target"], params["evaluate"]
    y_test, predicted = predict_in_parts({"model": model}, read_parts(paths.TEST), target)
    paths.FIGURES.mkdir(parents=True, exist_ok=True)
    for old in paths.FIGURES.glob("*.png"):
        old.unlink()  # figures are outputs of this stage only; stale ones would mislead
    figures.errors(task, y_test, predicted["model"], paths.FIGURES)
    curve_rows = train.sample(min(len(train), LEARNING_CURVE_ROWS), random_state=settings["seed"])
    x_curve, y_curve = datasets.split_features(curve_rows, target)
    figures.learning_curve(
        modelling.build(params["train"], task, columns.features_by_role(decisions)),
        x_curve,
        y_curve,
        task,
        decisions["metric"],
        scoring.folds(task, settings["cv_folds"], settings["seed"]),
        paths.FIGURES,
    )
    write_json_atomic(results, paths.METRICS)
    write_json_atomic(environment.describe(), paths.ENVIRONMENT)
    provenance.record_test_look(params, results)  # one more look at the test set, in the ledger
    name = decisions["metric"]
    print(
        f"evaluate: test {name} {results['model']['test'][name]:.3f} "
        f"(baseline {results['baseline']['test'][name]:.3f}) -> "
        f"{paths.METRICS.relative_to(paths.ROOT)}"
    )


if __name__ == "__main__":
    main()
