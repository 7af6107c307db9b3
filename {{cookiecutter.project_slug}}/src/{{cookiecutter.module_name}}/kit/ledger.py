"""The ledger of tries and test-set looks, ``reports/ledger.csv``: one row each, appended,
never rewritten, kept in git. It is the honest count of how often the test set was seen."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from .files import markdown_table, plural
from .params import settings_for
from .paths import LEDGER, RUN
from .provenance import git_commit

# One CSV row per try (run.py try) and per test-set look (evaluate), appended, never rewritten.
LEDGER_COLUMNS = ["date", "kind", "configuration", "metric", "cv_mean", "cv_sd", "test", "commit"]


def configuration(train: dict, task: str) -> str:
    """A model and its settings in one short line, e.g. ``random_forest(n_estimators=200)``."""
    name = train["model"]
    settings = settings_for(name, train.get(name) or {}, task)
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
    new = not LEDGER.exists()
    LEDGER.parent.mkdir(parents=True, exist_ok=True)
    with LEDGER.open("a", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, LEDGER_COLUMNS, lineterminator="\n")
        if new:
            writer.writeheader()
        writer.writerow(row)
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
