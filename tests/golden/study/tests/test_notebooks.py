"""Every notebook runs top to bottom in the study's environment, on the pipeline's outputs."""

from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

from digits_practice_study.kit import paths

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.py"))


@pytest.mark.skipif(
    not paths.DECISIONS.exists() or not paths.METRICS.exists(),
    reason="the notebooks read the pipeline's outputs: run `python3 run.py study` first",
)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path):
    notebook = jupytext.read(path)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
