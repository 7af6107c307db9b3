"""The data check, `task: auto` and the measured data card, on small tables made here."""

import numpy as np
import pandas as pd
import pytest
from conftest import prepare_in_memory, with_data

from {{ cookiecutter.module_name }}.kit import reading, roles, summary


def test_a_table_with_gaps_and_text_passes(messy):
    reading.check_table(messy, "target")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda f: f.drop(columns=["target"]), "the target column 'target' is not in"),
        (lambda f: f.head(0), "has a header but no rows"),
        (lambda f: f.assign(target=1), "holds a single class (1)"),
        (lambda f: f.assign(target=np.nan), "the target column 'target' of the data is entirely"),
    ],
    ids=["missing target", "no rows", "single class", "empty target"],
)
def test_each_problem_has_its_own_message(messy, change, words):
    with pytest.raises(reading.DataProblem) as problem:
        reading.check_table(change(messy), "target")
    assert words in str(problem.value)


def test_empty_and_unreadable_files_are_named(tmp_path):
    empty, broken = tmp_path / "empty.csv", tmp_path / "broken.parquet"
    empty.touch()
    broken.write_text("not parquet")
    with pytest.raises(reading.DataProblem, match="empty file"):
        reading.read_table(empty)
    with pytest.raises(reading.DataProblem, match="could not be read as Parquet"):
        reading.read_table(broken)


LONG_TAIL = [0] * 60 + [1] * 20 + [2] * 10 + [3] * 5 + [5, 7, 9, 9, 4]
CODES = list(range(1, 41)) * 3


@pytest.mark.parametrize(
    ("values", "name", "task"),
    [
        (["a", "b", "a"], "y", "classification"),
        ([True, False, True], "y", "classification"),
        ([0, 1, 2, 1], "y", "classification"),
        ([0.5, 1.25, 3.0], "y", "regression"),
        (list(range(100)), "y", "regression"),
        (LONG_TAIL, "visits", "regression"),
        (CODES, "customer_type", "classification"),
    ],
    ids=["text", "yes/no", "three codes", "decimals", "many numbers", "count", "type codes"],
)
def test_auto_task_follows_the_target(values, name, task):
    assert roles.infer_task(pd.Series(values, name=name))[0] == task


@pytest.mark.parametrize(
    ("values", "name", "role"),
    [
        (list(range(100)), "row", "identifier"),
        ([f"p{i}" for i in range(100)], "name", "identifier"),
        ([1, 2] * 50, "person_id", "identifier"),
        ([np.nan] * 100, "notes", "excluded"),
        ([7] * 100, "year", "constant"),
        (["2021-03-0" + str(i % 9 + 1) for i in range(100)], "day", "datetime"),
        ([f"review {i}: the film was long, the music good" for i in range(100)], "review", "text"),
        (["red", "blue"] * 50, "colour", "categorical"),
        (np.linspace(0, 1, 100), "score", "numeric"),
    ],
)
def test_each_column_gets_a_role(values, name, role):
    assert roles.role_of(pd.Series(values, name=name))[0] == role


def test_the_summary_counts_rows_gaps_and_classes(messy, params):
    messy.loc[:2, "target"] = None
    _, _, decisions = prepare_in_memory(messy, with_data(params, task="classification"))
    text = summary.data_summary(decisions)
    assert f"- Rows in the raw table: {len(messy)}" in text
    assert "- Removed, no value in the target column: 3" in text
    gaps = int(messy["size"].isna().sum())
    assert f"| `size` | numeric | float64 | {gaps} |" in text
    for label, count in messy["target"].value_counts().items():
        assert f"| {label} | {count} |" in text
