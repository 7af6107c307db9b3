"""Full tier: a leak introduced on purpose makes the study's own checks fail loudly."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

# Each patch edits prepare.py's main() where the split is made, as a learner's edit would.
CALL = "        train, test, decisions = dataset.prepare_table(raw, params)\n"

SCALE_BEFORE_SPLIT = (
    """\
        from sklearn.preprocessing import StandardScaler  # LEAK: the scaler sees the test rows

        numbers = raw.select_dtypes("number").columns.drop(params["data"]["target"])
        raw[numbers] = StandardScaler().fit_transform(raw[numbers])
"""
    + CALL
)

DUPLICATE_ACROSS_SETS = (
    CALL
    + """\
        import pandas as pd  # LEAK: some training rows are copied into the test set

        test = pd.concat([test, train.head(20)])
"""
)


def inject(study, patch: str) -> None:
    path = "src/digits_practice_study/prepare.py"
    source = study.read(path)
    assert CALL in source, "prepare.py no longer makes the split where this test edits it"
    study.write(path, source.replace(CALL, patch, 1))


@pytest.fixture
def study(render):
    leaky = render()
    leaky.make("setup")
    return leaky


def test_scaling_before_the_split_fails_the_tests(study):
    inject(study, SCALE_BEFORE_SPLIT)
    study.make("study")  # nothing in the pipeline can tell scaled values from measured ones
    result = study.make("test", check=False)
    assert result.returncode != 0
    assert "prepare must not transform features" in result.stdout


def test_rows_shared_by_train_and_test_stop_the_pipeline_and_fail_the_tests(study):
    inject(study, DUPLICATE_ACROSS_SETS)
    run = study.make("study", check=False)
    assert run.returncode != 0
    assert "appear in both the training and the test set" in run.stdout + run.stderr
    assert not study.has_file("reports/metrics.json")
    result = study.make("test", check=False)
    assert result.returncode != 0
    assert "LeakageError" in result.stdout
