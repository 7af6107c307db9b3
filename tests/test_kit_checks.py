"""Fast tier: each check of issue #23 alone, on the kit of a freshly rendered own-data study.

Intervals that hold at 0 and 1 (69 of 69, 0 of 50, 30 of 60), a test-set look counted once,
pre-registration before the first look, the raw file against its DVC record, where the data
must live for others, the reproduction's comparison, the suggested commit, and params.yaml
mistakes named plainly. The modules are imported from the rendered study's src/ (the
template's test environment has what they import, matplotlib aside: figures.py is tested in
tests/test_reviewer.py, in the study's own environment).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import PENGUINS_CSV, render_into

MODULE = "kit_checks"
KIT = ("scoring", "metrics", "ledger", "params", "preregister", "integrity", "sharing")
KIT += ("reproduce", "changes", "writeup", "decisions", "progress", "cli", "provenance")
HYPOTHESIS = "A linear model beats the baseline, because bill sizes differ by species."


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return render_into(
        tmp_path_factory.mktemp("kit-checks"),
        dataset="local_file",
        dataset_location=str(PENGUINS_CSV),
        target_column="species",
        project_name="Kit Checks",
        module_name=MODULE,
    )


@pytest.fixture(scope="module")
def kit(study):
    sys.path.insert(0, str(study.path / "src"))
    try:
        yield SimpleNamespace(
            **{name: importlib.import_module(f"{MODULE}.kit.{name}") for name in KIT}
        )
    finally:
        sys.path.remove(str(study.path / "src"))
        for name in [n for n in sys.modules if n == MODULE or n.startswith(f"{MODULE}.")]:
            del sys.modules[name]


def git(study, *args: str) -> str:
    return study.run("git", *args).stdout


# --- Intervals that hold at the edges ------------------------------------------------------


def shares(right: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels and predictions with ``right`` of ``rows`` predicted right."""
    truth = np.array(["a", "b"] * rows)[:rows]
    predicted = truth.copy()
    predicted[right:] = np.where(truth[right:] == "a", "b", "a")
    return truth, predicted


@pytest.mark.parametrize(
    ("right", "rows", "low", "high"),
    [(69, 69, 0.947, 1.0), (0, 50, 0.0, 0.071), (30, 60, 0.377, 0.623)],
    ids=["69 of 69", "0 of 50", "30 of 60"],
)
def test_accuracy_gets_wilsons_interval_which_never_collapses(kit, right, rows, low, high):
    truth, predicted = shares(right, rows)
    accuracy = kit.metrics.BUILT_IN[kit.decisions.Task.CLASSIFICATION]["accuracy"]
    found = kit.scoring.test_interval(
        accuracy, truth, kit.scoring.Predictions(predicted), None, 0.95
    )
    assert found["method"] == "wilson"
    assert (round(found["low"], 3), round(found["high"], 3)) == (low, high)
    assert found["high"] - found["low"] > 0.05  # never "1.000 to 1.000"
    # The bootstrap it replaces: every resample of 69 right rows scores 1.0.
    if right == rows:
        resampled = kit.scoring.bootstrap_scores(
            truth, kit.scoring.Predictions(predicted), accuracy, 200, 0
        )
        collapsed = kit.scoring.interval(resampled, 0.95)
        assert collapsed["low"] == collapsed["high"] == 1.0


def test_a_perfect_balanced_accuracy_is_bounded_by_each_class(kit):
    """A rare class of 6 rows, all right: every bootstrap resample scores 1.0, so each
    class's Wilson interval bounds the score instead (the rare class widens it most)."""
    truth = np.array(["common"] * 60 + ["rare"] * 6)
    predicted = kit.scoring.Predictions(truth.copy())
    metric = kit.metrics.BUILT_IN[kit.decisions.Task.CLASSIFICATION]["balanced_accuracy"]
    resampled = kit.scoring.bootstrap_scores(truth, predicted, metric, 200, 0)
    found = kit.scoring.test_interval(metric, truth, predicted, resampled, 0.95)
    assert found["method"] == "wilson per class"
    assert found["high"] == 1.0 and 0.5 < found["low"] < 0.9
    # With an error the bootstrap has spread again, and is used.
    predicted.values[0] = "rare"
    resampled = kit.scoring.bootstrap_scores(truth, predicted, metric, 200, 0)
    found = kit.scoring.test_interval(metric, truth, predicted, resampled, 0.95)
    assert found["method"] == "bootstrap" and found["low"] < found["high"]


def resampling_cases(task):
    """Test values with the edge cases a resample meets, and 300 resamples of them (rows),
    with crafted ones first: all one row (one class, one value), all another."""
    rng = np.random.default_rng(3)
    if task == "classification":
        truth = np.array(["a"] * 20 + ["b"] * 16 + ["rare"] * 4)
        guess = truth.copy()
        guess[[0, 1, 20, 36]] = ["b", "only-predicted", "a", "a"]  # a class never true
    else:
        truth = rng.normal(50, 10, 40).round(1)
        guess = truth + rng.normal(0, 5, 40)
        guess[5] = truth[5]  # a resample of row 5 alone: one value, predicted right
    crafted = np.array([[0] * 40, [5] * 40, [36] * 40, [1] * 20 + [20] * 20])
    return truth, guess, np.concatenate([crafted, rng.integers(0, 40, (300, 40))])


@pytest.mark.parametrize(
    "task, name",
    [
        ("classification", "balanced_accuracy"),
        ("classification", "f1_macro"),
        ("regression", "r2"),
        ("regression", "mae"),
        ("regression", "rmse"),
    ],
)
def test_each_built_in_metric_scores_a_batch_of_resamples_as_each_alone(kit, task, name):
    """The bootstrap scores many resamples in one step (kit/metrics.py, on_resamples):
    each score is scikit-learn's for that resample alone, with a class missing from it, a
    class only predicted, one value throughout, a perfect score."""
    metric = kit.metrics.BUILT_IN[kit.decisions.Task(task)][name]
    truth, guess, rows = resampling_cases(task)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn warns of a class only predicted
        alone = [metric.score(truth[chosen], guess[chosen]) for chosen in rows]
    together = metric.on_resamples(truth, guess, rows)
    np.testing.assert_allclose(together, alone, rtol=1e-12, atol=1e-12)


def test_the_bootstrap_draws_the_same_rows_in_batches_as_one_at_a_time(kit, monkeypatch):
    """Batches change nothing: the same seed draws the same resamples, so a study's
    intervals stay as they were, and the model's and baseline's still pair up."""
    metric = kit.metrics.BUILT_IN[kit.decisions.Task.CLASSIFICATION]["balanced_accuracy"]
    truth, guess, _ = resampling_cases("classification")
    predicted = kit.scoring.Predictions(guess)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one_at_a_time = kit.scoring.bootstrap_scores(
            truth, predicted, dataclasses.replace(metric, on_resamples=None), 250, 7
        )
        in_one_batch = kit.scoring.bootstrap_scores(truth, predicted, metric, 250, 7)
        monkeypatch.setattr(kit.scoring, "RESAMPLED_VALUES", 40 * 7)  # batches of 7, and 5
        in_batches = kit.scoring.bootstrap_scores(truth, predicted, metric, 250, 7)
    np.testing.assert_allclose(in_one_batch, one_at_a_time, rtol=1e-12)
    np.testing.assert_allclose(in_batches, one_at_a_time, rtol=1e-12)


def test_every_built_in_metric_states_the_range_its_curves_are_kept_in(kit):
    """The learning curve's band is clipped to a metric's bounds (kit/figures.py): each
    built-in metric has them, and its scores fall inside (an error is never below 0)."""
    rng = np.random.default_rng(0)
    truth = {"classification": rng.integers(0, 3, 50), "regression": rng.normal(size=50)}
    guess = {"classification": rng.integers(0, 3, 50), "regression": rng.normal(size=50)}
    for task, metrics in kit.metrics.BUILT_IN.items():
        for name, metric in metrics.items():
            assert metric.bounds is not None, name
            low, high = metric.bounds
            assert low <= metric.score(truth[task.value], guess[task.value]) <= high, name
    assert kit.metrics.BUILT_IN[kit.decisions.Task.REGRESSION]["mae"].bounds[0] == 0.0


def test_the_difference_with_the_baseline_counts_the_models_uncertainty_too(kit):
    """Model 69 of 69, baseline 30 of 69: the paired bootstrap would treat the model's 1.0
    as certain; Newcombe's interval does not, and stays above zero here."""
    truth, perfect = shares(69, 69)
    _, half = shares(30, 69)
    right_model, right_baseline = truth == perfect, truth == half
    found = kit.scoring.newcombe(right_model, right_baseline, 0.95)
    assert found["method"] == "newcombe"
    difference = 1 - 30 / 69
    assert 0 < found["low"] < difference < found["high"] <= 1
    baseline_alone = kit.scoring.wilson(30, 69, 0.95)
    assert difference - found["low"] > difference - (1 - baseline_alone[1])  # wider below
    # Two perfect models: a difference of 0, with an interval around it.
    same = kit.scoring.newcombe(right_model, right_model, 0.95)
    assert same["low"] < 0 < same["high"]


def test_the_writeup_names_each_intervals_method(kit):
    metrics = {
        "confidence": 0.95,
        "model": {"test_ci": {"method": "wilson"}},
        "baseline": {"test_ci": {"method": "wilson"}},
        "difference": {"test_ci": {"method": "newcombe"}},
    }
    said = kit.writeup.interval_methods(metrics)
    assert "95% intervals" in said and "Wilson's score interval" in said
    assert "does not shrink to a point at a perfect score" in said and "Newcombe" in said
    # metrics.json of an older study names no method: it was bootstrapped.
    old = {"confidence": 0.9, "model": {"test_ci": {}}, "baseline": {"test_ci": {}}}
    said = kit.writeup.interval_methods({**old, "difference": {"test_ci": {}}})
    assert "percentile bootstrap" in said and "paired bootstrap" in said


# --- A test-set look counted once ------------------------------------------------------------


def test_a_look_is_known_by_what_it_scored(kit, study, tmp_path):
    params = kit.params.load_params(study.path / "params.yaml")
    first = kit.ledger.look_fingerprint(params, study.path)
    assert kit.ledger.look_fingerprint(params, study.path) == first
    changed = json.loads(json.dumps(params))
    changed["train"]["linear"]["classification"]["C"] = 0.5
    assert kit.ledger.look_fingerprint(changed, study.path) != first
    # The code the stages run is part of it.
    code = study.path / "src" / MODULE / "kit" / "preprocess.py"
    original = code.read_text(encoding="utf-8")
    code.write_text(original + "\n# an edit\n", encoding="utf-8")
    try:
        assert kit.ledger.look_fingerprint(params, study.path) != first
    finally:
        code.write_text(original, encoding="utf-8")

    ledger = tmp_path / "ledger.csv"  # as an older study wrote it: no fingerprint column
    ledger.write_text(
        "date,kind,configuration,metric,cv_mean,cv_sd,test,commit\n"
        "2026-01-01 10:00,test,linear(C=1.0),accuracy,0.9,0.01,0.95,abc\n",
        encoding="utf-8",
    )
    row = dict.fromkeys(kit.ledger.LEDGER_COLUMNS, "") | {"kind": "test", "fingerprint": first}
    kit.ledger.append(row, ledger)
    rows = kit.ledger.ledger(ledger)
    assert [r["kind"] for r in rows] == ["test", "test"] and rows[0]["test"] == "0.95"
    assert kit.ledger.earlier_look(first, rows) == rows[1]
    assert kit.ledger.earlier_look("another", rows) is None


# --- Pre-registration before the first look --------------------------------------------------


def test_an_uncommitted_hypothesis_stops_the_first_look_and_a_prompt_warns(kit, study):
    question = study.path / "QUESTION.md"
    original = question.read_text(encoding="utf-8")
    warned = kit.preregister.before_first_look([], study.path)
    assert "still the template's prompt" in warned and "git add QUESTION.md" in warned
    prompt = original.split("## My hypothesis\n\n", 1)[1].split("\n\n", 1)[0]
    question.write_text(original.replace(prompt, HYPOTHESIS), encoding="utf-8")
    try:
        with pytest.raises(SystemExit) as stopped:
            kit.preregister.before_first_look([], study.path)
        assert "not committed" in str(stopped.value)
        assert kit.preregister.COMMIT_QUESTION in str(stopped.value)
        # After the first look, pre-registration is settled in git: nothing stops.
        assert kit.preregister.before_first_look([{"kind": "test"}], study.path) is None
        git(study, "add", "QUESTION.md")  # staged is not committed
        with pytest.raises(SystemExit):
            kit.preregister.before_first_look([], study.path)
        git(study, "commit", "--quiet", "--no-verify", "-m", "My hypothesis")
        assert kit.preregister.before_first_look([], study.path) is None
    finally:
        question.write_text(original, encoding="utf-8")
        git(study, "commit", "--quiet", "--no-verify", "-am", "Back to the template's question")


def test_a_look_at_the_test_set_before_the_hypothesis_is_said(kit, study):
    """The ledger's first look counts, committed or not: a hypothesis committed after it may
    have been written knowing the results (a run with the template's prompt, say)."""
    question = study.path / "QUESTION.md"
    original = question.read_text(encoding="utf-8")
    question.write_text(with_hypothesis(original), encoding="utf-8")
    git(study, "commit", "--quiet", "--no-verify", "-am", "My hypothesis")
    try:
        Timing = kit.provenance.Timing
        before = kit.provenance.preregistration(study.path, first_look="2000-01-01 09:30")
        assert before.timing is Timing.NOT_BEFORE
        assert "first scored on 2000-01-01 09:30 UTC (reports/ledger.csv)" in before.text
        later = kit.provenance.preregistration(study.path, first_look="2999-01-01 09:30")
        assert later.timing is Timing.BEFORE_ANY  # looked after the commit: still first
        assert kit.provenance.preregistration(study.path).timing is Timing.BEFORE_ANY
    finally:
        question.write_text(original, encoding="utf-8")
        git(study, "commit", "--quiet", "--no-verify", "-am", "Back to the template's question")


def with_hypothesis(question: str) -> str:
    """QUESTION.md with HYPOTHESIS in place of the template's prompt under My hypothesis."""
    prompt = question.split("## My hypothesis\n\n", 1)[1].split("\n\n", 1)[0]
    return question.replace(prompt, HYPOTHESIS)


def test_the_suggested_commit_lists_every_changed_file_question_first(kit, study):
    question = study.path / "QUESTION.md"
    question.write_text(with_hypothesis(question.read_text(encoding="utf-8")), encoding="utf-8")
    (study.path / "reports").mkdir(exist_ok=True)
    (study.path / "reports" / "metrics.json").write_text("{}\n", encoding="utf-8")
    (study.path / "my notes.txt").write_text("a file with a space\n", encoding="utf-8")
    try:
        changed = kit.changes.changed_files(study.path)
        assert changed[0] == "QUESTION.md"
        assert {"reports/", "my notes.txt"} <= set(changed)
        last = kit.changes.last_lines(study.path)[-1]
        assert last.startswith("Done: reports/writeup.html. Changed: QUESTION.md ")
        assert "git add QUESTION.md " in last and "'my notes.txt'" in last
    finally:
        git(study, "checkout", "--", "QUESTION.md")
        shutil.rmtree(study.path / "reports")
        (study.path / "my notes.txt").unlink()


def test_after_a_run_with_the_prompt_the_last_line_asks_for_the_hypothesis_first(kit, study):
    """A study run before its hypothesis was written: committing its results now would make
    any hypothesis "written after the results" for good, so the last line asks for the
    hypothesis and its commit, not for the command that commits the results."""
    question = study.path / "QUESTION.md"
    original = question.read_text(encoding="utf-8")
    (study.path / "reports").mkdir(exist_ok=True)
    (study.path / "reports" / "metrics.json").write_text("{}\n", encoding="utf-8")
    try:
        last = kit.changes.last_lines(study.path)[-1]
        assert last.startswith("Done: reports/writeup.html. Changed: reports/ - not to commit")
        assert kit.preregister.COMMIT_QUESTION in last and "'Run the study'" not in last
        assert last.index("QUESTION.md still holds the template's prompt") < last.index(
            "study again ends with the command that commits the results"
        )
        # Written: the results and the hypothesis are listed, QUESTION.md first.
        question.write_text(with_hypothesis(original), encoding="utf-8")
        assert "commit them: git add QUESTION.md " in kit.changes.last_lines(study.path)[-1]
        # Results committed without a hypothesis: git has settled it, nothing to wait for.
        question.write_text(original, encoding="utf-8")
        git(study, "add", "reports")
        git(study, "commit", "--quiet", "--no-verify", "-m", "Results, no hypothesis")
        (study.path / "reports" / "metrics.json").write_text('{"a": 1}\n', encoding="utf-8")
        assert "commit them: git add reports" in kit.changes.last_lines(study.path)[-1]
    finally:
        question.write_text(original, encoding="utf-8")
        if kit.preregister.results_committed(study.path):
            git(study, "reset", "--quiet", "--hard", "HEAD~1")
        shutil.rmtree(study.path / "reports", ignore_errors=True)


# --- The raw file against its record ---------------------------------------------------------


def penguin_decisions(d) -> object:
    """What prepare records about the penguins (kit/decisions.py's records): the facts
    integrity compares a changed file with, and placeholders for the rest."""
    names = PENGUINS_CSV.read_text().split("\n")[0].split(",")
    columns = [
        d.Column(
            name=n,
            role="target" if n == "species" else "numeric",
            reason="",
            type="",
            missing=0,
            distinct=0,
        )
        for n in names
    ]
    return d.Decisions(
        target="species",
        task="classification",
        task_reason="",
        task_set_in_params=False,
        metric="accuracy",
        metric_reason="",
        metric_set_in_params=False,
        class_shares={"Adelie": 0.44, "Gentoo": 0.36, "Chinstrap": 0.2},
        rare_classes=[],
        columns=columns,
        target_values={},
        split=d.Split(kind="random", identical="none"),
        rows=d.Rows(
            raw=344,
            used=344,
            removed=[],
            identical=d.IdenticalRows(rows=0, patterns=0),
            train=275,
            test=69,
        ),
        single_features=d.SingleFeatures(
            metric="accuracy", baseline=0.44, all_features=0.97, alone={}
        ),
    )


@pytest.fixture
def recorded(study, kit):
    """The study as `make setup` leaves it: the raw file recorded (a .dvc file, staged), and
    what prepare decided about it (data/decisions.json)."""
    raw = study.path / "data/raw/penguins.csv"
    record = study.path / "data/raw/penguins.csv.dvc"
    data = raw.read_bytes()
    md5 = hashlib.md5(data).hexdigest()  # noqa: S324 - DVC's content hash
    record.write_text(
        f"outs:\n- md5: {md5}\n  size: {len(data)}\n  hash: md5\n  path: penguins.csv\n",
        encoding="utf-8",
    )
    git(study, "add", "data/raw/penguins.csv.dvc")
    decisions = study.path / "data/decisions.json"
    decisions.write_text(penguin_decisions(kit.decisions).model_dump_json(), encoding="utf-8")
    yield SimpleNamespace(raw=raw, record=record, data=data, md5=md5)
    raw.write_bytes(data)
    decisions.unlink()
    git(study, "rm", "--quiet", "--cached", "--force", "data/raw/penguins.csv.dvc")
    record.unlink()
    shutil.rmtree(study.path / ".dvc" / "tmp", ignore_errors=True)


def test_a_truncated_raw_file_stops_before_any_stage_saying_what_changed(kit, recorded):
    kit.integrity.check()  # the recorded file: nothing to say
    recorded.raw.write_bytes(recorded.data[:8000])  # cut mid-row: half the rows, a class gone
    with pytest.raises(SystemExit) as stopped:
        kit.integrity.check()
    said = str(stopped.value)
    assert said.startswith("The pipeline stopped: data/raw/penguins.csv is not the file")
    for change in (
        f"size: {len(recorded.data):,} bytes recorded, 8,000 now",
        "the file ends in the middle of a line",
        "rows: 344 recorded, 181 now",
        "classes gone: `Chinstrap`",
    ):
        assert change in said, said
    assert "run.py accept-data" in said and "dvc checkout --force" in said
    assert md5_of(recorded.record) == md5_of_text(recorded)  # the record is untouched


def test_decisions_of_an_older_version_are_named_never_compared_as_they_come(kit, recorded):
    """integrity reads what prepare recorded through its typed records: a file an older
    version wrote (or a damaged one) is said to be so, and only the size is compared."""
    old = {"target": "species", "task": "classification", "rows": {"raw": 344}, "columns": []}
    (recorded.raw.parents[1] / "decisions.json").write_text(json.dumps(old), encoding="utf-8")
    recorded.raw.write_bytes(recorded.data[:8000])
    with pytest.raises(SystemExit) as stopped:
        kit.integrity.check()
    said = str(stopped.value)
    assert "size: " in said and "rows: " not in said
    assert "data/decisions.json is from an older version of the study, or damaged" in said


def md5_of(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()  # noqa: S324


def md5_of_text(recorded) -> str:
    text = (
        f"outs:\n- md5: {recorded.md5}\n  size: {len(recorded.data)}\n  hash: md5\n"
        "  path: penguins.csv\n"
    )
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324


def test_a_corrupted_raw_file_of_the_same_size_stops_too(kit, recorded):
    damaged = bytearray(recorded.data)
    damaged[4000:4400] = bytes(range(200)) * 2
    recorded.raw.write_bytes(bytes(damaged))
    with pytest.raises(SystemExit) as stopped:
        kit.integrity.check()
    said = str(stopped.value)
    assert "as recorded, but different bytes" in said
    assert "cannot be read as a table any more" in said


def test_prepare_puts_back_a_record_dvc_rewrote_and_stops(kit, recorded, study):
    """What `dvc repro` does before prepare runs: the changed file is re-recorded. prepare
    finds the record differs from git's, restores git's, and stops."""
    recorded.raw.write_bytes(recorded.data[:8000])
    rewritten = recorded.record.read_text().replace(
        recorded.md5, "e7c1ec0a6a8720bd3840b8203bb71f47"
    )
    recorded.record.write_text(rewritten.replace(str(len(recorded.data)), "8000"))
    with pytest.raises(SystemExit) as stopped:
        kit.integrity.guard_in_prepare()
    assert str(stopped.value).startswith("prepare stopped: data/raw/penguins.csv is not the")
    assert "is as git holds it again" in str(stopped.value)
    assert md5_of(recorded.record) == md5_of_text(recorded)
    assert git(study, "status", "--porcelain", "data/raw").strip() == "A  data/raw/penguins.csv.dvc"
    # make study's check says the same about a record re-recorded without accept-data.
    recorded.record.write_text(rewritten.replace(str(len(recorded.data)), "8000"))
    with pytest.raises(SystemExit) as stopped:
        kit.integrity.check()
    assert "not the record git holds" in str(stopped.value)


def test_missing_own_data_names_pull_and_the_share_step_never_a_source(kit, recorded):
    recorded.raw.unlink()
    with pytest.raises(SystemExit) as stopped:
        kit.integrity.check()
    said = str(stopped.value)
    assert "run.py pull" in said and "run.py share" in said and "the author" in said
    assert "source" not in said


# --- Where the data must live for others -----------------------------------------------------


def test_only_a_remote_others_can_reach_makes_own_data_shareable(kit, study):
    reach = kit.sharing.reach_of
    assert reach("../../kit-checks-dvc-storage") is kit.sharing.Reach.BESIDE
    assert reach("/mnt/shared/dvc") is kit.sharing.Reach.FOLDER
    assert reach("s3://bucket/study") is kit.sharing.Reach.ONLINE
    assert reach(None) is kit.sharing.Reach.NONE
    found = kit.sharing.remote(study.path)  # the default: a folder beside the study
    assert (found.name, found.reach) == ("storage", kit.sharing.Reach.BESIDE)
    own = {"dataset": "local_file"}
    blocked = kit.sharing.unreachable(own, found)
    assert "No one else can reach it" in blocked[0] and "run.py share" in blocked[1]
    assert "only on this computer" in kit.sharing.after_study_note(own, study.path)
    online = kit.sharing.Remote("storage", "s3://bucket/study", "s3://bucket/study")
    assert kit.sharing.unreachable(own, online) == []
    # A URL is its own source, with its checksum; bundled data needs nothing.
    url = {"dataset": "csv_url", "url": "https://example.org/t.csv", "sha256": "ab" * 32}
    assert kit.sharing.unreachable(url, found) == []
    note = kit.sharing.after_study_note(url, study.path)
    assert "https://example.org/t.csv" in note and "ab" * 32 in note
    assert kit.sharing.after_study_note({"dataset": "iris"}, study.path) is None


# --- The reproduction's comparison -----------------------------------------------------------


def test_a_reproduction_compares_every_value_within_its_tolerance(kit):
    committed = {
        "metric": "accuracy",
        "n_test": 69,
        "model": {"test": {"accuracy": 1.0}, "test_ci": {"low": 0.947, "method": "wilson"}},
    }
    assert kit.reproduce.compare(committed, json.loads(json.dumps(committed))) == (5, [])
    noise = json.loads(json.dumps(committed))
    noise["model"]["test_ci"]["low"] += 1e-9  # the last digits of another machine
    assert kit.reproduce.compare(committed, noise)[1] == []
    moved = json.loads(json.dumps(committed))
    moved["model"]["test"]["accuracy"] = 68 / 69  # one test row predicted otherwise
    moved["n_test"] = 70
    moved["model"]["test_ci"]["method"] = "bootstrap"
    del moved["metric"]
    compared, rows = kit.reproduce.compare(committed, moved)
    assert compared == 5
    assert [row[0] for row in rows] == [
        "metric",
        "model.test.accuracy",
        "model.test_ci.method",
        "n_test",
    ]
    assert rows[0][2] == "(missing)" and rows[1][3] == "-0.0145"
    verdict = kit.reproduce.Verdict("abc123", compared=compared, differences=rows)
    said = kit.reproduce.report(verdict, 1e-6)
    assert "DIFFERS" in said and "| model.test.accuracy | 1 | 0.985507 | -0.0145 |" in said
    assert kit.reproduce.Verdict("abc123", why="the data").status == 2


# --- params.yaml mistakes, plainly -----------------------------------------------------------

# Each: (the text replaced in params.yaml, by what), and what the message says; {line} is
# the number of the line changed.
BAD_PARAMS = {
    "a missing colon": (
        ("  test_size: 0.2", "  test_size 0.2"),
        ["{line} |   test_size 0.2", "lack the `: ` after its key"],
    ),
    "a tab": (
        ("  test_size: 0.2", "\ttest_size: 0.2"),
        ["line {line},", "A tab: indent with spaces"],
    ),
    "a key twice": (
        ("  test_size: 0.2\n  seed: 42\n", "  test_size: 0.2\n  seed: 42\n  seed: 7\n"),
        ["the key 'seed' is written twice", "Keep one of the two"],
    ),
    "a number in quotes": (
        ("n_estimators: 200", 'n_estimators: "200"'),
        ["train.random_forest.n_estimators = '200'", "an int in the range [1, inf)", "write 200"],
    ),
    "a decimal count": (
        ("max_iter: 5000", "max_iter: 5000.5"),
        ["train.linear.max_iter = 5000.5", "LogisticRegression needs an int"],
    ),
    "a misspelt model block": (
        ("  random_forest:", "  random_forrest:"),
        ["train.random_forrest: not a model in MODELS"],
    ),
    "a time split without its column": (
        ("  split: auto", "  split: time"),
        ["- prepare.split: time needs the column's name in time_column"],
    ),
}


@pytest.fixture
def broken(study):
    """broken(case) writes that mistake into params.yaml; the file is put back afterwards.
    Returns the number of the line changed."""
    params = study.path / "params.yaml"
    original = params.read_text(encoding="utf-8")

    def write(case: str) -> int:
        (old, new), _ = BAD_PARAMS[case]
        assert original.count(old) == 1
        params.write_text(original.replace(old, new), encoding="utf-8")
        return original[: original.index(old)].count("\n") + 1

    yield write
    params.write_text(original, encoding="utf-8")


@pytest.mark.parametrize("case", BAD_PARAMS)
def test_every_bad_params_yaml_is_named_with_its_line_or_key(kit, broken, case):
    line = broken(case)
    check = importlib.import_module(f"{MODULE}.kit.check")
    with pytest.raises(SystemExit) as stopped:  # Python prints its message, no traceback
        check.main()
    assert stopped.value.code != 0
    for word in BAD_PARAMS[case][1]:
        assert word.format(line=line) in str(stopped.value), str(stopped.value)


def test_a_yaml_slip_stops_the_check_without_a_traceback(study, broken):
    """The same, as make study runs it: a process that prints the message and exits 1."""
    broken("a missing colon")
    done = subprocess.run(
        [sys.executable, "-m", f"{MODULE}.kit.check"],
        cwd=study.path,
        env={**os.environ, "PYTHONPATH": str(study.path / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("params.yaml is not valid YAML at line ")
    assert "Traceback" not in done.stderr


def test_settings_that_only_work_together_are_named_when_fitted(kit, study):
    """oob_score passes the check of each setting alone, and a random forest refuses it
    without bootstrap when fitting: train names the block, without a traceback."""
    import pandas as pd

    train = importlib.import_module(f"{MODULE}.train")
    table = pd.read_csv(study.path / "data" / "raw" / "penguins.csv").dropna()
    decided = SimpleNamespace(
        target="species",
        task=kit.decisions.Task.CLASSIFICATION,
        roles=lambda: {"bill_length_mm": kit.decisions.Role.NUMERIC},
    )
    settings = {"n_estimators": 5, "bootstrap": False, "oob_score": True}
    params = {"train": {"model": "random_forest", "seed": 0, "random_forest": settings}}
    with pytest.raises(SystemExit) as stopped:
        train.fit(table[["bill_length_mm", "species"]], params, decided)
    said = str(stopped.value)
    assert said.startswith("train: scikit-learn could not fit 'random_forest' with its settings")
    assert "(train.random_forest)" in said and "bootstrap" in said and "work together" in said


def test_params_yaml_that_is_not_text_or_not_there_is_named(kit, tmp_path):
    binary = tmp_path / "params.yaml"
    binary.write_bytes(b"data:\n  target: \xff\xfe\n")
    with pytest.raises(SystemExit, match="is not UTF-8 text"):
        kit.params.read_params(binary)
    with pytest.raises(SystemExit, match="is missing: .* git checkout -- "):
        kit.params.read_params(tmp_path / "gone.yaml")


def test_the_render_says_where_own_data_must_live_for_others(tmp_path, capfd):
    render_into(
        tmp_path,
        dataset="local_file",
        dataset_location=str(PENGUINS_CSV),
        target_column="species",
    )
    said = capfd.readouterr().out
    assert "It is on this computer only" in said and "run.py share`" in said


# --- The learner's loop: progress while waiting, a rerun with nothing changed ------------------


def test_a_long_step_says_how_far_it_is_and_a_short_one_says_nothing(kit, monkeypatch, capsys):
    monkeypatch.setattr(kit.progress, "FIRST_LINE", 0.05)
    monkeypatch.setattr(kit.progress, "EVERY", 0.05)
    with kit.progress.Progress("evaluate: model: cross-validation", "folds", 5) as progress:
        for _ in range(2):
            progress.step()
        time.sleep(0.3)
    said = capsys.readouterr().out.splitlines()
    assert said[0] == "evaluate: model: cross-validation: 2 of 5 folds done, 0 s so far"
    assert said[-1] == "evaluate: model: cross-validation: done in 0 s"
    monkeypatch.setattr(kit.progress, "FIRST_LINE", 60)
    with kit.progress.Progress("train: fitting linear on 120 rows"):
        pass
    assert capsys.readouterr().out == ""


@pytest.fixture
def finished_run(kit, monkeypatch, tmp_path):
    """A study folder after a run: an output, an input, dvc.lock naming the output."""
    monkeypatch.setattr(kit.cli, "ROOT", tmp_path)
    monkeypatch.setattr(kit.cli, "LAST_RUN", tmp_path / ".dvc" / "tmp" / "study-files")
    (tmp_path / ".dvc" / "tmp").mkdir(parents=True)
    (tmp_path / "reports").mkdir()
    (tmp_path / "params.yaml").write_text("train: {}\n")
    (tmp_path / "dvc.lock").write_text("stages:\n  report:\n    outs:\n    - path: reports\n")
    return tmp_path


def test_a_run_is_remembered_unless_an_input_changed_while_it_ran(kit, finished_run):
    started = time.time_ns()
    (finished_run / "reports" / "writeup.html").write_text("new")  # written by the run
    kit.cli.remember_run(started)
    assert kit.cli.LAST_RUN.is_file()
    assert json.loads(kit.cli.LAST_RUN.read_text()) == kit.cli.study_files()
    kit.cli.LAST_RUN.unlink()
    started = time.time_ns()
    (finished_run / "params.yaml").write_text("train: {C: 2}\n")  # saved during the run
    kit.cli.remember_run(started)
    assert not kit.cli.LAST_RUN.exists()  # DVC is asked next time
