"""Trying things honestly: ``python3 run.py try`` cross-validates a configuration on the
training rows only (never the test rows) and logs it in the ledger; ``python3 run.py compare``
lists them.

    python -m <package>.kit.tries try train.model=random_forest
    python -m <package>.kit.tries compare
"""

from __future__ import annotations

import sys

import yaml

from .check import require
from .decisions import load as load_decisions
from .ledger import compare_table, ledger, record
from .params import load_params
from .paths import LEDGER, RUN, TRAIN, shown
from .pipeline import build, refused_settings
from .reading import features_and_target, read_table
from .scoring import cross_validate, metric


def apply_override(params: dict, item: str) -> None:
    """Set one ``train.<key>=<value>`` in ``params`` (the value read as YAML: 5, null, [a])."""
    key, sep, value = item.partition("=")
    parts = key.strip().split(".")
    if not sep or parts[0] != "train" or len(parts) < 2:
        raise SystemExit(
            f"try: {item!r} is not a train setting; write train.<key>=<value>, e.g. "
            f"{RUN} try train.model=random_forest train.random_forest.max_depth=5. Other "
            f"settings change the data or the scoring: edit params.yaml and {RUN} study."
        )
    # train.<model>.<setting> may be new: kit/pipeline.py checks it against scikit-learn.
    is_model_setting = len(parts) >= 3
    section = params
    for part in parts[:-1]:
        if is_model_setting:
            section.setdefault(part, {})
        if not isinstance(section.get(part), dict):
            raise SystemExit(f"try: params.yaml has no section {'.'.join(parts[:-1])!r}")
        section = section[part]
    if parts[-1] not in section and not is_model_setting:
        raise SystemExit(f"try: params.yaml has no setting {key!r}; check its spelling")
    section[parts[-1]] = yaml.safe_load(value)


def try_configuration(overrides: list[str]) -> dict:
    """Cross-validate params.yaml's model with ``overrides`` on the training rows; log it."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")  # see train.py
    params = load_params()
    for item in overrides:
        apply_override(params, item)
    require(params)  # the model's name and settings, with the overrides (kit/check.py)
    decisions, settings = load_decisions(), params["evaluate"]
    try:
        unfitted = build(params["train"], decisions.task, decisions.roles())
        headline = metric(decisions.task, decisions.metric)
    except ValueError as problem:  # a model name or setting scikit-learn does not know
        raise SystemExit(f"try: {problem}") from None
    features, target = features_and_target(read_table(TRAIN), decisions.target)
    with refused_settings(params["train"], "try"):
        cv = cross_validate(
            unfitted,
            features,
            target,
            decisions.task,
            headline,
            settings["cv_folds"],
            settings["seed"],
            decisions.split,
            "try: cross-validation",
        )
    return record("try", params, decisions.task, cv, headline.name)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["try"]:
        row = try_configuration(args[1:])
        print(
            f"try: {row['configuration']}: cross-validation {row['metric']} "
            f"{float(row['cv_mean']):.3f} ± {float(row['cv_sd']):.3f} (training rows only) "
            f"-> {shown(LEDGER)}. Compare them all: {RUN} compare"
        )
        return 0
    if args[:1] == ["compare"]:
        rows = ledger()
        print(compare_table(rows))
        print(
            f"\nTest-set looks so far: {sum(r['kind'] == 'test' for r in rows)}. Choose by "
            f"cross-validation, set it in params.yaml, then {RUN} study scores the test set."
        )
        return 0
    print(f"usage: {RUN} try [train.<key>=<value> ...] | {RUN} compare")
    return 2


if __name__ == "__main__":
    sys.exit(main())
