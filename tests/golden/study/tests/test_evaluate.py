"""Evaluation on the study's data: metrics in range, intervals around their estimates."""

import pytest

from digits_practice_study import evaluate, prepare, train


@pytest.fixture(scope="module")
def results(raw, params):
    train_rows, test_rows, decisions = prepare.prepare_table(raw, params)
    quick = {**params, "evaluate": {**params["evaluate"], "bootstrap_resamples": 200}}
    model = train.fit(train_rows, quick, decisions)
    return evaluate.evaluate(model, train_rows, test_rows, quick, decisions)


def test_model_and_baseline_are_both_scored(results):
    name = results["metric"]
    for label in ("model", "baseline"):
        assert set(results[label]) == {"cv", "test", "test_ci"}
        assert name in results[label]["test"]


def test_interval_contains_the_estimate(results):
    name = results["metric"]
    for label in ("model", "baseline"):
        ci = results[label]["test_ci"]
        assert ci["low"] <= results[label]["test"][name] <= ci["high"]
