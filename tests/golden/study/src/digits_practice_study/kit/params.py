"""What params.yaml may hold: the rules every value is checked against.

Each stage reads the params it needs with ``load_params()``, which names every wrong value
in one message. The model's settings and the metric's name are checked against your
``study.py`` too, before the first stage: ``python -m <package>.kit.check``.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .decisions import Role, Task
from .paths import PARAMS, shown

TASKS = tuple(task.value for task in Task)
ROLES = tuple(role.value for role in Role if role is not Role.TARGET)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt key is an error, not ignored


class Read(Section):
    sep: str = Field(",", min_length=1, description="the column separator, e.g. ',' or ';'")
    decimal: Literal[".", ","] = "."
    encoding: str = "utf-8"
    # A spreadsheet's sheet: its name, or its number counting from 0 (the first: 0).
    sheet: str | int = 0
    # Codes for "unknown" besides the usual ones (?, NA, -, -999 ...), and values that are
    # real here although they look like such a code (kit/values.py).
    na_values: list[str | int | float] = []
    keep_values: list[str | int | float] = []
    # How numbers written as text are grouped: auto finds it; none reads no text as numbers.
    thousands: Literal["auto", "none", ",", ".", "'", " "] | None = "auto"

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
    columns: dict[str, Literal[ROLES]] = {}


class Prepare(Section):
    test_size: float = Field(0.2, ge=0.05, le=0.5)
    seed: int = 42
    split: Literal["auto", "random", "time", "group"] = "auto"
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
    # Besides model and seed: one block of settings per model, named like the model. Names
    # and settings are checked against study.py's MODELS by kit/check.py.
    model_config = ConfigDict(extra="allow")
    model: str
    seed: int = 42


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


def settings_for(name: str, settings: dict, task: str) -> dict:
    """The settings of model ``name`` for ``task``: its own block, if it has one per task."""
    per_task = bool(settings) and set(settings) <= set(TASKS)
    return (settings.get(task) or {}) if per_task else settings


class ParamsProblem(SystemExit):
    """params.yaml holds a value the study cannot use; the message names the key.

    It stops the program with that message and no traceback, wherever params.yaml is read
    (a stage, ``run.py try``, a notebook): the mistake is the learner's to fix, not a crash.
    """


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
        elif not key:  # params.yaml as a whole (not a mapping of sections)
            lines.append(f"- {message}")
        elif problem["type"] == "value_error" and isinstance(problem["input"], dict):
            # A rule across a section's settings (Prepare.split_column_named): its message
            # starts with the setting it is about, so the section goes before it.
            lines.append(f"- {key}.{message}")
        else:
            lines.append(f"- {key} = {problem['input']!r}: {message}")
    return "params.yaml has values the study cannot use:\n" + "\n".join(lines)


class UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key written twice in one section (YAML would keep
    the last one silently, so the first would seem set and be ignored)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is written twice here", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# What a YAML slip usually is, by the words PyYAML uses for it.
YAML_HINTS = {
    "found character '\\t'": "A tab: indent with spaces only.",
    "written twice": "Keep one of the two, with the value you mean.",
    "mapping values are not allowed": "Does the line above lack the `: ` after its key, or does "
    "a value hold a `:`? (Put such a value in quotes.)",
    "could not find expected ':'": "A line that is not `key: value`: is a colon missing?",
    "expected <block end>": "The indentation changes here: line it up with its neighbours.",
    "found undefined alias": "A `*` at the start of a value: put the value in quotes.",
}
YAML_ADVICE = (
    "Check the indentation (spaces, not tabs), that each `key: value` has a space after the "
    "colon, and that text with `:` or `#` is in quotes."
)


def yaml_problem(path: Path, text: str, error: yaml.YAMLError) -> ParamsProblem:
    """A YAML slip as one message: its line, as written, and what to fix."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    what = getattr(error, "problem", None) or getattr(error, "context", None) or str(error)
    hint = next((fix for words, fix in YAML_HINTS.items() if words in what), YAML_ADVICE)
    if mark is None:
        return ParamsProblem(f"{shown(path)} is not valid YAML: {what}. {hint}")
    lines = text.splitlines()
    # The line YAML stopped at, and the one above it: a slip there often shows up here.
    shown_lines = [
        f"    {number + 1:>3} | {lines[number].rstrip()}"
        for number in (mark.line - 1, mark.line)
        if 0 <= number < len(lines)
    ]
    return ParamsProblem(
        f"{shown(path)} is not valid YAML at line {mark.line + 1}, column {mark.column + 1}: "
        f"{what}.\n" + "\n".join(shown_lines) + f"\n{hint}"
    )


def read_params(path: Path = PARAMS) -> dict[str, Any]:
    """params.yaml exactly as written, ``auto`` values included; a YAML slip is named by line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParamsProblem(
            f"{shown(path)} is missing: every setting of the study lives there. Bring it back "
            f"from git: git checkout -- {shown(path)}"
        ) from None
    except UnicodeDecodeError as error:
        raise ParamsProblem(
            f"{shown(path)} is not UTF-8 text (byte {error.start}): save it as UTF-8 in your editor"
        ) from None
    try:
        document = yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as error:
        raise yaml_problem(path, text, error) from None
    if not isinstance(document, dict):
        raise ParamsProblem(f"{shown(path)} must hold settings as `key: value` lines")
    return document


def load_params(path: Path = PARAMS) -> dict[str, Any]:
    """params.yaml once checked; a ParamsProblem names each wrong key."""
    try:
        checked = Params.model_validate(read_params(path))
    except ValidationError as error:
        raise ParamsProblem(explain(error)) from None
    return checked.model_dump()  # with the defaults of the rules filled in
