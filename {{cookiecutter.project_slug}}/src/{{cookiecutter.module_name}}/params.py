"""Read ``params.yaml``, the single home of every setting that shapes a result, and check it.

    python -m {{ cookiecutter.module_name }}.params

``make study`` runs this check before the first stage, so a wrong value is named at once
(key, value and what is allowed) instead of failing minutes later inside scikit-learn.
The allowed values are the schema below; each stage loads params through it too.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .columns import ROLES
from .modelling import MODELS
from .paths import PARAMS
from .scoring import METRICS

Role = Literal[ROLES]
ModelName = Literal[tuple(MODELS)]
MetricName = Literal[("auto", *dict.fromkeys(n for names in METRICS.values() for n in names))]


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
            raise ValueError(
                "not a text encoding Python knows, e.g. utf-8, latin-1, cp1252"
            ) from None
        return value


class Data(Section):
    dataset: str
    url: str | None = None
    sha256: str | None = None
    target: str
    task: Literal["auto", "classification", "regression"] = "auto"
    read: Read = Read()
    drop_columns: list[str] = []
    drop_classes: list[str | int | float] = []
    columns: dict[str, Role] = {}


class Prepare(Section):
    test_size: float = Field(0.2, ge=0.05, le=0.5)
    seed: int = 42
    split: Literal["random", "time", "group"] = "random"
    time_column: str | None = None
    group_column: str | None = None
    # compute=dask only (docs/dask.md): the most training rows the model is fitted on, and
    # the memory each worker of the default LocalCluster may use ("2GiB"; null: Dask's share).
    train_rows: int | None = Field(None, ge=100)
    worker_memory: str | None = None

    @model_validator(mode="after")
    def split_column_named(self) -> Prepare:
        for kind in ("time", "group"):
            if self.split == kind and not getattr(self, f"{kind}_column"):
                raise ValueError(f"split: {kind} needs the column's name in {kind}_column")
        return self


class Train(BaseModel):
    model_config = ConfigDict(extra="allow")  # one block of settings per model
    model: ModelName
    seed: int = 42


class Evaluate(Section):
    metric: MetricName = "auto"
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
        task, metric = self.data.task, self.evaluate.metric
        if task != "auto" and metric != "auto" and metric not in METRICS[task]:
            raise ValueError(
                f"evaluate.metric {metric!r} does not fit a {task} task (data.task); choose "
                f"auto or one of {', '.join(METRICS[task])}"
            )
        return self


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
        elif key:
            lines.append(f"- {key} = {problem['input']!r}: {message}")
        else:
            lines.append(f"- {message}")
    return "params.yaml has values the study cannot use:\n" + "\n".join(lines)


def read(path: Path = PARAMS) -> dict[str, Any]:
    """params.yaml exactly as written, ``auto`` values included."""
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def load(path: Path = PARAMS) -> dict[str, Any]:
    """params.yaml once checked against the schema; a ParamsProblem names each wrong key."""
    try:
        checked = Params.model_validate(read(path))
    except ValidationError as error:
        raise ParamsProblem(explain(error)) from None
    return checked.model_dump()  # with the defaults of the schema filled in


def main() -> None:
    try:
        load()
    except ParamsProblem as problem:
        raise SystemExit(str(problem)) from None


if __name__ == "__main__":
    main()
