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
    # The study's own settings: the memory per worker and the training sample are sized to
    # the memory the cap allows, by the study itself.
    run = capped_study(path, tmp_path_factory.mktemp("dask"), "dask", CAP_BYTES)
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
    # A sample sized to the cap, not to the computer's own memory.
    assert decisions["rows"]["train_sample_sized_to"] == CAP_BYTES
    assert 10_000 <= decisions["rows"]["train_sample"] < decisions["rows"]["train"]
    assert decisions["task"] == "classification"
    roles = {c["name"]: c["role"] for c in decisions["columns"]}
    assert roles["plan"] == "categorical" and roles["usage_00"] == "numeric"
    metrics = json.loads(study.read("reports/metrics.json"))
    assert metrics["n_train"] == decisions["rows"]["train_sample"]
    assert metrics["n_test"] == decisions["rows"]["test"]  # every test row is predicted
    name = metrics["metric"]
    assert metrics["model"]["test"][name] > metrics["baseline"]["test"][name] + 0.01


def test_the_write_up_states_the_training_sample(dask_run):
    writeup = re.sub(r"<[^>]+>", " ", dask_run.study.read("reports/writeup.html"))
    rows = json.loads(dask_run.study.read("data/decisions.json"))["rows"]
    sample = f"Fitted on a stratified sample of {rows['train_sample']} of the {rows['train']}"
    sized = "prepare.train_rows null: as many as fit in the 1.0 GiB of memory available"
    for text in (writeup, dask_run.study.read("data/summary.md")):
        assert sample in text and sized in text
    # prepare says what each worker may use, and why.
    assert "each spilling to disk above 60% of 512.00 MiB" in dask_run.output
    assert "Dask's share of the 1.00 GiB of memory this process is limited to" in dask_run.output


def test_the_pandas_study_is_killed_by_the_same_cap(big_table, tmp_path_factory):
    path, _ = big_table
    run = capped_study(path, tmp_path_factory.mktemp("pandas"), "pandas", CAP_BYTES)
    print(f"compute=pandas: exit {run.returncode}, peak {run.peak_bytes / 2**20:.0f} MiB")
    assert run.returncode != 0
    # The kernel's out-of-memory killer ends the Python that runs DVC and the stages
    # (kit/repro.py), and run.py says what most likely happened and what to do.
    assert "the out-of-memory killer" in run.output, run.output[-3000:]
    assert "compute=dask" in run.output and run.returncode in (137, 2)  # 2: make's own code
    assert not run.study.has_file("reports/writeup.html")
