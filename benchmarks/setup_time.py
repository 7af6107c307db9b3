"""Wall time of a study's `make setup` with uv and with pip, package caches warm.

Renders the default study once per env_manager into a temporary folder, runs `make setup`
once to warm the caches (uv's, pip's), then times RUNS further runs, each from a deleted
.venv (and git hook), and reports the median, min and max. The study's kernel goes into a
temporary HOME, never into your own Jupyter kernels: every run uses the throw-away HOME and
caches of benchmarks/sandbox.py, as `make bench` does.

    make bench-setup                                     # 5 runs each, writes the report
    make bench-setup SETUP_ARGS="--runs 7 --managers uv"
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.sandbox import Sandbox, machine_line, measure_each, publish

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "benchmarks-setup.md"
TARGET_UV_SECONDS = 10  # the target on a 2-core machine


def output(*command: str) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def make_setup(study: Path, env: dict[str, str]) -> float:
    shutil.rmtree(study / ".venv", ignore_errors=True)
    (study / ".git" / "hooks" / "pre-commit").unlink(missing_ok=True)
    start = time.perf_counter()
    done = subprocess.run(
        ["make", "setup"], cwd=study, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"make setup failed in {study}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return seconds


def measure(manager: str, runs: int, sandbox: Sandbox) -> tuple[list[float], str]:
    """The timed runs, and the installer's version as the study used it.

    The sandbox's own HOME and caches (benchmarks/sandbox.py): its uv and pip caches are
    filled by the warm-up run, so the timed runs measure a warm cache, as the report says.
    """
    env = sandbox.env()
    study = sandbox.render(sandbox.fresh(manager), env_manager=manager)
    print(f"{manager}: warm-up run", flush=True)
    make_setup(study, env)
    times = []
    for run in range(1, runs + 1):
        times.append(make_setup(study, env))
        print(f"{manager}: run {run}/{runs}: {times[-1]:.1f} s", flush=True)
    python = str(study / ".venv" / "bin" / "python")
    tool = (
        output(sandbox.uv, "--version")
        if manager == "uv"
        else output(python, "-m", "pip", "--version")
    )
    return times, tool.split(" from ")[0]


def report(results: dict[str, tuple[list[float], str]], runs: int) -> str:
    lines = [
        "# `make setup` wall time, warm package cache",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by "
        "`benchmarks/setup_time.py`: the default study rendered once per `env_manager`, one "
        f"warm-up `make setup`, then {runs} timed runs, each after deleting `.venv` and the "
        "git hook, so each run installs every package again from the warm cache, registers "
        f"the Jupyter kernel and installs the git hooks. The issue's target: uv <= "
        f"{TARGET_UV_SECONDS} s on a 2-core machine.",
        "",
        "| env_manager | installer | median (s) | min (s) | max (s) | runs (s) |",
        "|---|---|---|---|---|---|",
    ]
    for manager, (times, tool) in results.items():
        lines.append(
            f"| {manager} | {tool} | {statistics.median(times):.1f} | {min(times):.1f} | "
            f"{max(times):.1f} | {', '.join(f'{t:.1f}' for t in times)} |"
        )
    if "uv" in results:
        median = statistics.median(results["uv"][0])
        verdict = "within" if median <= TARGET_UV_SECONDS else "over"
        lines += ["", f"uv's median, {median:.1f} s, is {verdict} the target."]
    lines += ["", machine_line("numbers"), ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs after the warm-up")
    parser.add_argument("--managers", nargs="+", default=["uv", "pip"], choices=["uv", "pip"])
    parser.add_argument("--output", type=Path, default=REPORT, help="the Markdown report")
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("take at least 5 runs: a median of fewer says little on a shared machine")
    results = measure_each(args.managers, measure, args.runs)
    publish(report(results, args.runs), args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
