"""Iterate honestly, then let the study review itself.

    python -m digits_practice_study.review try train.model=random_forest
    python -m digits_practice_study.review compare
    python -m digits_practice_study.review [--strict]

``try`` scores one configuration by cross-validation on the training rows (never the test
rows) and adds it to the ledger, ``reports/ledger.csv``. ``compare`` prints every try.
Without a command it walks the REFORMS checklist and the study's own rules (``make review``).
The report stage uses the claim rules and the pre-registration check below.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from . import config

# ---------------------------------------------------------------- the ledger of tries and looks

# One CSV row per try (make try) and per test-set look (evaluate), appended, never rewritten.
LEDGER_COLUMNS = ["date", "kind", "configuration", "metric", "cv_mean", "cv_sd", "test", "commit"]


def git(*args: str, root: Path = config.ROOT) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def git_commit(root: Path = config.ROOT) -> str:
    """The commit the code was at, marked when there were uncommitted changes."""
    try:
        commit = git("rev-parse", "--short=12", "HEAD", root=root)
        dirty = git("status", "--porcelain", "--untracked-files=no", root=root)
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git repository, or no commit yet)"
    return f"{commit} (with uncommitted changes)" if dirty else commit


def data_hash(root: Path = config.ROOT) -> str:
    """The MD5 that DVC recorded for the raw data, from dvc.lock or a ``.dvc`` file."""
    raw = root / config.RAW_DATA.relative_to(config.ROOT)
    relative = raw.relative_to(root).as_posix()
    for path in (root / "dvc.lock", raw.with_name(raw.name + ".dvc")):
        if not path.exists():
            continue
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for stage in document.get("stages", {"": document}).values():
            for out in stage.get("outs", []):
                if out.get("path") in (relative, raw.name) and "md5" in out:
                    return f"md5:{out['md5']}"
    return "not yet recorded by DVC"


def configuration(train: dict, task: str) -> str:
    """A model and its settings in one short line, e.g. ``random_forest(n_estimators=200)``."""
    name = train["model"]
    settings = config.settings_for(name, train.get(name) or {}, task)
    return f"{name}({', '.join(f'{key}={value}' for key, value in settings.items())})"


def record(kind: str, params: dict, task: str, cv: dict, metric: str, test=None) -> dict:
    """Append one row to the ledger: a ``try`` (CV only) or a ``test`` look."""
    row = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "kind": kind,
        "configuration": configuration(params["train"], task),
        "metric": metric,
        "cv_mean": f"{cv['mean']:.4f}",
        "cv_sd": f"{cv['sd']:.4f}",
        "test": "" if test is None else f"{test:.4f}",
        "commit": git_commit(),
    }
    new = not config.LEDGER.exists()
    config.LEDGER.parent.mkdir(parents=True, exist_ok=True)
    with config.LEDGER.open("a", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, LEDGER_COLUMNS, lineterminator="\n")
        if new:
            writer.writeheader()
        writer.writerow(row)
    return row


def ledger(path: Path = config.LEDGER) -> list[dict]:
    """Every row of the ledger, oldest first (none before the first try or evaluate)."""
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- trying things (CV only)


def apply_override(params: dict, item: str) -> None:
    """Set one ``train.<key>=<value>`` in ``params`` (the value read as YAML: 5, null, [a])."""
    key, sep, value = item.partition("=")
    parts = key.strip().split(".")
    if not sep or parts[0] != "train" or len(parts) < 2:
        raise SystemExit(
            f"make try: {item!r} is not a train setting; write train.<key>=<value>, e.g. "
            'make try ARGS="train.model=random_forest train.random_forest.max_depth=5". '
            "Other settings change the data or the scoring: edit params.yaml and make study."
        )
    # train.<model>.<setting> may be new: model.check_settings checks it against scikit-learn.
    is_model_setting = len(parts) >= 3
    section = params
    for part in parts[:-1]:
        if is_model_setting:
            section.setdefault(part, {})
        if not isinstance(section.get(part), dict):
            raise SystemExit(f"make try: params.yaml has no section {'.'.join(parts[:-1])!r}")
        section = section[part]
    if parts[-1] not in section and not is_model_setting:
        raise SystemExit(f"make try: params.yaml has no setting {key!r}; check its spelling")
    section[parts[-1]] = yaml.safe_load(value)


def try_configuration(overrides: list[str]) -> dict:
    """Cross-validate params.yaml's model with ``overrides`` on the training rows; log it."""
    # Imported here: only trying needs pandas and scikit-learn, not the claim checks.
    from threadpoolctl import threadpool_limits

    from . import dataset, model

    threadpool_limits(limits=1, user_api="blas")  # see train.py
    params = config.load_params()
    for item in overrides:
        apply_override(params, item)
    decisions, settings = dataset.load_decisions(), params["evaluate"]
    task, metric = decisions["task"], decisions["metric"]
    try:
        unfitted = model.build(params["train"], task, dataset.roles(decisions))
    except ValueError as problem:  # a model name or setting scikit-learn does not know
        raise SystemExit(f"make try: {problem}") from None
    features, target = dataset.features_and_target(
        dataset.read_table(config.TRAIN), decisions["target"]
    )
    cv = model.cross_validate(
        unfitted,
        features,
        target,
        task,
        metric,
        settings["cv_folds"],
        settings["seed"],
    )
    return record("try", params, task, cv, metric)


def compare_table(rows: list[dict]) -> str:
    """Every try as a Markdown table: configuration, CV mean ± sd, date and commit."""
    tries = [row for row in rows if row["kind"] == "try"]
    if not tries:
        return (
            "No tries recorded yet: `make try` scores a configuration by cross-validation "
            "on the training rows and adds it to `reports/ledger.csv`."
        )
    header = ["try", "configuration", "cross-validation (mean ± sd)", "date", "commit"]
    return config.markdown_table(
        header,
        [
            [
                number,
                f"`{row['configuration']}`",
                f"{row['metric']} {float(row['cv_mean']):.3f} ± {float(row['cv_sd']):.3f}",
                row["date"],
                row["commit"],
            ]
            for number, row in enumerate(tries, start=1)
        ],
    )


def count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def looks_statement(rows: list[dict]) -> str:
    """How many configurations were tried and how often the test set was scored."""
    tries = [row for row in rows if row["kind"] == "try"]
    looks = [row for row in rows if row["kind"] == "test"]
    configurations = len({row["configuration"] for row in tries + looks})
    tried = (
        f"{count(configurations, 'configuration was', 'configurations were')} tried "
        f"({count(len(tries), 'cross-validation try', 'cross-validation tries')} on the "
        "training rows, listed under Modelling)"
    )
    if not looks:
        return f"{tried}; the test set has not been scored yet."
    if len(looks) == 1:
        return (
            f"{tried}, and the test set was scored once, by the configuration reported "
            "here: its interval is an honest estimate for that one configuration."
        )
    return (
        f"{tried}, and the test set was scored {len(looks)} times (every look is in "
        "`reports/ledger.csv`). Each look after the first could have steered a choice, so the "
        "reported interval is optimistic: the best of several test scores is a selected "
        "number, not an estimate. Only a fresh test set would give an honest interval again."
    )


# ---------------------------------------------------------------- reading the write-up

PROMPT = re.compile(r"^\*[^*\s][^*]*\*$", re.DOTALL)  # a whole paragraph in *italics*


def sections(text: str) -> dict[str, str]:
    """Each ``## heading`` of a Markdown file and the text under it (comments removed)."""
    text = re.sub(r"[{]#.*?#[}]", "", text, flags=re.DOTALL)
    found, heading = {}, None
    for line in text.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            found[heading] = ""
        elif heading:
            found[heading] += line + "\n"
    return found


def unanswered(text: str) -> list[str]:
    """Headings whose italic prompt is still in place: the learner has not answered them."""
    return [
        heading
        for heading, body in sections(text).items()
        if any(PROMPT.match(paragraph.strip()) for paragraph in body.split("\n\n"))
    ]


def answered(text: str, heading: str) -> bool:
    """Whether the section holds words of the learner's own, not only its prompt."""
    body = sections(text).get(heading, "")
    own = [p for p in body.split("\n\n") if p.strip() and not PROMPT.match(p.strip())]
    return bool(own)


# ---------------------------------------------------------------- claims against numbers

NEGATED = re.compile(r"\b(not|no|never|neither|nor|cannot|without|whether|unclear)\b|n't\b", re.I)
RULES = {
    # A claim of improvement, when the interval of model − baseline includes zero.
    "improvement": re.compile(
        r"\b(better|outperform\w*|beats?|superior|improve[sd]?|improvement|more accurate)\b",
        re.I,
    ),
    # A claim about all data, people or settings, from the one dataset of this study.
    "generality": re.compile(
        r"\b(for all|always|in general|generali[sz]es|universal(ly)?|proves?|proven|"
        r"any (data|dataset|population|setting)|all (data|datasets|people|patients|cases))\b",
        re.I,
    ),
    # "significant" reads as a statistical test, and the pipeline runs none.
    "significance": re.compile(r"\bsignifican(t|tly|ce)\b", re.I),
    # A precise number typed by hand (0.953, 12.345, 95.3%) instead of a placeholder...
    "typed-number": re.compile(r"(?<![\w.])(0?\.\d{2,}|\d+\.\d{3,}|\d+\.\d+\s?%)(?![\w.])"),
}
# ... a percentage, or a number in a sentence about results (a learning rate of 0.05 is fine).
RESULT_WORDS = re.compile(
    r"accura|scor|error|r2|r²|f1|mae|rmse|interval|baseline|precision|recall|auc|perform", re.I
)
# Written in two pieces so that cookiecutter, rendering this file, leaves the braces alone.
EXAMPLE_PLACEHOLDER = "{" * 2 + ' metric("model.test.accuracy") ' + "}" * 2
NAMED_TEST = re.compile(r"p[- ]?value|\bp\s*[<=]|t-test|permutation test|McNemar|Wilcoxon", re.I)


@dataclass
class Finding:
    rule: str
    first: int  # the paragraph's first line in WRITEUP.md, counted from 1
    line: int  # and its last line: the reviewer's note goes after it
    section: str
    sentence: str
    message: str


def interval_includes_zero(metrics: dict) -> bool:
    ci = metrics["difference"]["test_ci"]
    return ci["low"] <= 0 <= ci["high"]


def check_sentence(sentence: str, paragraph: str, metrics: dict) -> list[tuple[str, str]]:
    """The rules ``sentence`` breaks, each with the reason, given the study's numbers."""
    broken = []
    ci, level = metrics["difference"]["test_ci"], round(metrics["confidence"] * 100)
    claim = RULES["improvement"].search(sentence)
    if claim and not NEGATED.search(sentence[: claim.start()]) and interval_includes_zero(metrics):
        broken.append(
            (
                "improvement",
                f"claims an improvement, but the {level}% interval of model − baseline "
                f"({ci['low']:.3f} to {ci['high']:.3f}) includes zero: the data cannot tell "
                "the two apart.",
            )
        )
    claim = RULES["generality"].search(sentence)
    if claim and not NEGATED.search(sentence[: claim.start()]):
        broken.append(
            (
                "generality",
                f"'{claim.group(0)}' claims more than one dataset can show: say 'on this "
                "dataset', or name the evidence that it holds elsewhere.",
            )
        )
    if RULES["significance"].search(sentence) and not NAMED_TEST.search(paragraph):
        broken.append(
            (
                "significance",
                "'significant' reads as the result of a statistical test, and none was run: "
                "say what the interval shows instead, or name the test and its result.",
            )
        )
    number = RULES["typed-number"].search(sentence)
    if number and (number.group(0).endswith("%") or RESULT_WORDS.search(sentence)):
        broken.append(
            (
                "typed-number",
                f"'{number.group(0)}' looks typed by hand: use a placeholder such as "
                f"{EXAMPLE_PLACEHOLDER}, so it always matches metrics.json.",
            )
        )
    return broken


# The YAML block between the first two --- lines of WRITEUP.md (report.py reads it).
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def blank_jinja(text: str) -> str:
    """Front matter, comments and placeholders replaced by spaces, line numbers kept."""

    def spaces(match: re.Match) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    text = FRONT_MATTER.sub(spaces, text)
    # [{] spells a brace that cookiecutter, rendering this file, leaves alone.
    return re.sub(r"[{]#.*?#[}]|[{][{].*?[}][}]|[{]%.*?%[}]", spaces, text, flags=re.DOTALL)


def check_claims(text: str, metrics: dict) -> list[Finding]:
    """Every finding in the prose of ``text`` (Markdown), paragraph by paragraph."""
    tokens = MarkdownIt("commonmark").enable("table").parse(blank_jinja(text))
    findings, section = [], ""
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            section = tokens[i + 1].content
        if token.type != "paragraph_open" or not token.map:
            continue
        inline = tokens[i + 1]
        words = "".join(
            child.content if child.type == "text" else " "
            for child in inline.children or []
            if child.type in ("text", "softbreak", "code_inline")
        )
        if PROMPT.match(inline.content.strip()):  # the template's own prompt, not a claim
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(words.split())):
            for rule, message in check_sentence(sentence, words, metrics):
                first, last = token.map[0] + 1, token.map[1]
                findings.append(Finding(rule, first, last, section, sentence, message))
    return findings


# ---------------------------------------------------------------- pre-registration


def preregistration(root: Path = config.ROOT) -> str:
    """Whether QUESTION.md's hypothesis was committed before the first committed results."""
    results = config.METRICS.relative_to(config.ROOT).as_posix()
    try:
        question_commits = git("log", "--reverse", "--format=%H", "--", "QUESTION.md", root=root)
        result_commits = git("log", "--reverse", "--format=%H", "--", results, root=root)
    except (OSError, subprocess.CalledProcessError):
        return (
            "Pre-registration cannot be checked: this study is not a git repository, or "
            "nothing is committed yet."
        )
    hypothesis = next(
        (
            commit
            for commit in question_commits.split()
            if answered(git("show", f"{commit}:QUESTION.md", root=root), "My hypothesis")
        ),
        None,
    )
    if hypothesis is None:
        return (
            "Pre-registration cannot be checked yet: no commit holds a hypothesis in "
            "QUESTION.md. Write it there and commit it before you look at test results."
        )
    first_results = result_commits.split()[0] if result_commits else None
    when = git("show", "-s", "--format=%h, %cs", hypothesis, root=root)
    if first_results is None:
        return (
            f"The hypothesis in QUESTION.md was committed ({when}) before any test results "
            "were committed."
        )
    results_when = git("show", "-s", "--format=%h, %cs", first_results, root=root)
    ancestor = subprocess.run(
        ["git", "merge-base", "--is-ancestor", hypothesis, first_results], cwd=root, check=False
    )
    if ancestor.returncode == 0 and hypothesis != first_results:
        return (
            f"The hypothesis in QUESTION.md was committed ({when}) before the first commit of "
            f"test results ({results_when}): it was written without knowing them."
        )
    return (
        f"The hypothesis in QUESTION.md was first committed ({when}) with or after the first "
        f"commit of test results ({results_when}): it may have been written knowing them."
    )


# ---------------------------------------------------------------- the self-review

PASSED, FAILED, HUMAN = "passed", "failed", "needs a human"

# The 32 items of REFORMS (Kapoor et al., Science Advances 2024) and where this study answers
# each: a section of one of the learner's files, an automated check, or a reviewer question.
REFORMS = [
    ("1a", "Population or distribution the claim is about", "WRITEUP.md: Study goals"),
    ("1b", "Why this population", "QUESTION.md: Why it matters"),
    ("1c", "Why machine learning", "WRITEUP.md: Study goals"),
    ("2a", "Dataset, uniquely identified", "check: data version"),
    ("2b", "Code, uniquely identified", "check: code version"),
    ("2c", "Computing infrastructure", "check: environment recorded"),
    ("2d", "README with instructions", "check: README says how"),
    ("2e", "Reproduction script", "check: pipeline up to date"),
    ("3a", "Data sources, collection and labels", "data/README.md: Collection and consent"),
    ("3b", "Sampling frame", "data/README.md: Composition"),
    ("3c", "Why the dataset suits the task", "WRITEUP.md: Data quality"),
    ("3d", "Outcome variable and its statistics", "check: data summary"),
    ("3e", "Number of samples", "check: data summary"),
    ("3f", "Missing data", "check: data summary"),
    ("3g", "Sample represents the population", "data/README.md: Known biases and gaps"),
    ("4a", "Excluded samples and why", "WRITEUP.md: Preprocessing"),
    ("4b", "Impossible or corrupt samples", "data/README.md: Preprocessing and labelling"),
    ("4c", "Every transformation from raw data", "check: leakage guards"),
    ("5a", "Every model trained", "check: tries listed"),
    ("5b", "Why this model type", "WRITEUP.md: Modelling"),
    ("5c", "How models were evaluated", "check: evaluation method"),
    ("5d", "How the reported model was selected", "check: chosen by cross-validation"),
    ("5e", "Hyperparameter tuning", "REVIEW.md: settings chosen on training rows only?"),
    ("5f", "Appropriate baseline", "check: baseline"),
    ("6a", "Preprocessing and modelling use training data only", "check: leakage guards"),
    ("6b", "Dependencies or duplicates across splits", "WRITEUP.md: Data leakage"),
    ("6c", "Every feature is legitimate", "REVIEW.md: could any feature reveal the answer?"),
    ("7a", "Metrics, and why they suit the task", "WRITEUP.md: Metrics and uncertainty"),
    ("7b", "Uncertainty and how it was computed", "check: uncertainty"),
    ("7c", "Statistical tests and their assumptions", "check: no untested significance"),
    ("8a", "Evidence of external validity", "WRITEUP.md: Generalizability and limitations"),
    ("8b", "Where the findings should not hold", "REVIEW.md: are the limits stated plainly?"),
]


@dataclass
class Item:
    id: str
    title: str
    status: str
    evidence: str


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def pipeline_status(root: Path) -> tuple[str, str]:
    done = subprocess.run(
        ["dvc", "status", "--json"], cwd=root, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return FAILED, f"dvc status failed: {done.stderr.strip()[:200]}"
    stale = sorted(yaml.safe_load(done.stdout or "{}") or {})
    if stale:
        return FAILED, f"not up to date ({', '.join(stale)}): run make study"
    return PASSED, "dvc.yaml reproduces every result and dvc status finds nothing to rerun"


class Study:
    """What the review looks at, read once."""

    def __init__(self, root: Path = config.ROOT):
        self.root = root
        self.question = read(root / "QUESTION.md")
        self.writeup = read(root / config.WRITEUP_SOURCE.name)
        self.datacard = read(root / "data" / "README.md")
        metrics = root / config.METRICS.relative_to(config.ROOT)
        self.metrics = json.loads(read(metrics)) if metrics.exists() else None
        self.rows = ledger(root / config.LEDGER.relative_to(config.ROOT))
        decisions = root / config.DECISIONS.relative_to(config.ROOT)
        self.decisions = json.loads(read(decisions)) if decisions.exists() else None
        self.findings = check_claims(self.writeup, self.metrics) if self.metrics else []
        self.pipeline = pipeline_status(root)

    def file_section(self, home: str) -> tuple[str, str]:
        name, heading = home.split(": ", 1)
        text = {"WRITEUP.md": self.writeup, "QUESTION.md": self.question}.get(name, self.datacard)
        if f"## {heading}" not in text:
            return FAILED, f"{name} has no section '{heading}'"
        if heading in unanswered(text):
            return FAILED, f"{name}, '{heading}': the prompt is still unanswered"
        return HUMAN, f"{name}, '{heading}' is answered: does the answer hold?"

    def check(self, name: str) -> tuple[str, str]:
        m, tries = self.metrics, [r for r in self.rows if r["kind"] == "try"]
        if name == "code version":
            commit = git_commit(self.root)
            ok = "uncommitted" not in commit and "unknown" not in commit
            return (PASSED if ok else FAILED), f"git commit {commit}"
        if name == "data version":
            found = data_hash(root=self.root)
            return (PASSED if found.startswith("md5:") else FAILED), f"raw data {found}"
        if name == "environment recorded":
            ok = (self.root / config.ENVIRONMENT.relative_to(config.ROOT)).exists()
            return (PASSED, "reports/environment.json") if ok else (FAILED, "run make study")
        if name == "README says how":
            ok = "make study" in read(self.root / "README.md")
            return (PASSED, "README.md: make study") if ok else (FAILED, "README.md lacks it")
        if name == "pipeline up to date":
            return self.pipeline
        if name == "data summary":
            ok = (self.root / config.DATA_SUMMARY.relative_to(config.ROOT)).exists()
            return (PASSED, "data/summary.md, measured") if ok else (FAILED, "run make study")
        if m is None:
            return FAILED, "no reports/metrics.json yet: run make study"
        if name == "leakage guards":
            return PASSED, "preprocessing sits in the model pipeline; the guards ran and passed"
        if name == "evaluation method":
            return PASSED, f"cross-validation on {m['n_train']} rows, test on {m['n_test']} rows"
        if name == "baseline":
            return PASSED, f"baseline scored alike: {m['baseline']['cv']['mean']:.3f} (CV)"
        if name == "uncertainty":
            return PASSED, "CV spread and a bootstrap interval on the test rows"
        if name == "tries listed":
            if "tries_table" not in self.writeup:
                return FAILED, "WRITEUP.md does not show tries_table under Modelling"
            if not tries:
                return HUMAN, "no tries in reports/ledger.csv: was only one model tried?"
            return PASSED, f"{len(tries)} tries in reports/ledger.csv, shown in the write-up"
        if name == "chosen by cross-validation":
            params = yaml.safe_load(read(self.root / "params.yaml"))
            task = self.decisions["task"] if self.decisions else "classification"
            final = configuration(params["train"], task)
            if final in {r["configuration"] for r in tries}:
                return PASSED, f"{final} was tried by cross-validation before it was chosen"
            return HUMAN, f"{final} is not among the tries: say how it was chosen"
        if name == "no untested significance":
            flagged = [f for f in self.findings if f.rule == "significance"]
            if flagged:
                return FAILED, f"'significant' without a test, WRITEUP.md line {flagged[0].first}"
            return PASSED, "no claim of significance; the interval stands in for a test"
        raise ValueError(f"no check named {name!r}")

    def reforms(self) -> list[Item]:
        items = []
        for number, title, home in REFORMS:
            if home.startswith("check: "):
                status, evidence = self.check(home.removeprefix("check: "))
            elif home.startswith("REVIEW.md: "):
                status, evidence = HUMAN, home
            else:
                status, evidence = self.file_section(home)
            items.append(Item(number, title, status, evidence))
        return items

    def rules(self) -> list[Item]:
        """The study's own rules, beyond REFORMS."""
        items = []
        for name, text in (("QUESTION.md", self.question), ("WRITEUP.md", self.writeup)):
            left = unanswered(text)
            evidence = f"unanswered: {', '.join(left)}" if left else "every prompt answered"
            items.append(Item(name, "prompts answered", FAILED if left else PASSED, evidence))
        left = unanswered(self.datacard)
        items.append(
            Item(
                "data card",
                "fields filled in",
                FAILED if left else PASSED,
                f"unanswered: {', '.join(left)}" if left else "data/README.md answered",
            )
        )
        licence = next((ln for ln in self.datacard.splitlines() if "Licence:" in ln), "")
        unstated = not licence or "*" in licence or "not stated" in licence
        items.append(
            Item("licence", "data licence stated", FAILED if unstated else PASSED, licence.strip())
        )
        claims = "; ".join(f"line {f.first}: {f.rule}" for f in self.findings)
        status = FAILED if claims else PASSED
        items.append(Item("claims", "claims match the numbers", status, claims or "none flagged"))
        looks = sum(r["kind"] == "test" for r in self.rows)
        items.append(
            Item(
                "test set",
                "scored once",
                PASSED if looks <= 1 else FAILED,
                f"scored {looks} time(s), says reports/ledger.csv",
            )
        )
        prereg = preregistration(self.root)
        if "cannot" in prereg:
            status = HUMAN
        elif "without knowing" in prereg or "before any" in prereg:
            status = PASSED
        else:
            status = FAILED
        items.append(Item("hypothesis", "written before results", status, prereg))
        feedback = sections(self.writeup).get("Feedback received and what I changed", "")
        rows = [
            line
            for line in feedback.splitlines()
            if line.startswith("|") and line.strip("|- ").strip() and "Reviewer" not in line
        ]
        filled = [r for r in rows if r.replace("|", "").strip()]
        items.append(
            Item(
                "feedback",
                "feedback table has a row",
                PASSED if filled else FAILED,
                f"{len(filled)} row(s)" if filled else "no feedback recorded in WRITEUP.md yet",
            )
        )
        items.append(Item("pipeline", "up to date", *self.pipeline))
        items.append(Item("features", "none gives the answer away", *self.strong_features()))
        return items

    def strong_features(self) -> tuple[str, str]:
        """Features that alone reach nearly what all reach (prepare): a human must judge."""
        if self.decisions is None:
            return FAILED, "no data/decisions.json yet: run make study"
        alone = self.decisions.get("single_features", {}).get("alone", {})
        strong = [name for name, s in alone.items() if s["close_to_all"]]
        if strong:
            return HUMAN, (
                f"alone, {', '.join(strong)} reach most of what all features reach: is each "
                "known when a prediction is made? (data/summary.md)"
            )
        return PASSED, "no single feature comes close to all features together"


def review(root: Path = config.ROOT) -> list[Item]:
    study = Study(root)
    return study.reforms() + study.rules()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="review", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", choices=["try", "compare"])
    parser.add_argument("settings", nargs="*", help="for try: train.<key>=<value> ...")
    parser.add_argument("--strict", action="store_true", help="exit 1 if any item failed")
    args = parser.parse_args(argv)
    if args.command == "try":
        row = try_configuration(args.settings)
        print(
            f"try: {row['configuration']}: cross-validation {row['metric']} "
            f"{float(row['cv_mean']):.3f} ± {float(row['cv_sd']):.3f} (training rows only) "
            f"-> {config.LEDGER.relative_to(config.ROOT)}. Compare them all: make compare"
        )
        return 0
    if args.command == "compare":
        rows = ledger()
        print(compare_table(rows))
        print(
            f"\nTest-set looks so far: {sum(r['kind'] == 'test' for r in rows)}. Choose by "
            "cross-validation, set it in params.yaml, then make study scores the test set."
        )
        return 0
    items = review()
    for item in items:
        print(f"{item.status:<14} {item.id:<11} {item.title}: {item.evidence}")
    counts = {s: sum(i.status == s for i in items) for s in (PASSED, FAILED, HUMAN)}
    print(
        f"\n{len(REFORMS)} REFORMS items and {len(items) - len(REFORMS)} study rules: "
        f"{counts[PASSED]} passed, {counts[FAILED]} failed, {counts[HUMAN]} need a human"
        + ". Where each item lives: docs/review.md."
    )
    return 1 if args.strict and counts[FAILED] else 0


if __name__ == "__main__":
    sys.exit(main())
