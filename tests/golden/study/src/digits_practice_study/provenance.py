"""Where results came from: the code's git commit, the data's DVC hash, and the ledger of
every try and every test-set look that led to them (``reports/ledger.csv``)."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
from pathlib import Path

import yaml

from . import paths


def _git(*args: str, root: Path) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def git_commit(root: Path = paths.ROOT) -> str:
    """The commit the code was at, marked when there were uncommitted changes."""
    try:
        commit = _git("rev-parse", "--short=12", "HEAD", root=root)
        dirty = _git("status", "--porcelain", "--untracked-files=no", root=root)
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git repository, or no commit yet)"
    return f"{commit} (with uncommitted changes)" if dirty else commit


def data_hash(raw: Path = paths.RAW_DATA, root: Path = paths.ROOT) -> str:
    """The MD5 that DVC recorded for the raw data, from dvc.lock or a ``.dvc`` file."""
    relative = raw.relative_to(root).as_posix()
    candidates = [root / "dvc.lock", raw.with_name(raw.name + ".dvc")]
    for path in candidates:
        if not path.exists():
            continue
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        stages = document.get("stages", {"": document}).values()
        for stage in stages:
            for out in stage.get("outs", []):
                if out.get("path") in (relative, raw.name) and "md5" in out:
                    return f"md5:{out['md5']}"
    return "not yet recorded by DVC"


# The ledger: one CSV row per try and per test-set look, appended and never rewritten.
LEDGER_COLUMNS = ["date", "kind", "configuration", "metric", "cv_mean", "cv_sd", "test", "commit"]


def configuration(train: dict) -> str:
    """A model and its settings in one short line, e.g. ``random_forest(n_estimators=200)``."""
    name = train["model"]
    settings = train.get(name) if isinstance(train.get(name), dict) else {}
    return f"{name}({', '.join(f'{key}={value}' for key, value in settings.items())})"


def record(kind: str, params: dict, cv: dict, metric: str, test: float | None = None) -> dict:
    """Append one row to the ledger: a ``try`` (CV only) or a ``test`` look."""
    row = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "kind": kind,
        "configuration": configuration(params["train"]),
        "metric": metric,
        "cv_mean": f"{cv['mean']:.4f}",
        "cv_sd": f"{cv['sd']:.4f}",
        "test": "" if test is None else f"{test:.4f}",
        "commit": git_commit(),
    }
    new = not paths.LEDGER.exists()
    paths.LEDGER.parent.mkdir(parents=True, exist_ok=True)
    with paths.LEDGER.open("a", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, LEDGER_COLUMNS, lineterminator="\n")
        if new:
            writer.writeheader()
        writer.writerow(row)
    return row


def record_test_look(params: dict, results: dict) -> dict:
    """The evaluate stage scored the test set: one more look, with this configuration."""
    name = results["metric"]
    return record("test", params, results["model"]["cv"], name, results["model"]["test"][name])


def ledger(path: Path = paths.LEDGER) -> list[dict]:
    """Every row of the ledger, oldest first (none before the first try or evaluate)."""
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
