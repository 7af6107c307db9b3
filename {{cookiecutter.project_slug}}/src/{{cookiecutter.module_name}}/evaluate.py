"""Stage 4, evaluate: the only stage that reads the test rows.

    python -m {{ cookiecutter.module_name }}.evaluate

It scores the trained model and a baseline the same way: cross-validation on the training
rows (mean and spread), then once on the held-out test rows with an interval (kit/scoring.py
says which method, and why). It draws the figures, records the software versions, and adds
the look at the test set to the ledger of tries (reports/ledger.csv), unless the same model
was scored on the same rows before. Before the first look, QUESTION.md must be committed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .kit import decisions, figures, guards, ledger, pipeline, preregister, scoring
from .kit.files import write_json
from .kit.params import load_params
from .kit.paths import ENVIRONMENT, FIGURES, LEDGER, METRICS, MODEL, TEST, TRAIN, shown
from .kit.preprocess import baseline
from .kit.provenance import versions
from .kit.reading import features_and_target, read_table
from .kit.split import folds, learning_curve_sizes

# The learning curve refits the model many times (five sizes, each on every fold): on big
# tables, a sample of training rows, and on three folds at most. It is a picture of a trend,
# not a score: the scores above use evaluate.cv_folds.
LEARNING_CURVE_ROWS = 20_000
LEARNING_CURVE_FOLDS = 3


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
    Only the target and the predictions are kept for the whole split.
    """
    labels, values, probabilities = [], {k: [] for k in fitted}, {k: [] for k in fitted}
    for part in parts:
        x_part, y_part = features_and_target(part, target)
        if train_features is not None:
            guards.assert_no_shared_rows(train_features, x_part[train_features.columns])
        labels.append(y_part)
        for label, model in fitted.items():
            values[label].append(model.predict(x_part))
            if hasattr(model, "predict_proba"):
                probabilities[label].append(model.predict_proba(x_part))
    y_test = labels[0] if len(labels) == 1 else pd.concat(labels, ignore_index=True)
    return y_test, {
        label: scoring.Predictions(
            np.concatenate(values[label]),
            np.concatenate(probabilities[label]) if probabilities[label] else None,
            getattr(model, "classes_", None),
        )
        for label, model in fitted.items()
    }


def evaluate(fitted, train: pd.DataFrame, test, params: dict, decided) -> dict:
    """All numbers the write-up reports, computed from the model and the two splits.

    ``test`` is the test table, or its parts (``read_parts``): it is predicted part by part.
    """
    settings, task = params["evaluate"], decided.task
    headline = scoring.metric(task, decided.metric)
    guards.assert_preprocessing_in_pipeline(fitted)
    x_train, y_train = features_and_target(train, decided.target)
    unfitted = {
        "model": pipeline.build(params["train"], task, decided.roles()),
        "baseline": baseline(task),
    }
    fitted = {"model": fitted, "baseline": unfitted["baseline"].fit(x_train, y_train)}
    # Copies must not cross the split (when it keeps them apart): checked on each part of
    # the test rows. metrics.json lists the guards run, so the review can see they passed.
    checked = guards.run_by_evaluate(decided.split)
    guarded = train[decided.feature_names()] if guards.Guard.NO_SHARED_ROWS in checked else None
    parts = [test] if isinstance(test, pd.DataFrame) else test
    y_test, predictions = predict_in_parts(fitted, parts, decided.target, guarded)
    results = {
        "task": task.value,
        "estimator": type(fitted["model"][-1]).__name__,
        "metric": headline.name,
        "n_train": len(train),
        "n_test": len(y_test),
    }
    resampled, scores, intervals = {}, {}, {}
    for label in ("model", "baseline"):
        print(  # progress: these steps take a while on a big table
            f"evaluate: {label}: {cv_folds(decided, settings)}-fold cross-validation on "
            f"{len(train)} training rows, then its interval on {len(y_test)} test rows",
            flush=True,
        )
        predicted = predictions[label]
        # Accuracy's interval is Wilson's (kit/scoring.py); other metrics resample the test
        # rows, with one seed, so the scores of the two models pair up for their difference.
        resampled[label] = (
            None
            if headline.share_of_rows
            else scoring.bootstrap_scores(
                y_test,
                predicted,
                headline,
                settings["bootstrap_resamples"],
                settings["seed"],
                f"evaluate: {label}: bootstrap",
            )
        )
        scores[label] = scoring.score(headline, y_test, predicted)
        intervals[label] = scoring.test_interval(
            headline, y_test, predicted, resampled[label], settings["confidence"]
        )
        results[label] = {
            "cv": scoring.cross_validate(
                unfitted[label],
                x_train,
                y_train,
                task,
                headline,
                settings["cv_folds"],
                settings["seed"],
                decided.split,
                f"evaluate: {label}: cross-validation",
            ),
            "test": {
                name: scoring.score(metric, y_test, predicted)
                for name, metric in scoring.metrics_for(task).items()
                if not metric.probabilities or predicted.probabilities is not None
            },
            "test_ci": intervals[label],
        }
    results["difference"] = {
        "test": scores["model"] - scores["baseline"],
        "test_ci": scoring.difference_interval(
            headline, y_test, predictions, scores, intervals, resampled, settings["confidence"]
        ),
    }
    results["confidence"] = settings["confidence"]
    results["leakage_guards"] = [guard.value for guard in checked]  # each one passed
    return results


def cv_folds(decided, settings: dict) -> int:
    """The folds prepare planned (fewer than evaluate.cv_folds on few rows)."""
    return decided.folds.used if decided.folds else settings["cv_folds"]


def draw_figures(fitted, train: pd.DataFrame, params: dict, decided) -> None:
    """Where the model goes wrong on the test rows, and its learning curve."""
    settings, task = params["evaluate"], decided.task
    for old in FIGURES.glob("*.png"):
        old.unlink()  # figures are outputs of this stage only; stale ones would mislead
    y_test, predicted = predict_in_parts({"model": fitted}, read_parts(TEST), decided.target)
    figures.draw_errors(task, y_test, predicted["model"].values, FIGURES)
    rows = train.sample(min(len(train), LEARNING_CURVE_ROWS), random_state=settings["seed"])
    x_rows, y_rows = features_and_target(rows, decided.target)
    cv = folds(
        task, min(settings["cv_folds"], LEARNING_CURVE_FOLDS), settings["seed"], decided.split
    )
    sizes = learning_curve_sizes(cv, x_rows, y_rows, task)
    if not sizes:  # too few rows to score two training sizes: no curve rather than noise
        print(f"evaluate: no learning curve: {len(rows)} training rows are too few to draw one")
        return
    figures.draw_learning_curve(
        pipeline.build(params["train"], task, decided.roles()),
        x_rows,
        y_rows,
        scoring.metric(task, decided.metric),
        cv,
        FIGURES,
        train_sizes=sizes,
    )


def main() -> None:
    threadpool_limits(limits=1, user_api="blas")  # see train.py
    params, decided = load_params(), decisions.load()
    looks = ledger.ledger()
    # Before the first look at the test set: is the hypothesis on record (kit/preregister.py)?
    note = preregister.before_first_look(looks)
    if note:
        print(note, flush=True)
    train = read_table(TRAIN)
    fitted = joblib.load(MODEL)
    results = evaluate(fitted, train, read_parts(TEST), params, decided)
    draw_figures(fitted, train, params, decided)
    write_json(results, METRICS)
    write_json(versions(), ENVIRONMENT)
    name = results["metric"]
    # One more look at the test set, in the ledger, unless it is one seen before: the same
    # model scored on the same rows (run.py clean, then run.py study) shows nothing new.
    fingerprint = ledger.look_fingerprint(params)
    seen = ledger.earlier_look(fingerprint, looks)
    if seen:
        print(
            f"evaluate: the same model on the same test rows as the look of {seen['date']}: "
            f"not counted again in {shown(LEDGER)}"
        )
    else:
        ledger.record(
            "test",
            params,
            decided.task,
            results["model"]["cv"],
            name,
            results["model"]["test"][name],
            fingerprint,
        )
    print(
        f"evaluate: test {name} {results['model']['test'][name]:.3f} "
        f"(baseline {results['baseline']['test'][name]:.3f}) -> {shown(METRICS)}"
    )


if __name__ == "__main__":
    main()
