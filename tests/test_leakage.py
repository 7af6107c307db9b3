"""Full tier: a leak introduced on purpose makes the study's own checks fail loudly."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

# Each patch redefines prepare.split just before main(), as a learner's edit would.
SCALE_BEFORE_SPLIT = """
_honest_split = split


def split(frame, decisions, settings):  # LEAK: the scaler sees the test rows
    from sklearn.preprocessing import StandardScaler

    features = [c for c in frame.columns if c != decisions["target"]]
    frame = frame.copy()
    frame[features] = StandardScaler().fit_transform(frame[features])
    return _honest_split(frame, decisions, settings)


"""

DUPLICATE_ACROSS_SETS = """
_honest_split = split


def split(frame, decisions, settings):  # LEAK: some training rows are copied into the test set
    train, test, how = _honest_split(frame, decisions, settings)
    return train, pd.concat([test, train.head(20)]), how


"""


def inject(study, patch: str) -> None:
    path = "src/digits_practice_study/prepare.py"
    source = study.read(path)
    study.write(path, source.replace("\ndef main()", patch + "def main()", 1))


@pytest.fixture
def study(render):
    leaky = render()
    leaky.make("setup")
    return leaky


def test_scaling_before_the_split_fails_the_tests(study):
    inject(study, SCALE_BEFORE_SPLIT)
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
