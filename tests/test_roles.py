"""Fast tier: on real tables, the study's column roles, task guess and CSV format detection.

The rules live in the rendered study (``src/<module>/kit/roles.py``) and, for the CSV format,
in local_extensions.py, which fills ``data.read`` in params.yaml at render time. Each table
of tests/realtables.py states what a careful reader would decide; these tests hold the rules
to it without running a pipeline.
"""

from __future__ import annotations

import importlib
import sys

import pandas as pd
import pytest
import yaml
from conftest import local_extensions, render_into
from realtables import TABLES

SMALL = [pytest.param(t, id=t.name) for t in TABLES if not t.large]
SMALL_CSV = [pytest.param(t, id=t.name) for t in TABLES if not t.large and not t.is_parquet]


@pytest.fixture(scope="module")
def columns(tmp_path_factory):
    """The rendered study's roles module (the table rules), imported from its src/ folder."""
    study = render_into(tmp_path_factory.mktemp("roles"))
    sys.path.insert(0, str(study.path / "src"))
    yield importlib.import_module("digits_practice_study.kit.roles")
    sys.path.remove(str(study.path / "src"))
    for name in [n for n in sys.modules if n.startswith("digits_practice_study")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Each small table written once, and read back with its own settings."""
    folder = tmp_path_factory.mktemp("tables")
    return {t.name: (t.write(folder), t.load(t.write(folder))) for t in TABLES if not t.large}


@pytest.mark.parametrize("table", SMALL)
def test_the_task_guess_matches_a_careful_reader(columns, written, table):
    _, frame = written[table.name]
    task, reason = columns.infer_task(frame[table.target])
    assert task == table.task, reason
    assert reason  # the summary says why, so a wrong guess is easy to spot


@pytest.mark.parametrize("table", SMALL)
def test_columns_that_are_not_features_are_found(columns, written, table):
    _, frame = written[table.name]
    data = {"target": table.target, "columns": {}}
    roles = {c.name: c.role for c in columns.describe_columns(frame, data)}
    assert roles[table.target] == "target"
    expected = {
        **{name: "identifier" for name in table.identifiers},
        **{name: "datetime" for name in table.dates},
        **{name: "text" for name in table.free_text},
        **{name: "constant" for name in table.constant},
    }
    assert {name: roles[name] for name in expected} == expected
    features = [n for n, r in roles.items() if r in ("numeric", "categorical", "datetime")]
    assert features, "every table here has columns worth learning from"
    for name in table.categorical:
        assert roles[name] in ("categorical", "numeric")


def test_a_role_set_in_params_wins(columns, written):
    _, frame = written["caravan"]
    data = {"target": "Purchase", "columns": {"MOSTYPE": "categorical", "MAANTHUI": "excluded"}}
    roles = {c.name: c for c in columns.describe_columns(frame, data)}
    assert roles["MOSTYPE"].role == "categorical"
    assert roles["MAANTHUI"].role == "excluded" and roles["MAANTHUI"].set_in_params
    assert "params.yaml" in roles["MAANTHUI"].reason
    with pytest.raises(ValueError, match="data.columns names 'nope'"):
        columns.describe_columns(frame, {"target": "Purchase", "columns": {"nope": "numeric"}})


def shares_of(labels: pd.Series) -> dict[str, float]:
    return {str(k): float(v) for k, v in labels.value_counts(normalize=True).items()}


def test_a_rare_class_makes_balanced_accuracy_the_headline(columns, written):
    _, frame = written["caravan"]  # about 6% buy
    shares = shares_of(frame["Purchase"])
    metric, reason = columns.auto_metric("classification", shares)
    assert metric == "balanced_accuracy" and "rarest class" in reason
    even = shares_of(pd.Series(list(range(10)) * 20))  # ten classes of 10%
    assert columns.auto_metric("classification", even)[0] == "accuracy"


@pytest.mark.parametrize("table", SMALL_CSV)
def test_the_csv_format_is_found_at_render_time(written, table):
    path, _ = written[table.name]
    found = local_extensions.sniff_table(path)
    expected = {"sep": ",", "decimal": ".", "encoding": "utf-8", **table.read}
    assert {k: found[k] for k in expected} == expected
    assert found["sure"], found["why"]
    assert pd.read_csv(path, **{k: found[k] for k in expected}).shape[1] == table.columns


def test_an_unsure_guess_names_the_setting(tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("a b c\n1 2 3\n", encoding="utf-8")
    found = local_extensions.sniff_table(odd)
    assert not found["sure"]
    assert "data.read" in found["why"]


def test_a_european_export_renders_with_its_read_settings(tmp_path):
    table = next(t for t in TABLES if t.name == "budget_food_semicolon")
    path = table.write(tmp_path)
    study = render_into(
        tmp_path / "out",
        dataset="local_file",
        dataset_location=str(path),
        target_column=table.target,  # found among the columns: the header was split on ';'
        project_name="Budget food",
    )
    read = yaml.safe_load(study.read("params.yaml"))["data"]["read"]
    assert read == {"sep": ";", "decimal": ",", "encoding": "utf-8"}
