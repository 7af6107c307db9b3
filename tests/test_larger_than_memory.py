"""compute=dask on a table larger than the memory it may use (marked ``capped``: its own CI step).

A 1.5 GB CSV file (tests/bigtable.py: 24 columns, a churn target) and a 1 GB memory cgroup
around `make study`: the Dask study runs to its write-up, and the same table under the same
cap with compute=pandas is killed. Skipped, with the reason, where no memory cgroup can be
made (not root, not Linux). About 5 minutes on 2 cores.

    make test-capped          # or: .venv/bin/pytest -m capped
"""

from __future__ import annotations

import json
import re

import pytest
from bigtable import capped_study, write_big_table
from realtables import memory_cgroup_available

pytestmark = [pytest.mark.slow, pytest.mark.capped]  # not in the ordinary full tier

TABLE_BYTES = 3 * 2**29  # 1.5 GiB
CAP_BYTES = 2**30  # 1 GiB
# The Dask study's settings on a small machine: the model is fitted on 100,000 of the about
# 3 million training rows, and each local worker spills to disk well inside the cap.
DASK_PREPARE = {"train_rows": 100_000, "worker_memory": "600MiB"}


@pytest.fixture(scope="module")
def big_table(tmp_path_factory):
    available, reason = memory_cgroup_available()
    if not available:
        pytest.skip(reason)
    path = tmp_path_factory.mktemp("table") / "churn.csv"
    rows = write_big_table(path, TABLE_BYTES)
    return path, rows


@pytest.fixture(scope="module")
def dask_run(big_table, tmp_path_factory):
    path, _ = big_table
    run = capped_study(path, tmp_path_factory.mktemp("dask"), "dask", CAP_BYTES, **DASK_PREPARE)
    print(
        f"compute=dask on {path.stat().st_size / 2**30:.2f} GiB under a "
        f"{CAP_BYTES / 2**30:.0f} GiB cap: exit {run.returncode}, peak "
        f"{run.peak_bytes / 2**20:.0f} MiB ({run.peak_process_bytes / 2**20:.0f} MiB without page "
        f"cache), {run.seconds:.0f} s"
    )
    return run


def test_the_table_is_larger_than_the_memory_allowed(big_table):
    path, _ = big_table
    assert path.stat().st_size > 1.4 * CAP_BYTES


def test_the_dask_study_reaches_its_write_up_under_the_cap(dask_run, big_table):
    _, rows = big_table
    assert dask_run.returncode == 0, dask_run.output[-4000:]
    assert 0 < dask_run.peak_process_bytes < CAP_BYTES
    study = dask_run.study
    decisions = json.loads(study.read("data/decisions.json"))
    assert decisions["rows"]["raw"] == rows
    assert decisions["rows"]["train"] + decisions["rows"]["test"] == rows
    assert decisions["rows"]["train_sample"] == DASK_PREPARE["train_rows"]
    assert decisions["task"] == "classification"
    roles = {c["name"]: c["role"] for c in decisions["columns"]}
    assert roles["plan"] == "categorical" and roles["usage_00"] == "numeric"
    metrics = json.loads(study.read("reports/metrics.json"))
    assert metrics["n_train"] == DASK_PREPARE["train_rows"]
    assert metrics["n_test"] == decisions["rows"]["test"]  # every test row is predicted
    name = metrics["metric"]
    assert metrics["model"]["test"][name] > metrics["baseline"]["test"][name] + 0.01


def test_the_write_up_states_the_training_sample(dask_run):
    writeup = re.sub(r"<[^>]+>", " ", dask_run.study.read("reports/writeup.html"))
    sample = f"Fitted on a stratified sample of {DASK_PREPARE['train_rows']} of the"
    assert sample in writeup
    assert sample in dask_run.study.read("data/summary.md")


def test_the_pandas_study_is_killed_by_the_same_cap(big_table, tmp_path_factory):
    path, _ = big_table
    run = capped_study(path, tmp_path_factory.mktemp("pandas"), "pandas", CAP_BYTES)
    print(f"compute=pandas: exit {run.returncode}, peak {run.peak_bytes / 2**20:.0f} MiB")
    assert run.returncode != 0
    # The kernel's out-of-memory killer ends the stage (SIGKILL: exit -9, or 137 in a shell).
    assert re.search(r"exited with (-9|137)|Killed|MemoryError", run.output), run.output[-3000:]
    assert not run.study.has_file("reports/writeup.html")
