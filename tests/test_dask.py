"""compute=dask: the data stages run on a Dask cluster and the study's metrics do not change.

The full tier runs the dask study twice, on its default LocalCluster and on a `dask scheduler`
with two `dask worker` processes started here on 127.0.0.1, and compares every number in
reports/metrics.json with the pandas study's. Tolerance: 1e-9 absolute. The split is the
same rows in the same order, so the numbers are in fact identical; the tolerance only allows
for floating-point summation order.
"""

from __future__ import annotations

import json
import math
import os
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest
from conftest import Study, render_into

TOLERANCE = 1e-9
DASK_FILES = ["tests/test_prepare_dask.py", "docs/dask.md"]
PREPARE = "src/digits_practice_study/prepare.py"
BACKEND = "src/digits_practice_study/kit/table_dask.py"


def extras(study: Study) -> list[str]:
    """What the study's setup adds to `uv sync` (kit/environment.py)."""
    return [
        flag for extra in study.command_layer("environment.EXTRAS") for flag in ("--extra", extra)
    ]


def test_a_pandas_study_has_no_dask_code(render):
    study = render()
    assert not any(study.has_file(name) for name in DASK_FILES)
    assert not study.has_file(BACKEND)
    assert "dask" not in study.read(PREPARE).lower()
    assert "dask" not in study.read("README.md").lower()
    assert "--extra" not in extras(study) and "parquet" not in study.read("dvc.yaml")


def test_a_dask_study_prepares_on_dask_and_installs_it(render):
    study = render(compute="dask")
    assert all(study.has_file(name) for name in DASK_FILES)
    assert "(docs/dask.md)" in study.read("README.md")
    assert extras(study) == ["--extra", "dask"]
    assert "from .kit.table_dask import open_table" in study.read(PREPARE)
    assert "from dask.distributed import Client, LocalCluster" in study.read(BACKEND)
    assert 'TRAIN = DATA / "processed" / "train.parquet"' in study.read(
        "src/digits_practice_study/kit/paths.py"
    )


def numbers(tree, prefix=""):
    """Every number in a JSON tree, by its path: {"model.test.accuracy": 0.97, ...}."""
    if isinstance(tree, list):
        tree = dict(enumerate(tree))
    if not isinstance(tree, dict):
        return {prefix.rstrip("."): tree}
    return {
        path: value
        for key, sub in tree.items()
        for path, value in numbers(sub, f"{prefix}{key}.").items()
    }


def assert_same_metrics(study: Study, expected: dict) -> None:
    actual = numbers(json.loads(study.read("reports/metrics.json")))
    wanted = numbers(expected)
    assert actual.keys() == wanted.keys()
    for key, value in wanted.items():
        if isinstance(value, float):
            assert math.isclose(actual[key], value, rel_tol=0, abs_tol=TOLERANCE), key
        else:
            assert actual[key] == value, key


@pytest.fixture(scope="module")
def pandas_metrics(tmp_path_factory) -> dict:
    study = render_into(tmp_path_factory.mktemp("pandas"))
    study.make("study")
    return json.loads(study.read("reports/metrics.json"))


@pytest.fixture(scope="module")
def dask_study(tmp_path_factory) -> Study:
    study = render_into(tmp_path_factory.mktemp("dask"), compute="dask")
    study.make("setup")
    return study


def repro_everything(study: Study, monkeypatch):
    """`dvc repro --force` with the study's environment first on PATH, as `make study` does."""
    monkeypatch.setenv("PATH", f"{study.path / '.venv/bin'}{os.pathsep}{os.environ['PATH']}")
    return study.run(".venv/bin/dvc", "repro", "--force", timeout=900)


def prepared_on(run) -> tuple[str, int]:
    found = re.search(r"prepare: .* partitions on (\S+) with (\d+) workers", run.stdout)
    assert found, run.stdout[-3000:]
    return found.group(1), int(found.group(2))


@pytest.mark.slow
def test_dask_on_a_local_cluster_gives_the_pandas_metrics(dask_study, pandas_metrics, monkeypatch):
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    run = repro_everything(dask_study, monkeypatch)
    address, workers = prepared_on(run)
    assert address.startswith("inproc://") and workers == 2
    parts = sorted((dask_study.path / "data/processed/train.parquet").glob("part-*.parquet"))
    assert len(parts) == 1  # 1,437 training rows: one part (kit/table_dask.py PART_ROWS: 50,000)
    assert_same_metrics(dask_study, pandas_metrics)
    assert "passed" in dask_study.make("test").stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dask_cluster(dask_study, tmp_path):
    """`dask scheduler` and two `dask worker` processes on 127.0.0.1; yields the address."""
    dask = str(dask_study.path / ".venv/bin/dask")
    address = f"tcp://127.0.0.1:{free_port()}"
    logs = [tmp_path / f"{name}.log" for name in ("scheduler", "worker1", "worker2")]
    commands = [
        [
            dask,
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            address.rsplit(":", 1)[1],
            "--no-dashboard",
        ]
    ]
    commands += [
        [
            dask,
            "worker",
            address,
            "--host",
            "127.0.0.1",
            "--nthreads",
            "1",
            "--no-dashboard",
            "--name",
            f"worker{i}",
        ]
        for i in (1, 2)
    ]
    processes = []
    try:
        for command, log in zip(commands, logs, strict=True):
            processes.append(
                subprocess.Popen(
                    command, cwd=dask_study.path, stdout=log.open("w"), stderr=subprocess.STDOUT
                )
            )
            if command[1] == "scheduler":
                wait_for(logs[0], "Scheduler at:", processes)
        for log in logs[1:]:
            wait_for(log, "Registered to:", processes)
        yield address
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(log: Path, text: str, processes, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while text not in log.read_text(errors="replace"):
        if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
            raise RuntimeError(f"{log.name}: no {text!r} in time:\n{log.read_text()[-2000:]}")
        time.sleep(0.5)


@pytest.mark.slow
def test_dask_on_a_separate_scheduler_and_workers_gives_the_pandas_metrics(
    dask_study, pandas_metrics, dask_cluster, monkeypatch
):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", dask_cluster)
    run = repro_everything(dask_study, monkeypatch)
    assert prepared_on(run) == (dask_cluster, 2)
    assert_same_metrics(dask_study, pandas_metrics)
