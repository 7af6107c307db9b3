"""The data check, `task: auto` and the measured data card, on small tables made here."""

import numpy as np
import pandas as pd
import pytest

from digits_practice_study import datacard, datasets, validation


def test_a_table_with_gaps_and_text_passes(messy):
    validation.validate(messy, "target")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda f: f.drop(columns=["target"]), "the target column 'target' is not in"),
        (lambda f: f.head(0), "has a header but no rows"),
        (lambda f: f.assign(target=1), "holds a single class (1)"),
        (lambda f: f.assign(notes=np.nan), "column 'notes' of the data is entirely empty"),
        (lambda f: f.assign(target=np.nan), "the target column 'target' of the data is entirely"),
    ],
    ids=["missing target", "no rows", "single class", "empty column", "empty target"],
)
def test_each_problem_has_its_own_message(messy, change, words):
    with pytest.raises(validation.DataProblem) as problem:
        validation.validate(change(messy), "target")
    assert words in str(problem.value)


def test_empty_and_unreadable_files_are_named(tmp_path):
    empty, broken = tmp_path / "empty.csv", tmp_path / "broken.parquet"
    empty.touch()
    broken.write_text("not parquet")
    with pytest.raises(validation.DataProblem, match="empty file"):
        validation.read_table(empty)
    with pytest.raises(validation.DataProblem, match="could not be read as Parquet"):
        validation.read_table(broken)


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (["a", "b", "a"], "classification"),
        ([True, False, True], "classification"),
        ([0, 1, 2, 1], "classification"),
        ([0.5, 1.25, 3.0], "regression"),
        (list(range(100)), "regression"),
    ],
)
def test_auto_task_follows_the_target(values, task):
    assert datasets.infer_task(pd.Series(values)) == task


def test_the_summary_counts_rows_gaps_and_classes(messy):
    text = datacard.summary(messy, {"target": "target", "task": "classification"}, "x.csv")
    assert f"- Rows: {len(messy)}" in text
    gaps = int(messy["size"].isna().sum())
    assert f"| `size` | float64 | {gaps} |" in text
    for label, count in messy["target"].value_counts().items():
        assert f"| {label} | {count} |" in text
