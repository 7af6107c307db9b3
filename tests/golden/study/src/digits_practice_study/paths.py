"""Every file and folder the study reads or writes, defined once.

Stages, notebooks and tests import these names instead of typing paths. ``dvc.yaml`` names
the same files; a test in ``tests/test_paths.py`` keeps the two in step.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PARAMS = ROOT / "params.yaml"
WRITEUP_SOURCE = ROOT / "WRITEUP.md"

DATA = ROOT / "data"
# The name is reduced to letters, digits and ._- (local_extensions.raw_file_name).
RAW_DATA = DATA / "raw" / "digits.csv"
# What the pipeline measured in the raw data; the data card (data/README.md) links to it.
DATA_SUMMARY = DATA / "summary.md"
# compute=dask writes each split as a folder of Parquet partitions; pandas as one CSV file.
TRAIN = DATA / "processed" / "train.csv"
TEST = DATA / "processed" / "test.csv"

# What prepare decided about the table (task, metric, column roles, rows, split); train,
# evaluate and report read it instead of deciding again.
DECISIONS = DATA / "decisions.json"

MODEL = ROOT / "models" / "model.joblib"

REPORTS = ROOT / "reports"
METRICS = REPORTS / "metrics.json"
ENVIRONMENT = REPORTS / "environment.json"
FIGURES = REPORTS / "figures"
MY_FIGURES = ROOT / "figures"  # the learner's own; the pipeline only reads them
WRITEUP = REPORTS / "writeup.html"
# Every try (make try) and every scoring of the test set (evaluate), one row each. Kept in
# git and only ever appended to: it is the honest count of how often you looked.
LEDGER = REPORTS / "ledger.csv"
