"""The study's command layer: `python3 run.py <command>` (kit/cli.py), on any OS, from any
folder, with or without uv, with no make and no POSIX shell.

The fast tier runs what needs no .venv (help, doctor, clean, the refusals) and reads the
command layer's code for what would tie it to Linux or macOS: a shell line, a POSIX-only
program, module or call. The full tier runs two studies in a folder whose path has spaces
and accents, with a PATH that holds only python3, git and (for one of them) uv: no make, no
bash, no sh. One is set up, run, tested and reviewed; the other installs its private uv,
then is moved to another folder and repairs its .venv there.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEMPLATE, Study, render_into

# What the command layer (and run.py) must never run or rely on: each ties it to a POSIX
# shell or system. Windows has none of these programs, modules or functions.
POSIX_PROGRAMS = {
    "sh", "bash", "zsh", "make", "grep", "sed", "awk", "cut", "tr", "rm", "cp", "mv",
    "mkdir", "touch", "ln", "chmod", "cksum", "printf", "test", "id", "find", "xargs",
    "env", "which", "cat", "head", "tail", "tee", "true", "false",
}  # fmt: skip
POSIX_MODULES = {"pwd", "grp", "fcntl", "termios", "tty", "pty", "resource", "posix"}
POSIX_CALLS = {"fork", "killpg", "setsid", "getuid", "geteuid", "getpgid", "setpgrp"}
SHELL_SYNTAX = re.compile(r"&&|\|\||[|;<>`$]")


def run_py(study: Study, *words: str, python: str = sys.executable, env=None, check=True):
    done = subprocess.run(
        [python, "run.py", *words],
        cwd=study.path,
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
        check=False,
    )
    if check:
        assert done.returncode == 0, f"{words}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Study:
    return render_into(tmp_path_factory.mktemp("layer"))


# --- Fast tier: what runs before .venv exists ------------------------------------------------


def test_help_lists_every_command_before_the_environment_exists(study):
    commands = study.command_layer("list(cli.COMMANDS)")
    for words in ([], ["help"], ["--help"]):
        shown = run_py(study, *words).stdout
        listed = re.findall(r"^  ([a-z-]+) ", shown, re.MULTILINE)
        assert listed == commands, shown
        assert "py run.py <command>" in shown  # the PowerShell form
    assert not study.has_file(".venv/.synced") and not (study.path / ".venv").exists()
    # make is only an alias: `make` alone prints the same list.
    assert re.findall(r"^  ([a-z-]+) ", study.run("make").stdout, re.MULTILINE) == commands
    assert run_py(study, "study", "--help").stdout.startswith("python3 run.py study: Run")


def test_a_wrong_command_is_named_with_the_nearest_one(study):
    for words, words_said in [
        (["stduy"], "Did you mean `python3 run.py study`?"),
        (["deploy"], "`python3 run.py help` lists them"),
        (["study", "now"], "`python3 run.py study` takes nothing after it"),
    ]:
        done = run_py(study, *words, check=False)
        assert done.returncode == 1 and words_said in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert not (study.path / ".venv").exists()


def older_pythons() -> list[str]:
    """Pythons older than 3.10 on this machine (pyenv's, or on PATH), one per version."""
    found = {}
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = sorted(str(p) for p in root.glob("versions/*/bin/python"))
    candidates += [shutil.which(f"python{v}") for v in ("2.7", "3.6", "3.7", "3.8", "3.9")]
    for python in filter(None, candidates):
        done = subprocess.run(
            [python, "-c", "import sys; sys.stdout.write('%d %d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        version = tuple(map(int, done.stdout.split())) if done.returncode == 0 else None
        if version and version < (3, 10):
            found.setdefault(version, python)
    return list(found.values())


def test_an_older_python_is_told_which_it_needs(study):
    pythons = older_pythons()
    if not pythons:
        pytest.skip("no Python older than 3.10 on this machine")
    for python in pythons:
        done = run_py(study, "study", python=python, check=False)
        assert done.returncode == 1, python
        assert "This study needs Python 3.10 to 3.13" in done.stderr, done.stderr
        assert "py -3.12 run.py" in done.stderr and "Traceback" not in done.stderr
    assert not (study.path / ".venv").exists()


def test_doctor_checks_the_computer_one_line_each(study, tmp_path):
    done = run_py(study, "doctor")
    findings = [line for line in done.stdout.splitlines() if line.startswith("  ")]
    levels = [line.split()[0] for line in findings]
    assert levels[:3] == ["ok"] * 3 and levels[3] in ("ok", "note") and levels[4] == "ok"
    assert "Python 3." in findings[0] and "in 3.10-3.13" in findings[0]
    assert "committing as Test Learner <learner@example.org>" in findings[1]
    assert "GB free" in findings[2]
    assert "uv" in findings[3]
    assert "digits-practice-study-dvc-storage (setup creates it)" in findings[4]
    # No identity: a note that says the two git commands, not a failure.
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tuseConfigOnly = true\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_CONFIG_GLOBAL"] = str(config)
    anonymous = run_py(study, "doctor", env=env).stdout
    assert "note  git 2." in anonymous and 'git config --global user.name "Your Name"' in anonymous


def test_a_pip_study_refuses_an_older_python_before_installing(render):
    pythons = older_pythons()
    if not pythons:
        pytest.skip("no Python older than 3.10 on this machine")
    study = render(env_manager="pip")
    env = {**os.environ, "PYTHON": pythons[-1]}
    doctor = run_py(study, "doctor", env=env, check=False)
    assert doctor.returncode == 1
    (line,) = [x for x in doctor.stdout.splitlines() if x.startswith("  FAIL")]
    assert "outside 3.10-3.13" in line and "py -3.12 run.py setup" in line, line
    assert "uv python install 3.12" in line
    setup = run_py(study, "setup", env=env, check=False)
    assert setup.returncode == 1 and "outside 3.10-3.13" in setup.stdout
    assert "Setup cannot go on" in setup.stderr and "Traceback" not in setup.stderr
    assert not (study.path / ".venv").exists()
    missing = run_py(study, "setup", env={**os.environ, "PYTHON": "python2.5"}, check=False)
    assert "PYTHON=python2.5 is not a program on this computer" in missing.stdout + missing.stderr


def test_the_command_layer_needs_only_the_standard_library(study):
    """run.py loads it with the learner's Python: nothing from site-packages, at import."""
    module = next((study.path / "src").glob("*/kit")).parent.name
    outside = study.command_layer(
        f"sorted(m for m in sys.modules if m.split('.')[0] not in sys.stdlib_module_names"
        f" and m.split('.')[0] not in ({module!r}, '__main__'))"
    )
    assert outside == []


def posix_only(node: ast.AST, source: str) -> str | None:
    """What ties this piece of code to a POSIX system, if anything."""
    if isinstance(node, ast.keyword) and node.arg == "shell":
        return "shell= (a shell line)"
    if isinstance(node, ast.Attribute) and node.attr in {"system", "popen"}:
        return f"os.{node.attr} (a shell line)"
    if isinstance(node, ast.Attribute) and node.attr in POSIX_CALLS:
        return None if f'hasattr(os, "{node.attr}")' in source else f"os.{node.attr}"
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names if alias.name in POSIX_MODULES]
        return f"imports {names}" if names else None
    if isinstance(node, ast.ImportFrom) and node.module in POSIX_MODULES:
        return f"imports {node.module}"
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        first = node.elts[0]  # a command: [program, arguments ...]
        if isinstance(first, ast.Constant) and first.value in POSIX_PROGRAMS:
            return f"runs {first.value!r}"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return f"{node.value!r}" if re.match(r"/(bin|usr|dev|tmp|etc)/", node.value) else None
    if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("run", "Popen"):
        one_string = node.args and isinstance(node.args[0], (ast.Constant, ast.JoinedStr))
        return "a command given as one string" if one_string else None
    return None


def test_the_command_layer_runs_no_posix_only_construct(study):
    """No shell line, no POSIX program, module or call (unless guarded by hasattr), no
    absolute POSIX path, in run.py and every module of the study's package: the commands
    run all of them (update, reproduce, sharing, review ...), not only cli."""
    problems = []
    package = next((study.path / "src").glob("*/kit")).parent
    for path in [study.path / "run.py", *sorted(package.rglob("*.py"))]:
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            found = posix_only(node, source)
            if found:
                problems.append(f"{path.name}:{getattr(node, 'lineno', '?')}: {found}")
    assert problems == []
    # The check can fail: each kind of POSIX-only code is caught.
    caught = [
        posix_only(node, code)
        for code in (
            "subprocess.run('ls', shell=True)",
            "os.system('make')",
            "run(['bash', '-c', 'x'])",
            "import pwd",
            "os.geteuid()",
            "Path('/usr/bin/env')",
        )
        for node in ast.walk(ast.parse(code))
    ]
    assert len([c for c in caught if c]) >= 6


def test_what_the_command_layer_hands_on_is_no_shell_line_either(study):
    """dvc.yaml's stages (DVC runs them through the OS's shell: sh or cmd.exe) are plain
    `python -m` commands; the make alias only calls run.py; the git hooks' tools are named
    as Windows has them in the config setup writes there."""
    import yaml

    for name, stage in yaml.safe_load(study.read("dvc.yaml"))["stages"].items():
        assert re.fullmatch(r"python -m [\w.]+", stage["cmd"]), (name, stage["cmd"])
    recipes = [line for line in study.read("Makefile").splitlines() if line.startswith("\t")]
    assert recipes and all(line.startswith("\t@$(RUN) ") for line in recipes), recipes
    config = study.read(".pre-commit-config.yaml")
    windows = study.command_layer(f"cli.for_windows({json.dumps(config)})")
    entries = re.findall(r"entry: (\S+)", config)
    assert entries and all(e.startswith(".venv/bin/") for e in entries)
    assert re.findall(r"entry: (\S+)", windows) == [
        ".venv/Scripts/" + e.removeprefix(".venv/bin/") + ".exe" for e in entries
    ]
    assert windows.replace(".exe", "").replace("Scripts", "bin") == config


# --- Full tier: no make, no bash; spaces and accents; with and without uv ---------------------


def bare_path(folder: Path, with_uv: bool) -> str:
    """A folder holding only python3, git (and uv): the whole PATH of the runs below."""
    folder.mkdir()
    real_python = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    (folder / "python3").symlink_to(real_python)
    (folder / "git").symlink_to(shutil.which("git"))
    if with_uv:
        uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
        assert uv, "uv is needed for the run with uv"
        (folder / "uv").symlink_to(uv)
    for program in ("make", "bash", "sh"):
        assert shutil.which(program, path=str(folder)) is None
    return str(folder)


def bare_env(path: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SHELL", "VIRTUAL_ENV", "MAKEFLAGS")}
    return {**env, "PATH": path}


SPACED = "Études de cas ü"  # spaces and accents, as in a learner's Documents folder


@pytest.fixture(scope="module")
def with_uv(tmp_path_factory):
    """Rendered by the cookiecutter command itself (its hooks run git), then run, with a
    PATH of python3, git and uv only."""
    root = tmp_path_factory.mktemp("bare") / SPACED / "avec uv"
    root.mkdir(parents=True)
    env = bare_env(bare_path(root.parent / "bin-uv", with_uv=True))
    render = [sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir", str(root)]
    answers = ["dataset=iris", "project_name=Avec uv"]
    subprocess.run([*render, str(TEMPLATE), *answers], env=env, check=True, capture_output=True)
    study = Study(root / "avec-uv")
    return study, env, run_py(study, "study", python="python3", env=env)


@pytest.fixture(scope="module")
def without_uv(tmp_path_factory):
    root = tmp_path_factory.mktemp("bare") / SPACED / "sans uv"
    study = render_into(root, dataset="iris", project_name="Sans uv")
    env = bare_env(bare_path(root.parent / "bin-no-uv", with_uv=False))
    return study, env, run_py(study, "study", python="python3", env=env)


@pytest.mark.slow
def test_a_study_runs_tests_and_reviews_with_no_make_and_no_shell(with_uv):
    study, env, first = with_uv
    out = first.stdout
    assert "Installing the study's packages into .venv" in out
    assert not re.search(r"^ *\+ \w", first.stdout + first.stderr, re.MULTILINE)  # quiet
    assert re.search(r"Installed \d+ packages", first.stderr)  # uv's one summary line
    for stage in ("get_data", "prepare", "train", "evaluate", "report"):
        assert f"Running stage '{stage}'" in out
    assert out.strip().splitlines()[-1].startswith("Done: reports/writeup.html. Changed: ")
    assert study.has_file("reports/writeup.html") and not study.has_file(".tools/bin/uv")
    tested = run_py(study, "test", python="python3", env=env)
    assert re.search(r"\d+ passed", tested.stdout) and " failed" not in tested.stdout
    reviewed = run_py(study, "review", python="python3", env=env).stdout
    assert "REFORMS items" in reviewed
    # The learner's loop: a try on the training rows, the comparison, a changed setting.
    tried = run_py(study, "try", "train.linear.classification.C=0.5", python="python3", env=env)
    assert "cross-validation accuracy" in tried.stdout
    assert "C=0.5" in run_py(study, "compare", python="python3", env=env).stdout
    params = study.read("params.yaml")
    study.write("params.yaml", params.replace("C: 1.0", "C: 0.5", 1))
    try:
        again = run_py(study, "study", python="python3", env=env).stdout
        assert re.findall(r"Running stage '(\w+)'", again) == ["train", "evaluate", "report"]
        assert (
            "train.linear.classification.C"
            in run_py(study, "diff", python="python3", env=env).stdout
        )
    finally:
        study.write("params.yaml", params)


@pytest.mark.slow
def test_the_studys_kernel_is_named_for_it_and_removable(with_uv):
    study, env, _ = with_uv
    python = str(study.path / ".venv" / "bin" / "python")

    def kernels() -> dict[str, str]:
        listed = study.run(".venv/bin/jupyter", "kernelspec", "list", "--json").stdout
        found = json.loads(listed)["kernelspecs"].items()
        return {name: spec["spec"]["argv"][0] for name, spec in found}

    (name,) = [n for n, argv0 in kernels().items() if argv0 == python]
    assert re.fullmatch(r"avec-uv-\d+", name)
    removed = run_py(study, "remove-kernel", python="python3", env=env).stdout
    assert f"Removed the Jupyter kernel {name}" in removed
    assert python not in kernels().values()
    run_py(study, "setup", python="python3", env=env)  # registers it again
    assert kernels().get(name) == python


@pytest.mark.slow
def test_without_uv_a_private_copy_is_installed_from_pypi(without_uv):
    study, _, first = without_uv
    out = first.stdout
    assert "uv is not installed: installing a private copy into .tools/" in out
    assert "uv installed: .tools/bin/uv" in out and study.has_file(".tools/bin/uv")
    assert "an install cut short" not in out
    assert study.has_file("reports/writeup.html")


@pytest.mark.slow
def test_a_moved_study_repairs_its_environment_with_a_clear_message(without_uv, tmp_path):
    study, env, _ = without_uv
    old = study.path
    moved = Study(tmp_path / "ailleurs, déplacé" / old.name)
    moved.path.parent.mkdir()
    shutil.move(old, moved.path)
    try:
        done = run_py(moved, "--verbose", "study", python="python3", env=env)
        assert f"This study moved here from {old}" in done.stdout
        assert "built again for this folder" in done.stdout
        assert re.search(r"^ \+ \w", done.stderr, re.MULTILINE)  # --verbose: every package
        assert "Removed the Jupyter kernel sans-uv-" in done.stdout  # the old folder's
        assert "Data and pipelines are up to date." in done.stdout
        moved.run(".venv/bin/dvc", "status")  # its programs work from the new place
        again = run_py(moved, "study", python="python3", env=env).stdout
        assert "moved" not in again and "Installing" not in again
    finally:
        shutil.move(moved.path, old)
