"""Every value of params.yaml, checked before the first stage runs.

    python -m <package>.kit.check

``python3 run.py study`` runs it first: params.yaml's rules (kit/params.py), then the model's
name and settings against your MODELS and the metric against your METRICS (study.py), so a
wrong value is named at once, with what is allowed, and no stage starts. The train stage and
``python3 run.py try`` check the same before they fit anything (``require``).
"""

from __future__ import annotations

import sys

from .. import study
from . import pipeline, scoring
from .decisions import Task
from .params import ParamsProblem, load_params


def check(params: dict) -> list[str]:
    """What is wrong beyond params.yaml's own rules, one line each."""
    train, task = params["train"], params["data"]["task"]
    # The model's name, and the settings of every model params.yaml has a block for (run.py try
    # may pick any of them): each type-checked by its estimator's own rules, so
    # `n_estimators: "200"` is named here instead of failing in the train stage.
    lines = pipeline.settings_problems(train["model"], train.get(train["model"]) or {})
    for name, block in train.items():
        if name in ("model", "seed", train["model"]):
            continue
        if name not in study.MODELS:
            lines.append(f"train.{name}: not a model in MODELS (study.py); check the spelling")
        else:
            lines += pipeline.settings_problems(name, {} if block is None else block)
    problems = [f"- {line}" for line in dict.fromkeys(lines)]
    requested = params["evaluate"]["metric"]
    if requested != "auto":
        tasks = [Task(task)] if task != "auto" else list(Task)
        try:
            known = {name for t in tasks for name in scoring.metrics_for(t)}
        except ValueError as problem:  # METRICS in study.py is not as it should be
            problems.append(f"- {problem}")
        else:
            if requested not in known:
                problems.append(
                    f"- evaluate.metric {requested!r} does not fit a {task} task (data.task); "
                    f"choose auto or one of {', '.join(sorted(known))}"
                )
    return problems


def require(params: dict) -> None:
    """Stop with a ParamsProblem that names every problem ``check`` finds."""
    problems = check(params)
    if problems:
        raise ParamsProblem("params.yaml has values the study cannot use:\n" + "\n".join(problems))


def main(argv: list[str] | None = None) -> int:
    """Exit 0 when params.yaml is fine; otherwise print every problem and exit 1."""
    require(load_params())  # a YAML slip or a broken rule stops load_params
    return 0


if __name__ == "__main__":
    sys.exit(main())
