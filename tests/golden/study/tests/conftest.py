"""Shared fixtures: the study's params, its raw data, and a small awkward table."""

import numpy as np
import pandas as pd
import pytest

from digits_practice_study import prepare
from digits_practice_study.kit import reading, roles
from digits_practice_study.kit.params import load_params
from digits_practice_study.kit.table import InMemory


@pytest.fixture(scope="session")
def params():
    return load_params()


@pytest.fixture(scope="session")
def raw(params):
    return reading.load_raw(params["data"])


@pytest.fixture(scope="session")
def decisions(raw, params):
    """What prepare decides about the study's own table (task, metric, column roles)."""
    return roles.decide(raw, params)


@pytest.fixture(scope="session")
def prepared(raw, params):
    """prepare's whole sequence on the study's own table, once: (train, test, decisions)."""
    return prepare_in_memory(raw, params)


def with_data(params, **data):
    """``params`` for a small table made in a test (its target column: ``target``)."""
    return {**params, "data": {**params["data"], "target": "target", "columns": {}, **data}}


def decide_for(frame, params, **data):
    """prepare's decisions for a small table made in a test (target column: ``target``)."""
    return roles.decide(frame, with_data(params, **data))


def prepare_in_memory(frame, params):
    """prepare's whole sequence on ``frame``, writing no file: (train, test, decisions)."""
    table = InMemory(frame, save=False)
    made = prepare.prepare(table, params)
    return table.train, table.test, made


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
