"""Stage 4, evaluate: the only stage that reads the test rows.

    python -m {{ cookiecutter.module_name }}.evaluate

It scores the trained model and a baseline the same way: cross-validation on the training
rows (mean and spread), then once on the held-out test rows with a bootstrap interval.
"""

from __future__ import annotations

import joblib
import pandas as pd

from . import checks, datasets, environment, figures, modelling, paths, provenance, scoring
from .files import write_json_atomic
from .params import load
from .validation import read_table


def evaluate(model, train: pd.DataFrame, test: pd.DataFrame, params: dict) -> dict:
    """All numbers the write-up reports, computed from the model and the two splits."""
    data, settings = params["data"], params["evaluate"]
    task, name, target = data["task"], settings["metric"], data["target"]
    checks.assert_no_shared_rows(train, test, target)
    checks.assert_preprocessing_in_pipeline(model)
    fn = scoring.metric(task, name)
    x_train, y_train = datasets.split_features(train, target)
    x_test, y_test = datasets.split_features(test, target)

    candidates = {
        "model": model,
        "baseline": modelling.build_baseline(task).fit(x_train, y_train),
    }
    results = {
        "task": task,
        "estimator": type(model[-1]).__name__,
        "metric": name,
        "n_train": len(train),
        "n_test": len(test),
    }
    predictions, resampled = {}, {}
    for label, fitted in candidates.items():
        predictions[label] = fitted.predict(x_test)
        # Scored once per resample and reused for the paired difference below: the metric
        # calls take a large share of this stage's time.
        resampled[label] = scoring.bootstrap_scores(
            y_test, predictions[label], fn, settings["bootstrap_resamples"], settings["seed"]
        )
        unfitted = (
            modelling.build(params["train"], task)
            if label == "model"
            else (modelling.build_baseline(task))
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
    train, test = read_table(paths.TRAIN), read_table(paths.TEST)
    model = joblib.load(paths.MODEL)
    results = evaluate(model, train, test, params)

    data, settings = params["data"], params["evaluate"]
    x_train, y_train = datasets.split_features(train, data["target"])
    x_test, y_test = datasets.split_features(test, data["target"])
    paths.FIGURES.mkdir(parents=True, exist_ok=True)
    for old in paths.FIGURES.glob("*.png"):
        old.unlink()  # figures are outputs of this stage only; stale ones would mislead
    figures.errors(data["task"], y_test, model.predict(x_test), paths.FIGURES)
    figures.learning_curve(
        modelling.build(params["train"], data["task"]),
        x_train,
        y_train,
        data["task"],
        settings["metric"],
        scoring.folds(data["task"], settings["cv_folds"], settings["seed"]),
        paths.FIGURES,
    )
    write_json_atomic(results, paths.METRICS)
    write_json_atomic(environment.describe(), paths.ENVIRONMENT)
    provenance.record_test_look(params, results)  # one more look at the test set, in the ledger
    name = settings["metric"]
    print(
        f"evaluate: test {name} {results['model']['test'][name]:.3f} "
        f"(baseline {results['baseline']['test'][name]:.3f}) -> "
        f"{paths.METRICS.relative_to(paths.ROOT)}"
    )


if __name__ == "__main__":
    main()
