"""dvc.yaml and kit/paths.py name the same files, so stages write what DVC tracks."""

import yaml

from {{ cookiecutter.module_name }}.kit import paths


def test_dvc_yaml_declares_the_paths_the_code_uses():
    stages = yaml.safe_load((paths.ROOT / "dvc.yaml").read_text())["stages"]
    declared = set()
    for stage in stages.values():
        for key in ("outs", "metrics", "plots"):
            for item in stage.get(key, []):
                declared.add(next(iter(item)) if isinstance(item, dict) else item)
    if "get_data" not in stages:  # the learner's own file, tracked by `dvc add` instead
        declared.add(paths.RAW_DATA.relative_to(paths.ROOT).as_posix())
    used = {
        paths.RAW_DATA,
        paths.DATA_SUMMARY,
        paths.TRAIN,
        paths.TEST,
        paths.DECISIONS,
        paths.MODEL,
        paths.METRICS,
        paths.ENVIRONMENT,
        paths.FIGURES,
        paths.WRITEUP,
    }
    assert {p.relative_to(paths.ROOT).as_posix() for p in used} == declared
