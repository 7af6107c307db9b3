"""Full tier: a leak introduced on purpose makes the study's own checks fail loudly."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

# Each patch edits prepare.py's prepare() where it reads the table and where it writes the
# split, as a learner's edit would.
READ = "sample = table.sample()"
WRITE = "table.write(fitted_on, test)"

# (the line of prepare.py it goes after or before, "after"/"before", the leaky lines)
SCALE_BEFORE_SPLIT = (
    READ,
    "after",
    """\
from sklearn.preprocessing import StandardScaler  # LEAK: the scaler sees the test rows
numbers = sample.select_dtypes("number").columns.drop(params["data"]["target"])
sample[numbers] = StandardScaler().fit_transform(sample[numbers])
""",
)

DUPLICATE_ACROSS_SETS = (
    WRITE,
    "before",
    """\
import numpy as np  # LEAK: some training rows are copied into the test set
test = np.concatenate([test, fitted_on[:20]])
""",
)


def inject(study, patch: tuple[str, str, str]) -> None:
    """Put the leaky lines after or before a line of prepare.py, indented as that line is."""
    path = "src/digits_practice_study/prepare.py"
    lines = study.read(path).splitlines(keepends=True)
    where, side, edit = patch
    found = [i for i, line in enumerate(lines) if line.strip() == where]
    assert len(found) == 1, "prepare.py no longer reads or splits where this test edits it"
    at = found[0]
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    leak = [indent + line + "\n" for line in edit.splitlines()]
    lines[at + 1 if side == "after" else at : at + 1 if side == "after" else at] = leak
    study.write(path, "".join(lines))


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
