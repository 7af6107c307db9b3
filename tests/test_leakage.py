"""Full tier: a leak introduced on purpose makes the study's own checks fail loudly."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

# Each patch edits prepare.py's prepare() where it reads the table and where it writes the
# split, as a learner's edit would.
READ = "    sample = table.sample()\n"
WRITE = "    table.write(fitted_on, test)\n"

SCALE_BEFORE_SPLIT = (
    READ,
    READ
    + """\
    from sklearn.preprocessing import StandardScaler  # LEAK: the scaler sees the test rows

    numbers = sample.select_dtypes("number").columns.drop(params["data"]["target"])
    sample[numbers] = StandardScaler().fit_transform(sample[numbers])
""",
)

DUPLICATE_ACROSS_SETS = (
    WRITE,
    """\
    import numpy as np  # LEAK: some training rows are copied into the test set

    test = np.concatenate([test, fitted_on[:20]])
"""
    + WRITE,
)


def inject(study, patch: tuple[str, str]) -> None:
    path = "src/digits_practice_study/prepare.py"
    source = study.read(path)
    where, edit = patch
    assert where in source, "prepare.py no longer reads or splits where this test edits it"
    study.write(path, source.replace(where, edit, 1))


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
