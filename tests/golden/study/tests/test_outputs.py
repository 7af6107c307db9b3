"""Checks on the pipeline's own outputs, once `make study` has produced them."""

import io
import json

import pandas as pd
import pytest

from digits_practice_study import config, dataset, report

needs_split = pytest.mark.skipif(
    not config.DECISIONS.exists() or not config.TRAIN.exists() or not config.TEST.exists(),
    reason="no split yet: run `make study` first",
)
needs_outputs = pytest.mark.skipif(
    not config.METRICS.exists() or not config.WRITEUP.exists(),
    reason="no pipeline outputs yet: run `make study` first",
)


@needs_split
def test_processed_split_has_no_leak(params):
    """What prepare wrote (even when a later stage failed): no shared rows, raw values."""
    decisions = dataset.load_decisions()
    train, test = dataset.read_table(config.TRAIN), dataset.read_table(config.TEST)
    if decisions["split"]["identical"] in ("none", "grouped"):
        features = dataset.feature_names(decisions)
        dataset.assert_no_shared_rows(train[features], test[features])
    # The raw rows as the split files hold them (written as CSV and read back).
    raw = dataset.load_raw(params["data"])
    raw = pd.read_csv(io.StringIO(raw.to_csv(index=False))).drop_duplicates()
    for part in (train, test):
        merged = part.merge(raw, how="left", indicator=True)
        assert (merged["_merge"] == "both").all(), (
            "processed rows differ from the raw data: prepare must not transform features; "
            "put preprocessing inside the model pipeline (model.py)"
        )


@needs_outputs
def test_writeup_numbers_equal_the_metrics():
    metrics = json.loads(config.METRICS.read_text())
    html = config.WRITEUP.read_text()
    name = metrics["metric"]
    for label in ("model", "baseline"):
        assert report.fmt(metrics[label]["test"][name]) in html
        assert report.fmt(metrics[label]["cv"]["mean"]) in html
        assert report.fmt(metrics[label]["test_ci"]["low"]) in html
