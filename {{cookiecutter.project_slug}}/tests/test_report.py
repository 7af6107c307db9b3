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


def test_learner_figures_are_found_beside_the_pipelines(tmp_path, monkeypatch):
    """figures/ holds the learner's own PNGs; a name the pipeline also uses is refused."""
    drawn, own = tmp_path / "reports" / "figures", tmp_path / "figures"
    drawn.mkdir(parents=True)
    own.mkdir()
    monkeypatch.setattr(report.paths, "FIGURES", drawn)
    monkeypatch.setattr(report.paths, "MY_FIGURES", own)
    (drawn / "learning_curve.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (own / "class_balance.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert sorted(report.all_figures()) == ["class_balance", "learning_curve"]
    (own / "learning_curve.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(report.FigureProblem, match="figures/learning_curve.png has the name"):
        report.all_figures()


def test_a_missing_figure_names_both_folders():
    with pytest.raises(report.FigureProblem, match="no nope.png in reports/figures or figures/"):
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


# (end of the write-up placeholders){% endraw %}
