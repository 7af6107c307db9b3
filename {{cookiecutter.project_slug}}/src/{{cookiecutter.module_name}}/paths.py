"""Every file and folder the study reads or writes, defined once.

Stages, notebooks and tests import these names instead of typing paths. ``dvc.yaml`` names
the same files; a test in ``tests/test_paths.py`` keeps the two in step.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PARAMS = ROOT / "params.yaml"
WRITEUP_SOURCE = ROOT / "WRITEUP.md"

DATA = ROOT / "data"
RAW_DATA = DATA / "raw" / "{{ cookiecutter.dataset }}.csv"
TRAIN = DATA / "processed" / "train.csv"
TEST = DATA / "processed" / "test.csv"

MODEL = ROOT / "models" / "model.joblib"

REPORTS = ROOT / "reports"
METRICS = REPORTS / "metrics.json"
ENVIRONMENT = REPORTS / "environment.json"
FIGURES = REPORTS / "figures"
WRITEUP = REPORTS / "writeup.html"
