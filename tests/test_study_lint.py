"""Fast tier: a rendered study passes its own linters before anyone runs it.

`make check` in the study runs ruff (its pyproject's settings) and the file hygiene hooks on
every file; running them here on fresh renders finds a slip in seconds, not in the full tier.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# The template's own ruff, beside this Python (a study pins the same tool in its uv.lock).
RUFF = str(Path(sys.executable).with_name("ruff"))


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"compute": "dask"},
        {"dataset": "diabetes", "env_manager": "pip"},
        # The longest package name the prompts allow: lines that hold it stay under 100.
        {
            "project_name": "A" * 64,
            "project_slug": "a" * 50,
            "module_name": "a" * 50,
            "compute": "dask",
        },
    ],
    ids=["default", "dask", "diabetes-pip", "longest-names"],
)
def test_the_study_code_passes_ruff_as_the_study_configures_it(render, answers):
    study = render(**answers)
    for command in (
        [RUFF, "check", "--no-cache", "."],
        [RUFF, "format", "--check", "--no-cache", "."],
    ):
        done = subprocess.run(command, cwd=study.path, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_every_text_file_ends_with_one_newline_and_no_trailing_spaces(render):
    study = render(compute="dask")
    bad = []
    for path in study.files():
        if path.suffix in {".png", ".lock"} or path.name in {"uv.lock"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        name = path.relative_to(study.path).as_posix()
        if text and (not text.endswith("\n") or text.endswith("\n\n")):
            bad.append(f"{name}: not one final newline")
        trailing = [n for n, line in enumerate(text.splitlines(), 1) if line != line.rstrip()]
        if trailing and not name.startswith("reports/") and path.suffix != ".md":
            bad.append(f"{name}: trailing spaces on line {trailing[0]}")
    assert bad == []
