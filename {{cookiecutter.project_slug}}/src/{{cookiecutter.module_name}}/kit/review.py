"""The study reviews itself: the 32 items of REFORMS and the study's own rules, one check
each (``python3 run.py review``).

    python -m <package>.kit.review [--strict] [--table]

Each check is a small function of a ``Study`` (what the review reads, read once) that
returns a status and its evidence. An automated check says passed or failed; a section of
one of your files is failed while its prompt is unanswered, then needs a human to judge the
answer; a question for the reviewer (REVIEW.md) always needs a human. REFORMS is by Kapoor
et al., Science Advances 2024 (https://reforms.cs.princeton.edu). ``--table`` prints where
each item lives, as docs/review.md shows it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from .claims import check_claims, sections, unanswered
from .decisions import Choice, Decisions, DecisionsProblem
from .decisions import load as load_decisions
from .files import markdown_table
from .guards import run_by_evaluate
from .ledger import configuration, first_look, ledger
from .paths import (
    DATA_SUMMARY,
    DECISIONS,
    ENVIRONMENT,
    LEAKAGE_TESTS,
    LEDGER,
    METRICS,
    ROOT,
    RUN,
    shown,
)
from .provenance import CodeState, Timing, data_hash, git_commit, preregistration


class Status(Choice):
    PASSED = "passed"
    FAILED = "failed"
    HUMAN = "needs a human"


@dataclass
class Result:
    status: Status
    evidence: str


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


class Study:
    """What the review looks at, each read once and only when a check asks for it."""

    def __init__(self, root: Path = ROOT):
        self.root = root

    def path(self, inside: Path) -> Path:
        return self.root / inside.relative_to(ROOT)

    @cached_property
    def files(self) -> dict[str, str]:
        names = ("QUESTION.md", "WRITEUP.md", "data/README.md", "README.md", "params.yaml")
        return {name: read(self.root / name) for name in names}

    @cached_property
    def metrics(self) -> dict | None:
        return json.loads(read(self.path(METRICS))) if self.path(METRICS).exists() else None

    @cached_property
    def decisions(self) -> Decisions:
        """data/decisions.json as its typed records (kit/decisions.py): FileNotFoundError
        while it is missing, DecisionsProblem when an older version wrote it."""
        return load_decisions(self.path(DECISIONS))

    @cached_property
    def rows(self) -> list[dict]:
        return ledger(self.path(LEDGER))

    @cached_property
    def tries(self) -> list[dict]:
        return [row for row in self.rows if row["kind"] == "try"]

    @cached_property
    def findings(self) -> list:
        return check_claims(self.files["WRITEUP.md"], self.metrics) if self.metrics else []

    @cached_property
    def pipeline(self) -> Result:
        """dvc status: whether every result is what the pipeline makes of today's inputs."""
        done = subprocess.run(
            ["dvc", "status", "--json"], cwd=self.root, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            return Result(Status.FAILED, f"dvc status failed: {done.stderr.strip()[:200]}")
        stale = sorted(yaml.safe_load(done.stdout or "{}") or {})
        if stale:
            return Result(Status.FAILED, f"not up to date ({', '.join(stale)}): run {RUN} study")
        return Result(
            Status.PASSED, "dvc.yaml reproduces every result and dvc status finds nothing to rerun"
        )


@dataclass(frozen=True)
class Check:
    id: str  # a REFORMS item ("2a") or the name of one of the study's rules
    module: str  # the REFORMS module, or "Study rules"
    title: str
    home: str  # where the answer lives, as docs/review.md shows it
    run: Callable[[Study], Result]
    # Passed or failed by the study itself; False: a section of a file or a reviewer's
    # question, which a human judges.
    automated: bool = True


REFORMS: list[Check] = []
RULES: list[Check] = []


def automated(number: str, module: str, title: str, name: str = "", *, rule: bool = False):
    """Register the decorated function as the check of one item; ``name`` is how
    docs/review.md names the check (by default, the function's name in words)."""

    def register(function: Callable[[Study], Result]):
        home = "check: " + (name or function.__name__.replace("_", " "))
        (RULES if rule else REFORMS).append(Check(number, module, title, home, function))
        return function

    return register


def answered_in(number: str, module: str, title: str, file: str, heading: str) -> None:
    """An item answered in a section of one of the learner's files."""

    def run(study: Study) -> Result:
        text = study.files[file]
        if f"## {heading}" not in text:
            return Result(Status.FAILED, f"{file} has no section '{heading}'")
        if heading in unanswered(text):
            return Result(Status.FAILED, f"{file}, '{heading}': the prompt is still unanswered")
        return Result(Status.HUMAN, f"{file}, '{heading}' is answered: does the answer hold?")

    REFORMS.append(Check(number, module, title, f"`{file}`, {heading}", run, automated=False))


def asked_of_reviewer(number: str, module: str, title: str, question: str) -> None:
    """An item only a reviewer can judge: its question is in REVIEW.md."""

    def run(study: Study) -> Result:
        return Result(Status.HUMAN, f"REVIEW.md: {question}")

    home = f"reviewer question ({question})"
    REFORMS.append(Check(number, module, title, home, run, automated=False))


GOALS, REPRO, DATA, PREP = (
    "Study goals",
    "Computational reproducibility",
    "Data quality",
    "Data preprocessing",
)
MODEL, LEAK, METRIC, LIMITS = (
    "Modelling",
    "Data leakage",
    "Metrics and uncertainty",
    "Generalizability and limitations",
)

# ---------------------------------------------------------------- REFORMS, in order

answered_in("1a", GOALS, "Population or distribution the claim is about", "WRITEUP.md", GOALS)
answered_in("1b", GOALS, "Why this population", "QUESTION.md", "Why it matters")
answered_in("1c", GOALS, "Why machine learning", "WRITEUP.md", GOALS)


@automated("2a", REPRO, "Dataset, uniquely identified")
def data_version(study: Study) -> Result:
    """DVC recorded the raw data's hash (dvc.lock, or the raw file's .dvc record)."""
    found = data_hash(root=study.root)
    return Result(Status.PASSED if found.md5 else Status.FAILED, f"raw data {found}")


@automated("2b", REPRO, "Code, uniquely identified")
def code_version(study: Study) -> Result:
    """The code is committed: the write-up names a commit with no changes beside it."""
    commit = git_commit(study.root)
    ok = commit.state is CodeState.COMMITTED
    return Result(Status.PASSED if ok else Status.FAILED, f"git commit {commit}")


@automated("2c", REPRO, "Computing infrastructure")
def environment_recorded(study: Study) -> Result:
    """reports/environment.json records Python, the platform and the package versions."""
    if study.path(ENVIRONMENT).exists():
        return Result(Status.PASSED, "reports/environment.json")
    return Result(Status.FAILED, f"run {RUN} study")


@automated("2d", REPRO, "README with instructions", "README says how")
def readme_says_how(study: Study) -> Result:
    """README.md says how to rerun the study."""
    if "run.py study" in study.files["README.md"]:
        return Result(Status.PASSED, "README.md: python3 run.py study")
    return Result(Status.FAILED, "README.md lacks it")


@automated("2e", REPRO, "Reproduction script")
def pipeline_up_to_date(study: Study) -> Result:
    """dvc status finds nothing to rerun: dvc.yaml made every result from today's inputs."""
    return study.pipeline


answered_in(
    "3a", DATA, "Data sources, collection and labels", "data/README.md", "Collection and consent"
)
answered_in("3b", DATA, "Sampling frame", "data/README.md", "Composition")
answered_in("3c", DATA, "Why the dataset suits the task", "WRITEUP.md", DATA)


@automated("3d", DATA, "Outcome variable and its statistics")
def data_summary(study: Study) -> Result:
    """data/summary.md, measured by the pipeline, gives the target, the rows and the gaps."""
    if study.path(DATA_SUMMARY).exists():
        return Result(Status.PASSED, "data/summary.md, measured")
    return Result(Status.FAILED, f"run {RUN} study")


automated("3e", DATA, "Number of samples")(data_summary)
automated("3f", DATA, "Missing data")(data_summary)


answered_in(
    "3g", DATA, "Sample represents the population", "data/README.md", "Known biases and gaps"
)
answered_in("4a", PREP, "Excluded samples and why", "WRITEUP.md", "Preprocessing")
answered_in(
    "4b", PREP, "Impossible or corrupt samples", "data/README.md", "Preprocessing and labelling"
)


def needs_results(check: Callable[[Study], Result]) -> Callable[[Study], Result]:
    """A check of the results fails, saying why, until the pipeline has made them."""

    def run(study: Study) -> Result:
        if study.metrics is None:
            return Result(Status.FAILED, f"no reports/metrics.json yet: run {RUN} study")
        return check(study)

    run.__name__, run.__doc__ = check.__name__, check.__doc__
    return run


def needs_decisions(check: Callable[[Study], Result]) -> Callable[[Study], Result]:
    """A check of what prepare decided fails, saying why, until data/decisions.json is there
    and is what this version of the study writes."""

    def run(study: Study) -> Result:
        try:
            _ = study.decisions  # read and checked here: a missing or older file fails
        except (FileNotFoundError, DecisionsProblem) as problem:
            return Result(Status.FAILED, str(problem))
        return check(study)

    run.__name__, run.__doc__ = check.__name__, check.__doc__
    return run


@automated("4c", PREP, "Every transformation from raw data")
@needs_results
@needs_decisions
def leakage_guards(study: Study) -> Result:
    """The leakage guards are tested (tests/test_leakage_guards.py), and evaluate recorded in
    reports/metrics.json that each guard the split needs ran and passed (kit/guards.py):
    preprocessing inside the model pipeline, and no row in both the training and test rows
    when the split keeps copies apart."""
    if not study.path(LEAKAGE_TESTS).exists():
        return Result(Status.FAILED, f"{shown(LEAKAGE_TESTS)} is missing: the guards are untested")
    recorded = study.metrics.get("leakage_guards", [])
    needed = run_by_evaluate(study.decisions.split)
    missing = [guard.value for guard in needed if guard.value not in recorded]
    if missing:
        return Result(
            Status.FAILED,
            f"reports/metrics.json does not record these guards: {'; '.join(missing)}. "
            f"Run {RUN} study",
        )
    ran = "; ".join(guard.value for guard in needed)
    tested = shown(LEAKAGE_TESTS)
    return Result(Status.PASSED, f"evaluate's guards passed: {ran}; tested in {tested}")


@automated("5a", MODEL, "Every model trained")
@needs_results
def tries_listed(study: Study) -> Result:
    """Every configuration tried is in reports/ledger.csv and shown in the write-up."""
    if "tries_table" not in study.files["WRITEUP.md"]:
        return Result(Status.FAILED, "WRITEUP.md does not show tries_table under Modelling")
    if not study.tries:
        return Result(Status.HUMAN, "no tries in reports/ledger.csv: was only one model tried?")
    return Result(
        Status.PASSED, f"{len(study.tries)} tries in reports/ledger.csv, shown in the write-up"
    )


answered_in("5b", MODEL, "Why this model type", "WRITEUP.md", MODEL)


@automated("5c", MODEL, "How models were evaluated")
@needs_results
def evaluation_method(study: Study) -> Result:
    """Cross-validation on the training rows, then one score on the held-out test rows."""
    m = study.metrics
    if "cv" not in m.get("model", {}) or not m.get("n_test"):
        return Result(Status.FAILED, "reports/metrics.json has no cross-validation or no test rows")
    return Result(
        Status.PASSED, f"cross-validation on {m['n_train']} rows, test on {m['n_test']} rows"
    )


@automated("5d", MODEL, "How the reported model was selected", "chosen by cross-validation")
@needs_results
@needs_decisions
def chosen_by_cross_validation(study: Study) -> Result:
    """The final configuration was among the tries scored by cross-validation."""
    params = yaml.safe_load(study.files["params.yaml"])
    final = configuration(params["train"], study.decisions.task)
    if final in {row["configuration"] for row in study.tries}:
        return Result(Status.PASSED, f"{final} was tried by cross-validation before it was chosen")
    return Result(Status.HUMAN, f"{final} is not among the tries: say how it was chosen")


asked_of_reviewer("5e", MODEL, "Hyperparameter tuning", "settings chosen on training rows only?")


@automated("5f", MODEL, "Appropriate baseline")
@needs_results
def baseline(study: Study) -> Result:
    """A baseline that ignores the features was scored the same way as the model."""
    scored = study.metrics.get("baseline", {})
    if "cv" not in scored or "test" not in scored:
        return Result(Status.FAILED, "reports/metrics.json has no baseline scored like the model")
    return Result(Status.PASSED, f"baseline scored alike: {scored['cv']['mean']:.3f} (CV)")


automated("6a", LEAK, "Preprocessing and modelling use training data only")(leakage_guards)
answered_in("6b", LEAK, "Dependencies or duplicates across splits", "WRITEUP.md", LEAK)
asked_of_reviewer("6c", LEAK, "Every feature is legitimate", "could any feature reveal the answer?")
answered_in("7a", METRIC, "Metrics, and why they suit the task", "WRITEUP.md", METRIC)


@automated("7b", METRIC, "Uncertainty and how it was computed")
@needs_results
def uncertainty(study: Study) -> Result:
    """The write-up gives the cross-validation spread and an interval on the test rows."""
    model = study.metrics.get("model", {})
    if "sd" not in model.get("cv", {}) or "test_ci" not in model:
        return Result(Status.FAILED, "reports/metrics.json has no CV spread or no interval")
    method = model["test_ci"].get("method", "bootstrap")
    return Result(Status.PASSED, f"CV spread and a {method} interval on the test rows")


@automated("7c", METRIC, "Statistical tests and their assumptions")
@needs_results
def no_untested_significance(study: Study) -> Result:
    """No sentence calls a result significant without naming a test."""
    flagged = [f for f in study.findings if f.rule == "significance"]
    if flagged:
        return Result(
            Status.FAILED, f"'significant' without a test, WRITEUP.md line {flagged[0].first}"
        )
    return Result(Status.PASSED, "no claim of significance; the interval stands in for a test")


answered_in("8a", LIMITS, "Evidence of external validity", "WRITEUP.md", LIMITS)
asked_of_reviewer(
    "8b", LIMITS, "Where the findings should not hold", "are the limits stated plainly?"
)

# ---------------------------------------------------------------- the study's own rules

RULE = "Study rules"


def prompts_answered(file: str, rule: str, title: str) -> None:
    def run(study: Study) -> Result:
        left = unanswered(study.files[file])
        if left:
            return Result(Status.FAILED, f"unanswered: {', '.join(left)}")
        return Result(Status.PASSED, f"{file}: every prompt answered")

    run.__doc__ = f"Every prompt of {file} is replaced by the learner's own words."
    RULES.append(Check(rule, RULE, title, f"`{file}`", run))


prompts_answered("QUESTION.md", "QUESTION.md", "prompts answered")
prompts_answered("WRITEUP.md", "WRITEUP.md", "prompts answered")
prompts_answered("data/README.md", "data card", "fields filled in")


@automated("licence", RULE, "data licence stated", rule=True)
def data_licence(study: Study) -> Result:
    """The data card states the data's licence."""
    line = next((ln for ln in study.files["data/README.md"].splitlines() if "Licence:" in ln), "")
    unstated = not line or "*" in line or "not stated" in line
    return Result(Status.FAILED if unstated else Status.PASSED, line.strip() or "no Licence: line")


@automated("claims", RULE, "claims match the numbers", rule=True)
def claims_match(study: Study) -> Result:
    """No sentence of WRITEUP.md is flagged by the claim rules (docs/review.md)."""
    claims = "; ".join(f"line {f.first}: {f.rule}" for f in study.findings)
    return Result(Status.FAILED if claims else Status.PASSED, claims or "none flagged")


@automated("test set", RULE, "scored once", rule=True)
def test_set_scored_once(study: Study) -> Result:
    """The ledger counts at most one look at the test set."""
    looks = sum(row["kind"] == "test" for row in study.rows)
    status = Status.PASSED if looks <= 1 else Status.FAILED
    return Result(status, f"scored {looks} time(s), says reports/ledger.csv")


PREREGISTRATION_STATUS = {
    Timing.UNKNOWN: Status.HUMAN,
    Timing.BEFORE_ANY: Status.PASSED,
    Timing.BEFORE: Status.PASSED,
    Timing.NOT_BEFORE: Status.FAILED,
}


@automated("hypothesis", RULE, "written before results", rule=True)
def hypothesis_first(study: Study) -> Result:
    """QUESTION.md's hypothesis was committed before the first test results: the first look
    at the test set (the ledger) and the first committed ones."""
    found = preregistration(study.root, first_look(study.rows))
    return Result(PREREGISTRATION_STATUS[found.timing], found.text)


@automated("feedback", RULE, "feedback table has a row", rule=True)
def feedback_recorded(study: Study) -> Result:
    """The feedback table at the end of WRITEUP.md has at least one row filled in."""
    feedback = sections(study.files["WRITEUP.md"]).get("Feedback received and what I changed", "")
    rows = [
        line
        for line in feedback.splitlines()
        if line.startswith("|") and line.strip("|- ").strip() and "Reviewer" not in line
    ]
    filled = [r for r in rows if r.replace("|", "").strip()]
    if filled:
        return Result(Status.PASSED, f"{len(filled)} row(s)")
    return Result(Status.FAILED, "no feedback recorded in WRITEUP.md yet")


RULES.append(
    Check("pipeline", RULE, "up to date", "check: pipeline up to date", pipeline_up_to_date)
)


@automated("features", RULE, "none gives the answer away", rule=True)
@needs_decisions
def strong_features(study: Study) -> Result:
    """No feature alone reaches nearly what all features reach (or a human judges it)."""
    strong = list(study.decisions.single_features.close_to_all())
    if strong:
        return Result(
            Status.HUMAN,
            f"alone, {', '.join(strong)} reach most of what all features reach: is each "
            "known when a prediction is made? (data/summary.md)",
        )
    return Result(Status.PASSED, "no single feature comes close to all features together")


# ---------------------------------------------------------------- running the review


@dataclass
class Item:
    id: str
    title: str
    status: Status
    evidence: str


def review(root: Path = ROOT) -> list[Item]:
    study = Study(root)
    items = []
    for check in REFORMS + RULES:
        result = check.run(study)
        items.append(Item(check.id, check.title, result.status, result.evidence))
    return items


def table() -> str:
    """Where each REFORMS item lives, as docs/review.md shows it."""
    return markdown_table(
        ["Item", "Module", "What it asks", "Home"],
        [[c.id, c.module, c.title, c.home] for c in REFORMS],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"{RUN} review", description=__doc__.split("\n\n")[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 if any item failed")
    parser.add_argument("--table", action="store_true", help="print where each item lives")
    args = parser.parse_args(argv)
    if args.table:
        print(table())
        return 0
    items = review()
    for item in items:
        print(f"{item.status.value:<14} {item.id:<11} {item.title}: {item.evidence}")
    counts = {s: sum(i.status is s for i in items) for s in Status}
    print(
        f"\n{len(REFORMS)} REFORMS items and {len(RULES)} study rules: "
        f"{counts[Status.PASSED]} passed, {counts[Status.FAILED]} failed, "
        f"{counts[Status.HUMAN]} need a human. Where each item lives: docs/review.md."
    )
    return 1 if args.strict and counts[Status.FAILED] else 0


if __name__ == "__main__":
    sys.exit(main())
