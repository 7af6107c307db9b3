"""A table larger than memory: `make study` with compute=dask and compute=pandas under a cap.

The 1.5 GiB churn table of tests/bigtable.py, a study rendered on it for each variant (the
environment made outside the cap), then `make study` inside a 1 GiB memory cgroup that also
records the peak of the whole process tree (page cache of the files it reads included).
The Dask study fits on a stratified sample of 100,000 training rows; pandas is expected to
be killed. The same run as tests/test_larger_than_memory.py, with the numbers written down.

    make bench-dask                    # writes docs/benchmarks-larger-than-memory.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from bigtable import capped_study, write_big_table  # noqa: E402
from realtables import memory_cgroup_available  # noqa: E402
from test_larger_than_memory import CAP_BYTES, TABLE_BYTES  # noqa: E402

REPORT = ROOT / "docs" / "benchmarks-larger-than-memory.md"


def outcome(run) -> str:
    if run.returncode == 0:
        return "write-up made"
    killed = "exited with -9" in run.output or run.returncode in (-9, 137)
    return "killed by the cap (out of memory)" if killed else f"failed (exit {run.returncode})"


def report(size: int, rows: int, runs: dict) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "# A table larger than memory: compute=dask against compute=pandas",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by "
        "`benchmarks/larger_than_memory.py` (`make bench-dask`): a "
        f"{size / 2**30:.2f} GiB CSV file ({rows:,} rows x 24 columns, tests/bigtable.py), a "
        "study rendered on it as the learner's own file, then `make study` inside a memory "
        f"cgroup capped at {CAP_BYTES / 2**30:.0f} GiB. Peak: the most memory the process "
        "tree held at once, page cache of the files it read and wrote included (the kernel "
        "frees that cache before it kills), and without it: the processes' own memory (rss), "
        "sampled every 0.2 s.",
        "",
        "| compute | settings | outcome | time (s) | peak memory (MiB) "
        "| peak without page cache (MiB) |",
        "|---|---|---|---|---|---|",
    ]
    for compute, (settings, run) in runs.items():
        lines.append(
            f"| {compute} | {settings} | {outcome(run)} | {run.seconds:.0f} | "
            f"{run.peak_bytes / 2**20:.0f} | {run.peak_process_bytes / 2**20:.0f} |"
        )
    dask_run = runs["dask"][1]
    if dask_run.returncode == 0:
        metrics = json.loads(dask_run.study.read("reports/metrics.json"))
        name = metrics["metric"]
        lines += [
            "",
            f"The Dask study's test {name}: {metrics['model']['test'][name]:.3f} (baseline "
            f"{metrics['baseline']['test'][name]:.3f}) on all {metrics['n_test']:,} test rows, "
            f"the model fitted on {metrics['n_train']:,} training rows, as many as the cap allows "
            "(prepare.train_rows null: the study sized the sample itself).",
        ]
    lines += [
        "",
        f"Machine: {platform.platform(terse=True)}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average at the end {load} (the machine is "
        "shared: treat the times as upper bounds).",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPORT, help="the Markdown report")
    args = parser.parse_args()
    available, reason = memory_cgroup_available()
    if not available:
        parser.exit(1, f"needs a memory cgroup: {reason}\n")
    sandbox = Sandbox.create()
    try:
        os.environ.update(sandbox.env())  # cookiecutter's replay file and first commit use it
        folder = sandbox.fresh("larger-than-memory")
        table = folder / "churn.csv"
        rows = write_big_table(table, TABLE_BYTES)
        runs = {}
        for compute in ("dask", "pandas"):  # each with the study's own settings
            run = capped_study(table, folder / compute, compute, CAP_BYTES)
            print(
                f"{compute}: exit {run.returncode}, {run.seconds:.0f} s, peak "
                f"{run.peak_bytes / 2**20:.0f} MiB",
                flush=True,
            )
            runs[compute] = ("defaults", run)
        text = report(table.stat().st_size, rows, runs)
    finally:
        sandbox.remove()
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
