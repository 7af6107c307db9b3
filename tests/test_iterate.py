"""Full tier: iterate honestly in a real study (iris), then let it review itself.

One study is shared by every test here, in the order a learner works: a first `make review`
on the fresh study, three tries by cross-validation, a hypothesis committed, prose with an
over-claim and a careful sentence, `make study`, the results committed, `make review` again.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from types import SimpleNamespace

import pytest
from conftest import render_into

pytestmark = pytest.mark.slow

MODULE = "iris_study"
OVER_CLAIM = "This proves that the model works for all flowers."
CAREFUL = "The model is clearly better than the baseline on this dataset."
CAREFUL_TOO = "Whether it holds for other flowers, this study cannot say."
HYPOTHESIS = "A linear model scores above the baseline, because petal sizes separate species."
REFORMS_LINE = re.compile(r"^(passed|failed|needs a human) +([1-8][a-g]) ", re.MULTILINE)


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    study = render_into(tmp_path_factory.mktemp("iris"), project_name="Iris Study", dataset="iris")
    run = SimpleNamespace(study=study)
    run.fresh_review = study.make("review")
    run.fresh_strict = study.run("make", "review", "STRICT=1", check=False)

    run.tries = [
        study.make("try"),
        study.run(
            "make", "try", "ARGS=train.model=random_forest train.random_forest.n_estimators=50"
        ),
    ]
    # The third try runs with the test rows moved away: trying never needs them.
    test_rows = study.path / "data/processed/test.csv"
    shutil.move(test_rows, test_rows.with_suffix(".away"))
    try:
        run.tries.append(
            study.run(
                ".venv/bin/python",
                "-m",
                f"{MODULE}.kit.tries",
                "try",
                "train.model=gradient_boosting",
                "train.gradient_boosting.max_iter=50",
            )
        )
    finally:
        shutil.move(test_rows.with_suffix(".away"), test_rows)

    question = study.read("QUESTION.md")
    prompt = re.search(r"## My hypothesis\n\n(\*.*?\*)\n", question, re.DOTALL).group(1)
    study.write("QUESTION.md", question.replace(prompt, HYPOTHESIS))
    study.run("git", "commit", "--quiet", "-am", "My hypothesis, before any results")

    writeup = study.read("WRITEUP.md")
    writeup = writeup.replace(
        "## Generalizability and limitations\n",
        f"## Generalizability and limitations\n\n{OVER_CLAIM}\n\n{CAREFUL_TOO}\n",
    ).replace("## Metrics and uncertainty\n", f"## Metrics and uncertainty\n\n{CAREFUL}\n", 1)
    study.write("WRITEUP.md", writeup)
    run.study_run = study.make("study")

    study.run("git", "add", "--all")
    study.run("git", "commit", "--quiet", "-m", "Results")
    run.final_review = study.make("review")
    return run


def test_three_tries_listed_in_the_writeup_and_the_test_set_scored_once(iris):
    study = iris.study
    assert all("cross-validation accuracy" in t.stdout for t in iris.tries)
    with open(study.path / "reports/ledger.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["kind"] for r in rows] == ["try", "try", "try", "test"]
    assert rows[-1]["test"] and not any(r["test"] for r in rows[:3])

    html = study.read("reports/writeup.html")
    modelling = html.split("<h2>Modelling</h2>")[1].split("<h2>")[0]
    for row in rows[:3]:
        cv = f"{float(row['cv_mean']):.3f} ± {float(row['cv_sd']):.3f}"
        assert f"<code>{row['configuration']}</code>" in modelling
        assert cv in modelling
    assert "random_forest(n_estimators=50, max_depth=None)" in modelling
    metrics = html.split("<h2>Metrics and uncertainty</h2>")[1].split("<h2>")[0]
    assert "3 configurations were tried" in metrics
    assert "the test set was scored once" in metrics


def test_an_over_claim_gets_a_note_at_its_paragraph_and_careful_prose_none(iris):
    study = iris.study
    lines = study.read("WRITEUP.md").splitlines()
    line = lines.index(OVER_CLAIM) + 1
    printed = iris.study_run.stdout
    assert f"reviewer's note, WRITEUP.md line {line} (Generalizability and limitations)" in printed
    assert printed.count("reviewer's note") == 1, printed

    html = study.read("reports/writeup.html")
    assert html.count('class="reviewer-note"') == 1
    after_claim = html.split(f"<p>{OVER_CLAIM}</p>")[1]
    assert after_claim.lstrip().startswith('<div class="reviewer-note"')
    assert "(generality)" in after_claim.split("</div>")[0]
    for careful in (CAREFUL, CAREFUL_TOO):
        assert not html.split(f"<p>{careful}</p>")[1].lstrip().startswith("<div")


def test_the_writeup_says_the_hypothesis_came_first(iris):
    study = iris.study
    built = study.read("reports/writeup.html")
    assert "The hypothesis in QUESTION.md was committed (" in built
    assert "before any test results were committed" in built
    # Now that the results are committed too, git shows which came first.
    rebuilt = study.run(".venv/bin/python", "-m", f"{MODULE}.report")
    assert rebuilt.returncode == 0
    assert "before the first commit of test results" in study.read("reports/writeup.html")


def test_a_hypothesis_committed_after_the_results_is_called_so(iris, tmp_path):
    study = iris.study

    def commit(message: str) -> None:
        subprocess.run(["git", "add", "--all"], cwd=tmp_path, check=True)
        subprocess.run(["git", "commit", "--quiet", "-m", message], cwd=tmp_path, check=True)

    subprocess.run(["git", "init", "--quiet"], cwd=tmp_path, check=True)
    question = study.run("git", "show", "HEAD~2:QUESTION.md").stdout  # as the template wrote it
    (tmp_path / "QUESTION.md").write_text(question, encoding="utf-8")
    commit("start")
    (tmp_path / "reports").mkdir()
    shutil.copy(study.path / "reports/metrics.json", tmp_path / "reports/metrics.json")
    commit("results")
    (tmp_path / "QUESTION.md").write_text(study.read("QUESTION.md"), encoding="utf-8")
    commit("hypothesis, afterwards")

    code = (
        f"import sys, pathlib; from {MODULE}.kit.provenance import preregistration; "
        "print(preregistration(pathlib.Path(sys.argv[1])))"
    )
    said = study.run(".venv/bin/python", "-c", code, str(tmp_path)).stdout
    assert "with or after the first commit of test results" in said
    assert "may have been written knowing them" in said


def test_make_review_lists_every_reforms_item_and_fails_only_when_strict(iris):
    fresh, final = iris.fresh_review.stdout, iris.final_review.stdout
    for output in (fresh, final):
        items = [item for _, item in REFORMS_LINE.findall(output)]
        assert len(items) == 32 and len(set(items)) == 32
    # The fresh study: its unanswered prompts are named, and only STRICT=1 fails on them.
    assert re.search(r"^failed +QUESTION\.md .*My hypothesis", fresh, re.MULTILINE)
    assert re.search(r"^failed +WRITEUP\.md .*Ethics", fresh, re.MULTILINE)
    assert iris.fresh_review.returncode == 0
    assert iris.fresh_strict.returncode != 0
    # After tries, a hypothesis and a run, more items pass and the hypothesis rule is met.
    passed = re.compile(r"^passed ", re.MULTILINE)
    assert len(passed.findall(final)) > len(passed.findall(fresh))
    assert re.search(r"^passed +hypothesis", final, re.MULTILINE)
    assert re.search(r"^failed +claims .*generality", final, re.MULTILINE)
    assert re.search(r"^passed +5a ", final, re.MULTILINE)
