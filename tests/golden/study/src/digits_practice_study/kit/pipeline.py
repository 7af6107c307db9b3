"""The model pipeline: your features, preprocessing by role, then your estimator.

``build`` puts together ``add_features`` and the estimator named by ``train.model`` (both
in study.py) with kit/preprocess.py's steps, as one scikit-learn Pipeline: everything in
it learns from the rows it is fitted on, and nothing else.
"""

from __future__ import annotations

import inspect
import re
from contextlib import contextmanager

from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import get_tags

from .. import study
from .decisions import Role, Task
from .params import TASKS, ParamsProblem, settings_for
from .preprocess import preprocessing

try:  # scikit-learn's own checks of its estimators' settings (a private module, so guarded)
    from sklearn.utils._param_validation import (
        InvalidParameterError,
        validate_parameter_constraints,
    )
except ImportError:  # pragma: no cover - a scikit-learn without it: settings fail when fitted
    validate_parameter_constraints = None


def wrong_types(estimator, settings: dict) -> dict[str, str]:
    """Each setting whose value ``estimator`` would refuse when fitted, checked now against
    the estimator's own rules (scikit-learn's ``_parameter_constraints``): key -> why."""
    constraints = getattr(estimator, "_parameter_constraints", None)
    if not constraints or validate_parameter_constraints is None:  # no stated rules
        return {}
    problems = {}
    for key, value in settings.items():
        try:
            validate_parameter_constraints(
                constraints, {key: value}, caller_name=estimator.__name__
            )
        except InvalidParameterError as error:
            rule = str(error).split(" must be ", 1)[-1].split(". Got ", 1)[0]
            hint = ""
            if isinstance(value, str) and re.fullmatch(r"[-+0-9.eE]+", value.strip()):
                hint = f" (in quotes it is text: write {value.strip()} without them)"
            problems[key] = f"{key} = {value!r}: {estimator.__name__} needs {rule}{hint}"
    return problems


def settings_problems(name: str, settings: dict) -> list[str]:
    """What is wrong with ``train.model`` and its settings, one line each: the name is in
    study.py's MODELS, and each setting is one its estimator takes, with a value it accepts."""
    if name not in study.MODELS:
        return [
            f"train.model {name!r} is not in MODELS (src/{__package__.split('.')[0]}/study.py); "
            f"choose one of {', '.join(study.MODELS)}, or add it there"
        ]
    if not isinstance(settings, dict):
        return [f"train.{name}: write its settings as `key: value` lines below it"]
    problems, typed, unknown_named = [], {}, False
    for task, estimator in study.MODELS[name].items():
        if task not in TASKS:
            problems.append(
                f"MODELS[{name!r}] in study.py names the task {task!r}: use {' or '.join(TASKS)}"
            )
            continue
        known = inspect.signature(estimator).parameters
        chosen = settings_for(name, settings, task)
        if not isinstance(chosen, dict):
            problems.append(f"train.{name}.{task}: write its settings as `key: value` lines")
            continue
        unknown = [key for key in chosen if key not in known]
        if unknown and not unknown_named:  # named once, for the first task's estimator
            problems.append(
                f"train.{name}: {estimator.__name__} ({task}) has no setting "
                f"{', '.join(unknown)}; its settings are {', '.join(known)}"
            )
            unknown_named = True
        # A setting both tasks' estimators refuse is named once, for the first of them.
        typed = wrong_types(estimator, chosen) | typed
    return problems + [f"train.{name}.{line}" for line in typed.values()]


def check_settings(name: str, settings: dict) -> None:
    """A ParamsProblem naming every wrong model name or setting (``settings_problems``)."""
    problems = settings_problems(name, settings)
    if problems:
        raise ParamsProblem(
            "params.yaml has values the study cannot use:\n"
            + "\n".join(f"- {line}" for line in problems)
        )


def estimator(train: dict, task: Task):
    """The estimator ``train.model`` names, for this task, with its settings as written."""
    name, task = train["model"], Task(task).value
    check_settings(name, train.get(name) or {})
    if task not in study.MODELS[name]:
        fitting = [other for other, tasks in study.MODELS.items() if task in tasks]
        raise ParamsProblem(
            f"train.model {name!r} has no {task} estimator, and this study's task is {task} "
            f"(data/decisions.json): choose one of {', '.join(fitting)}"
        )
    cls = study.MODELS[name][task]
    settings = dict(settings_for(name, train.get(name) or {}, task))
    if "random_state" in inspect.signature(cls).parameters:
        settings.setdefault("random_state", train["seed"])  # the same fit on every run
    return cls(**settings)


def build(train: dict, task: Task, roles: dict[str, Role]) -> Pipeline:
    """Your features, preprocessing by role, then the model of ``train.model``."""
    model = estimator(train, task)
    # Word weights (text columns) are sparse; an estimator that takes no sparse input gets
    # them dense.
    dense = not get_tags(model).input_tags.sparse
    return Pipeline(
        [
            ("features", FunctionTransformer(study.add_features)),
            ("preprocess", preprocessing(roles, dense=dense)),
            ("model", model),
        ]
    )


@contextmanager
def refused_settings(train: dict, who: str):
    """A fit scikit-learn refuses stops with a ParamsProblem naming the model's settings in
    params.yaml, not a traceback: each setting is checked alone beforehand (``wrong_types``),
    but some only work together (a random forest's oob_score needs bootstrap), and
    scikit-learn finds that only when it fits."""
    try:
        yield
    except ValueError as problem:
        name = train["model"]
        raise ParamsProblem(
            f"{who}: scikit-learn could not fit {name!r} with its settings in params.yaml "
            f"(train.{name}): {problem}\nSome settings only work together: the estimator's "
            "page in scikit-learn's documentation says which. Change them, then run again."
        ) from None
