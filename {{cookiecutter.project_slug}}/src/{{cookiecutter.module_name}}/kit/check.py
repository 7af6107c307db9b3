"""Every value of params.yaml, checked before the first stage runs.

    python -m {{ cookiecutter.module_name }}.kit.check

``python3 run.py study`` runs it first: params.yaml's rules (kit/params.py), then the model's
name and settings against your MODELS and the metric against your METRICS (study.py), so a
wrong value is named at once, with what is allowed, and no stage starts.
"""

from __future__ import annotations

from . import pipeline, scoring
from .decisions import Task
from .params import ParamsProblem, load_params


def check(params: dict) -> list[str]:
    """What is wrong beyond params.yaml's own rules, one line each."""
    problems = []
    train, task = params["train"], params["data"]["task"]
    try:
        pipeline.check_settings(train["model"], train.get(train["model"]) or {})
    except ValueError as problem:
        problems.append(f"- {problem}")
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


def main(argv: list[str] | None = None) -> None:
    """Takes no arguments (argv: for the study's command layer, kit/cli.py)."""
    try:
        params = load_params()
    except ParamsProblem as problem:
        raise SystemExit(str(problem)) from None
    problems = check(params)
    if problems:
        raise SystemExit("params.yaml has values the study cannot use:\n" + "\n".join(problems))


if __name__ == "__main__":
    main()
