"""Checks on the pipeline's own outputs, once `python3 run.py study` has produced them."""

import io
import json

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.kit import decisions, guards, paths, reading
from {{ cookiecutter.module_name }}.kit.files import fmt

needs_split = pytest.mark.skipif(
    not paths.DECISIONS.exists() or not paths.TRAIN.exists() or not paths.TEST.exists(),
    reason="no split yet: run `python3 run.py study` first",
)
needs_outputs = pytest.mark.skipif(
    not paths.METRICS.exists() or not paths.WRITEUP.exists(),
    reason="no pipeline outputs yet: run `python3 run.py study` first",
)


@needs_split
def test_processed_split_has_no_leak(params):
    """What prepare wrote (even when a later stage failed): no shared rows, raw values."""
    made = decisions.load()
    train, test = reading.read_table(paths.TRAIN), reading.read_table(paths.TEST)
    if made.split.keeps_copies_apart:
        features = made.feature_names()
        guards.assert_no_shared_rows(train[features], test[features])
    # The raw rows as the split files hold them (written as CSV and read back).
    raw = reading.load_raw(params["data"])
    raw = pd.read_csv(io.StringIO(raw.to_csv(index=False))).drop_duplicates()
    for part in (train, test):
        merged = part.merge(raw, how="left", indicator=True)
        assert (merged["_merge"] == "both").all(), (
            "processed rows differ from the raw data: prepare must not transform features; "
            "put preprocessing inside the model pipeline (kit/pipeline.py)"
        )


@needs_outputs
def test_writeup_numbers_equal_the_metrics():
    metrics = json.loads(paths.METRICS.read_text())
    html = paths.WRITEUP.read_text()
    name = metrics["metric"]
    for label in ("model", "baseline"):
        assert fmt(metrics[label]["test"][name]) in html
        assert fmt(metrics[label]["cv"]["mean"]) in html
        assert fmt(metrics[label]["test_ci"]["low"]) in html
