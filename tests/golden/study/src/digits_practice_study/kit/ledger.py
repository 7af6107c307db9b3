"""The ledger of tries and test-set looks, ``reports/ledger.csv``: one row each, appended,
never rewritten, kept in git. It is the honest count of how often the test set was seen.

A look is the test score of one model on one split: the code, params and data that made
and scored it, summed up in a fingerprint. Scoring the same again (``run.py clean`` then
``run.py study``, a fresh clone) shows nothing new, so it is not counted twice; any change
that could change the score (a setting, the data, the code) is a new look.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path

from .files import markdown_table, plural, read_yaml
from .params import settings_for
from .paths import LEDGER, MODEL, ROOT, RUN
from .provenance import git_commit

# One CSV row per try (run.py try) and per test-set look (evaluate), appended, never rewritten.
LEDGER_COLUMNS = [
    "date",
    "kind",
    "configuration",
    "metric",
    "cv_mean",
    "cv_sd",
    "test",
    "commit",
    "fingerprint",
]
# The stages that make and score the model: what they read decides the test score.
LOOK_STAGES = ("train", "evaluate")


def configuration(train: dict, task: str) -> str:
    """A model and its settings in one short line, e.g. ``random_forest(n_estimators=200)``."""
    name = train["model"]
    settings = settings_for(name, train.get(name) or {}, task)
    return f"{name}({', '.join(f'{key}={value}' for key, value in settings.items())})"


def digest_of(path: Path, root: Path, digest) -> None:
    """Feed a file, or every file of a folder (a Dask split's parts), into ``digest``."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(file.relative_to(root).as_posix().encode())
        with file.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)


def look_fingerprint(params: dict, root: Path = ROOT) -> str:
    """What a test score depends on, as one short hash: every file the train and evaluate
    stages read (dvc.yaml lists them: code, the splits, the decisions) and their params.
    The model file is left out: it is made from the same files, but its bytes may differ."""
    stages = read_yaml(root / "dvc.yaml")["stages"]
    digest = hashlib.sha256()
    digest.update(json.dumps([params["train"], params["evaluate"]], sort_keys=True).encode())
    read = sorted({dep for stage in LOOK_STAGES for dep in stages[stage]["deps"]})
    for dep in read:
        path = root / dep
        if path != root / MODEL.relative_to(ROOT) and path.exists():
            digest_of(path, root, digest)
    return digest.hexdigest()[:16]


def first_look(rows: list[dict]) -> str | None:
    """When the test set was first scored (the ledger's date, UTC), or None: never yet."""
    return next((row["date"] for row in rows if row["kind"] == "test"), None)


def earlier_look(fingerprint: str, rows: list[dict]) -> dict | None:
    """The first test-set look of the ledger with this fingerprint, if there is one."""
    looks = (row for row in rows if row["kind"] == "test")
    return next((row for row in looks if row.get("fingerprint") == fingerprint), None)


def append(row: dict, path: Path = LEDGER) -> None:
    """Add ``row`` at the end. A ledger from before a column was added gets the column
    (empty for its old rows): every row it held stays, as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        with path.open(newline="", encoding="utf-8") as f:
            header = next(csv.reader(f), [])
        if header and header != LEDGER_COLUMNS:
            rows = ledger(path)
            with path.open("w", newline="", encoding="utf-8") as f:
                writer = csv.DictWriter(f, LEDGER_COLUMNS, lineterminator="\n", restval="")
                writer.writeheader()
                writer.writerows({k: r.get(k) or "" for k in LEDGER_COLUMNS} for r in rows)
    new = not path.exists() or path.stat().st_size == 0
    with path.open("a", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, LEDGER_COLUMNS, lineterminator="\n")
        if new:
            writer.writeheader()
        writer.writerow(row)


def record(
    kind: str, params: dict, task: str, cv: dict, metric: str, test=None, fingerprint: str = ""
) -> dict:
    """Append one row to the ledger: a ``try`` (CV only) or a ``test`` look, with the
    look's fingerprint."""
    row = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "kind": kind,
        "configuration": configuration(params["train"], task),
        "metric": metric,
        "cv_mean": f"{cv['mean']:.4f}",
        "cv_sd": f"{cv['sd']:.4f}",
        "test": "" if test is None else f"{test:.4f}",
        "commit": git_commit().text,
        "fingerprint": fingerprint,
    }
    append(row)
    return row


def ledger(path: Path = LEDGER) -> list[dict]:
    """Every row of the ledger, oldest first (none before the first try or evaluate)."""
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def compare_table(rows: list[dict]) -> str:
    """Every try as a Markdown table: configuration, CV mean ± sd, date and commit."""
    tries = [row for row in rows if row["kind"] == "try"]
    if not tries:
        return (
            f"No tries recorded yet: `{RUN} try` scores a configuration by cross-validation "
            "on the training rows and adds it to `reports/ledger.csv`."
        )
    header = ["try", "configuration", "cross-validation (mean ± sd)", "date", "commit"]
    return markdown_table(
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


def looks_statement(rows: list[dict]) -> str:
    """How many configurations were tried and how often the test set was scored."""
    tries = [row for row in rows if row["kind"] == "try"]
    looks = [row for row in rows if row["kind"] == "test"]
    configurations = len({row["configuration"] for row in tries + looks})
    tried = (
        f"{plural(configurations, 'configuration was', 'configurations were')} tried "
        f"({plural(len(tries), 'cross-validation try', 'cross-validation tries')} on the "
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
