"""Fast tier: a study's notebooks read the pipeline's outputs, never the test rows, and
cross-validate on the pipeline's own folds. Read from their source (Python, as jupytext
keeps them); nothing is run (the study's own tests/test_notebooks.py runs them).
"""

from __future__ import annotations

import ast

import pytest
from conftest import render_into

# Names that reach the test rows: the raw table (every row, the test rows too), the test
# split's file, or evaluate's reader of it.
TEST_ROWS = {"RAW_DATA", "load_raw", "read_raw", "TEST", "read_parts"}
# The pipeline's cross-validation: it must be given the split prepare made (decided.split),
# or a group or time study would be scored on folds the pipeline never uses.
PIPELINE_FOLDS = {"cross_validate", "folds"}
# scikit-learn cutting rows its own way, knowing nothing of that split.
OWN_FOLDS = {
    "cross_val_score",
    "cross_val_predict",
    "KFold",
    "StratifiedKFold",
    "GroupKFold",
    "TimeSeriesSplit",
    "ShuffleSplit",
    "train_test_split",
}


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> dict[str, ast.Module]:
    study = render_into(tmp_path_factory.mktemp("notebooks"))
    found = sorted((study.path / "notebooks").glob("*.py"))
    assert [path.stem for path in found] == ["01_explore", "02_analysis"]
    return {path.stem: ast.parse(path.read_text(encoding="utf-8")) for path in found}


def names(tree: ast.Module) -> set[str]:
    """Every name a notebook uses: ``x`` and the ``y`` of ``x.y``."""
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} | {
        node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
    }


def called(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def test_every_notebook_reads_the_training_rows_and_the_decisions_never_the_test_rows(notebooks):
    for stem, tree in notebooks.items():
        assert not names(tree) & TEST_ROWS, f"{stem} reaches the test rows"
        texts = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
        assert not [t for t in texts if isinstance(t, str) and "data/raw" in t], stem
        # The rows prepare kept for training, with the roles prepare gave their columns.
        assert {"TRAIN", "load"} <= names(tree), f"{stem}: paths.TRAIN and decisions.load()"


def test_cross_validation_in_a_notebook_uses_the_split_the_pipeline_made(notebooks):
    for stem, tree in notebooks.items():
        for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
            assert called(call) not in OWN_FOLDS, f"{stem}: {called(call)} ignores the split"
            if called(call) in PIPELINE_FOLDS:
                given = [*call.args, *(keyword.value for keyword in call.keywords)]
                split = [a for a in given if isinstance(a, ast.Attribute) and a.attr == "split"]
                assert split, f"{stem}: {called(call)}(...) is not given decided.split"
