"""Fast tier: the claim rules of a rendered study's kit (claims, ledger, tries, review), on
good and bad sentences.

The modules are imported from a freshly rendered study (no environment needed: they use only
the standard library, PyYAML, pydantic and markdown-it-py at import time; tries imports
scikit-learn through the pipeline).
"""

from __future__ import annotations

import importlib
import sys
from types import SimpleNamespace

import pytest
from conftest import render_into

MODULE = "claims_study"


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return render_into(tmp_path_factory.mktemp("claims"), module_name=MODULE)


@pytest.fixture(scope="module")
def review(study):
    sys.path.insert(0, str(study.path / "src"))
    try:
        yield SimpleNamespace(
            **{
                name: importlib.import_module(f"{MODULE}.kit.{name}")
                for name in ("claims", "ledger", "tries", "review")
            }
        )
    finally:
        sys.path.remove(str(study.path / "src"))
        for name in [n for n in sys.modules if n == MODULE or n.startswith(f"{MODULE}.")]:
            del sys.modules[name]


def metrics(low: float, high: float) -> dict:
    """A metrics.json whose interval of model − baseline runs from low to high."""
    return {
        "metric": "accuracy",
        "confidence": 0.95,
        "difference": {"test": (low + high) / 2, "test_ci": {"low": low, "high": high}},
    }


INCLUDES_ZERO, FAR_ABOVE_ZERO = metrics(-0.04, 0.09), metrics(0.35, 0.62)


def rules(review, text: str, numbers: dict = INCLUDES_ZERO) -> list[str]:
    return [finding.rule for finding in review.claims.check_claims(text, numbers)]


def test_clearly_better_is_flagged_only_when_the_interval_includes_zero(review):
    sentence = "The model is clearly better than the baseline."
    assert rules(review, sentence, INCLUDES_ZERO) == ["improvement"]
    assert rules(review, sentence, FAR_ABOVE_ZERO) == []
    [finding] = review.claims.check_claims(sentence, INCLUDES_ZERO)
    assert "-0.040 to 0.090" in finding.message and "includes zero" in finding.message


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("Our random forest outperforms the baseline.", "improvement"),
        ("Tuning improved the model.", "improvement"),
        ("This proves that petal width decides the species.", "generality"),
        ("The model will always work for all flowers.", "generality"),
        ("In general, forests generalise well here.", "generality"),
        ("The gain over the baseline is significant.", "significance"),
        ("We found a statistically significant difference.", "significance"),
        ("The model reached 0.953 accuracy.", "typed-number"),
        ("It got 95.3% of the test rows right.", "typed-number"),
    ],
)
def test_over_claims_are_flagged(review, sentence, rule):
    assert rule in rules(review, sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The model is not clearly better than the baseline: the interval includes zero.",
        "It is unclear whether the model is better than the baseline.",
        "On this dataset, the model scored {{ metric('model.test.accuracy') }}.",
        "The 95% interval of the difference runs from {{ metric('difference.test_ci.low') }}.",
        "A permutation test (its p-value is in the table) shows a significant difference.",
        "We used Python 3.12 and five folds.",
        "We set the learning rate to 0.05 and kept 200 trees.",
        "Results may not carry over to other data.",
    ],
)
def test_careful_sentences_are_left_alone(review, sentence):
    assert rules(review, sentence) == []


def test_a_finding_points_at_its_paragraph_and_section(review):
    text = (
        "---\ntitle: A study\n---\n"
        "## Modelling\n\nWe compared three models.\nThe forest was chosen by CV.\n\n"
        "## Metrics and uncertainty\n\nThe scores are close.\n"
        "The model is clearly better than the baseline.\n"
    )
    [finding] = review.claims.check_claims(text, INCLUDES_ZERO)
    assert (finding.first, finding.line) == (11, 12)
    assert finding.section == "Metrics and uncertainty"
    assert text.splitlines()[finding.line - 1] == "The model is clearly better than the baseline."


def test_a_fresh_writeup_has_nothing_to_flag(study, review):
    writeup = study.read("WRITEUP.md")
    assert review.claims.check_claims(writeup, INCLUDES_ZERO) == []
    assert "Generalizability and limitations" in review.claims.unanswered(writeup)


def test_try_accepts_train_settings_only(review):
    linear = {"classification": {"C": 1.0}}
    params = {"train": {"model": "linear", "linear": linear}, "prepare": {"seed": 1}}
    review.tries.apply_override(params, "train.model=random_forest")
    review.tries.apply_override(params, "train.linear.classification.C=0.5")
    review.tries.apply_override(params, "train.knn.n_neighbors=7")  # a model without settings yet
    assert params["train"] == {
        "model": "random_forest",
        "linear": {"classification": {"C": 0.5}},
        "knn": {"n_neighbors": 7},
    }
    with pytest.raises(SystemExit, match="not a train setting.*edit params.yaml"):
        review.tries.apply_override(params, "prepare.seed=2")
    with pytest.raises(SystemExit, match="no setting 'train.modle'"):
        review.tries.apply_override(params, "train.modle=linear")


def test_the_writeup_says_how_often_the_test_set_was_scored(review):
    tries = [
        {
            "kind": "try",
            "configuration": c,
            "metric": "accuracy",
            "cv_mean": "0.9",
            "cv_sd": "0.05",
            "date": "2026-01-01 10:00",
            "commit": "abc",
        }
        for c in ("linear(C=1.0)", "random_forest()", "gradient_boosting()")
    ]
    look = dict(tries[0], kind="test")
    once = review.ledger.looks_statement([*tries, look])
    assert once.startswith("3 configurations were tried") and "scored once" in once
    thrice = review.ledger.looks_statement([*tries, look, look, dict(look, configuration="x()")])
    assert "scored 3 times" in thrice and "optimistic" in thrice
    table = review.ledger.compare_table([*tries, look])
    assert table.count("accuracy 0.900 ± 0.050") == 3


def test_the_docs_table_of_reforms_items_is_the_one_the_checks_make(study, review):
    """docs/review.md shows where each item lives; the table is generated from the checks
    (`python -m <module>.kit.review --table`), so the two cannot drift apart."""
    checks = review.review.REFORMS
    assert len(checks) == 32 and len({check.id for check in checks}) == 32
    assert review.review.table() in study.read("docs/review.md")
