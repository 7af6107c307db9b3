"""Pipeline time and peak memory of studies made from real tables (tests/realtables.py).

For each table: a study is rendered with the table as the learner's own file, `make setup`
and one `make study` run as a warm-up, then RUNS timed `dvc repro --force` runs (every stage
again, the environment already made), each inside a memory cgroup with the cap below, which
also records the peak memory of the whole process tree. Every run uses the throw-away HOME
and caches of benchmarks/sandbox.py, as `make bench` does.

    make bench-tables                                    # writes docs/benchmarks-real-tables.md
    make bench-tables TABLES_ARGS="--runs 3 --tables nyc_weather"
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.sandbox import Sandbox, machine_line, measure_each, publish

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from realtables import BY_NAME, memory_cgroup_available, run_capped  # noqa: E402

REPORT = ROOT / "docs" / "benchmarks-real-tables.md"
CAP_BYTES = 3 * 2**30
# The targets on a 2-core machine: pipeline seconds or peak bytes, per table.
TARGETS = {"nyc_weather": ("pipeline", 60.0), "flights": ("peak", CAP_BYTES)}


def run(study: Path, env: dict[str, str], *command: str) -> None:
    done = subprocess.run(command, cwd=study, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(
            f"{' '.join(command)} failed in {study}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        )


def measure(name: str, runs: int, sandbox: Sandbox) -> list[tuple[float, int]]:
    """(seconds, peak bytes) of each timed `dvc repro --force` under the memory cap."""
    table = BY_NAME[name]
    env = sandbox.env()
    folder = sandbox.fresh(name)
    study = sandbox.render(
        folder / "out",
        project_name=name.replace("_", " "),
        dataset="local_file",
        dataset_location=str(table.write(folder)),
        target_column=table.target,
    )
    print(f"{name}: setup and warm-up run", flush=True)
    run(study, env, "make", "study")
    # The stages run `python -m ...`: the study's own, as its Makefile puts .venv/bin first.
    env = {**env, "PATH": f"{study / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"}
    results = []
    for number in range(1, runs + 1):
        start = time.perf_counter()
        capped = run_capped([".venv/bin/dvc", "repro", "--force"], study, CAP_BYTES, env=env)
        seconds = time.perf_counter() - start
        if capped.returncode != 0:
            sys.exit(f"{name}: dvc repro failed under the cap:\n{capped.output[-3000:]}")
        results.append((seconds, capped.peak_bytes))
        peak_gib = capped.peak_bytes / 2**30
        print(f"{name}: run {number}/{runs}: {seconds:.1f} s, peak {peak_gib:.2f} GiB")
    return results


def report(results: dict[str, list[tuple[float, int]]], runs: int) -> str:
    lines = [
        "# Real tables: pipeline time and peak memory",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by "
        "`benchmarks/real_tables.py`: a study rendered with each table as the learner's own "
        "file, `make study` once as a warm-up, then "
        f"{runs} timed `dvc repro --force` runs (every stage), each in a memory cgroup capped "
        f"at {CAP_BYTES / 2**30:.0f} GiB that also records the peak of the whole process tree.",
        "",
        "| table | rows x columns | pipeline median (s) | runs (s) | peak memory (GiB) | target |",
        "|---|---|---|---|---|---|",
    ]
    for name, measured in results.items():
        table = BY_NAME[name]
        seconds = [s for s, _ in measured]
        peak = max(p for _, p in measured)
        kind, limit = TARGETS.get(name, (None, None))
        if kind == "pipeline":
            met = statistics.median(seconds) <= limit
            verdict = f"pipeline <= {limit:.0f} s: {'met' if met else 'missed'}"
        elif kind == "peak":
            verdict = f"peak <= {limit / 2**30:.0f} GiB: {'met' if peak <= limit else 'missed'}"
        else:
            verdict = ""
        lines.append(
            f"| {name} | {table.rows:,} x {table.columns} | {statistics.median(seconds):.1f} | "
            f"{', '.join(f'{s:.1f}' for s in seconds)} | {peak / 2**30:.2f} | {verdict} |"
        )
    lines += ["", machine_line("times"), ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs after the warm-up")
    parser.add_argument("--tables", nargs="+", default=list(TARGETS), choices=sorted(BY_NAME))
    parser.add_argument("--output", type=Path, default=REPORT, help="the Markdown report")
    args = parser.parse_args()
    available, reason = memory_cgroup_available()
    if not available:
        parser.exit(1, f"needs a memory cgroup: {reason}\n")
    results = measure_each(args.tables, measure, args.runs)
    publish(report(results, args.runs), args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
