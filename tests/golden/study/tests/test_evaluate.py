"""Evaluation on the study's data: the baseline scored as it should be, intervals around
their estimates."""

import numpy as np
import pytest

from digits_practice_study import evaluate, train
from digits_practice_study.kit import guards


@pytest.fixture(scope="module")
def evaluated(prepared, params):
    train_rows, test_rows, decisions = prepared
    quick = {**params, "evaluate": {**params["evaluate"], "bootstrap_resamples": 200}}
    fitted = train.fit(train_rows, quick, decisions)
    results = evaluate.evaluate(fitted, train_rows, test_rows, quick, decisions)
    return train_rows, test_rows, decisions, results


def test_the_baseline_scores_what_a_constant_guess_scores(evaluated):
    """Most frequent training class (or the training mean) for every test row."""
    train_rows, test_rows, decisions, results = evaluated
    target = decisions.target
    scores = results["baseline"]["test"]
    if decisions.task == "classification":
        guess = train_rows[target].mode()[0]
        assert scores["accuracy"] == pytest.approx((test_rows[target] == guess).mean())
    else:
        guess = train_rows[target].mean()
        assert scores["mae"] == pytest.approx(np.abs(test_rows[target] - guess).mean())


def test_interval_contains_the_estimate(evaluated):
    results = evaluated[-1]
    name = results["metric"]
    for label in ("model", "baseline"):
        ci = results[label]["test_ci"]
        assert ci["low"] <= results[label]["test"][name] <= ci["high"]


def test_the_difference_is_model_minus_baseline(evaluated):
    results = evaluated[-1]
    name = results["metric"]
    gap = results["model"]["test"][name] - results["baseline"]["test"][name]
    assert results["difference"]["test"] == pytest.approx(gap)


def test_the_guards_that_ran_are_recorded_for_the_review(evaluated):
    """run.py review (4c, 6a) reads them in reports/metrics.json: the guards this split needs."""
    decisions, results = evaluated[2], evaluated[-1]
    ran = [guard.value for guard in guards.run_by_evaluate(decisions.split)]
    assert results["leakage_guards"] == ran
    assert guards.Guard.PREPROCESSING_IN_PIPELINE.value in ran
