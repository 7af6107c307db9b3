"""Integrity: the pipeline sees every code edit, setup survives an interrupt, the first commit
passes the study's own hooks, learner files are never deleted, `make pull` says what to do.

The module list is read from each rendered package, never written down here: the stages'
code changes often, and a new module must be covered the day it is added.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from conftest import PENGUINS_CSV, TEMPLATE, Study, render_into
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter

STAGE_RUN = re.compile(r"Running stage '([a-z_]+)'")
IDENTITY = ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL")


# --- What each stage runs, read from the rendered study ---


def package_of(study: Study) -> Path:
    (package,) = (p for p in (study.path / "src").iterdir() if (p / "__init__.py").is_file())
    return package


def module_names(package: Path) -> dict[str, Path]:
    """Every module of the package by its dotted name inside it: "study", "kit.roles",
    "__init__", "kit.__init__"."""
    return {
        ".".join(p.relative_to(package).with_suffix("").parts): p
        for p in package.rglob("*.py")
        if "__pycache__" not in p.parts
    }


def direct_imports(name: str, path: Path, package: str, names: set[str]) -> set[str]:
    """The package's modules that module ``name`` imports, wherever in it the import is
    (functions too): `from . import x`, `from .kit.x import y`, `from pkg.kit import x`,
    `import pkg.x`. Importing a module of a subpackage runs its `__init__.py` as well."""
    here = name.split(".")[:-1]
    found = set()

    def add(dotted: list[str]) -> None:
        for depth in range(1, len(dotted) + 1):  # each package on the way runs its __init__
            prefix = ".".join(dotted[:depth])
            if f"{prefix}.__init__" in names:
                found.add(f"{prefix}.__init__")
        if ".".join(dotted) in names:
            found.add(".".join(dotted))

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
            elif (node.module or "").split(".")[0] == package:
                base = []
            else:
                continue
            parts = (node.module or "").split(".") if node.module else []
            if node.level == 0:
                parts = parts[1:]
            add(base + parts)
            for alias in node.names:
                add([*base, *parts, alias.name])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == package:
                    add(parts[1:])
    return found - {name}


def import_graph(package: Path) -> dict[str, set[str]]:
    modules = module_names(package)
    return {
        name: direct_imports(name, path, package.name, set(modules))
        for name, path in modules.items()
    }


def files_each_stage_runs(study: Study) -> dict[str, set[Path]]:
    """stage -> every file of the package its command runs or reads: the modules it imports,
    directly or not, the `__init__.py` files on the way, and the package's other files a
    module names (the write-up's page template)."""
    package = package_of(study)
    modules = module_names(package)
    graph = import_graph(package)
    data_files = [
        p
        for p in package.rglob("*")
        if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts
    ]
    stages = yaml.safe_load(study.read("dvc.yaml"))["stages"]
    runs = {}
    for stage, spec in stages.items():
        entry = re.fullmatch(rf"python -m {package.name}\.(\w+)", spec["cmd"]).group(1)
        seen, todo = set(), [entry, "__init__"]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(graph[name])
        code = {modules[name] for name in seen}
        read = {
            f
            for f in data_files
            if any(
                f'"{f.parent.name}"' in m.read_text(encoding="utf-8")
                or f.name in m.read_text(encoding="utf-8")
                for m in code
            )
        }
        runs[stage] = code | read
    return runs


@pytest.mark.parametrize("answers", [{}, {"compute": "dask"}], ids=["default", "dask"])
def test_each_stage_depends_on_exactly_the_code_it_runs(render, answers):
    """dvc.yaml lists, for each stage, every file of the package it runs (its imports, however
    deep) and no other: an edit reruns exactly the stages that run the edited file."""
    study = render(**answers)
    package = package_of(study)
    stages = yaml.safe_load(study.read("dvc.yaml"))["stages"]
    runs = files_each_stage_runs(study)
    assert len(runs["report"]) > 3  # the import graph was really read
    wrong = []
    for stage, files in runs.items():
        listed = {study.path / dep for dep in stages[stage]["deps"]}
        code = {dep for dep in listed if package in dep.parents or dep == package}
        wrong += [f"{stage} misses {f.relative_to(study.path)}" for f in sorted(files - code)]
        wrong += [f"{stage} needs not {f.relative_to(study.path)}" for f in sorted(code - files)]
    assert wrong == []


@pytest.mark.parametrize("answers", [{}, {"compute": "dask"}], ids=["default", "dask"])
def test_the_package_has_no_import_cycle_and_the_learners_file_comes_after_prepare(render, answers):
    """No module imports one that imports it back (however far round); study.py, the
    learner's file, imports nothing of the package, and prepare and get_data do not run it."""
    study = render(**answers)
    graph = import_graph(package_of(study))

    def reaches(start: str) -> set[str]:
        seen, todo = set(), list(graph[start])
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(graph[name])
        return seen

    assert [name for name in graph if name in reaches(name)] == []
    assert graph["study"] == set()
    runs = files_each_stage_runs(study)
    learner = package_of(study) / "study.py"
    assert {stage for stage, files in runs.items() if learner in files} == {"train", "evaluate"}


@pytest.mark.slow
def test_dvc_status_flags_exactly_the_stages_that_run_an_edited_module(default_study):
    """Edit each file of the package in turn: `dvc status` names the stages that run it, and
    no other (an edit to study.py: train and evaluate; never get_data or prepare)."""
    study = default_study
    package = package_of(study)
    runs = files_each_stage_runs(study)
    files = sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    assert len(files) >= 10
    wrong = []
    for file in files:
        original = file.read_bytes()
        file.write_bytes(original + b"\n# a learner's edit\n")
        try:
            status = json.loads(study.run(".venv/bin/dvc", "status", "--json").stdout)
        finally:
            file.write_bytes(original)
        flagged = {
            stage
            for stage, entries in status.items()
            for entry in entries
            if isinstance(entry, dict)
            for dep in entry.get("changed deps", {})
            if study.path / dep in (file, *file.parents)
        }
        expected = {stage for stage, ran in runs.items() if file in ran}
        if flagged != expected:
            wrong.append(f"{file.relative_to(study.path)}: {sorted(flagged)} != {sorted(expected)}")
    assert wrong == [], "module edits DVC saw in other stages than the ones that run them"
    assert "up to date" in study.run(".venv/bin/dvc", "status").stdout


# --- Learner files: never overwritten, never deleted ---


def test_rendering_over_an_existing_study_refuses_and_changes_nothing(tmp_path, capfd):
    study = render_into(tmp_path)
    study.write("WRITEUP.md", study.read("WRITEUP.md") + "\nMy own conclusion.\n")
    (study.path / "figures" / "mine.png").write_bytes(b"\x89PNG my figure")
    (study.path / "scratch.txt").write_text("untracked notes\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in study.files()}
    commits = study.run("git", "rev-list", "--count", "HEAD").stdout
    with pytest.raises(FailedHookException):  # what `cookiecutter -f` does
        cookiecutter(
            str(TEMPLATE), no_input=True, output_dir=str(tmp_path), overwrite_if_exists=True
        )
    err = capfd.readouterr().err
    assert "ERROR: project_slug: the folder 'digits-practice-study' already exists" in err
    assert "cruft update" in err
    assert {p: p.read_bytes() for p in study.files()} == before
    assert study.run("git", "rev-list", "--count", "HEAD").stdout == commits


@pytest.mark.slow
def test_learner_figures_and_files_survive_clean_and_study(default_study):
    study = default_study
    writeup = study.read("WRITEUP.md")
    mine = study.path / "figures" / "my_plot.png"
    notes = study.path / "reports" / "notes.md"
    shutil.copyfile(study.path / "reports/figures/learning_curve.png", mine)
    notes.write_text("what I noticed\n", encoding="utf-8")
    edited = writeup + '\n## My figure\n\n{{ figure("my_plot", "Drawn by me") }}\n'
    study.write("WRITEUP.md", edited)
    try:
        study.make("clean")
        assert not study.has_file("reports/metrics.json")  # a declared output: removed
        assert mine.is_file() and notes.is_file() and study.read("WRITEUP.md") == edited
        study.make("study")
        assert mine.is_file() and notes.is_file() and study.read("WRITEUP.md") == edited
        html = study.read("reports/writeup.html")
        assert 'alt="Drawn by me"' in html
        # A figure that is in neither folder: one clear line, no traceback.
        study.write("WRITEUP.md", edited + '{{ figure("missing_one") }}\n')
        failed = study.make("study", check=False)
        assert failed.returncode != 0
        assert "figure('missing_one')" in failed.stderr and "Traceback" not in failed.stderr
    finally:
        mine.unlink(missing_ok=True)
        notes.unlink(missing_ok=True)
        study.write("WRITEUP.md", writeup)
        study.make("study")


# --- Sharing data through the default local remote ---


@pytest.mark.slow
def test_make_pull_in_a_clone_elsewhere_says_how_and_then_fetches(default_study, tmp_path):
    study = default_study
    study.run("git", "add", "--all")
    study.run("git", "commit", "--quiet", "-m", "results to share", check=False)  # or done
    assert study.run("git", "ls-files", "dvc.lock").stdout.strip() == "dvc.lock"
    study.make("push")
    clone = Study(tmp_path / "elsewhere" / study.path.name)
    clone.path.parent.mkdir()
    study.run("git", "clone", "--quiet", str(study.path), str(clone.path))
    pulled = clone.make("pull", check=False)
    assert pulled.returncode != 0
    advice = pulled.stdout + pulled.stderr
    assert "dvc remote modify --local storage url" in advice and "run.py study" in advice
    # Doing what it says brings the data and the model.
    storage = study.path.parent / f"{study.path.name}-dvc-storage"
    clone.run(".venv/bin/dvc", "remote", "modify", "--local", "storage", "url", str(storage))
    clone.make("pull")
    raw = "data/raw/digits.csv"
    assert clone.read(raw) == study.read(raw) and clone.has_file("models/model.joblib")
    assert clone.run("git", "status", "--porcelain").stdout == ""  # config.local stays out


# --- No git identity, and an interrupted first install ---


@pytest.fixture(scope="module")
def no_identity_study(tmp_path_factory) -> Study:
    """A study rendered where git has no name and email: the post-generation hook could not
    commit. `useConfigOnly` stops git guessing one from the host name, as on many laptops."""
    home = tmp_path_factory.mktemp("no-identity-home")
    (home / ".gitconfig").write_text("[user]\n\tuseConfigOnly = true\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        for var in IDENTITY:
            mp.delenv(var, raising=False)
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        study = render_into(tmp_path_factory.mktemp("no-identity"))
        assert study.run("git", "rev-parse", "--verify", "HEAD", check=False).returncode != 0
    return study


def site_packages(study: Study) -> list[Path]:
    return list((study.path / ".venv" / "lib").glob("python3*/site-packages"))


@pytest.fixture(scope="module")
def interrupted_then_study(no_identity_study):
    """Ctrl-C (SIGINT to make and uv) while uv writes scikit-learn, then `make study`."""
    study = no_identity_study
    # uv links packages from its cache in about a second: on a loaded machine the interrupt
    # could come after it. Copying one package at a time (uv's own settings) keeps the
    # install running long enough to be cut short; a missed attempt is tried again.
    # Ctrl-C as in a terminal: a test run started in the background (`cmd &` in a script)
    # inherits SIGINT ignored, and make and uv would then ignore the interrupt.
    slow_install = {**os.environ, "UV_LINK_MODE": "copy", "UV_CONCURRENT_INSTALLS": "1"}
    for _attempt in range(3):
        shutil.rmtree(study.path / ".venv", ignore_errors=True)
        setup = subprocess.Popen(
            ["make", "setup"],
            cwd=study.path,
            env=slow_install,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 300
        while setup.poll() is None and time.monotonic() < deadline:
            if any((site / "sklearn").is_dir() for site in site_packages(study)):
                break
            time.sleep(0.005)
        cut_short = setup.poll() is None
        os.killpg(setup.pid, signal.SIGINT)
        setup.wait(timeout=120)
        if cut_short and not study.has_file(".venv/.synced"):
            break
    assert cut_short, "run.py setup ended before the install could be interrupted"
    assert not study.has_file(".venv/.synced"), "the interrupt never landed inside the install"
    return study, study.make("study", check=False)


@pytest.mark.slow
def test_make_study_recovers_from_an_interrupted_install(interrupted_then_study):
    study, result = interrupted_then_study
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert STAGE_RUN.findall(result.stdout) == [
        "get_data",
        "prepare",
        "train",
        "evaluate",
        "report",
    ]
    assert study.has_file(".venv/.synced") and study.has_file("reports/writeup.html")


@pytest.mark.slow
def test_a_broken_environment_is_rebuilt_before_it_is_marked_ready(interrupted_then_study):
    """Files missing from an installed package (what an interrupt leaves): uv still counts it
    installed; setup notices on import and builds .venv again."""
    study, _ = interrupted_then_study
    (site,) = site_packages(study)
    (site / "sklearn" / "datasets" / "__init__.py").unlink()
    (study.path / ".venv" / ".synced").unlink()
    result = study.make("setup")
    assert "building it again" in result.stdout
    study.run(".venv/bin/python", "-c", "from sklearn import datasets")
    assert study.has_file(".venv/.synced")


@pytest.mark.slow
def test_first_commit_without_identity_passes_the_studys_own_hooks(interrupted_then_study):
    """The next steps say: make study, set a name and email, commit. uv.lock (1.5 MB) and
    the other lock files go in; the hooks (installed by make setup) still refuse data."""
    study, _ = interrupted_then_study
    assert study.has_file(".git/hooks/pre-commit")
    assert study.run("git", "rev-parse", "--verify", "HEAD", check=False).returncode != 0
    study.make("lint")  # what CI runs, before any commit
    study.run("git", "config", "user.name", "Ada Lovelace")
    study.run("git", "config", "user.email", "ada@example.org")
    study.run("git", "add", "--all")
    commit = study.run("git", "commit", "-m", "Start the study", check=False)
    assert commit.returncode == 0, commit.stdout[-4000:] + commit.stderr[-4000:]
    committed = study.run("git", "ls-files").stdout.split()
    assert "uv.lock" in committed and "dvc.lock" in committed
    assert study.run("git", "status", "--porcelain").stdout == ""


# --- Smaller holes ---


def test_a_local_files_full_path_stays_out_of_the_study(render):
    """The study records the learner's file by name only: its folder (their home) would be
    published with the study (.cruft.json, the data card) and means nothing elsewhere."""
    study = render(
        dataset="local_file", dataset_location=str(PENGUINS_CSV), target_column="species"
    )
    folder = str(PENGUINS_CSV.parent)
    for name in (".cruft.json", "data/README.md"):
        assert folder not in study.read(name), name
    answers = json.loads(study.read(".cruft.json"))["context"]["cookiecutter"]
    assert answers["dataset_location"] == "penguins.csv"
    assert "a file named `penguins.csv`" in study.read("data/README.md")
    assert study.has_file("data/raw/penguins.csv")
