"""Stage 4, evaluate: the only stage that reads the test rows.

    python -m {{ cookiecutter.module_name }}.evaluate

It scores the trained model and a baseline the same way: cross-validation on the training
rows (mean and spread), then once on the held-out test rows with a bootstrap interval.
It also scores each feature on its own, on training rows: a single feature that comes
close to the whole model is worth a question (is it known when a prediction is made?).
"""

from __future__ import annotations

import warnings

import joblib
import numpy as np
import pandas as pd
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from . import checks, columns, datasets, environment, figures, modelling, paths, scoring
from .files import write_json_atomic
from .params import load
from .validation import read_table

# Each feature alone is scored on a sample of at most this many training rows, with a small
# tree: enough to see a feature that carries most of the score, cheap on any table.
SINGLE_FEATURE_ROWS = 5000
# A feature alone reaching this share of the model's gain over the baseline is named.
CLOSE_TO_MODEL = 0.8
# The learning curve refits the model many times: on big tables, a sample of training rows.
LEARNING_CURVE_ROWS = 20_000


def gain(score: float, baseline: float, name: str) -> float:
    """How much better than the baseline a score is (for errors, lower is better)."""
    return baseline - score if name in scoring.LOWER_IS_BETTER else score - baseline


def single_feature_scores(x_train, y_train, decisions: dict, settings: dict, results: dict):
    """Each feature alone, cross-validated on training rows, against the full model."""
    task, name, seed = decisions["task"], decisions["metric"], settings["seed"]
    sample = x_train.sample(min(len(x_train), SINGLE_FEATURE_ROWS), random_state=seed)
    labels = y_train.loc[sample.index]
    tree = DecisionTreeClassifier if task == "classification" else DecisionTreeRegressor
    baseline = results["baseline"]["cv"]["mean"]
    model_gain = gain(results["model"]["cv"]["mean"], baseline, name)
    scores = []
    for role, names in columns.features_by_role(decisions).items():
        for feature in names:
            alone = Pipeline(
                [
                    ("preprocess", modelling.preprocessing({role: [feature]})),
                    ("model", tree(max_depth=4, random_state=seed)),
                ]
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a rare class may miss a fold of the sample
                cv = cross_val_score(
                    alone,
                    sample,
                    labels,
                    cv=scoring.folds(task, 3, seed),
                    scoring=scoring.make_metric_scorer(task, name),
                )
            share = gain(float(np.mean(cv)), baseline, name) / model_gain if model_gain > 0 else 0.0
            scores.append((feature, float(np.mean(cv)), share))
    # Strongest first; keyed by feature name, as DVC reads metrics files as nested keys.
    return {
        feature: {"cv": cv, "share_of_model_gain": share, "close_to_model": share >= CLOSE_TO_MODEL}
        for feature, cv, share in sorted(scores, key=lambda s: -s[2])
    }


def evaluate(model, train: pd.DataFrame, test: pd.DataFrame, params: dict, decisions: dict) -> dict:
    """All numbers the write-up reports, computed from the model and the two splits."""
    settings = params["evaluate"]
    task, name, target = decisions["task"], decisions["metric"], decisions["target"]
    features = columns.features_by_role(decisions)
    if decisions["split"]["identical"] in ("none", "grouped"):
        names = [n for group in features.values() for n in group]
        checks.assert_no_shared_rows(train[names], test[names])
    checks.assert_preprocessing_in_pipeline(model)
    fn = scoring.metric(task, name)
    x_train, y_train = datasets.split_features(train, target)
    x_test, y_test = datasets.split_features(test, target)

    candidates = {
        "model": model,
        "baseline": modelling.build_baseline(task, features).fit(x_train, y_train),
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
    results["single_features"] = single_feature_scores(
        x_train, y_train, decisions, settings, results
    )
    return results


def main() -> None:
    modelling.one_blas_thread()
    params = load()
    decisions = columns.load()
    train, test = read_table(paths.TRAIN), read_table(paths.TEST)
    model = joblib.load(paths.MODEL)
    results = evaluate(model, train, test, params, decisions)

    task, target, settings = decisions["task"], decisions["target"], params["evaluate"]
    x_test, y_test = datasets.split_features(test, target)
    paths.FIGURES.mkdir(parents=True, exist_ok=True)
    for old in paths.FIGURES.glob("*.png"):
        old.unlink()  # figures are outputs of this stage only; stale ones would mislead
    figures.errors(task, y_test, model.predict(x_test), paths.FIGURES)
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
    name = decisions["metric"]
    print(
        f"evaluate: test {name} {results['model']['test'][name]:.3f} "
        f"(baseline {results['baseline']['test'][name]:.3f}) -> "
        f"{paths.METRICS.relative_to(paths.ROOT)}"
    )
    for feature, alone in results["single_features"].items():
        if alone["close_to_model"]:
            print(
                f"evaluate: feature {feature!r} alone reaches {alone['share_of_model_gain']:.0%} "
                "of the model's gain over the baseline: is it known at the moment a prediction "
                "is made? (see the write-up)"
            )


if __name__ == "__main__":
    main()
