"""The write-up: numbers from metrics.json, figures embedded, answers escaped."""

import re

import pytest

from {{ cookiecutter.module_name }} import report

# {% raw %}  (cookiecutter leaves the write-up placeholders below as they are)
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


def build(source, figures=None):
    return report.build(source, METRICS, ENVIRONMENT, figures or {})


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
    html = report.build(f"## Metrics\n\n{claim}\n\nNext paragraph.", close_call, ENVIRONMENT, {})
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
    html = report.build("{{ tries_table }}\n\n{{ test_looks }}", METRICS, ENVIRONMENT, {}, rows)
    assert "<code>linear(C=1.0)</code>" in html and "accuracy 0.930 ± 0.020" in html
    assert "2 configurations were tried" in html and "scored 2 times" in html


# (end of the write-up placeholders){% endraw %}
