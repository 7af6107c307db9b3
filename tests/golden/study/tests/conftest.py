"""Shared fixtures: the study's params, its raw data, and a small awkward table."""

import numpy as np
import pandas as pd
import pytest

from digits_practice_study import config, dataset


@pytest.fixture(scope="session")
def params():
    return config.load_params()


@pytest.fixture(scope="session")
def raw(params):
    return dataset.load_raw(params["data"])


@pytest.fixture(scope="session")
def decisions(raw, params):
    """What prepare decides about the study's own table (task, metric, column roles)."""
    return dataset.decide(raw, params)


def decide_for(frame, params, **data):
    """prepare's decisions for a small table made in a test (target column: ``target``)."""
    settings = {**params, "data": {**params["data"], "target": "target", "columns": {}, **data}}
    return dataset.decide(frame, settings)


@pytest.fixture
def messy():
    """120 rows with gaps and a text column, as real data tends to have."""
    rng = np.random.default_rng(0)
    n = 120
    frame = pd.DataFrame(
        {
            "size": rng.normal(10, 2, n),
            "weight": rng.normal(50, 5, n),
            "colour": rng.choice(["red", "green", "blue"], n),
        }
    )
    frame.loc[::7, "size"] = np.nan
    frame.loc[::11, "colour"] = None
    frame["target"] = (frame["weight"] > 50).astype(int)
    return frame
