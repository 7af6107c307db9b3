"""The model pipeline: your features, preprocessing by role, then your estimator.

``build`` puts together ``add_features`` and the estimator named by ``train.model`` (both
in study.py) with kit/preprocess.py's steps, as one scikit-learn Pipeline: everything in
it learns from the rows it is fitted on, and nothing else.
"""

from __future__ import annotations

import inspect

from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import get_tags

from .. import study
from .decisions import Role, Task
from .params import TASKS, settings_for
from .preprocess import preprocessing


def check_settings(name: str, settings: dict) -> None:
    """``train.model`` is in study.py's MODELS, and each setting is one its estimator takes."""
    if name not in study.MODELS:
        raise ValueError(
            f"train.model {name!r} is not in MODELS (src/{__package__.split('.')[0]}/study.py); "
            f"choose one of {', '.join(study.MODELS)}, or add it there"
        )
    for task, estimator in study.MODELS[name].items():
        if task not in TASKS:
            raise ValueError(
                f"MODELS[{name!r}] in study.py names the task {task!r}: use {' or '.join(TASKS)}"
            )
        known = inspect.signature(estimator).parameters
        unknown = [key for key in settings_for(name, settings, task) if key not in known]
        if unknown:
            raise ValueError(
                f"train.{name}: {estimator.__name__} ({task}) has no setting "
                f"{', '.join(unknown)}; its settings are {', '.join(known)}"
            )


def estimator(train: dict, task: Task):
    """The estimator ``train.model`` names, for this task, with its settings as written."""
    name, task = train["model"], Task(task).value
    check_settings(name, train.get(name) or {})
    if task not in study.MODELS[name]:
        fitting = [other for other, tasks in study.MODELS.items() if task in tasks]
        raise ValueError(
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
