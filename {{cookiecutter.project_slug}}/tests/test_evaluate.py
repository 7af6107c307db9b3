"""Evaluation on the study's data: metrics in range, intervals around their estimates."""

import pytest

from {{ cookiecutter.module_name }} import evaluate, prepare, scoring, train


@pytest.fixture(scope="module")
def results(raw, params):
    data = params["data"]
    frame = prepare.usable_rows(raw, data["target"])
    train_rows, test_rows = prepare.split(frame, data, params["prepare"])
    quick = {**params, "evaluate": {**params["evaluate"], "bootstrap_resamples": 200}}
    model = train.fit(train_rows, quick)
    return evaluate.evaluate(model, train_rows, test_rows, quick)


def test_model_and_baseline_are_both_scored(results):
    name = results["metric"]
    for label in ("model", "baseline"):
        assert set(results[label]) == {"cv", "test", "test_ci"}
        assert name in results[label]["test"]


def test_metrics_lie_in_range(results):
    for label in ("model", "baseline"):
        for name, value in results[label]["test"].items():
            if name in ("accuracy", "balanced_accuracy", "f1_macro"):
                assert 0.0 <= value <= 1.0
            elif name in scoring.LOWER_IS_BETTER:
                assert value >= 0.0
            else:
                assert value <= 1.0
        assert results[label]["cv"]["sd"] >= 0.0


def test_interval_contains_the_estimate(results):
    name = results["metric"]
    for label in ("model", "baseline"):
        ci = results[label]["test_ci"]
        assert ci["low"] <= results[label]["test"][name] <= ci["high"]
