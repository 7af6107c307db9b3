"""Where every file is, what params.yaml may hold, and how outputs are written.

    python -m digits_practice_study.config

checks params.yaml against the rules below and names each wrong value (``make study`` runs
it before the first stage). Stages, notebooks and tests import the paths from here instead
of typing them; ``dvc.yaml`` names the same files (``tests/test_paths.py`` keeps them in step).
"""

from __future__ import annotations

import codecs
import json
import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

# ---------------------------------------------------------------- where things are

ROOT = Path(__file__).resolve().parents[2]

PARAMS = ROOT / "params.yaml"
WRITEUP_SOURCE = ROOT / "WRITEUP.md"

DATA = ROOT / "data"
# The name is reduced to letters, digits and ._- (local_extensions.raw_file_name).
RAW_DATA = DATA / "raw" / "digits.csv"
# What the pipeline measured in the raw data; the data card (data/README.md) links to it.
DATA_SUMMARY = DATA / "summary.md"
# What prepare decided about the table (task, metric, column roles, rows, split); train,
# evaluate and report read it instead of deciding again.
DECISIONS = DATA / "decisions.json"
# compute=dask writes each split as a folder of Parquet partitions; pandas as one CSV file.
TRAIN = DATA / "processed" / "train.csv"
TEST = DATA / "processed" / "test.csv"

MODEL = ROOT / "models" / "model.joblib"

REPORTS = ROOT / "reports"
METRICS = REPORTS / "metrics.json"
ENVIRONMENT = REPORTS / "environment.json"
FIGURES = REPORTS / "figures"
MY_FIGURES = ROOT / "figures"  # the learner's own; the pipeline only reads them
WRITEUP = REPORTS / "writeup.html"
# Every try (make try) and every scoring of the test set (evaluate), one row each. Kept in
# git and only ever appended to: it is the honest count of how often you looked.
LEDGER = REPORTS / "ledger.csv"


def shown(path: Path | str) -> str:
    """A path as the learner knows it: relative to the study when it is inside."""
    path = Path(path)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


# ---------------------------------------------------------------- what params.yaml may hold

# The role a column can have (data.columns). Only the feature roles reach the model.
FEATURE_ROLES = ("numeric", "categorical", "datetime")
LEFT_OUT_ROLES = ("text", "identifier", "constant", "excluded")
TASKS = ("classification", "regression")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt key is an error, not ignored


class Read(Section):
    sep: str = Field(",", min_length=1, description="the column separator, e.g. ',' or ';'")
    decimal: Literal[".", ","] = "."
    encoding: str = "utf-8"

    @field_validator("encoding")
    @classmethod
    def known_encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError("not a text encoding Python knows, e.g. utf-8, latin-1") from None
        return value


class Data(Section):
    dataset: str
    url: str | None = None
    sha256: str | None = None
    target: str
    task: Literal[("auto", *TASKS)] = "auto"
    read: Read = Read()
    drop_columns: list[str] = []
    drop_classes: list[str | int | float] = []
    columns: dict[str, Literal[FEATURE_ROLES + LEFT_OUT_ROLES]] = {}


class Prepare(Section):
    test_size: float = Field(0.2, ge=0.05, le=0.5)
    seed: int = 42
    split: Literal["random", "time", "group"] = "random"
    time_column: str | None = None
    group_column: str | None = None
    # compute=dask only: the model is fitted on at most this many training rows (a stratified
    # sample), and the memory each worker of the local Dask cluster may use (e.g. 2GiB).
    train_rows: int | None = Field(None, ge=100)
    worker_memory: str | None = None

    @model_validator(mode="after")
    def split_column_named(self) -> Prepare:
        for kind in ("time", "group"):
            if self.split == kind and not getattr(self, f"{kind}_column"):
                raise ValueError(f"split: {kind} needs the column's name in {kind}_column")
        return self


class Train(BaseModel):
    # Besides model and seed: one block of settings per model, named like the model.
    model_config = ConfigDict(extra="allow")
    model: str
    seed: int = 42

    @model_validator(mode="after")
    def known_model(self) -> Train:
        from .model import check_settings  # the registry lives with the models

        check_settings(self.model, (self.model_extra or {}).get(self.model) or {})
        return self


class Evaluate(Section):
    metric: str = "auto"
    cv_folds: int = Field(5, ge=2, le=20)
    bootstrap_resamples: int = Field(1000, ge=100, le=100_000)
    confidence: float = Field(0.95, ge=0.5, le=0.999)
    seed: int = 42


class Params(Section):
    data: Data
    prepare: Prepare
    train: Train
    evaluate: Evaluate

    @model_validator(mode="after")
    def metric_fits_task(self) -> Params:
        from .model import METRICS

        task, metric = self.data.task, self.evaluate.metric
        allowed = METRICS[task] if task != "auto" else {**METRICS[TASKS[0]], **METRICS[TASKS[1]]}
        if metric != "auto" and metric not in allowed:
            raise ValueError(
                f"evaluate.metric {metric!r} does not fit a {task} task (data.task); choose "
                f"auto or one of {', '.join(allowed)}"
            )
        return self


def settings_for(name: str, settings: dict, task: str) -> dict:
    """The settings of model ``name`` for ``task``: its own block, if it has one per task."""
    per_task = set(settings) <= set(TASKS)
    return (settings.get(task) or {}) if per_task else settings


class ParamsProblem(ValueError):
    """params.yaml holds a value the study cannot use; the message names the key."""


def explain(error: ValidationError) -> str:
    """One line per wrong value: the key as written in params.yaml, the value, the rule."""
    lines = []
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            lines.append(f"- {key}: not a setting the study knows (check the spelling)")
        elif problem["type"] == "missing":
            lines.append(f"- {key}: missing")
        elif key and not message.startswith(key):
            lines.append(f"- {key} = {problem['input']!r}: {message}")
        else:
            lines.append(f"- {message}")
    return "params.yaml has values the study cannot use:\n" + "\n".join(lines)


def read_params(path: Path = PARAMS) -> dict[str, Any]:
    """params.yaml exactly as written, ``auto`` values included."""
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def load_params(path: Path = PARAMS) -> dict[str, Any]:
    """params.yaml once checked; a ParamsProblem names each wrong key."""
    try:
        checked = Params.model_validate(read_params(path))
    except ValidationError as error:
        raise ParamsProblem(explain(error)) from None
    return checked.model_dump()  # with the defaults of the rules filled in


# ---------------------------------------------------------------- writing outputs


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside ``target``; move it into place only on success, so a
    crash never leaves a half-written file behind.

    The file gets the usual permissions (0644 under the common umask), not mkstemp's
    owner-only 0600, so a colleague or a web server can read the outputs.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = str(target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(text: str, target: Path) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(data: Any, target: Path) -> None:
    write_text(json.dumps(data, indent=2) + "\n", target)


def read_json(path: Path) -> Any:
    if not path.exists():
        raise FileNotFoundError(f"{shown(path)} is missing: run `make study` first")
    return json.loads(path.read_text(encoding="utf-8"))


def markdown_table(header: list[str], rows: list[list[object]]) -> str:
    """A Markdown table; each value stays inside its cell (``|`` and line breaks escaped)."""

    def cell(value: object) -> str:
        return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(map(cell, header)) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(map(cell, row)) + " |" for row in rows])


def main() -> None:
    try:
        load_params()
    except ParamsProblem as problem:
        raise SystemExit(str(problem)) from None


if __name__ == "__main__":
    main()
