"""The write-up: numbers from metrics.json, figures embedded, answers escaped."""

import re

import pytest

from digits_practice_study.kit import writeup
from digits_practice_study.kit.decisions import Decisions

#   (cookiecutter leaves the write-up placeholders below as they are)
METRICS = {
    "task": "classification",
    "estimator": "LogisticRegression",
    "metric": "accuracy",
    "n_train": 80,
    "n_test": 20,
    "confidence": 0.95,
    "model": {
        "cv": {"mean": 0.91, "sd": 0.02},
        "test": {"accuracy": 0.9234},
        "test_ci": {"low": 0.8, "high": 0.99},
    },
    "baseline": {
        "cv": {"mean": 0.5, "sd": 0.01},
        "test": {"accuracy": 0.5},
        "test_ci": {"low": 0.3, "high": 0.7},
    },
    "difference": {"test": 0.4234, "test_ci": {"low": 0.2, "high": 0.6}},
}
ENVIRONMENT = {"python": "3.12.0", "platform": "Linux", "packages": {"pandas": "3.0"}}
DECISIONS = {
    "target": "kind",
    "task": "classification",
    "task_reason": "the target holds text or yes/no values",
    "task_set_in_params": False,
    "metric": "accuracy",
    "metric_reason": "the classes are roughly balanced",
    "metric_set_in_params": False,
    "class_shares": {"a": 0.5, "b": 0.5},
    "rare_classes": [],
    "target_values": {"a": 50, "b": 50, "(missing)": 10},
    "columns": [
        {
            "name": "kind",
            "role": "target",
            "reason": "the column the model predicts",
            "type": "object",
            "missing": 10,
            "distinct": 2,
        },
        {
            "name": "size",
            "role": "numeric",
            "reason": "numbers",
            "type": "float64",
            "missing": 0,
            "distinct": 95,
        },
        {
            "name": "person",
            "role": "identifier",
            "reason": "unique per row",
            "type": "object",
            "missing": 0,
            "distinct": 110,
        },
    ],
    "rows": {
        "raw": 110,
        "used": 100,
        "train": 80,
        "test": 20,
        "removed": [{"reason": "no value in the target column", "rows": 10}],
        "identical": {"rows": 0, "patterns": 0},
    },
    "split": {"kind": "random", "identical": "none"},
    "single_features": {
        "metric": "accuracy",
        "baseline": 0.5,
        "all_features": 0.9,
        "alone": {"size": {"cv": 0.6, "share": 0.25, "close_to_all": False}},
    },
}


def build(source, figures=None, decisions=DECISIONS):
    made = Decisions.model_validate(decisions)
    return writeup.build(source, METRICS, ENVIRONMENT, figures or {}, made)


def test_the_data_account_shows_removed_rows_and_left_out_columns():
    html = build("{{ data_account }}\n\n{{ column_roles }}\n\n{{ leakage_checks }}")
    assert "Removed, no value in the target column: 10" in html
    assert "Missing values in 1 column (most: <code>kind</code> 10)" in html
    assert "<td>identifier (1), left out</td>\n<td><code>person</code>: unique per row" in html
    assert "Left out as identifiers, never seen by the model: <code>person</code>" in html


def test_a_feature_strong_on_its_own_is_questioned():
    assert "No single feature comes close" in build("{{ leakage_checks }}")
    strong = {"size": {"cv": 0.88, "share": 0.95, "close_to_all": True}}
    scores = {**DECISIONS["single_features"], "alone": strong}
    html = build("{{ leakage_checks }}", decisions={**DECISIONS, "single_features": scores})
    assert "Worth a question" in html and "known at the moment a prediction" in html


def test_numbers_come_from_the_metrics():
    html = build("Accuracy was {{ metric('model.test.accuracy') }}.\n\n{{ results_table }}")
    assert "Accuracy was 0.923." in html
    assert "0.910 ± 0.020" in html and "0.423" in html


def test_figures_are_embedded(tmp_path):
    png = tmp_path / "curve.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n")
    html = build("{{ figure('curve') }}", {"curve": png})
    sources = re.findall(r'<img src="([^"]+)"', html)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)


def test_learner_figures_are_found_beside_the_pipelines(tmp_path, monkeypatch):
    """figures/ holds the learner's own PNGs; a name the pipeline also uses is refused."""
    drawn, own = tmp_path / "reports" / "figures", tmp_path / "figures"
    drawn.mkdir(parents=True)
    own.mkdir()
    monkeypatch.setattr(writeup, "FIGURES", drawn)
    monkeypatch.setattr(writeup, "MY_FIGURES", own)
    (drawn / "learning_curve.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (own / "class_balance.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert sorted(writeup.all_figures()) == ["class_balance", "learning_curve"]
    (own / "learning_curve.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(writeup.FigureProblem, match="figures/learning_curve.png has the name"):
        writeup.all_figures()


def test_a_missing_figure_names_both_folders():
    with pytest.raises(writeup.FigureProblem, match="no nope.png in reports/figures or figures/"):
        build("{{ figure('nope') }}")


def test_answers_cannot_inject_markup():
    source = (
        '---\ntitle: "<b>bold</b>"\nauthor: "</script><script>alert(1)</script>"\n---\n'
        "<script>alert(2)</script>\n"
    )
    html = build(source)
    assert "<script>" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html
    assert "&lt;script&gt;alert(2)" in html


def test_unknown_placeholder_fails_loudly():
    with pytest.raises(KeyError, match="no 'model.test.nothing'"):
        build("{{ metric('model.test.nothing') }}")


def test_an_unsupported_claim_gets_a_reviewers_note_after_its_paragraph():
    claim = "The model is clearly better than the baseline."
    close_call = {**METRICS, "difference": {"test": 0.02, "test_ci": {"low": -0.1, "high": 0.15}}}
    source = f"## Metrics\n\n{claim}\n\nNext paragraph."
    html = writeup.build(source, close_call, ENVIRONMENT, {}, Decisions.model_validate(DECISIONS))
    after = html.split(f"<p>{claim}</p>")[1].lstrip()
    assert after.startswith('<div class="reviewer-note"') and "includes zero" in after
    # The same sentence, where the interval lies far above zero: nothing to note.
    assert 'class="reviewer-note"' not in build(f"## Metrics\n\n{claim}")


def test_the_writeup_lists_every_try_and_counts_test_looks():
    row = {"date": "2026-01-01 10:00", "metric": "accuracy", "cv_sd": "0.02", "commit": "abc"}
    rows = [
        {**row, "kind": "try", "configuration": "linear(C=1.0)", "cv_mean": "0.91"},
        {**row, "kind": "try", "configuration": "random_forest()", "cv_mean": "0.93"},
        {**row, "kind": "test", "configuration": "random_forest()", "cv_mean": "0.93"},
        {**row, "kind": "test", "configuration": "random_forest()", "cv_mean": "0.93"},
    ]
    source = "{{ tries_table }}\n\n{{ test_looks }}"
    html = writeup.build(
        source, METRICS, ENVIRONMENT, {}, Decisions.model_validate(DECISIONS), rows
    )
    assert "<code>linear(C=1.0)</code>" in html and "accuracy 0.930 ± 0.020" in html
    assert "2 configurations were tried" in html and "scored 2 times" in html


# (end of the write-up placeholders)
