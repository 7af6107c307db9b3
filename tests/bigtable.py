"""A table larger than the memory a study is then allowed, and `make study` on it under a cap.

``write_big_table`` writes a CSV file of about the size asked for, fast (numpy blocks written
by pyarrow): a customer churn table of 24 columns: 20 measurements, a plan name, a region
code, a yes/no answer and the target, ``churned`` (0/1, about 30% ones), drawn from a logistic
model of a few of the columns, so a model has something real to find and the classes are
imbalanced.

``capped_study`` renders a study on that file as the learner's own (``dataset=local_file``),
makes its environment outside the cap, then runs ``make study`` inside a memory cgroup
(``realtables.run_capped``) and reports the exit status, the peak and the time.
tests/test_larger_than_memory.py asserts on it; benchmarks/larger_than_memory.py records it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import realtables
import yaml
from conftest import Study, render_into
from realtables import CGROUP_ROOT, run_capped

TARGET = "churned"
BLOCK_ROWS = 200_000
PLANS = np.array(["basic", "standard", "premium", "family", "student"])


def churn_block(rows: int, rng: np.random.Generator) -> pa.Table:
    """``rows`` customers: measurements, a plan, a region, a flag, and whether they left."""
    measures = rng.normal(size=(rows, 20))
    plan = rng.integers(0, len(PLANS), size=rows)
    region = rng.integers(1, 40, size=rows)
    autopay = rng.random(rows) < 0.6
    logit = (
        -1.2
        + 0.9 * measures[:, 0]
        - 0.7 * measures[:, 1]
        + 0.5 * measures[:, 2] * measures[:, 3]
        + 0.4 * (plan == 0)
        - 0.6 * autopay
    )
    churned = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    columns = {f"usage_{i:02d}": measures[:, i] for i in range(20)}
    autopay_text = np.where(autopay, "yes", "no")
    columns |= {"plan": PLANS[plan], "region": region, "autopay": autopay_text, TARGET: churned}
    return pa.table(columns)


def write_big_table(path: Path, size_bytes: int, seed: int = 16) -> int:
    """Write about ``size_bytes`` of churn table as CSV to ``path``; return its rows."""
    rng = np.random.default_rng(seed)
    rows = 0
    with pacsv.CSVWriter(path, churn_block(1, rng).schema) as writer:
        while path.stat().st_size < size_bytes:
            writer.write_table(churn_block(BLOCK_ROWS, rng))
            rows += BLOCK_ROWS
    return rows


class CappedStudy(NamedTuple):
    study: Study
    returncode: int
    peak_bytes: int  # the cgroup's own peak: page cache of the files read and written included
    peak_process_bytes: int  # the processes' own memory (rss), sampled every 0.2 s
    seconds: float
    output: str


@contextlib.contextmanager
def process_memory_peak():
    """Sample the rss of run_capped's cgroups of this process; yields a list, [peak] at exit.

    The cgroup's own peak counts the page cache too, which the kernel frees before it kills:
    the processes' memory says how close the pipeline itself came to the cap.
    """
    parent = realtables._own_cgroup_v1() if realtables._cgroup_version() == 1 else CGROUP_ROOT
    field = "rss" if realtables._cgroup_version() == 1 else "anon"
    found, stop = [0], threading.Event()

    def sample():
        while not stop.wait(0.2):
            for stat in parent.glob(f"realtables-{os.getpid()}-*/memory.stat"):
                with contextlib.suppress(OSError, ValueError):
                    values = dict(line.split() for line in stat.read_text().splitlines())
                    found[0] = max(found[0], int(values.get(field, 0)))

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    try:
        yield found
    finally:
        stop.set()
        watcher.join()


def render_on(table: Path, folder: Path, compute: str) -> Study:
    return render_into(
        folder,
        project_name=f"Churn {compute}",
        dataset="local_file",
        dataset_location=str(table),
        target_column=TARGET,
        compute=compute,
    )


def capped_study(table: Path, folder: Path, compute: str, cap_bytes: int, **prepare) -> CappedStudy:
    """`make study` of a study on ``table`` inside a memory cgroup of ``cap_bytes``.

    ``prepare`` overrides keys of params.yaml's prepare section (e.g. train_rows).
    """
    study = render_on(table, folder, compute)
    if prepare:
        params = yaml.safe_load(study.read("params.yaml"))
        params["prepare"].update(prepare)
        study.write("params.yaml", yaml.safe_dump(params, sort_keys=False))
    study.make("setup")  # the environment, outside the cap: the pipeline is what is measured
    start = time.monotonic()
    with process_memory_peak() as peak:
        run = run_capped(["make", "study"], study.path, cap_bytes, timeout=1200)
    seconds = time.monotonic() - start
    return CappedStudy(study, run.returncode, run.peak_bytes, peak[0], seconds, run.output)
