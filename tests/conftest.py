"""Render studies from the template and drive them the way a learner would.

``render(**answers)`` returns a :class:`Study`. Every test runs with HOME, TMPDIR, the
pre-commit home and DVC's site cache pointed at temporary folders, so cookiecutter's replay
files and hook scripts, git config and DVC state never leak onto the machine. uv's package
cache stays shared (and warm): it only holds downloads.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from tools.extension_name import load as load_extensions

TEMPLATE = Path(__file__).resolve().parents[1]
# The template's Jinja filters, imported by the name cookiecutter.json gives them (a name that
# carries a hash of the module's content: tools/extension_name.py). Tests import it from here.
local_extensions = load_extensions()
# A learner's own table with missing values and text columns: Palmer penguins, as the
# palmerpenguins package ships it (found without importing it, which would load pandas).
PENGUINS_CSV = Path(
    importlib.util.find_spec("palmerpenguins").submodule_search_locations[0], "data", "penguins.csv"
)
DEFAULTS = {
    "project_name": "Digits Practice Study",
    "dataset": "digits",
    "license": "MIT",
}


def _uv_cache() -> str:
    uv = shutil.which("uv")
    if os.environ.get("UV_CACHE_DIR") or not uv:
        return os.environ.get("UV_CACHE_DIR", "")
    done = subprocess.run([uv, "cache", "dir"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


@dataclass
class Study:
    """A rendered study folder, with the few actions tests need."""

    path: Path

    def has_file(self, relative: str) -> bool:
        return (self.path / relative).is_file()

    def read(self, relative: str) -> str:
        return (self.path / relative).read_text(encoding="utf-8")

    def write(self, relative: str, text: str) -> None:
        (self.path / relative).write_text(text, encoding="utf-8")

    def files(self) -> list[Path]:
        skip = {".git", ".venv", ".tools", "__pycache__", ".pytest_cache", ".ruff_cache"}
        return sorted(p for p in self.path.rglob("*") if p.is_file() and not skip & set(p.parts))

    def run(self, *command: str, check: bool = True, timeout: float = 900):
        result = subprocess.run(
            command, cwd=self.path, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"`{' '.join(command)}` failed with {result.returncode}\n"
                f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
            )
        return result

    def command_layer(self, expression: str):
        """The value (as JSON) of an expression over the study's command layer: `cli`,
        `environment`, `doctor` and `paths` of its kit, read by a Python without any
        site-packages, as run.py loads them before .venv exists."""
        module = next(p.parents[1].name for p in (self.path / "src").glob("*/kit/cli.py"))
        code = (
            "import json, sys; sys.path.insert(0, 'src'); "
            f"from {module}.kit import cli, doctor, environment, paths; "
            f"print(json.dumps({expression}, default=str))"
        )
        done = self.run(sys.executable, "-I", "-S", "-c", code)
        return json.loads(done.stdout)

    def make(self, target: str, check: bool = True):
        """A study command as its README gives it: `python3 run.py <target>`, through the
        command layer (kit/cli.py), not make. A study made before run.py existed (the
        update tests make some) has only its Makefile."""
        if not self.has_file("run.py"):
            return self.run("make", target, check=check)
        return self.run(sys.executable, "run.py", target, check=check)


@pytest.fixture(scope="session")
def uv_cache() -> str:
    return _uv_cache()


@pytest.fixture(scope="session")
def shared_tool_home(tmp_path_factory) -> Path:
    """One pre-commit home per test run, so hook environments are built once.

    Under pytest-xdist every worker has a temp folder of its own inside the run's; the
    workers share the run's (pre-commit locks its store while it installs).
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = tmp_path_factory.getbasetemp().parent / "tool-home"
        shared.mkdir(exist_ok=True)
        return shared
    return tmp_path_factory.mktemp("tool-home")


@pytest.fixture(scope="session", autouse=True)
def isolated(tmp_path_factory, uv_cache, shared_tool_home):
    """Point every tool's home, temp and cache folders at this session's temporary ones."""
    root = tmp_path_factory.mktemp("isolated")
    home, temp = root / "home", root / "tmp"
    home.mkdir()
    temp.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        if uv_cache:
            mp.setenv("UV_CACHE_DIR", uv_cache)
        mp.setenv("HOME", str(home))
        mp.setenv("TMPDIR", str(temp))
        mp.setattr(tempfile, "tempdir", str(temp))
        # cookiecutter reads ~ once, when first imported (before this fixture), so HOME
        # alone would leave its replay files in the real home: name its folders instead.
        config = home / ".cookiecutterrc"
        config.write_text(
            f"cookiecutters_dir: {json.dumps(str(home / '.cookiecutters'))}\n"
            f"replay_dir: {json.dumps(str(home / '.cookiecutter_replay'))}\n",
            encoding="utf-8",
        )
        mp.setenv("COOKIECUTTER_CONFIG", str(config))
        mp.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        mp.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
        mp.setenv("PRE_COMMIT_HOME", str(shared_tool_home / "pre-commit"))
        mp.setenv("DVC_NO_ANALYTICS", "1")
        mp.setenv("DVC_SITE_CACHE_DIR", str(temp / "dvc-site"))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        for var in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
            mp.setenv(var, "Test Learner")
        for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
            mp.setenv(var, "learner@example.org")
        mp.delenv("VIRTUAL_ENV", raising=False)
        # Set on these shared machines, unset on a learner's. With it, every Python a study
        # starts (stages, DVC, pytest) compiles pandas, scikit-learn and DVC again (a third
        # of the full tier's time in CI).
        mp.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
        # `make test` at the root runs pytest inside make: a study's make (an alias of its
        # run.py) must not inherit that level and its flags, or it prints "make[1]: ...".
        for var in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES"):
            mp.delenv(var, raising=False)
        yield root


def render_into(output: Path, **answers) -> Study:
    """Render the template with hooks, as `cookiecutter --no-input` would."""
    output.mkdir(parents=True, exist_ok=True)
    folder = cookiecutter(
        str(TEMPLATE), no_input=True, output_dir=str(output), extra_context=answers
    )
    return Study(Path(folder))


@pytest.fixture
def render(tmp_path):
    """render(**answers) -> Study, each call into a fresh output folder."""
    count = iter(range(1000))

    def _render(**answers) -> Study:
        return render_into(tmp_path / f"out{next(count)}", **answers)

    return _render


@pytest.fixture(scope="session")
def default_study(tmp_path_factory) -> Study:
    """The default study after its first `make study`; shared by full-tier tests."""
    study = render_into(tmp_path_factory.mktemp("default"))
    study.first_run = study.make("study")
    return study
