"""Measure the template on this machine and write docs/benchmarks.md (`make bench`).

    python -m benchmarks.run                       # everything, 5 runs each: ~30-60 min
    python -m benchmarks.run --runs 2 --only render,rerun     # a quick look, printed

A partial run (--only) prints its table instead of overwriting the published page, unless
--output names a file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

from . import measures, render_vs_ccds
from .machine import describe, load_average
from .sandbox import Sandbox
from .table import Report, render
from .timing import CommandFailed

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "benchmarks.md"
BENCHMARKS = (
    "render",
    "render-ccds",
    "first-warm",
    "first-cold",
    "setting",
    "rerun",
    "size",
    "fast-tests",
    "full-tests",
)
NOTES = [
    (
        "Render: `cookiecutter --no-input` from the command line, so Python start-up and "
        "cookiecutter's imports are in both the template's time and the floor's. The floor is "
        "`benchmarks/floor/`: one file, two questions, no hooks."
    ),
    (
        "Render beside cookiecutter-data-science v2: its own `ccds` command from PyPI in a "
        "throw-away environment with the same cookiecutter, its template from a clone given "
        "with `make bench CCDS=path` (`benchmarks/render_vs_ccds.py`; never copied here)."
    ),
    (
        "First result: a fresh render, then `python3 run.py setup` and `python3 run.py study` "
        "in it (together exactly what `run.py study` does on a fresh study). Warm: uv's cache "
        "was filled by the warm-up run. Cold: a new empty uv cache for every run, so every "
        "package is downloaded and unpacked. Each run starts a new `.venv`, so Python also "
        "compiles every imported module once."
    ),
    (
        "One model setting changed: the default study (digits, 1,797 rows) after its first "
        "run; each run writes a new value of `C` under `train.linear` in params.yaml and runs "
        "`python3 run.py study`, which reruns train, evaluate and report (checked)."
    ),
    (
        "Measured commands run with their own HOME, temp folder and caches, and without "
        "PYTHONDONTWRITEBYTECODE (these shared machines set it; a learner's does not)."
    ),
    (
        "Environment size: bytes of files, each hard link counted once. 'Needed at run time' is "
        "DVC plus whatever the stage modules import, with everything those require "
        "(`benchmarks/env_probe.py`)."
    ),
    (
        "Setup timings of uv against pip: `make bench-setup` (`benchmarks/setup_time.py`), "
        "[benchmarks-setup.md](benchmarks-setup.md)."
    ),
    (
        "Real tables (the 337k-row flights table under a 3 GB memory cap, the 26k-row "
        "weather Parquet file): `make bench-tables` (`benchmarks/real_tables.py`), "
        "[benchmarks-real-tables.md](benchmarks-real-tables.md)."
    ),
    (
        "A table larger than memory (1.5 GiB CSV, compute=dask and compute=pandas under a 1 GiB "
        "memory cap: peak memory and time): `make bench-dask` "
        "(`benchmarks/larger_than_memory.py`), "
        "[benchmarks-larger-than-memory.md](benchmarks-larger-than-memory.md)."
    ),
]
CAPPED_PAGE = PAGE.with_name("benchmarks-larger-than-memory.md")


def capped_run_note(page: Path = CAPPED_PAGE) -> list[str]:
    """The capped run's last measurement, one line per compute, from its own page."""
    if not page.exists():
        return []
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith(("| dask ", "| pandas "))
    ]
    said = "; ".join(
        f"{compute}: {outcome} in {seconds} s, peak {rss} MiB without page cache"
        for compute, _settings, outcome, seconds, _peak, rss in rows
    )
    return [f"Last capped run ({page.name}): {said}."] if said else []


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=5,
        help="measured runs per figure, after one warm-up (default 5)",
    )
    parser.add_argument(
        "--only",
        default=",".join(BENCHMARKS),
        help=f"comma-separated subset of: {','.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--full-tier-runs",
        type=int,
        default=1,
        help="runs of the slow full tier (default 1, no warm-up)",
    )
    parser.add_argument(
        "--full-tier-timeout",
        type=float,
        default=1800,
        help="stop the full tier after this many seconds and say so (default 1800)",
    )
    parser.add_argument(
        "--template",
        type=Path,
        default=ROOT,
        help="the template to measure (default: this repository)",
    )
    parser.add_argument(
        "--output",
        help="where to write the page; '-' prints it "
        "(default: docs/benchmarks.md for a full run, '-' with --only)",
    )
    parser.add_argument(
        "--ccds",
        help="a clone of cookiecutter-data-science for render-ccds (or $CCDS_TEMPLATE)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the sandbox folder (studies, caches) for a closer look",
    )
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    if args.output is None:
        args.output = str(PAGE) if set(args.only) == set(BENCHMARKS) else "-"
    return args


def step(name: str) -> None:
    print(f"[{dt.datetime.now(dt.timezone.utc):%H:%M:%S}] {name}", file=sys.stderr, flush=True)


def measure_all(
    args: argparse.Namespace, sandbox: Sandbox, report: Report, publish: Callable[[], None]
) -> None:
    """Run the chosen benchmarks in order, adding to ``report`` and publishing it after each,
    so a run cut short still leaves what it measured. A benchmark that fails (say, the
    template is half-edited) is named as not measured; the others still run."""
    template = args.template.resolve()
    found = {}

    def attempt(name: str, benchmark) -> None:
        step(name)
        try:
            result = benchmark()
        except CommandFailed as error:
            report.failures.append(f"{name}: {str(error).splitlines()[0]}")
            print(error, file=sys.stderr)
            return
        if isinstance(result, tuple):  # (figures, what later benchmarks need)
            result, found[name] = result
        report.figures += result
        publish()

    if "render" in args.only:
        attempt("render time", lambda: measures.render_time(sandbox, template, args.runs))
    if "render-ccds" in args.only:
        try:
            clone = render_vs_ccds.find_ccds(args.ccds)
        except SystemExit as missing:
            report.failures.append(f"render beside cookiecutter-data-science: {missing}")
        else:
            attempt(
                "render beside cookiecutter-data-science",
                lambda: render_vs_ccds.ratio_figures(sandbox, clone, args.runs),
            )
    for kind in ("cold", "warm"):  # warm last: its study serves the rerun and size
        if f"first-{kind}" in args.only:
            attempt(
                f"first result, {kind} cache",
                lambda kind=kind: measures.first_result(
                    sandbox, template, args.runs, cold=kind == "cold"
                ),
            )
    study = found.get("first result, warm cache") or found.get("first result, cold cache")
    if {"setting", "rerun", "size"} & set(args.only) and not study:
        attempt(
            "a study for the rerun and size figures",
            lambda: ([], measures.ready_study(sandbox, template)),
        )
        study = found.get("a study for the rerun and size figures")
    if "setting" in args.only and study:
        attempt("one setting changed", lambda: measures.setting_changed(sandbox, study, args.runs))
    if "rerun" in args.only and study:
        attempt("no-op rerun", lambda: measures.rerun(sandbox, study, args.runs))
    if "size" in args.only and study:
        attempt("environment size", lambda: measures.environment_size(sandbox, study))
        report.packages = found.get("environment size", [])
        publish()
    if "fast-tests" in args.only:
        attempt("fast tier", lambda: measures.test_time(template, args.runs, "fast"))
    if "full-tests" in args.only:
        attempt(
            "full tier",
            lambda: measures.test_time(
                template, args.full_tier_runs, "full", args.full_tier_timeout
            ),
        )


def page_command(args: argparse.Namespace, words: list[str]) -> str:
    """The command that wrote the page, as typed through make: the published page names
    the clone of cookiecutter-data-science by what it is, not by its path on this machine."""
    shown, skip = [], False
    for word in words:
        if skip or word.startswith(("--ccds=", "--output=")):
            skip = False
        elif word in ("--ccds", "--output"):
            skip = True
        else:
            shown.append(word)
    ccds = " CCDS=<a clone of cookiecutter-data-science>" if args.ccds else ""
    options = f' BENCH_ARGS="{" ".join(shown)}"' if shown else ""
    return f"make bench{ccds}{options}"


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    sandbox = Sandbox.create()
    words = argv if argv is not None else sys.argv[1:]
    writes_page = args.output != "-" and Path(args.output).resolve() == PAGE.resolve()
    command = (
        page_command(args, words) if writes_page else "python -m benchmarks.run " + " ".join(words)
    )
    report = Report(
        machine=describe(sandbox.uv),
        load_start=load_average(),
        load_end=load_average(),
        started=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        figures=[],
        notes=NOTES + capped_run_note(),
        command=command,
    )

    def publish() -> None:
        report.load_end = load_average()
        if args.output != "-":
            Path(args.output).parent.mkdir(parents=True, exist_ok=True)
            Path(args.output).write_text(render(report), encoding="utf-8")

    try:
        measure_all(args, sandbox, report, publish)
    finally:
        if args.keep:
            print(f"sandbox kept: {sandbox.root}", file=sys.stderr)
        else:
            sandbox.remove()
    publish()
    if args.output == "-":
        print(render(report))
    else:
        step(f"wrote {args.output}")


if __name__ == "__main__":
    main()
