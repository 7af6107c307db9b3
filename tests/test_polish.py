"""Small things a learner sees: plain Markdown, readable outputs, true paths, own kernels."""

from __future__ import annotations

import importlib.util
import json
import os
import stat
import subprocess
import sys

import pytest
from conftest import TEMPLATE


def test_an_ampersand_in_the_question_stays_plain_in_the_raw_markdown(render):
    study = render(question="Do petal & sepal sizes tell the species apart? (R&D;)")
    for page in ("README.md", "QUESTION.md"):
        text = study.read(page)
        assert "Do petal & sepal sizes" in text, page
        assert "petal \\&" not in text, page


def load_files_module(study):
    """The rendered study's kit/files.py, imported as the study imports it."""
    sys.path.insert(0, str(study.path / "src"))
    try:
        return importlib.import_module("digits_practice_study.kit.files")
    finally:
        sys.path.remove(str(study.path / "src"))
        for name in [n for n in sys.modules if n.startswith("digits_practice_study")]:
            del sys.modules[name]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664)])
def test_outputs_are_written_with_the_usual_file_mode(render, tmp_path, umask, mode):
    files = load_files_module(render())
    previous = os.umask(umask)
    try:
        files.write_text("<html></html>\n", tmp_path / "reports" / "writeup.html")
        files.write_json({"accuracy": 0.9}, tmp_path / "reports" / "metrics.json")
    finally:
        os.umask(previous)
    for name in ("writeup.html", "metrics.json"):
        assert stat.S_IMODE((tmp_path / "reports" / name).stat().st_mode) == mode, name
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "metrics.json",
        "writeup.html",
    ]  # no temporary file left behind
    assert json.loads((tmp_path / "reports" / "metrics.json").read_text()) == {"accuracy": 0.9}


def test_the_closing_message_names_the_folder_the_study_is_in(tmp_path):
    """As `make demo` renders it: into demo/, not the folder cookiecutter was run from."""
    done = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir", "demo", str(TEMPLATE)],
        cwd=tmp_path,
        env={**os.environ, "PWD": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "Your study is ready in ./demo/digits-practice-study" in done.stdout
    assert "    cd ./demo/digits-practice-study\n" in done.stdout
    assert (tmp_path / "demo" / "digits-practice-study" / "Makefile").is_file()


def kernel_name(study) -> str:
    return study.command_layer("cli.KERNEL_NAME")


def test_two_studies_of_one_name_register_kernels_of_different_names(render):
    first, second = render(), render()
    assert first.path.name == second.path.name
    names = {kernel_name(first), kernel_name(second)}
    assert len(names) == 2
    assert all(name.startswith("digits-practice-study-") for name in names)
    assert kernel_name(first) in names  # the same folder keeps its name
