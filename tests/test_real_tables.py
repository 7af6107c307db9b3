"""Full tier: a study made from each real table of tests/realtables.py, run as a learner would.

Each table is rendered as the learner's own file (``dataset=local_file``) and taken through
`make study` once; the tests then read what a learner reads: the exit status, data/summary.md,
the decisions prepare wrote, the metrics and the write-up. The 337k-row flights table runs
under a 3 GB memory cap, the way a small laptop would stop it.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import Study, render_into
from realtables import BY_NAME, TABLES, memory_cgroup_available, run_capped

pytestmark = pytest.mark.slow

CAP_BYTES = 3 * 2**30


@dataclass
class Ran:
    """One table's study after `make study`, with what the learner reads."""

    table: object
    study: Study
    output: str
    decisions: dict
    metrics: dict
    summary: str
    writeup: str  # the write-up's text, tags removed


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def squeezed(text: str) -> str:
    """Text without spaces and backticks: what Markdown says, compared with what HTML shows."""
    return re.sub(r"[\s`]+", "", text)


def in_writeup(ran, text: str) -> bool:
    return squeezed(text) in squeezed(ran.writeup)


def render_table(table, folder: Path) -> Study:
    path = table.write(folder)
    question = {"question": table.question} if table.question else {}
    return render_into(
        folder / "out",
        project_name=table.name.replace("_", " ").title(),
        dataset="local_file",
        dataset_location=str(path),
        target_column=table.target,
        **question,
    )


def read_outputs(table, study: Study, output: str) -> Ran:
    return Ran(
        table=table,
        study=study,
        output=output,
        decisions=json.loads(study.read("data/decisions.json")),
        metrics=json.loads(study.read("reports/metrics.json")),
        summary=study.read("data/summary.md"),
        writeup=text_of(study.read("reports/writeup.html")),
    )


def set_params(study: Study, section: str, **values) -> None:
    params = yaml.safe_load(study.read("params.yaml"))
    params[section].update(values)
    study.write("params.yaml", yaml.safe_dump(params, sort_keys=False))


STUDIES = [t for t in TABLES if not t.large and t.study]


@pytest.fixture(scope="module", params=STUDIES, ids=lambda t: t.name)
def ran(request, tmp_path_factory) -> Ran:
    table = request.param
    study = render_table(table, tmp_path_factory.mktemp(table.name))
    result = study.make("study", check=False)
    output = result.stdout + result.stderr
    if result.returncode and "too few rows in class" in output:
        # The learner's loop: the plain message names the class and the fix; apply it.
        rare = re.search(r"too few rows in class '([^']+)'", output)[1]
        set_params(study, "data", drop_classes=[rare])
        result = study.make("study", check=False)
        output += result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return read_outputs(table, study, output)


def test_the_study_reaches_its_write_up_without_a_traceback(ran):
    assert "Traceback" not in ran.output
    assert ran.study.has_file("reports/writeup.html")
    assert ran.decisions["task"] == ran.table.task


def test_no_row_with_a_target_is_lost_silently(ran):
    rows = ran.decisions["rows"]
    assert rows["raw"] == ran.table.rows
    removed = sum(r["rows"] for r in rows["removed"])
    assert rows["used"] == rows["raw"] - removed == rows["train"] + rows["test"]
    dropped_classes = yaml.safe_load(ran.study.read("params.yaml"))["data"]["drop_classes"]
    reasons = {r["reason"]: r["rows"] for r in rows["removed"]}
    assert reasons.get("no value in the target column", 0) == ran.table.missing_target
    assert set(reasons) <= {"no value in the target column", "class listed in data.drop_classes"}
    assert bool(dropped_classes) == ("class listed in data.drop_classes" in reasons)
    for reason, count in reasons.items():  # each removal is told, with its reason
        assert f"Removed, {reason}: {count}" in ran.summary
        assert f"Removed, {reason}: {count}" in ran.writeup


def test_columns_that_are_not_features_are_named_with_their_role(ran):
    roles = {c["name"]: c["role"] for c in ran.decisions["columns"]}
    table = ran.table
    expected = {
        **{name: "identifier" for name in table.identifiers},
        **{name: "datetime" for name in table.dates},
        **{name: "text" if name in table.text_used else "excluded" for name in table.free_text},
        **{name: "constant" for name in table.constant},
    }
    assert {name: roles[name] for name in expected} == expected
    for name, role in expected.items():
        assert f"`{name}` | {role} |" in ran.summary
        # The write-up's roles table: one row per role, each left-out column with its reason.
        row = rf"{role} \(\d+\)(, left out)?\s+[^\n]*\b{re.escape(name)}\b"
        assert re.search(row, ran.writeup), (name, role)
    if table.identifiers:
        assert "Left out as identifiers" in ran.writeup
    if table.dates:
        assert "prepare.split: time" in ran.writeup


def test_class_shares_and_a_fitting_metric_are_shown(ran):
    if ran.table.task != "classification":
        assert ran.metrics["metric"] == "r2"
        return
    assert "Class shares" in ran.summary and "Class shares" in ran.writeup
    assert ran.study.has_file("reports/figures/confusion_matrix.png")
    _, share = ran.table.rarest_class
    if share < 0.1:
        assert ran.metrics["metric"] == "balanced_accuracy"
        assert "balanced accuracy averages the hit rate per class" in ran.writeup


def test_codes_for_unknown_and_text_numbers_are_counted_and_named(ran):
    columns = {c["name"]: c for c in ran.decisions["columns"]}
    for name, codes in ran.table.missing_codes.items():
        assert columns[name]["missing_codes"] == codes
        for code, rows in codes.items():
            told = f"`{name}`: `{code}` {rows} rows"
            assert told in ran.summary and in_writeup(ran, told), told
    if ran.table.missing_codes:
        assert "data.read.na_values adds codes" in ran.summary
    for name, marks in ran.table.numbers_from_text.items():
        assert columns[name]["type"] == "float64" and columns[name]["role"] == "numeric"
        told = f"`{name}` ({', '.join(marks)})"
        assert told in ran.summary and in_writeup(ran, told), told
    if ran.table.numbers_from_text:
        assert "Numbers written as text, read as numbers" in ran.summary
    if ran.table.is_spreadsheet:
        sheets = ", ".join(f"`{s}`" for s in ran.table.sheets)
        told = f"sheet `{ran.table.sheets[0]}` (one of {len(ran.table.sheets)}: {sheets}"
        assert told in ran.summary and in_writeup(ran, told)


def test_a_small_sample_says_so_and_cross_validates_within_its_rows(ran):
    small = "A small sample:" in ran.writeup
    assert small == ran.table.small == ran.decisions["small_sample"]
    folds = ran.decisions["folds"]
    train = ran.decisions["rows"]["train"]
    assert folds["used"] <= max(2, train // 5), "no fold scored on fewer than 5 rows"
    if folds["used"] < folds["requested"]:
        assert f"Cross-validation: {folds['used']} folds" in ran.writeup
        assert f"{folds['used']}-fold cross-validation" in ran.output
    assert "is not well-defined" not in ran.output  # R^2 on a fold of one row
    if small:
        assert "can also come close by chance" in ran.writeup or "Worth a question" not in (
            ran.writeup
        )


def test_an_entity_is_kept_on_one_side_and_time_is_named(ran):
    table, split = ran.table, ran.decisions["split"]
    roles = {c["name"]: c["role"] for c in ran.decisions["columns"]}
    if table.time_split == "group":
        assert (split["kind"], split["column"]) == ("group", table.entity)
        assert roles[table.entity] == "identifier"
        assert in_writeup(ran, f"`{table.entity}` repeats like an entity")
        assert ran.decisions["folds"]["kind"] == "grouped"
        train = pd.read_csv(ran.study.path / "data/processed/train.csv")
        test = pd.read_csv(ran.study.path / "data/processed/test.csv")
        assert not set(train[table.entity]) & set(test[table.entity])
    if table.time_split == "time":
        assert split["kind"] == "time" and split["time_columns"] == list(table.time)
        assert in_writeup(ran, f"Split by time on {' and '.join(f'`{c}`' for c in table.time)}")
        assert "the question asks about the future" in ran.writeup
        assert ran.decisions["folds"]["kind"] == "time"
    elif table.time:
        assert "prepare.split: time" in ran.writeup and "The table has a time" in ran.writeup
    if table.time and "Worth a question" in ran.writeup:
        # A trend over time is named as time, not as a leak.
        timed = [
            n for n, s in ran.decisions["single_features"]["alone"].items() if s["follows_time"]
        ]
        for name in timed:
            assert f"`{name}` (" not in ran.writeup.split("Worth a question")[1].split("\n")[0]


def test_text_becomes_the_features_when_nothing_else_can(ran):
    roles = {c["name"]: c["role"] for c in ran.decisions["columns"]}
    for name in ran.table.text_used:
        assert roles[name] == "text"
        assert in_writeup(ran, f"text (1) | `{name}`".replace("|", "")), name
        assert ran.metrics["difference"]["test"] > 0, "the words carry something"


@pytest.fixture(scope="module")
def flights(tmp_path_factory) -> Ran:
    available, reason = memory_cgroup_available()
    if not available:
        pytest.skip(reason)
    table = BY_NAME["flights"]
    study = render_table(table, tmp_path_factory.mktemp("flights"))
    study.make("setup")  # the environment, outside the cap: the pipeline is what is measured
    capped = run_capped(["make", "study"], study.path, CAP_BYTES, timeout=1500)
    assert capped.returncode == 0, capped.output[-4000:]
    peak_gb = capped.peak_bytes / 2**30
    print(f"flights: make study under {CAP_BYTES / 2**30:.0f} GB, peak {peak_gb:.2f} GB")
    return read_outputs(table, study, capped.output)


def test_the_large_flight_table_finishes_under_a_memory_cap(flights):
    rows = flights.decisions["rows"]
    assert rows["used"] == flights.table.rows - flights.table.missing_target
    roles = {c["name"]: c["role"] for c in flights.decisions["columns"]}
    assert roles["tailnum"] == "categorical"  # thousands of values, pooled: bounded memory
    assert roles["time_hour"] == "datetime"


def test_a_feature_known_only_after_the_event_is_questioned(flights):
    alone = flights.decisions["single_features"]["alone"]
    assert alone["dep_delay"]["close_to_all"]
    assert "Worth a question" in flights.writeup and "dep_delay" in flights.writeup
    assert "feature 'dep_delay' alone reaches" in flights.output
    assert "| `dep_delay` |" in flights.summary


BAD_PARAMS = [
    pytest.param("prepare", {"test_size": 1.5}, "prepare.test_size = 1.5", id="test_size 1.5"),
    pytest.param("evaluate", {"cv_folds": 1}, "evaluate.cv_folds = 1", id="cv_folds 1"),
    pytest.param("evaluate", {"cv_folds": 1000}, "evaluate.cv_folds = 1000", id="cv_folds 1000"),
    pytest.param(
        "evaluate",
        {"metric": "r2"},
        "evaluate.metric 'r2' does not fit a classification task",
        id="metric for the other task",
    ),
    pytest.param("data", {"task": "clasification"}, "data.task = 'clasification'", id="typo"),
    pytest.param("prepare", {"split": "time"}, "split: time needs", id="time without column"),
    pytest.param(
        "train", {"model": "magic"}, "train.model 'magic' is not in MODELS", id="unknown model"
    ),
]


@pytest.mark.parametrize(("section", "values", "words"), BAD_PARAMS)
def test_a_wrong_setting_is_refused_before_it_is_used(default_study, section, values, words):
    original = default_study.read("params.yaml")
    params = yaml.safe_load(original)
    params["data"]["task"] = "classification"
    params[section].update(values)
    default_study.write("params.yaml", yaml.safe_dump(params, sort_keys=False))
    try:
        result = default_study.make("study", check=False)
    finally:
        default_study.write("params.yaml", original)
        # A stage that stops has lost its output (DVC removes it first): back from the cache.
        default_study.run(".venv/bin/dvc", "checkout", "--quiet")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert words in output and "params.yaml" in output and "Traceback" not in output
    ran = re.findall(r"Running stage '(\w+)'", output)
    # The model's section is checked by train before it fits anything, when train is the
    # first stage to run; every other value before any stage.
    assert ran in ([], ["train"]) if section == "train" else ran == []
