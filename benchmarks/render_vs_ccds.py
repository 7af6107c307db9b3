"""Render time beside cookiecutter-data-science v2 (ccds), on this machine, side by side.

    python -m benchmarks.render_vs_ccds --ccds PATH [--runs 15]

Target: our render's median at most 0.9x ccds's, both with the same cookiecutter version
and `--no-input`. ccds is NOT part of this repository and is never copied into it: give the
path of a clone of github.com/drivendataorg/cookiecutter-data-science (a work tree or a bare
git folder) with --ccds or $CCDS_TEMPLATE. Without either, the benchmark looks for a clone
beside this repository (../cookiecutter-data-science) and says which it used.

ccds is rendered as its users render it, with its own `ccds` command (cookiecutter with
ccds's patches, reading ccds.json): the `cookiecutter-data-science` package from PyPI,
installed into a throw-away virtual environment in the sandbox beside the cookiecutter
version this template's environment has. Its template is the clone's tag of that package's
version (`git archive v<version>`), so its hooks match the package they import.

Each round renders both, alternating which goes first, in a fresh output folder; one
warm-up round is thrown away. Medians of wall-clock and CPU seconds (all processes).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tarfile
from importlib.metadata import version
from itertools import count
from pathlib import Path

from .sandbox import ROOT, Sandbox
from .table import Figure, timed
from .timing import Timing, measure, repeat, run

TARGET = 0.9
COOKIECUTTER = str(Path(sys.executable).parent / "cookiecutter")


def find_ccds(given: str | None) -> Path:
    candidates = [
        given,
        os.environ.get("CCDS_TEMPLATE"),
        str(ROOT.parent / "cookiecutter-data-science"),
    ]
    for candidate in filter(None, candidates):
        if Path(candidate).is_dir():
            return Path(candidate)
    raise SystemExit(
        "No clone of cookiecutter-data-science found: give its path with --ccds PATH "
        "(or $CCDS_TEMPLATE)."
    )


def ccds_program(sandbox: Sandbox) -> tuple[str, str]:
    """The `ccds` command in a sandbox venv, with this environment's cookiecutter version."""
    venv = sandbox.root / "ccds-venv"
    run([sandbox.uv, "venv", "--quiet", "--python", sys.executable, str(venv)], ROOT, os.environ)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    pins = [f"cookiecutter=={version('cookiecutter')}", "cookiecutter-data-science"]
    run([sandbox.uv, "pip", "install", "--quiet", "--python", str(python), *pins], ROOT, os.environ)
    installed = run(
        [
            str(python),
            "-c",
            "from importlib.metadata import version as v;print(v('cookiecutter-data-science'))",
        ],
        ROOT,
        os.environ,
    ).stdout.strip()
    return str(python.with_name("ccds")), installed


def ccds_template(clone: Path, ccds_version: str, into: Path) -> Path:
    """The clone's files at the tag of the installed package (or as they are)."""
    tag = f"v{ccds_version}"
    done = subprocess.run(
        ["git", "-C", str(clone), "archive", "--format=tar", tag], capture_output=True, check=False
    )
    into.mkdir(parents=True)
    if done.returncode == 0:
        with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
            archive.extractall(
                into, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {})
            )
        return into
    if not (clone / "ccds.json").is_file():
        raise SystemExit(f"{clone} has neither the tag {tag} nor a work tree with ccds.json")
    shutil.copytree(clone, into, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".git"))
    return into


def ratio_figures(sandbox: Sandbox, clone: Path, runs: int) -> list[Figure]:
    """Our render against ccds's, ``runs`` rounds after one warm-up: the ratio, and each."""
    ccds, ccds_version = ccds_program(sandbox)
    template = ccds_template(clone, ccds_version, sandbox.root / "ccds-template")
    print(f"ccds {ccds_version} from {clone}; cookiecutter {version('cookiecutter')}")
    commands = {
        "ours": lambda out: [COOKIECUTTER, "--no-input", "--output-dir", str(out), str(ROOT)],
        "ccds": lambda out: [ccds, "--no-input", "--output-dir", str(out), str(template)],
    }
    round_number = count()

    def once() -> dict[str, Timing | float]:
        first = next(round_number) % 2  # alternate which goes first
        names = list(commands) if first else list(reversed(commands))
        timings = {}
        for name in names:
            out = sandbox.fresh("render")
            timings[name] = measure(commands[name](out), out, sandbox.env())
            shutil.rmtree(out)
        timings["ratio"] = timings["ours"].wall / timings["ccds"].wall
        timings["cpu ratio"] = timings["ours"].cpu / timings["ccds"].cpu
        return timings

    s = repeat(once, runs)
    return [
        Figure(
            f"Render: this template / cookiecutter-data-science {ccds_version}",
            s["ratio"].median,
            "x",
            TARGET,
            f"median of {runs} paired runs, each with its own command (`cookiecutter`, "
            f"`ccds`) and cookiecutter {version('cookiecutter')}; CPU time ratio "
            f"{s['cpu ratio'].median:.2f}x",
        ),
        timed("Render: cookiecutter-data-science", s["ccds"]),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ccds", help="a clone of cookiecutter-data-science")
    parser.add_argument("--runs", type=int, default=15, help="measured rounds (default 15)")
    args = parser.parse_args()
    clone = find_ccds(args.ccds)
    sandbox = Sandbox.create()
    try:
        for figure in ratio_figures(sandbox, clone, args.runs):
            print(f"{figure.name}: {figure.value:.2f}{figure.unit} ({figure.detail})")
        return 0
    finally:
        shutil.rmtree(sandbox.root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
