"""A reviewer's verdict: does this commit reproduce its own results?

    python -m <package>.kit.reproduce
        [--in-place] [--tolerance 1e-06] [--ci]

(``run.py reproduce``, in a fresh clone of the study.) It gets the raw data, reruns the whole
pipeline from it, compares every number of the new ``reports/metrics.json`` with the one the
commit holds, and says one of three things:

- **reproduced**: every metric agrees within the tolerance (1e-06 by default, of the number
  or of its size: the same code, data and seeds give the same numbers; only the last digits
  of a computation may differ between machines), and every name and count is equal;
- **differs**: a table of each metric that does not agree;
- **could not run**: why (the data is out of reach, the pipeline failed), and who can fix it.

It runs in a temporary copy of the last commit (a git worktree, sharing this copy's DVC
cache), so your files, your uncommitted changes and the ledger of test-set looks are left
exactly as they were. ``--in-place`` reruns here instead, for CI's throwaway checkout.
Exit status: 0 reproduced, 1 differs, 2 could not run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import sharing
from .environment import venv_env
from .files import DVC_ADVICE, git, markdown_table
from .params import ParamsProblem, read_params
from .paths import ENVIRONMENT, METRICS, RAW_DATA, RAW_RECORD, ROOT, RUN, shown

TOLERANCE = 1e-6


class CouldNotRun(Exception):
    """The reproduction could not be done; the message says why and who can fix it."""

    def __init__(self, why: str, unreachable: bool = False):
        super().__init__(why)
        self.unreachable = unreachable  # the data is out of reach (CI reports it as such)


@dataclass
class Verdict:
    commit: str
    compared: int = 0
    differences: list[list[str]] = field(default_factory=list)
    why: str = ""  # set when it could not run
    unreachable: bool = False
    nothing_to_compare: str = ""  # set when it ran, but the commit holds no results yet
    notes: list[str] = field(default_factory=list)

    @property
    def word(self) -> str:
        if self.why:
            return "could not run"
        if self.nothing_to_compare:
            return "nothing to compare"
        return "differs" if self.differences else "reproduced"

    @property
    def status(self) -> int:
        return {"reproduced": 0, "differs": 1, "could not run": 2, "nothing to compare": 2}[
            self.word
        ]


# ---------------------------------------------------------------- comparing the metrics


def flatten(value, prefix: str = "") -> dict[str, object]:
    """Every leaf of a metrics.json as ``dotted.key -> value``."""
    if isinstance(value, dict):
        found = {}
        for key, inner in value.items():
            found |= flatten(inner, f"{prefix}{key}.")
        return found
    return {prefix.rstrip("."): value}


def agree(committed, reproduced, tolerance: float) -> bool:
    numbers = (int, float)
    if isinstance(committed, bool) or isinstance(reproduced, bool):
        return committed == reproduced
    if isinstance(committed, numbers) and isinstance(reproduced, numbers):
        return math.isclose(committed, reproduced, rel_tol=tolerance, abs_tol=tolerance)
    return committed == reproduced


def shown_value(value) -> str:
    if value is None:
        return "(missing)"
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def compare(committed: dict, reproduced: dict, tolerance: float = TOLERANCE):
    """(how many values were compared, a row for each that does not agree)."""
    before, after = flatten(committed), flatten(reproduced)
    rows = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if key in before and key in after and agree(old, new, tolerance):
            continue
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (old, new))
        difference = f"{new - old:+.3g}" if numbers else ""
        rows.append([key, shown_value(old), shown_value(new), difference])
    return len(before.keys() | after.keys()), rows


# ---------------------------------------------------------------- running the pipeline


def run(command: list[str], cwd: Path, env: dict) -> tuple[int, str]:
    """Run ``command``, showing its output as it comes (DVC's advice left out)."""
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    seen = []
    for line in process.stdout:
        seen.append(line)
        if not DVC_ADVICE.match(line):
            print(f"  {line}", end="", flush=True)
    return process.wait(), "".join(seen)


def environment(work: Path) -> dict:
    """The study's .venv first on the PATH, and the package imported from ``work``."""
    env = venv_env()
    env["PYTHONPATH"] = str(work / "src")  # before the installed copy, which is this one
    return env


def dvc_config_for(work: Path, root: Path = ROOT) -> None:
    """The worktree's DVC settings: this copy's cache, and its remotes with every folder
    address made absolute (a relative one is read from the .dvc folder, which moved)."""
    import configparser

    dot_dvc = root / ".dvc"
    local = configparser.ConfigParser(interpolation=None, strict=False)
    local.read(dot_dvc / "config.local", encoding="utf-8")
    for path in (dot_dvc / "config", dot_dvc / "config.local"):
        for name, section in sharing.read_config(path).items():
            if name.startswith("remote.") and section.get("url"):
                url = section["url"]
                if sharing.reach_of(url) is sharing.Reach.BESIDE:
                    url = str((dot_dvc / url).resolve())
                header = f"'remote \"{name.split('.', 1)[1]}\"'"
                if not local.has_section(header):
                    local.add_section(header)
                local[header]["url"] = url
    if not local.has_section("cache"):
        local.add_section("cache")
    local["cache"]["dir"] = str((dot_dvc / "cache").resolve())
    with (work / ".dvc" / "config.local").open("w", encoding="utf-8") as f:
        local.write(f)


def committed_json(path: Path, root: Path = ROOT) -> dict:
    try:
        return json.loads(git("show", f"HEAD:{shown(path)}", root=root))
    except (OSError, subprocess.CalledProcessError, ValueError):
        raise CouldNotRun(
            f"the last commit holds no {shown(path)} to compare with. Who can fix it: the "
            f"author, by committing the results ({RUN} study ends with the command)."
        ) from None


def get_data(work: Path, env: dict, data: dict, dvc: str) -> str:
    """Bring the raw data into ``work``; returns how it came. CouldNotRun if it cannot."""
    kind = sharing.source(data)
    raw = shown(RAW_DATA)
    if kind is sharing.Source.OWN:
        code, output = run([dvc, "pull", shown(RAW_RECORD)], work, env)
        if code == 0 and (work / raw).exists():
            return f"{raw}: the author's own file, from the DVC remote"
        found = sharing.remote(ROOT)
        why = sharing.unreachable(data, found) or [
            f"{raw}, the author's own file, did not come from the DVC remote "
            f"{sharing.where(found)} (see above): check the address and your access to it "
            "(docs/data.md)."
        ]
        raise CouldNotRun("\n".join(why), unreachable=True)
    code, output = run([dvc, "repro", "--force", "--single-item", "get_data"], work, env)
    if code == 0:
        return f"{raw}: written again from {kind} by get_data"
    if kind is sharing.Source.URL:
        pulled, _ = run([dvc, "pull", raw], work, env)
        if pulled == 0 and (work / raw).exists():
            return f"{raw}: {data.get('url')} failed (above), so the copy on the DVC remote"
        raise CouldNotRun(
            f"{data.get('url')} did not give the file (above), and the DVC remote has no copy "
            "of it. Who can fix it: the author, by pushing the data to a remote others can "
            f"reach ({RUN} share).",
            unreachable=True,
        )
    raise CouldNotRun(f"the get_data stage failed (above):\n{output[-1500:]}")


def rerun(work: Path, tolerance: float, in_place: bool) -> Verdict:
    """The reproduction, in ``work``: data, pipeline, comparison."""
    try:
        committed = committed_json(METRICS)
    except CouldNotRun as missing:  # a study's first push: the pipeline is still checked
        committed, nothing_to_compare = None, str(missing)
    verdict = Verdict(commit=git("rev-parse", "--short=12", "HEAD"))
    env = environment(work) if not in_place else {**os.environ}
    dvc = str(sharing.dvc_program())
    try:
        data = read_params(work / "params.yaml")["data"]
    except ParamsProblem as problem:
        raise CouldNotRun(str(problem)) from None
    print(f"reproduce: the data, into {'this copy' if in_place else 'a temporary copy'}")
    verdict.notes.append(get_data(work, env, data, dvc))
    print("reproduce: the pipeline, every stage from prepare on")
    code, output = run([dvc, "repro", "--force", "--downstream", "prepare"], work, env)
    if code != 0:
        raise CouldNotRun(
            "the pipeline failed (above). Who can fix it: the author, or you, if your "
            f"environment differs from the study's (uv.lock):\n{output[-1500:]}"
        )
    if committed is None:
        verdict.nothing_to_compare = f"Every stage ran, but {nothing_to_compare}"
        return verdict
    reproduced = json.loads((work / shown(METRICS)).read_text(encoding="utf-8"))
    verdict.compared, verdict.differences = compare(committed, reproduced, tolerance)
    if verdict.differences:
        verdict.notes.append(versions_note(work))
    return verdict


def versions_note(work: Path) -> str:
    """Python and package versions, the study's against this run's, when they differ."""
    try:
        theirs = json.loads(git("show", f"HEAD:{shown(ENVIRONMENT)}"))
        ours = json.loads((work / shown(ENVIRONMENT)).read_text(encoding="utf-8"))
    except (OSError, subprocess.CalledProcessError, ValueError):
        return "The environments could not be compared (reports/environment.json)."

    def summary(env: dict) -> str:
        packages = ", ".join(f"{k} {v}" for k, v in env.get("packages", {}).items())
        return f"Python {env.get('python')} on {env.get('platform')}; {packages}"

    if summary(theirs) == summary(ours):
        return f"Same environment as the study's: {summary(ours)}."
    return f"The study ran on {summary(theirs)}; this run on {summary(ours)}."


def reproduce(tolerance: float = TOLERANCE, in_place: bool = False) -> Verdict:
    """Rerun the last commit and compare; a Verdict in every case."""
    try:
        commit = git("rev-parse", "--short=12", "HEAD")
    except (OSError, subprocess.CalledProcessError):
        return Verdict("", why="this is not a git repository with a commit to reproduce")
    if in_place:
        try:
            return rerun(ROOT, tolerance, in_place=True)
        except CouldNotRun as problem:
            return Verdict(commit, why=str(problem), unreachable=problem.unreachable)
    work = Path(tempfile.mkdtemp(prefix="reproduce-")) / ROOT.name
    # No git hooks: the study's post-checkout hook would run DVC in the new copy.
    added = subprocess.run(
        ["git", "-c", "core.hooksPath=/dev/null", "worktree", "add", "--detach", "--quiet"]
        + [str(work), "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        if added.returncode != 0:
            return Verdict(commit, why=f"git could not make a copy: {added.stderr.strip()}")
        dvc_config_for(work)
        return rerun(work, tolerance, in_place=False)
    except CouldNotRun as problem:
        return Verdict(commit, why=str(problem), unreachable=problem.unreachable)
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(work)],
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        shutil.rmtree(work.parent, ignore_errors=True)
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, capture_output=True, check=False)


# ---------------------------------------------------------------- saying it


def report(verdict: Verdict, tolerance: float) -> str:
    """The verdict as Markdown: the same text for the terminal and for CI's summary."""
    lines = [f"## Reproduction of commit {verdict.commit}: {verdict.word.upper()}", ""]
    lines += [f"- {note}" for note in verdict.notes]
    if verdict.why or verdict.nothing_to_compare:
        lines += ["", verdict.why or verdict.nothing_to_compare]
    elif verdict.differences:
        lines += [
            "",
            f"{len(verdict.differences)} of {verdict.compared} values of reports/metrics.json "
            f"differ from the committed ones (numbers by more than {tolerance:g}):",
            "",
            markdown_table(
                ["metric", "committed", "reproduced", "difference"], verdict.differences
            ),
        ]
    else:
        lines += [
            "",
            f"Every one of the {verdict.compared} values of reports/metrics.json matches the "
            f"committed one (numbers within {tolerance:g}, names and counts exactly).",
        ]
        data = read_params()["data"]
        if sharing.unreachable(data, sharing.remote()):
            lines.append(
                "It ran with this computer's own copy of the data: others cannot get it yet "
                f"({RUN} share)."
            )
    return "\n".join(lines)


def tell_ci(verdict: Verdict, text: str) -> int:
    """GitHub Actions: the verdict in the job summary, an annotation, and an exit status in
    which data out of CI's reach is a notice, not a failed pipeline."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(text + "\n\n")
    outputs = os.environ.get("GITHUB_OUTPUT")
    if outputs:
        with open(outputs, "a", encoding="utf-8") as f:
            f.write(f"verdict={verdict.word}\n")
            f.write(f"data={'unreachable' if verdict.unreachable else 'here'}\n")
    first = (verdict.why or "").splitlines()[0] if verdict.why else ""
    if verdict.unreachable:
        print(f"::warning title=Data not reachable from CI::{first}")
        return 0
    if verdict.nothing_to_compare:  # a new study's first push: its pipeline and tests ran
        print(f"::notice title=No committed results yet::{verdict.nothing_to_compare}")
        return 0
    if verdict.word != "reproduced":
        print(f"::error title=Reproduction: {verdict.word}::{first or 'see the job summary'}")
    return verdict.status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"{RUN} reproduce", description=__doc__.split("\n\n")[0])
    parser.add_argument("--in-place", action="store_true", help="rerun here (CI's checkout)")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    parser.add_argument("--ci", action="store_true", help="report to GitHub Actions")
    args = parser.parse_args(argv)
    verdict = reproduce(args.tolerance, args.in_place)
    text = report(verdict, args.tolerance)
    print("\n" + text)
    return tell_ci(verdict, text) if args.ci else verdict.status


if __name__ == "__main__":
    sys.exit(main())
