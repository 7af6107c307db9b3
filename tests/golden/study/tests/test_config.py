"""dvc.yaml and config.py name the same files, so stages write what DVC tracks."""

import yaml

from digits_practice_study import config


def test_dvc_yaml_declares_the_paths_the_code_uses():
    stages = yaml.safe_load((config.ROOT / "dvc.yaml").read_text())["stages"]
    declared = set()
    for stage in stages.values():
        for key in ("outs", "metrics", "plots"):
            for item in stage.get(key, []):
                declared.add(next(iter(item)) if isinstance(item, dict) else item)
    if "get_data" not in stages:  # the learner's own file, tracked by `dvc add` instead
        declared.add(config.RAW_DATA.relative_to(config.ROOT).as_posix())
    used = {
        config.RAW_DATA,
        config.DATA_SUMMARY,
        config.TRAIN,
        config.TEST,
        config.DECISIONS,
        config.MODEL,
        config.METRICS,
        config.ENVIRONMENT,
        config.FIGURES,
        config.WRITEUP,
    }
    assert {p.relative_to(config.ROOT).as_posix() for p in used} == declared
