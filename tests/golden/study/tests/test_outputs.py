"""Checks on the pipeline's own outputs, once `make study` has produced them."""

import io
import json

import pandas as pd
import pytest

from digits_practice_study import checks, columns, datasets, paths, prepare, report
from digits_practice_study.validation import read_table

needs_outputs = pytest.mark.skipif(
    not paths.METRICS.exists() or not paths.TRAIN.exists(),
    reason="no pipeline outputs yet: run `make study` first",
)


@needs_outputs
def test_processed_split_has_no_leak(params):
    decisions = columns.load()
    train, test = read_table(paths.TRAIN), read_table(paths.TEST)
    if decisions["split"]["identical"] in ("none", "grouped"):
        features = prepare.feature_names(decisions)
        checks.assert_no_shared_rows(train[features], test[features])
    # The raw rows as the split files hold them (written as CSV and read back).
    raw = datasets.load_raw(params["data"])
    raw = pd.read_csv(io.StringIO(raw.to_csv(index=False))).drop_duplicates()
    for part in (train, test):
        merged = part.merge(raw, how="left", indicator=True)
        assert (merged["_merge"] == "both").all(), "processed rows differ from the raw data"


@needs_outputs
def test_writeup_numbers_equal_the_metrics():
    metrics = json.loads(paths.METRICS.read_text())
    html = paths.WRITEUP.read_text()
    name = metrics["metric"]
    for label in ("model", "baseline"):
        assert report.fmt(metrics[label]["test"][name]) in html
        assert report.fmt(metrics[label]["cv"]["mean"]) in html
        assert report.fmt(metrics[label]["test_ci"]["low"]) in html
