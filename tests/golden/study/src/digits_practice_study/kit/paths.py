"""Where every file of the study is. Stages, notebooks and tests import paths from here;
``dvc.yaml`` names the same files (the template's tests keep the two in step)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PARAMS = ROOT / "params.yaml"
QUESTION = ROOT / "QUESTION.md"
WRITEUP_SOURCE = ROOT / "WRITEUP.md"

DATA = ROOT / "data"
# The name is reduced to letters, digits and ._- (the template's raw_file_name filter).
RAW_DATA = DATA / "raw" / "digits.csv"
# Your own data file's DVC record (`dvc add`): its hash and size, kept in git. Bundled and
# downloaded data have none: dvc.lock records them, as the get_data stage's output.
RAW_RECORD = RAW_DATA.with_name(RAW_DATA.name + ".dvc")
# What the pipeline measured in the raw data; the data card (data/README.md) links to it.
DATA_SUMMARY = DATA / "summary.md"
# What prepare decided about the table (task, metric, column roles, rows, split); train,
# evaluate and report read it instead of deciding again.
DECISIONS = DATA / "decisions.json"
# compute=dask writes each split as a folder of Parquet parts; pandas as one CSV file.
TRAIN = DATA / "processed" / "train.csv"
TEST = DATA / "processed" / "test.csv"

MODEL = ROOT / "models" / "model.joblib"

REPORTS = ROOT / "reports"
METRICS = REPORTS / "metrics.json"
ENVIRONMENT = REPORTS / "environment.json"
FIGURES = REPORTS / "figures"
MY_FIGURES = ROOT / "figures"  # the learner's own; the pipeline only reads them
WRITEUP = REPORTS / "writeup.html"
# Every try (run.py try) and every scoring of the test set (evaluate), one row each. Kept in
# git and only ever appended to: it is the honest count of how often you looked.
LEDGER = REPORTS / "ledger.csv"
# The tests of the leakage guards: run.py review asks that they are there.
LEAKAGE_TESTS = ROOT / "tests" / "test_leakage_guards.py"


# How a command of the study is typed in this computer's terminal: run.py runs every one,
# on any OS (`python3 run.py study`; in Windows' PowerShell, `py run.py study`).
RUN = "py run.py" if os.name == "nt" else "python3 run.py"
# Two commands on one line, the second after the first: Windows PowerShell 5 has no &&, it
# runs one after the other with ;.
AND = "; " if os.name == "nt" else " && "


def shown(path: Path | str) -> str:
    """A path as the learner knows it: relative to the study when it is inside."""
    path = Path(path)
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
